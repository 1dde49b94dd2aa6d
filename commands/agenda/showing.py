"""``!tagesordnung``: show a meeting's agenda, publish it, set a committee's opening items."""

from __future__ import annotations

from commands.agenda.converters import opening_list
from commands.agenda.items import meeting_items, only_organisers
from commands.framework.context import Context
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Param, Role, command
from commands.framework.reply import Reply, code, fmt, join, strong
from commands.meetings.agenda import agenda_blocks, agenda_heading, build_agenda, opening_items
from commands.meetings.converters import OPTIONAL_MEETING_NUMBER
from commands.meetings.finding import (
    committee_of_room,
    delivered,
    meeting_or_next,
    still_ahead,
)
from commands.meetings.mode import minutes_to_approve
from commands.meetings.planning import COMMITTEE_OPTION
from commands.meetings.schedule import arm_schedule
from commands.meetings.texts import meeting_number
from storage.models import Meeting


@command(
    "tagesordnung",
    english="agenda",
    help=N_("Shows the agenda of the committee's next meeting, or of meeting No. …"),
    params=[OPTIONAL_MEETING_NUMBER],
    examples=("!tagesordnung", "!tagesordnung 12"),
    group=HelpGroup.AGENDA,
    rank=10,
)
async def agenda_show(ctx: Context, meeting: Meeting | None) -> Reply:
    meeting = await meeting_or_next(ctx, meeting)
    agenda = build_agenda(ctx.t, meeting, await meeting_items(ctx, meeting))
    reply = Reply.of(strong(agenda_heading(ctx.t, meeting)))
    reply.blocks.extend(agenda_blocks(ctx.t, agenda))
    if (approval := await minutes_to_approve(ctx, meeting)) is not None:
        reply.add(approval)
    reply.add(ctx.say("{propose} proposes an item.", propose=code(ctx.command_ref("top", "…"))))
    return reply


@command(
    "tagesordnung veröffentlichen",
    english="agenda publish",
    aliases=("tagesordnung veroeffentlichen",),
    help=N_("Fixes the order of the agenda and posts it into the committee's room."),
    params=[OPTIONAL_MEETING_NUMBER],
    min_role=Role.ORGANIZER,
    examples=("!tagesordnung veröffentlichen", "!tagesordnung veröffentlichen 12"),
    group=HelpGroup.AGENDA,
    rank=100,
)
async def agenda_publish(ctx: Context, meeting: Meeting | None) -> Reply:
    meeting = await meeting_or_next(ctx, meeting)
    only_organisers(ctx, meeting.committee)
    still_ahead(ctx, meeting)
    now = ctx.clock.now()
    upcoming = await ctx.store.agenda.next_meeting(meeting.committee_id, now)
    if upcoming is not None and upcoming.id == meeting.id:
        # What an earlier meeting left open (should its roll-over have been missed while the
        # bot was down) and the items waiting for "the next meeting" belong to this one now.
        await ctx.store.agenda.roll_over(meeting.committee_id, now, meeting)
        await ctx.store.agenda.claim_waiting(meeting, now)
    items = await meeting_items(ctx, meeting)
    again = meeting.agenda_published_at is not None
    meeting.agenda_published_at = now
    await ctx.store.meetings.touch(meeting, now)
    await ctx.store.audit.record(now, ctx.sender, "publish", "meeting", meeting.id)
    await arm_schedule(ctx, meeting)

    agenda = build_agenda(ctx.t, meeting, items)
    lead = N_("Updated agenda of {committee}") if again else N_("Agenda of {committee}")
    announcement = Reply.of(
        strong(fmt(ctx._(lead), committee=meeting.committee.name))
        + fmt(" – {when}", when=ctx.t.datetime(meeting.start))
    )
    announcement.blocks.extend(agenda_blocks(ctx.t, agenda, waiting=False))
    confirmation = ctx.say(
        "The agenda of meeting {number} is published.", number=meeting_number(ctx.t, meeting)
    )
    reply = delivered(ctx, meeting.committee, announcement, confirmation)
    if agenda.waiting:
        reply.add(
            ctx.say(
                "Late items still waiting: {items}. {accept} accepts one.",
                items=join(", ", [f"#{item.id} {item.title}" for item in agenda.waiting]),
                accept=code(ctx.command_ref("top annehmen", "…")),
            )
        )
    return reply


@command(
    "tagesordnung eröffnung",
    english="agenda opening",
    aliases=("tagesordnung eroeffnung",),
    help=N_(
        "Sets the committee's standard opening items, separated by semicolons; - restores "
        "the usual ones."
    ),
    params=[Param("items", N_("items"), opening_list, greedy=True)],
    options=[COMMITTEE_OPTION],
    min_role=Role.ORGANIZER,
    examples=(
        "!tagesordnung eröffnung Begrüßung; Genehmigung der Tagesordnung",
        "!tagesordnung eröffnung -",
    ),
    group=HelpGroup.AGENDA,
    rank=110,
)
async def agenda_opening(ctx: Context, items: list[str], committee: str | None) -> Reply:
    body = await committee_of_room(ctx, committee)
    only_organisers(ctx, body)
    now = ctx.clock.now()
    await ctx.store.committees.update(body, now, opening_items=items)
    await ctx.store.audit.record(now, ctx.sender, "update", "committee", body.id, "opening_items")
    reply = Reply.of(ctx.say("The agendas of {committee} now open with:", committee=body.name))
    return reply.bullets(opening_items(ctx.t, body))
