"""Scheduled posts about tasks: the reminder the day before a task is due, the Wiedervorlage,
and the weekly digest of overdue tasks in the team room.

The entries are written by the task commands (contract in ``commands/tasks/schedule.py``),
the texts are in ``commands/tasks/texts.py``. A committee's task is posted into its room with
the owner mentioned; an office task goes to its owner by direct chat, or into the team room
when its owner has no Matrix account. What changed since the entry was written wins: a done
task, or one whose date moved, posts nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.calendar_jobs import CalendarBot, direct_room_for, late_note
from bot.scheduler import JobHandler, ScheduledRun, SchedulerService, occurrence_key
from commands.framework.i18n import Translator
from commands.framework.registry import Registry
from commands.framework.reply import Reply
from commands.tasks.schedule import (
    DIGEST_ENTRY_ID,
    DIGEST_KIND,
    TASK_DUE_KIND,
    TASK_FOLLOW_UP_KIND,
    digest_start,
    still_meant,
)
from commands.tasks.texts import digest_post, due_post, follow_up_post, local_today
from storage.models import Task
from storage.repositories import Store
from storage.schedule import ScheduleRepository

log = logging.getLogger(__name__)

DIGEST_RULE = "FREQ=WEEKLY"
Compose = Callable[[Translator, Registry, str, Task, datetime, Callable[[str], str]], Reply]


class TaskPosts:
    """The three handlers, sharing the bot they post through."""

    def __init__(self, bot: CalendarBot) -> None:
        self.bot = bot

    async def due(self, run: ScheduledRun) -> None:
        """The day before the due date: remind the owner."""
        await self._remind(run, due_post)

    async def follow_up(self, run: ScheduledRun) -> None:
        """On the Wiedervorlage date: put the task before its owner again."""
        await self._remind(run, follow_up_post)

    async def _remind(self, run: ScheduledRun, compose: Compose) -> None:
        bot, t = self.bot, self.bot.t
        task_id = int(run.payload["task_id"])
        now = run.occurrence + (run.late_by or timedelta(0))
        async with bot.database.session() as session:
            task = await Store(session).tasks.task(task_id)
            if task is None or not still_meant(task, run.payload):
                log.info("%s: task %d is done or moved; nothing posted", run.entry_id, task_id)
                return
            committee_room = task.committee.room_id if task.committee is not None else None
            owner = task.owner_matrix_id
        room_id = committee_room or bot.state.team_room_id
        if committee_room is None and owner:
            # Outside the transaction: opening a direct chat waits for the homeserver.
            room_id = await direct_room_for(bot, owner)
        if room_id is None:
            log.warning("%s: no team room for task %d", run.entry_id, task_id)
            return
        # Composed once the room is known: people are named as that room knows them.
        reply = compose(t, bot.registry, bot.config.bot.prefix, task, now, self._names_in(room_id))
        if (note := late_note(t, run)) is not None:
            reply.add(note)
        await bot.post(room_id, reply, occurrence_key(run))

    def _names_in(self, room_id: str) -> Callable[[str], str]:
        """A user's display name in ``room_id``, their Matrix id where the room knows none."""
        room = self.bot.gateway.client.rooms.get(room_id)
        return lambda user_id: (room.user_name(user_id) if room else None) or user_id

    async def digest(self, run: ScheduledRun) -> None:
        """Weekly: the overdue tasks into the team room (nothing when none is overdue)."""
        bot, t = self.bot, self.bot.t
        team_room = bot.state.team_room_id
        if team_room is None:
            log.warning("%s: no team room for the digest", run.entry_id)
            return
        now = run.occurrence + (run.late_by or timedelta(0))
        async with bot.database.session() as session:
            overdue = await Store(session).tasks.overdue(local_today(t, now))
            reply = digest_post(
                t, bot.registry, bot.config.bot.prefix, overdue, now, self._names_in(team_room)
            )
        if reply is None:
            log.info("%s: no overdue task", run.entry_id)
            return
        if (note := late_note(t, run)) is not None:
            reply.add(note)
        await bot.post(team_room, reply, occurrence_key(run))


def task_job_handlers(bot: CalendarBot) -> dict[str, JobHandler]:
    """The handlers by schedule-entry kind."""
    posts = TaskPosts(bot)
    return {
        TASK_DUE_KIND: posts.due,
        TASK_FOLLOW_UP_KIND: posts.follow_up,
        DIGEST_KIND: posts.digest,
    }


async def ensure_digest(
    service: SchedulerService, weekday: int | None, at: time, timezone: str
) -> bool:
    """Schedule the weekly digest as configured (``weekday`` None: no digest); an entry that
    already runs on that weekday and time is left alone, so its ledger keeps it from posting
    twice. Returns True when the entry was (re)written or stopped."""
    async with service.database.session() as session:
        existing = await ScheduleRepository(session).get(DIGEST_ENTRY_ID)
    if weekday is None:
        if existing is not None and existing.active:
            return await service.cancel(DIGEST_ENTRY_ID)
        return False
    zone = ZoneInfo(timezone)
    if existing is not None and existing.active and existing.rule == DIGEST_RULE:
        local = existing.first_at.astimezone(zone)
        if (local.weekday(), local.time()) == (weekday, at) and existing.timezone == timezone:
            return False
    await service.schedule(
        entry_id=DIGEST_ENTRY_ID,
        kind=DIGEST_KIND,
        first_at=digest_start(weekday, at, timezone, service.clock.now()),
        rule=DIGEST_RULE,
        timezone=timezone,
    )
    return True
