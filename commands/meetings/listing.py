"""``!termine`` and ``!sitzung <Nr.>``: the upcoming meetings, and one in detail."""

from __future__ import annotations

from commands.committees.lookup import committee_named, not_a_committee_room
from commands.dates.recurrence import rule_shape
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotFound
from commands.framework.i18n import N_
from commands.framework.paging import PAGE_OPTION, more_note, page_from
from commands.framework.registry import HelpGroup, Param, Role, RoomKind, command
from commands.framework.reply import Reply, Text, code, fmt, strong, text
from commands.meetings.converters import reachable_meeting
from commands.meetings.finding import meeting_or_next, within_reach
from commands.meetings.schedule import invitation_deadline, item_deadline
from commands.meetings.texts import (
    labelled,
    meeting_line,
    meeting_name,
    meeting_number,
    rhythm_text,
    span_text,
    where_lines,
)
from storage.models import Committee, Meeting, MeetingStatus


@command(
    "termine",
    english="meetings",
    aliases=("sitzungen",),
    help=N_("Lists the upcoming meetings: of this room's committee, or of all committees."),
    params=[Param("committee", N_("committee"), converters.text, optional=True, greedy=True)],
    options=[PAGE_OPTION],
    examples=("!termine", "!termine Bildungsbeirat", "!termine BB seite=2"),
    group=HelpGroup.MEETINGS,
    rank=20,
)
async def meeting_list(ctx: Context, committee: str | None, page: int | None) -> Reply:
    here = await ctx.store.committees.for_room(ctx.room_id)
    ids: list[int] | None
    heading_committee: Committee | None = None
    if here is not None:
        if committee and (await committee_named(ctx, committee)).id != here.id:
            raise BadArgument(
                ctx.say(
                    "This room shows the meetings of {committee}; other committees' "
                    "meetings are listed in the team room or in a direct chat.",
                    committee=here.name,
                )
            )
        ids, heading_committee = [here.id], here
    elif ctx.room_kind is RoomKind.GROUP:
        raise NotFound(not_a_committee_room(ctx))
    elif committee:
        named = await committee_named(ctx, committee)
        if not await within_reach(ctx, named):
            raise NotFound(
                ctx.say("You sit in no committee called {name}.", name=strong(committee))
            )
        ids, heading_committee = [named.id], named
    elif ctx.role >= Role.TEAM:
        ids = None
    else:
        ids = await ctx.store.meetings.committee_ids_of(ctx.sender)

    chosen = page_from(page)
    found = await ctx.store.meetings.upcoming(
        ctx.clock.now(), ids, limit=chosen.size, offset=chosen.offset
    )
    if not found.meetings:
        return Reply.of(empty_list_text(ctx, heading_committee, ids, chosen.number))
    if heading_committee is not None:
        heading = ctx.say(
            "Upcoming meetings of {committee} ({count}):",
            committee=heading_committee.name,
            count=found.total,
        )
    else:
        heading = ctx.say("Upcoming meetings ({count}):", count=found.total)
    line = ctx.command_ref("termine")
    if committee:
        line += f' "{committee}"' if " " in committee else f" {committee}"
    reply = Reply.of(heading)
    reply.bullets(
        [meeting_line(ctx.t, meeting) for meeting in found.meetings],
        more_note(ctx, chosen, found.total, line),
    )
    return reply


def empty_list_text(
    ctx: Context, committee: Committee | None, ids: list[int] | None, page: int
) -> Text:
    """Why the list is empty, and what to do."""
    if page > 1:
        return ctx.say("Page {page} is empty.", page=page)
    new = code(ctx.command_ref("sitzung neu", "…"))
    if committee is not None:
        return ctx.say(
            "{committee} has no upcoming meeting. {new} schedules one.",
            committee=committee.name,
            new=new,
        )
    if ids is not None and not ids:
        return text(ctx._(N_("You sit in no committee the bot knows of.")))
    return text(ctx._(N_("No upcoming meetings.")))


# --------------------------------------------------------------------------- !sitzung <nr>


@command(
    "sitzung",
    english="meeting",
    help=N_("Shows a meeting in detail: the next one of this room, or meeting No. N."),
    params=[Param("meeting", N_("number"), reachable_meeting, optional=True)],
    examples=("!sitzung", "!sitzung 12"),
    group=HelpGroup.MEETINGS,
    rank=30,
)
async def meeting_show(ctx: Context, meeting: Meeting | None) -> Reply:
    meeting = await meeting_or_next(ctx, meeting)
    committee = meeting.committee
    reply = Reply.of(
        strong(
            fmt(
                "{number} · {name}",
                number=meeting_number(ctx.t, meeting),
                name=meeting_name(meeting),
            )
        )
    )
    lines = [labelled(ctx.t, N_("When"), span_text(ctx.t, meeting.start, meeting.end))]
    if meeting.original_start is not None and meeting.original_start != meeting.start:
        lines.append(labelled(ctx.t, N_("Originally"), ctx.t.datetime(meeting.original_start)))
    lines.extend(where_lines(ctx.t, meeting))
    if meeting.series is not None:
        shape = rule_shape(meeting.series.rule)
        if shape.frequency is not None:
            lines.append(
                labelled(
                    ctx.t,
                    N_("Series"),
                    rhythm_text(
                        ctx.t, shape.frequency, shape.position, meeting.series.first_start
                    ),
                )
            )
    if meeting.status == MeetingStatus.CANCELLED:
        status = ctx._(N_("cancelled"))
        if meeting.cancel_reason:
            status = f"{status} ({meeting.cancel_reason})"
        lines.append(labelled(ctx.t, N_("Status"), status))
    elif meeting.status == MeetingStatus.HELD:
        lines.append(labelled(ctx.t, N_("Status"), ctx._(N_("held"))))
    elif meeting.invitation_sent_at is not None:
        lines.append(
            labelled(
                ctx.t,
                N_("Invitation"),
                ctx.say("posted on {date}", date=ctx.t.date(meeting.invitation_sent_at)),
            )
        )
    elif meeting.start > ctx.clock.now():
        deadline = invitation_deadline(committee, meeting)
        if deadline < ctx.clock.now():
            due = ctx._(N_("not posted; it was due by {date} (notice period {days} days)"))
        else:
            due = ctx._(N_("due by {date} (notice period {days} days)"))
        lines.append(
            labelled(
                ctx.t,
                N_("Invitation"),
                fmt(due, date=ctx.t.date(deadline), days=committee.notice_days),
            )
        )
    if meeting.status == MeetingStatus.SCHEDULED and meeting.start > ctx.clock.now():
        lines.append(
            labelled(
                ctx.t, N_("Agenda items until"), ctx.t.date(item_deadline(committee, meeting))
            )
        )
    reply.bullets(lines)
    return reply
