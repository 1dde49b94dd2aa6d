"""A desk without Matrix: the real registry, dispatcher and migrated SQLite, for fast tests of
commands. Integration tests through Synapse use the ``office`` fixture instead."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from bot.render import split_reply
from bot.work import CommandWork
from commands.catalog.modules import build_jobs, build_registry
from commands.framework.clock import ManualClock
from commands.framework.dispatch import Dispatcher, Request
from commands.framework.i18n import Translator
from commands.framework.registry import Registry, Role, RoomKind
from commands.framework.reply import Reply
from storage.database import Database
from storage.models import AuditEntry, ScheduleEntry
from storage.repositories import Store
from tests.support.names import ANNA, BERLIN, MONDAY, TEAM_ROOM


class Desk:
    """Anna of the team at her desk, typing commands into the real dispatcher."""

    def __init__(
        self,
        database: Database,
        language: str = "en",
        registry: Registry | None = None,
        now: datetime = MONDAY,
    ) -> None:
        self.database = database
        self.clock = ManualClock(now)
        # The bot's unit of work around the real dispatcher, without a homeserver to re-arm
        # timers for or to owe replies to.
        self.dispatcher = CommandWork(
            Dispatcher(
                registry or build_registry(),
                Translator(language, BERLIN),
                self.clock,
                "!",
                "@bot:localhost",
            ),
            self.store,
            self.clock,
        )
        self.job_kinds = build_jobs().kinds

    @asynccontextmanager
    async def store(self) -> AsyncIterator[Store]:
        """A unit of work on the desk's database, committed at the end; it writes schedule
        entries only of the kinds a feature declares a job for, as the bot does."""
        async with self.database.session() as session:
            store = Store(session)
            store.schedule.kinds = self.job_kinds
            yield store

    async def reply(
        self,
        command: str,
        role: Role = Role.TEAM,
        room: RoomKind = RoomKind.TEAM,
        sender: str = ANNA,
        room_id: str = TEAM_ROOM,
    ) -> Reply:
        """The bot's answer to ``command``, sent by ``sender`` with ``role`` in ``room``."""
        # Each command comes as a new chat event, which the dispatcher records as handled.
        request = Request(sender, room_id, room, role, command, event_id=self.next_event_id())
        reply = await self.dispatcher.respond(request)
        assert reply is not None, f"{command!r} was not taken as a command"
        return reply

    async def ask(
        self,
        command: str,
        role: Role = Role.TEAM,
        room: RoomKind = RoomKind.TEAM,
        sender: str = ANNA,
        room_id: str = TEAM_ROOM,
    ) -> str:
        """The plain text of the answer, as a Matrix client would show it."""
        return self.text(await self.reply(command, role, room, sender, room_id))

    def next_event_id(self) -> str:
        """A fresh id for the chat event of the next command, unique across desks."""
        return f"${secrets.token_hex(8)}:localhost"

    @staticmethod
    def text(reply: Reply) -> str:
        """The plain text of ``reply``, its parts joined by line breaks."""
        return "\n".join(body for body, _html in split_reply(reply))

    async def audit(self) -> list[AuditEntry]:
        """The last 500 entries of the audit log, oldest first."""
        async with self.store() as store:
            return await store.audit.latest(500)


async def schedule_entry(database: Database, entry_id: str) -> ScheduleEntry | None:
    """The scheduler's entry ``entry_id`` as stored, or None."""
    async with database.session() as session:
        return await Store(session).schedule.get(entry_id)
