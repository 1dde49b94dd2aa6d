"""A person's Matrix client: the demo's terminal chat and the tests' stand-in for a human.

It logs in as a registered user with its own E2EE store, syncs in the background, sends
messages (encrypted where the room is) and waits for the bot's answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nio import RoomMessageNotice, RoomMessageText
from nio.events import Event

from bot.devtools.syncing_client import SyncingClient

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


class ChatClient(SyncingClient):
    """One person on the homeserver, keeping every message it sees in the order it came."""

    def __init__(
        self, homeserver: str, user_id: str, device_id: str, token: str, store: Path
    ) -> None:
        super().__init__(homeserver, user_id, device_id, token, store)
        self.messages: list[Message] = []

    async def on_timeline(self, room_id: str, events: list[Event], arrived: float) -> None:
        """Keep the messages among ``events``."""
        for event in events:
            self._remember(room_id, event)

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

    async def invite(self, room_id: str, user_id: str) -> None:
        await self.client.room_invite(room_id, user_id)

    async def join(self, room_id: str) -> None:
        await self.client.join(room_id)

    # ----------------------------------------------------------------- talking

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
