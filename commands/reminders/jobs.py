"""The ``!erinnerung`` post: run once per occurrence by the bot's scheduler.

A reminder goes into the room it was set in, or to its creator by direct chat; a one-time
reminder is done together with its post (both in the job's unit of work). A deleted reminder
posts nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from commands.framework.context import JobContext, Post
from commands.framework.i18n import N_
from commands.framework.registry import job
from commands.framework.reply import Reply, fmt
from commands.reminders.schedule import REMINDER_KIND, ReminderDue

log = logging.getLogger(__name__)


@job(REMINDER_KIND, payload=ReminderDue)
async def post_reminder(ctx: JobContext, due: ReminderDue) -> Sequence[Post]:
    """Post a ``!erinnerung`` into its room, or to its creator by direct chat."""
    reminder = await ctx.store.reminders.get(due.reminder_id)
    if reminder is None or not reminder.active:
        log.info("%s: reminder %d deleted; nothing posted", ctx.entry_id, due.reminder_id)
        return []
    text = fmt(ctx.t.gettext(N_("Reminder: {text}")), text=reminder.text)
    once = not reminder.rule
    # Before anything is written: opening a direct chat waits for the homeserver.
    room_id = (
        await ctx.direct_room(reminder.creator) if reminder.to_creator_only else reminder.room_id
    )
    if once:
        # Done, together with its post: it no longer shows in !erinnerungen.
        await ctx.store.reminders.deactivate(due.reminder_id)
    return [Post(room_id, Reply.of(text))]
