"""The bot on the real homeserver: people with their own clients, the bot running in the test's
event loop, and the Bildungsbüro that the ``office`` fixture sets up."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import create_bot
from bot.config import BotConfig, Config, HttpConfig, MatrixConfig, StorageConfig
from bot.core import Kuemmerer
from bot.devtools.chat_client import ChatClient, Message
from bot.devtools.homeserver import LocalSynapse, RegisteredUser
from commands.framework.clock import Clock, OffsetClock
from storage.folding import fold_text
from storage.models import Committee

SOON = timedelta(seconds=3)
"""How far ahead a test plans a post that the chat should see arrive: a few seconds."""


def unique(name: str) -> str:
    """``name`` with a random suffix: every test registers its own accounts."""
    return f"{name}-{secrets.token_hex(3)}"


@dataclass
class People:
    """Creates registered users, each with a running client; closes them afterwards."""

    synapse: LocalSynapse
    directory: Path
    clients: list[ChatClient] = field(default_factory=list)

    async def register(self, name: str, admin: bool = False) -> RegisteredUser:
        """A new account called after ``name``, without a client."""
        return await self.synapse.register(unique(name), admin=admin)

    async def person(self, name: str, admin: bool = False) -> ChatClient:
        """A new account called after ``name``, with its client syncing."""
        user = await self.register(name, admin=admin)
        return await self.client_for(user)

    async def client_for(self, user: RegisteredUser) -> ChatClient:
        """A syncing client of ``user``, with an E2EE store of its own."""
        store = self.directory / f"{user.user_id[1:].split(':')[0]}-{len(self.clients)}"
        client = ChatClient(
            self.synapse.url, user.user_id, user.device_id, user.access_token, store
        )
        await client.start()
        self.clients.append(client)
        return client

    async def close(self) -> None:
        """Stop every client these people started."""
        for client in self.clients:
            await client.close()


@dataclass
class RunningBot:
    """The bot under test, running in this event loop with its own store and database."""

    config: Config
    clock: Clock
    bot: Kuemmerer | None = None
    task: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        """The bot's Matrix id."""
        return self.config.matrix.user_id

    async def start(self, clock: Clock | None = None) -> None:
        """Start the bot (on ``clock`` if given) and wait until it is ready."""
        self.clock = clock or self.clock
        self.bot = await create_bot(self.config, self.clock)
        self.task = asyncio.create_task(self.bot.run())
        await asyncio.wait_for(self.bot.ready.wait(), 30)

    async def stop(self) -> None:
        """Stop the bot cleanly, if it runs."""
        if self.bot is not None and self.task is not None:
            self.bot.stop()
            await asyncio.wait_for(self.task, 30)
        self.bot, self.task = None, None

    async def restart(self, clock: Clock | None = None) -> None:
        """Stop the bot and start it again (on ``clock`` if given)."""
        await self.stop()
        await self.start(clock)


@dataclass
class Office:
    """A Bildungsbüro: Anna of the team, the team room, and the bot in it."""

    anna: ChatClient
    team_room: str
    bot: RunningBot
    people: People

    async def room_with_bot(
        self,
        owner: ChatClient,
        name: str,
        members: Sequence[ChatClient] = (),
        **kwargs: Any,
    ) -> str:
        """A new room of ``owner`` with the bot and ``members`` joined."""
        room_id = await owner.create_room(name, invite=[self.bot.user_id], **kwargs)
        for member in members:
            await owner.invite(room_id, member.user_id)
            await member.join(room_id)
        await owner.wait_until(lambda: owner.is_joined(room_id, self.bot.user_id))
        for member in members:
            await member.wait_until(lambda m=member: m.is_joined(room_id, self.bot.user_id))
        return room_id


def bot_config(
    synapse: LocalSynapse,
    bot_user: RegisteredUser,
    directory: Path,
    team_room: str,
    storage_url: str | None = None,
    **bot: Any,
) -> Config:
    """The bot's configuration for this homeserver; its data in SQLite under ``directory``
    unless ``storage_url`` names another database."""
    storage_url = storage_url or f"sqlite+aiosqlite:///{directory / 'kuemmerer.db'}"
    return Config(
        matrix=MatrixConfig(
            homeserver=synapse.url,
            user_id=bot_user.user_id,
            password=bot_user.password,
            store_path=directory / "store",
            sync_timeout_ms=1000,
        ),
        bot=BotConfig(team_room=team_room, allowed_servers=(synapse.server_name,), **bot),
        storage=StorageConfig(url=storage_url),
    )


def with_bot_settings(config: Config, **bot: Any) -> Config:
    """``config`` with its ``[bot]`` settings changed by ``bot``."""
    return replace(config, bot=replace(config.bot, **bot))


def bot_of(office: Office) -> Kuemmerer:
    """The office's bot while it runs: its database, scheduler and outbox."""
    assert office.bot.bot is not None, "the bot is not running"
    return office.bot.bot


async def bind_committee(office: Office, room_id: str, name: str, short_name: str) -> None:
    """Bind ``room_id`` to a new committee, as ``!committee new`` does."""
    assert office.bot.bot is not None
    now = datetime.now(UTC)
    async with office.bot.bot.database.session() as session:
        session.add(
            Committee(
                name=name,
                name_key=fold_text(name),
                short_name=short_name,
                room_id=room_id,
                default_place="Kreishaus, Raum 101",
                created_at=now,
                updated_at=now,
            )
        )


def day_ahead(days: int) -> str:
    """The date ``days`` from now as people type it, e.g. ``12.03.2027``."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%d.%m.%Y")


async def beirat_with_bernd(office: Office) -> tuple[str, ChatClient]:
    """The Bildungsbeirat's room with Bernd as a member."""
    bernd = await office.people.person("bernd")
    room = await office.room_with_bot(office.anna, "Bildungsbeirat", members=[bernd])
    await bind_committee(office, room, "Bildungsbeirat", "BB")
    return room, bernd


def frozen_at(moment: datetime) -> OffsetClock:
    """A clock that reads ``moment`` now and runs on from there."""
    return OffsetClock(moment - datetime.now(UTC))


def files_from_bot(person: ChatClient, room: str, bot: str) -> list[Message]:
    """The files the bot has sent to ``room``, as ``person`` received them."""
    return [
        m
        for m in person.messages
        if m.room_id == room and m.sender == bot and m.msgtype == "m.file"
    ]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def with_http_server(office: Office) -> str:
    """Restart the bot with ``[http] enabled`` (the calendar feed and ``/health``); returns the
    server's base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    http = HttpConfig(enabled=True, host="127.0.0.1", port=port, public_url=base)
    office.bot.config = replace(office.bot.config, http=http)
    await office.bot.restart()
    return base
