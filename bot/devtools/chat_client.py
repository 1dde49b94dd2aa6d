"""A person's Matrix client: the demo's terminal chat and the tests' stand-in for a human.

It logs in as a registered user with its own E2EE store, syncs in the background, sends
messages (encrypted where the room is) and waits for the bot's answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)
from nio.events import Event

from bot.matrix import exchange_keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """A message as a person sees it in a room."""

    room_id: str
    event_id: str
    sender: str
    msgtype: str
    body: str
    content: dict[str, Any]
    encrypted: bool = False  # arrived as m.room.encrypted and was decrypted by this client

    @property
    def html(self) -> str:
        return str(self.content.get("formatted_body", ""))

    @property
    def in_reply_to(self) -> str | None:
        relation = self.content.get("m.relates_to") or {}
        return (relation.get("m.in_reply_to") or {}).get("event_id")

    @property
    def thread_root(self) -> str | None:
        relation = self.content.get("m.relates_to") or {}
        return relation.get("event_id") if relation.get("rel_type") == "m.thread" else None


class ChatClient:
    """One person on the homeserver."""

    def __init__(
        self, homeserver: str, user_id: str, device_id: str, token: str, store: Path
    ) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(
            homeserver,
            user_id,
            device_id=device_id,
            store_path=str(store),
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
        )
        self.client.restore_login(user_id, device_id, token)
        self.messages: list[Message] = []
        self._changed = asyncio.Condition()
        self._syncer: asyncio.Task[None] | None = None
        self._first_sync = asyncio.Event()

    @property
    def user_id(self) -> str:
        return str(self.client.user_id)

    async def start(self) -> None:
        """Sync in the background; returns after the first sync."""
        self._syncer = asyncio.create_task(self._sync_forever())
        await asyncio.wait_for(self._first_sync.wait(), 30)

    async def close(self) -> None:
        if self._syncer is not None:
            self._syncer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._syncer
        await self.client.close()

    async def _sync_forever(self) -> None:
        client = self.client
        while True:
            response = await client.sync(timeout=1000, full_state=not self._first_sync.is_set())
            if not isinstance(response, SyncResponse):
                await asyncio.sleep(0.5)
                continue
            await exchange_keys(client)
            for room_id, info in response.rooms.join.items():
                for event in info.timeline.events:
                    self._remember(room_id, event)
            async with self._changed:
                self._changed.notify_all()
            self._first_sync.set()

    def _remember(self, room_id: str, event: Event) -> None:
        if isinstance(event, RoomMessageText | RoomMessageNotice):
            content = event.source.get("content", {})
            msgtype = "m.notice" if isinstance(event, RoomMessageNotice) else "m.text"
            encrypted = bool(getattr(event, "decrypted", False))
            self.messages.append(
                Message(
                    room_id, event.event_id, event.sender, msgtype, event.body, content, encrypted
                )
            )
        elif event.source.get("type") == "m.room.message":
            content = event.source.get("content", {})
            self.messages.append(
                Message(
                    room_id,
                    event.event_id,
                    event.sender,
                    str(content.get("msgtype", "")),
                    str(content.get("body", "")),
                    content,
                )
            )

    # ----------------------------------------------------------------- rooms

    async def create_room(
        self,
        name: str,
        invite: Sequence[str] = (),
        encrypted: bool = False,
        direct: bool = False,
    ) -> str:
        initial_state = []
        if encrypted:
            initial_state.append(
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            )
        response = await self.client.room_create(
            name=name, invite=list(invite), initial_state=initial_state, is_direct=direct
        )
        if not isinstance(response, RoomCreateResponse):
            raise RuntimeError(f"room creation failed: {response}")
        return str(response.room_id)

    async def invite(self, room_id: str, user_id: str) -> None:
        await self.client.room_invite(room_id, user_id)

    async def join(self, room_id: str) -> None:
        await self.client.join(room_id)

    async def wait_until(self, predicate: Any, timeout: float = 20) -> None:
        """Wait until ``predicate()`` is true, re-checked after every sync."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    def is_joined(self, room_id: str, user_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        return room is not None and user_id in room.users and user_id not in room.invited_users

    # ----------------------------------------------------------------- talking

    async def say(self, room_id: str, body: str, content: dict[str, Any] | None = None) -> str:
        """Send a text message (encrypted if the room is); returns its event id."""
        message = {"msgtype": "m.text", "body": body, **(content or {})}
        response = await self.client.room_send(
            room_id, "m.room.message", message, ignore_unverified_devices=True
        )
        if not isinstance(response, RoomSendResponse):
            raise RuntimeError(f"sending failed: {response}")
        return str(response.event_id)

    def answers_to(self, event_id: str) -> list[Message]:
        return [m for m in self.messages if m.in_reply_to == event_id]

    async def ask(
        self, room_id: str, body: str, timeout: float = 20, content: dict[str, Any] | None = None
    ) -> Message:
        """Send ``body`` and return the bot's first answer to it."""
        event_id = await self.say(room_id, body, content)
        await self.wait_until(lambda: bool(self.answers_to(event_id)), timeout)
        return self.answers_to(event_id)[0]

    async def next_message(
        self, room_id: str, sender: str, after: int, timeout: float = 20
    ) -> Message:
        """The first message from ``sender`` in ``room_id`` beyond the first ``after`` messages."""

        def found() -> Message | None:
            for message in self.messages[after:]:
                if message.room_id == room_id and message.sender == sender:
                    return message
            return None

        await self.wait_until(lambda: found() is not None, timeout)
        result = found()
        assert result is not None
        return result
