"""``!einladung``: the formal invitation, posted into the committee's room."""

from __future__ import annotations

from commands.framework.context import Context
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Param, Role, command
from commands.framework.reply import Block, Paragraph, Reply, code, strong
from commands.meetings.agenda import agenda_blocks, build_agenda
from commands.meetings.converters import reachable_meeting
from commands.meetings.finding import meeting_or_next, still_ahead
from commands.meetings.schedule import arm_schedule, invitation_deadline, item_deadline
from commands.meetings.texts import (
    agenda_line,
    labelled,
    meeting_number,
    span_text,
    where_lines,
)
from storage.models import Committee, Meeting


@command(
    "einladung",
    english="invitation",
    help=N_("Posts the formal invitation to a meeting into the committee's room."),
    params=[Param("meeting", N_("number"), reachable_meeting, optional=True)],
    min_role=Role.ORGANIZER,
    examples=("!einladung", "!einladung 12"),
    group=HelpGroup.MEETINGS,
    rank=60,
)
async def invitation_send(ctx: Context, meeting: Meeting | None) -> Reply:
    meeting = await meeting_or_next(ctx, meeting)
    still_ahead(ctx, meeting)
    committee = meeting.committee
    now = ctx.clock.now()
    invitation = await invitation_text(ctx, committee, meeting)
    if committee.allow_room_mention:
        invitation.address_room()

    meeting.invitation_sent_at = now
    await ctx.store.meetings.touch(meeting, now)
    await ctx.store.audit.record(now, ctx.sender, "invite", "meeting", meeting.id)
    await arm_schedule(ctx, meeting)

    deadline = invitation_deadline(committee, meeting)
    warning = None
    if now > deadline:
        warning = ctx.say(
            "Warning: the notice period of {days} days is not met; the invitation "
            "was due by {date}. Please check whether the rules of {committee} allow "
            "the meeting at such short notice.",
            days=committee.notice_days,
            date=ctx.t.date(deadline),
            committee=committee.name,
        )
    if ctx.room_id == committee.room_id:
        if warning is None:
            return invitation
        # The invitation stands on its own in the room; the answer warns the organiser.
        return Reply.of(warning).post(committee.room_id, invitation)
    reply = Reply.of(
        ctx.say(
            "The invitation to meeting {number} has been posted in {committee}'s room.",
            number=meeting_number(ctx.t, meeting),
            committee=committee.name,
        )
    )
    if warning is not None:
        reply.add(warning)
    return reply.post(committee.room_id, invitation)


async def invitation_text(ctx: Context, committee: Committee, meeting: Meeting) -> Reply:
    """The formal invitation: who meets when and where, the agenda, the deadline for items."""
    if meeting.title:
        heading = ctx.say(
            "Invitation to the meeting of {committee}: {title}",
            committee=committee.name,
            title=meeting.title,
        )
    else:
        heading = ctx.say("Invitation to the meeting of {committee}", committee=committee.name)
    invitation = Reply.of(strong(heading))
    details = [labelled(ctx.t, N_("When"), span_text(ctx.t, meeting.start, meeting.end))]
    details.extend(where_lines(ctx.t, meeting))
    if not meeting.place and not meeting.online_link:
        details.append(labelled(ctx.t, N_("Place"), ctx._(N_("to follow"))))
    invitation.bullets(details)
    invitation.blocks.extend(await agenda_section(ctx, meeting))
    items_until = item_deadline(committee, meeting)
    # Once the agenda is published, further items are late items: no call for them here.
    if items_until > ctx.clock.now() and meeting.agenda_published_at is None:
        invitation.add(
            ctx.say("Please submit agenda items by {date}.", date=strong(ctx.t.date(items_until)))
        )
    invitation.add(
        ctx.say(
            "{meeting} shows the details at any time.",
            meeting=code(ctx.command_ref("sitzung", str(meeting.id))),
        )
    )
    return invitation


async def agenda_section(ctx: Context, meeting: Meeting) -> list[Block]:
    """The published agenda with its papers, for the invitation: public part (Ö 1, Ö 2 …) and
    non-public part (NÖ 1 …); until it is published, "to follow". The invitation goes into
    the committee's own room, so the non-public part belongs in it."""
    if meeting.agenda_published_at is None:
        return [Paragraph(agenda_line(ctx.t, meeting))]
    agenda = build_agenda(ctx.t, meeting, await ctx.store.agenda.for_meeting(meeting))
    return [Paragraph(strong(ctx._(N_("Agenda")))), *agenda_blocks(ctx.t, agenda, waiting=False)]
