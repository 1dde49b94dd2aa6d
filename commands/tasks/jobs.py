"""Scheduled posts about tasks: the reminder the day before a task is due, the Wiedervorlage,
and the weekly digest of overdue tasks in the team room.

Run once per occurrence by the bot's scheduler (entries and payloads in
``commands/tasks/schedule.py``, texts in ``commands/tasks/texts.py``). A committee's task is
posted into its room with the owner mentioned; an office task goes to its owner by direct
chat, or into the team room when its owner has no Matrix account. What changed since the entry
was written wins: a done task, or one whose date moved, posts nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from commands.framework.context import JobContext, Post
from commands.framework.i18n import Translator
from commands.framework.registry import Registry, job
from commands.framework.reply import Reply
from commands.tasks.schedule import (
    DIGEST_KIND,
    TASK_DUE_KIND,
    TASK_FOLLOW_UP_KIND,
    Digest,
    TaskDue,
    TaskEntry,
    TaskFollowUp,
)
from commands.tasks.texts import digest_post, due_post, follow_up_post, local_today
from storage.models import Task

log = logging.getLogger(__name__)

Compose = Callable[[Translator, Registry, str, Task, datetime, Callable[[str], str]], Reply]


@job(TASK_DUE_KIND, payload=TaskDue)
async def post_task_due(ctx: JobContext, entry: TaskDue) -> Sequence[Post]:
    """The day before the due date: remind the owner."""
    return await _remind(ctx, entry, due_post)


@job(TASK_FOLLOW_UP_KIND, payload=TaskFollowUp)
async def post_task_follow_up(ctx: JobContext, entry: TaskFollowUp) -> Sequence[Post]:
    """On the Wiedervorlage date: put the task before its owner again."""
    return await _remind(ctx, entry, follow_up_post)


async def _remind(ctx: JobContext, entry: TaskEntry, compose: Compose) -> Sequence[Post]:
    task = await ctx.store.tasks.task(entry.task_id)
    if not entry.still_meant(task):
        log.info("%s: task %d is done or moved; nothing posted", ctx.entry_id, entry.task_id)
        return []
    assert task is not None
    committee_room = task.committee.room_id if task.committee is not None else None
    room_id = committee_room or ctx.team_room_id
    if committee_room is None and task.owner_matrix_id:
        room_id = await ctx.direct_room(task.owner_matrix_id)
    if room_id is None:
        log.warning("%s: no team room for task %d", ctx.entry_id, entry.task_id)
        return []
    # Composed once the room is known: people are named as that room knows them.
    post = compose(ctx.t, ctx.registry, ctx.prefix, task, ctx.now, ctx.names_in(room_id))
    return [Post(room_id, post)]


@job(DIGEST_KIND, payload=Digest)
async def post_overdue_digest(ctx: JobContext, _digest: Digest) -> Sequence[Post]:
    """Weekly: the overdue tasks into the team room (nothing when none is overdue)."""
    team_room = ctx.team_room_id
    if team_room is None:
        log.warning("%s: no team room for the digest", ctx.entry_id)
        return []
    overdue = await ctx.store.tasks.overdue(local_today(ctx.t, ctx.now))
    post = digest_post(ctx.t, ctx.registry, ctx.prefix, overdue, ctx.now, ctx.names_in(team_room))
    if post is None:
        log.info("%s: no overdue task", ctx.entry_id)
        return []
    return [Post(team_room, post)]
