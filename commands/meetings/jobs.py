"""A meeting's scheduled posts: the reminders before it and the invitation deadline.

Run once per occurrence by the bot's scheduler (entries and payloads in
``commands/meetings/schedule.py``, texts in ``commands/meetings/texts.py``):

* ``meeting.reminder`` (:class:`MeetingReminder`): into the committee room;
* ``meeting.invitation_due`` (:class:`InvitationDue`): into the team room, for organisers.

What changed since the entry was written wins: a cancelled or begun meeting posts nothing, a
moved one is reminded by the entries its move wrote, never by the old one. The collection of
agenda items and the roll-over after a meeting are the agenda's (``commands/agenda/jobs.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from commands.framework.context import JobContext, Post
from commands.framework.registry import job
from commands.meetings.agenda import agenda_blocks, build_agenda
from commands.meetings.schedule import (
    INVITATION_DUE_KIND,
    MEETING_REMINDER_KIND,
    InvitationDue,
    MeetingReminder,
    moved_since,
    still_ahead,
)
from commands.meetings.texts import invitation_due_post, reminder_post

log = logging.getLogger(__name__)


@job(MEETING_REMINDER_KIND, payload=MeetingReminder)
async def post_meeting_reminder(ctx: JobContext, reminder: MeetingReminder) -> Sequence[Post]:
    """Remind the committee room of a meeting ``offset_minutes`` before it starts, with its
    agenda once that is published."""
    meeting = await ctx.store.reminders.meeting(reminder.meeting_id)
    if not still_ahead(reminder, meeting, ctx.now) or moved_since(
        reminder, meeting, ctx.occurrence
    ):
        return []
    assert meeting is not None
    agenda = []
    if meeting.agenda_published_at is not None:
        items = await ctx.store.agenda.for_meeting(meeting)
        agenda = agenda_blocks(ctx.t, build_agenda(ctx.t, meeting, items), waiting=False)
    post = reminder_post(ctx.registry, ctx.t, ctx.prefix, meeting, ctx.now, agenda)
    return [Post(meeting.committee.room_id, post)]


@job(INVITATION_DUE_KIND, payload=InvitationDue)
async def post_invitation_due(ctx: JobContext, due: InvitationDue) -> Sequence[Post]:
    """Tell the organisers in the team room that the notice period is about to begin, unless
    the invitation went out already."""
    meeting = await ctx.store.reminders.meeting(due.meeting_id)
    if not still_ahead(due, meeting, ctx.now):
        return []
    assert meeting is not None
    if meeting.invitation_sent_at is not None:
        log.info("%s: invitation already sent", ctx.entry_id)
        return []
    if ctx.team_room_id is None:
        log.warning("%s: no team room to tell about the invitation", ctx.entry_id)
        return []
    post = invitation_due_post(ctx.registry, ctx.t, ctx.prefix, meeting, ctx.now)
    return [Post(ctx.team_room_id, post)]
