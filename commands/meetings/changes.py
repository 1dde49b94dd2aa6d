"""``!sitzung verschieben`` and ``!sitzung absagen``: one meeting moves or is cancelled."""

from __future__ import annotations

from datetime import UTC, datetime

from commands.dates.when import ParsedWhen, relative_day
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Role, command
from commands.framework.reply import Reply, code, fmt, strong
from commands.meetings.agenda import moved_items_text
from commands.meetings.clashes import clash_notes
from commands.meetings.converters import MEETING_IN_REACH
from commands.meetings.finding import delivered, still_ahead
from commands.meetings.planning import WHEN_PARAM
from commands.meetings.schedule import arm_schedule
from commands.meetings.texts import (
    labelled,
    meeting_name,
    meeting_number,
    span_text,
    where_lines,
)
from storage.models import Meeting


@command(
    "sitzung verschieben",
    english="meeting move",
    help=N_("Moves one meeting to another date; a series keeps its other dates."),
    params=[MEETING_IN_REACH, WHEN_PARAM],
    min_role=Role.ORGANIZER,
    examples=("!sitzung verschieben 12 19.03.2027 15 Uhr", "!sitzung verschieben 12 morgen"),
    group=HelpGroup.MEETINGS,
    rank=40,
)
async def meeting_move(ctx: Context, meeting: Meeting, when: ParsedWhen) -> Reply:
    still_ahead(ctx, meeting)
    committee = meeting.committee
    start = when.at
    if not when.has_time:
        # Only a new day: the meeting keeps its time of day there.
        day = ctx.t.local(when.at).date()
        clock = ctx.t.local(meeting.start).time()
        start = datetime.combine(day, clock, tzinfo=ctx.t.zone).astimezone(UTC)
    now = ctx.clock.now()
    if start <= now:
        raise BadArgument(
            ctx.say(
                "The time {when} is in the past. Please give a future date.",
                when=ctx.t.datetime(start),
            )
        )
    if start == meeting.start:
        raise BadArgument(
            ctx.say(
                "Meeting {number} already takes place at {when}.",
                number=meeting_number(ctx.t, meeting),
                when=ctx.t.datetime(start),
            )
        )
    before = meeting.start
    length = meeting.end - meeting.start
    meeting.start, meeting.end = start, start + length
    meeting.sequence += 1
    await ctx.store.meetings.touch(meeting, now)
    await ctx.store.audit.record(
        now, ctx.sender, "move", "meeting", meeting.id, f"sequence {meeting.sequence}"
    )
    await arm_schedule(ctx, meeting)

    announcement = Reply.of(
        ctx.say(
            "Meeting {number} of {committee} has been moved from {before} to {when}.",
            number=meeting_number(ctx.t, meeting),
            committee=meeting_name(meeting),
            before=ctx.t.datetime(before),
            when=strong(span_text(ctx.t, meeting.start, meeting.end)),
        )
    )
    for line in where_lines(ctx.t, meeting):
        announcement.add(line)
    if meeting.series_id is not None:
        announcement.add(ctx._(N_("The other meetings of the series stay as they are.")))
    confirmation = ctx.say(
        "Meeting {number} moved to {when} ({relative}).",
        number=meeting_number(ctx.t, meeting),
        when=span_text(ctx.t, meeting.start, meeting.end),
        relative=relative_day(ctx.t, meeting.start, now),
    )
    reply = delivered(ctx, committee, announcement, confirmation)
    if meeting.invitation_sent_at is not None:
        reply.add(
            ctx.say(
                "The invitation had been posted already; {invite} posts it again.",
                invite=code(ctx.command_ref("einladung", str(meeting.id))),
            )
        )
    for clash in await clash_notes(ctx, [meeting]):
        reply.add(clash)
    return reply


@command(
    "sitzung absagen",
    english="meeting cancel",
    help=N_("Cancels one meeting; a series keeps its other dates."),
    params=[MEETING_IN_REACH],
    options=[Option("reason", "grund", converters.text, aliases=("reason",))],
    min_role=Role.ORGANIZER,
    examples=('!sitzung absagen 12 grund="zu wenige Themen"',),
    group=HelpGroup.MEETINGS,
    rank=50,
)
async def meeting_cancel(ctx: Context, meeting: Meeting, reason: str | None) -> Reply:
    still_ahead(ctx, meeting)
    now = ctx.clock.now()
    await ctx.store.meetings.cancel(meeting, reason or "", now)
    await ctx.store.audit.record(
        now, ctx.sender, "cancel", "meeting", meeting.id, f"sequence {meeting.sequence}"
    )
    await arm_schedule(ctx, meeting)

    announcement = Reply.of(
        ctx.say(
            "Meeting {number} of {committee} on {when} is cancelled.",
            number=meeting_number(ctx.t, meeting),
            committee=meeting_name(meeting),
            when=strong(ctx.t.datetime(meeting.start)),
        )
    )
    if reason:
        announcement.add(labelled(ctx.t, N_("Reason"), reason))
    if meeting.series_id is not None:
        announcement.add(ctx._(N_("The other meetings of the series stay as they are.")))
    # Its agenda items move on to the next meeting; the room (and so their submitters) hear.
    target = await ctx.store.agenda.next_meeting(meeting.committee_id, now)
    moved = await ctx.store.agenda.move_open_items(meeting, target, now)
    if moved:
        announcement.add(
            moved_items_text(
                ctx.t,
                target,
                [
                    fmt(
                        "#{number} {title} ({submitter})",
                        number=item.item_id,
                        title=item.title,
                        submitter=item.submitter_name or item.submitter,
                    )
                    for item in moved
                ],
            )
        )
    confirmation = ctx.say(
        "Meeting {number} on {when} cancelled.",
        number=meeting_number(ctx.t, meeting),
        when=ctx.t.datetime(meeting.start),
    )
    return delivered(ctx, meeting.committee, announcement, confirmation)
