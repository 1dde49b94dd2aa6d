"""What the bot said, read from a person's synced messages or from the homeserver's own record.

A person's client sees a message once its sync brings it; the homeserver's ``/messages`` holds
every message a room has. Once the bot owes nothing more, the room's record is final, so a
test can count answers there without waiting for a doubled one that might still come.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nio import MegolmEvent, MessageDirection, RoomMessagesResponse

from bot.core import Kuemmerer
from bot.devtools.chat_client import ChatClient, Message
from storage.database import Database
from storage.outbox import OutboxState
from tests.support.storage_reads import outbox_in_states

PAGE = 100
"""Events per ``/messages`` request."""


def posts_of(messages: Iterable[Message], bot_id: str, marker: str) -> list[Message]:
    """The bot's posts (not replies) among ``messages`` that carry ``marker``."""
    return [
        message
        for message in messages
        if message.sender == bot_id and message.in_reply_to is None and marker in message.body
    ]


@dataclass(frozen=True)
class RoomHistory:
    """The messages of some rooms, as the homeserver has them."""

    messages: list[Message]

    def answers_to(self, event_id: str) -> list[Message]:
        """The replies to the message ``event_id``."""
        return [message for message in self.messages if message.in_reply_to == event_id]


async def room_history(person: ChatClient, *room_ids: str) -> RoomHistory:
    """Every message of ``room_ids`` from the first on, read by ``person`` through the
    homeserver's ``/messages``, not from what ``person``'s sync has brought so far."""
    messages: list[Message] = []
    for room_id in room_ids:
        start: str | None = None
        while True:
            response = await person.client.room_messages(
                room_id, start, direction=MessageDirection.front, limit=PAGE
            )
            assert isinstance(response, RoomMessagesResponse), response
            for event in response.chunk:
                assert not isinstance(event, MegolmEvent), f"cannot read {event.event_id}"
                source = event.source
                if source.get("type") != "m.room.message":
                    continue
                content = source.get("content", {})
                messages.append(
                    Message(
                        room_id,
                        event.event_id,
                        event.sender,
                        str(content.get("msgtype", "")),
                        str(content.get("body", "")),
                        content,
                    )
                )
            if not response.chunk or not response.end:
                break
            start = response.end
    return RoomHistory(messages)


async def owed_messages(database_url: str) -> int:
    """How many messages the bot of ``database_url`` still owes: sent after its next start."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            return len(await outbox_in_states(session, [OutboxState.PENDING]))
    finally:
        await database.dispose()


async def history_once_sent(
    bot: Kuemmerer, person: ChatClient, *room_ids: str, timeout: float = 60
) -> RoomHistory:
    """The messages of ``room_ids`` on the homeserver once ``bot`` owes nothing more: final,
    since nothing is left that could still arrive."""
    assert await bot.outbox.drain(timeout), f"the bot still owes messages after {timeout} s"
    return await room_history(person, *room_ids)
