"""The agenda's scheduled posts: collecting items before a meeting, rolling them over after it.

Run once per occurrence by the bot's scheduler (entries and payloads in
``commands/meetings/schedule.py``, texts in ``commands/meetings/agenda.py``):

* ``meeting.items_call`` and ``meeting.items_last_day`` (:class:`ItemsCall`,
  :class:`ItemsLastDay`): the call for agenda items and its last day, into the committee room;
* ``meeting.items_deadline`` (:class:`ItemsDeadline`): the draft agenda, into the team room;
* ``meeting.over`` (:class:`MeetingOver`): the items not dealt with move to the next meeting.

The three calls stay silent once the agenda is published, the meeting is cancelled or has
begun, or moved (its move wrote new entries). The roll-over and its post are one unit of work:
run again, it finds nothing left to move and owes no second post.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from commands.framework.context import JobContext, Post
from commands.framework.registry import job
from commands.framework.reply import Reply, fmt
from commands.meetings.agenda import build_agenda, items_call_post, items_deadline_post
from commands.meetings.schedule import (
    ITEMS_CALL_KIND,
    ITEMS_DEADLINE_KIND,
    ITEMS_LAST_DAY_KIND,
    MEETING_OVER_KIND,
    ItemsCall,
    ItemsDeadline,
    ItemsLastDay,
    MeetingOver,
    collecting_items,
    moved_since,
)
from commands.meetings.texts import meeting_number
from storage.models import MeetingStatus

log = logging.getLogger(__name__)


@job(ITEMS_CALL_KIND, payload=ItemsCall)
async def post_items_call(ctx: JobContext, entry: ItemsCall) -> Sequence[Post]:
    """Ask the committee room for agenda items, some days before their deadline."""
    return await _call_for_items(ctx, entry)


@job(ITEMS_LAST_DAY_KIND, payload=ItemsLastDay)
async def post_items_last_day(ctx: JobContext, entry: ItemsLastDay) -> Sequence[Post]:
    """Remind the committee room on the last day for agenda items."""
    return await _call_for_items(ctx, entry)


async def _call_for_items(ctx: JobContext, entry: ItemsCall | ItemsLastDay) -> Sequence[Post]:
    meeting = await ctx.store.reminders.meeting(entry.meeting_id)
    if not collecting_items(entry, meeting, ctx.now) or moved_since(
        entry, meeting, ctx.occurrence
    ):
        return []
    assert meeting is not None
    last_day = isinstance(entry, ItemsLastDay)
    post = items_call_post(ctx.registry, ctx.t, ctx.prefix, meeting, last_day=last_day)
    return [Post(meeting.committee.room_id, post)]


@job(ITEMS_DEADLINE_KIND, payload=ItemsDeadline)
async def post_draft_agenda(ctx: JobContext, entry: ItemsDeadline) -> Sequence[Post]:
    """Send the organisers the draft agenda in the team room at the deadline for items."""
    meeting = await ctx.store.reminders.meeting(entry.meeting_id)
    if not collecting_items(entry, meeting, ctx.now) or moved_since(
        entry, meeting, ctx.occurrence
    ):
        return []
    assert meeting is not None
    if ctx.team_room_id is None:
        log.warning("%s: no team room for the draft agenda", ctx.entry_id)
        return []
    upcoming = await ctx.store.agenda.next_meeting(meeting.committee_id, ctx.now)
    waiting = upcoming is not None and upcoming.id == meeting.id
    items = await ctx.store.agenda.for_meeting(meeting, waiting=waiting)
    agenda = build_agenda(ctx.t, meeting, items)
    post = items_deadline_post(ctx.registry, ctx.t, ctx.prefix, agenda, ctx.now)
    return [Post(ctx.team_room_id, post)]


@job(MEETING_OVER_KIND, payload=MeetingOver)
async def roll_over_open_items(ctx: JobContext, entry: MeetingOver) -> Sequence[Post]:
    """Postpone the items of a meeting that is over and were not marked as dealt with to the
    committee's next meeting, and tell the organisers in the team room."""
    t = ctx.t
    meeting = await ctx.store.reminders.meeting(entry.meeting_id)
    if meeting is None or meeting.status == MeetingStatus.CANCELLED:
        return []
    if moved_since(entry, meeting, ctx.occurrence):
        return []
    target = await ctx.store.agenda.next_meeting(meeting.committee_id, ctx.now)
    moved = await ctx.store.agenda.roll_over(meeting.committee_id, ctx.now, target)
    if not moved:
        return []
    log.info("%s: %d items postponed", ctx.entry_id, len(moved))
    if ctx.team_room_id is None:
        return []
    post = Reply.of(
        fmt(
            t.ngettext(
                "Meeting {number} of {committee} is over; {count} item not marked as "
                "dealt with is postponed: {items}.",
                "Meeting {number} of {committee} is over; {count} items not marked as "
                "dealt with are postponed: {items}.",
                len(moved),
            ),
            number=meeting_number(t, meeting),
            committee=meeting.committee.name,
            count=len(moved),
            items=", ".join(f"#{item.item_id} {item.title}" for item in moved),
        )
    )
    return [Post(ctx.team_room_id, post)]
