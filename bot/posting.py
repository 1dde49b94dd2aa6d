"""Delivery of the features' scheduled jobs: each occurrence in a unit of work of its own.

The jobs are declared by the features (``@job`` in each feature's ``jobs`` module, collected
by :func:`commands.catalog.modules.build_jobs`) and decide what to post. This module only runs
them: it reads the payload into its type, gives the job a
:class:`~commands.framework.context.JobContext` on a fresh unit of work, owes what the job
returns into the outbox of that same unit under the occurrence's key, commits, and has it sent.
Run again after a crash, an occurrence finds its changes made and its posts owed, or neither,
so nothing is changed or owed twice. Whether a post is late is said once, when it is delivered
(:func:`bot.outbox.late_note`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from nio import MatrixRoom

from bot.config import Config
from bot.matrix import is_joined
from bot.scheduler import JobHandler, ScheduledRun, occurrence_key
from commands.catalog.modules import build_jobs
from commands.framework.context import JobContext
from commands.framework.i18n import Translator
from commands.framework.registry import Job, Jobs, Registry
from commands.framework.reply import Reply
from storage.database import Database
from storage.models import OutboxMessage
from storage.repositories import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledPost:
    """A post a job returned, as the bot owes it: under its occurrence's key, due then."""

    room_id: str
    reply: Reply
    key: str
    due_at: datetime  # the occurrence: delivered much later, the post says so
    written_at: datetime


class _State(Protocol):
    @property
    def team_room_id(self) -> str | None: ...


class _Rooms(Protocol):
    @property
    def rooms(self) -> dict[str, MatrixRoom]: ...


class DirectChatGateway(Protocol):
    """The part of :class:`bot.matrix.MatrixGateway` that direct chats and names need."""

    @property
    def user_id(self) -> str: ...

    @property
    def client(self) -> _Rooms: ...

    async def create_direct_room(self, user_id: str) -> str: ...


class PostingBot(Protocol):
    """The part of :class:`bot.core.Kuemmerer` the jobs are delivered through (tests pass a
    recording stand-in)."""

    @property
    def database(self) -> Database: ...

    @property
    def t(self) -> Translator: ...

    @property
    def config(self) -> Config: ...

    @property
    def registry(self) -> Registry: ...

    @property
    def state(self) -> _State: ...

    @property
    def gateway(self) -> DirectChatGateway: ...

    async def owe_post(self, store: Store, post: ScheduledPost) -> Sequence[OutboxMessage]: ...

    def send_owed(self, written: Sequence[OutboxMessage]) -> None: ...


async def direct_room_for(bot: PostingBot, user_id: str) -> str:
    """The bot's 1:1 room with ``user_id``: an existing one, else a new direct chat.

    A room counts when its only members (joined or invited) are the bot and that person and it
    is neither the team room nor a committee room, which may have just two members too. The
    new room is remembered by the homeserver and so found again after a restart.
    """
    candidates = [
        room
        for room in bot.gateway.client.rooms.values()
        if set(room.users) == {bot.gateway.user_id, user_id}
        and is_joined(room, bot.gateway.user_id)
        and room.room_id != bot.state.team_room_id
    ]
    # A room the person has joined beats one they were only invited to.
    candidates.sort(key=lambda room: (not is_joined(room, user_id), room.room_id))
    async with bot.database.session() as session:
        committees = Store(session).committees
        for room in candidates:
            if await committees.for_room(room.room_id) is None:
                return str(room.room_id)
    room_id = await bot.gateway.create_direct_room(user_id)
    log.info("opened a direct chat %s for personal reminders", room_id)
    return room_id


def member_name(bot: PostingBot, room_id: str, user_id: str) -> str | None:
    """The display name ``user_id`` has in ``room_id``; None where the room knows none."""
    room = bot.gateway.client.rooms.get(room_id)
    return room.user_name(user_id) if room is not None else None


def job_handlers(bot: PostingBot, jobs: Jobs | None = None) -> dict[str, JobHandler]:
    """The scheduler's handler for each kind a feature declares a job for (all of the
    catalog's when ``jobs`` is None)."""
    declared = build_jobs() if jobs is None else jobs
    return {kind: _handler(bot, job) for kind, job in declared.by_kind.items()}


def _handler(bot: PostingBot, job: Job) -> JobHandler:
    async def handle(run: ScheduledRun) -> None:
        written: Sequence[OutboxMessage] = []
        async with bot.database.session() as session:
            store = Store(session)
            ctx = JobContext(
                entry_id=run.entry_id,
                occurrence=run.occurrence,
                # The bot's "now" for this run, as the scheduler saw it.
                now=run.occurrence + (run.late_by or timedelta(0)),
                t=bot.t,
                store=store,
                registry=bot.registry,
                prefix=bot.config.bot.prefix,
                team_room_id=bot.state.team_room_id,
                direct_room=lambda user_id: direct_room_for(bot, user_id),
                member_name=lambda room_id, user_id: member_name(bot, room_id, user_id),
            )
            posts = await job.run(ctx, run.payload)
            key = occurrence_key(run)
            for number, post in enumerate(posts):
                # The first post keeps the occurrence's own key, as before there were several.
                owed = ScheduledPost(
                    post.room_id,
                    post.reply,
                    key if number == 0 else f"{key}+{number}",
                    due_at=run.occurrence,
                    written_at=ctx.now,
                )
                written = [*written, *await bot.owe_post(store, owed)]
        bot.send_owed(written)

    return handle
