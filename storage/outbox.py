"""The outbox: messages the bot owes rooms, from the transaction that decided them to their send.

A command writes its reply here in the transaction that records its work and its event as
handled; a scheduled occurrence writes its post under a key of that occurrence. The sender in
``bot/outbox.py`` reads pending rows, sends each with its stored transaction id and marks it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JsonValue, OutboxMessage, OutboxState
from storage.results import rowcount


@dataclass(frozen=True)
class OutboxFile:
    """A file that is uploaded when its message is sent."""

    name: str
    mimetype: str
    data: bytes


@dataclass
class OutboxRepository:
    """Every query of the outbox."""

    session: AsyncSession

    async def add(
        self,
        key: str,
        room_id: str,
        content: Mapping[str, JsonValue],
        at: datetime,
        file: OutboxFile | None = None,
        due_at: datetime | None = None,
    ) -> OutboxMessage | None:
        """Owe ``content`` (or ``file``) to ``room_id`` once this unit of work commits, and
        return the new row; None when a message with ``key`` is owed or sent already (its cause
        ran before). A post with ``due_at`` says it is late when it is delivered much later
        than that."""
        known = await self.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
        if known is not None:
            return None
        message = OutboxMessage(
            key=key,
            room_id=room_id,
            # Random, but stored: the same on every try of this message, across restarts.
            txn_id=uuid.uuid4().hex,
            content=dict(content),
            file_name=file.name if file else None,
            file_mimetype=file.mimetype if file else None,
            file_data=file.data if file else None,
            state=OutboxState.PENDING,
            created_at=at,
            due_at=due_at,
        )
        self.session.add(message)
        await self.session.flush()
        return message

    async def rooms_with_pending(self) -> list[str]:
        """The rooms that are owed a message."""
        rows = await self.session.scalars(
            select(OutboxMessage.room_id)
            .where(OutboxMessage.state == OutboxState.PENDING)
            .distinct()
        )
        return list(rows)

    async def next_pending(self, room_id: str) -> OutboxMessage | None:
        """The oldest message owed to ``room_id``: a room gets its messages in order."""
        return await self.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.room_id == room_id)
            .order_by(OutboxMessage.id)
            .limit(1)
        )

    async def finish(
        self, message_id: int, state: OutboxState, at: datetime, event_id: str | None = None
    ) -> None:
        """Record that message ``message_id`` was sent or refused; its file is not kept."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.state == OutboxState.PENDING)
            .values(state=state, finished_at=at, event_id=event_id, file_data=None)
        )

    async def confirm(self, sent: dict[str, str], at: datetime) -> int:
        """Mark the messages whose transaction ids came back in sync as sent (``sent`` maps a
        transaction id to its event id); returns how many were still pending."""
        confirmed = 0
        pending = await self.session.execute(
            select(OutboxMessage.id, OutboxMessage.txn_id).where(
                OutboxMessage.txn_id.in_(list(sent)), OutboxMessage.state == OutboxState.PENDING
            )
        )
        for message_id, txn_id in pending.all():
            await self.finish(message_id, OutboxState.SENT, at, sent[txn_id])
            confirmed += 1
        return confirmed

    async def forget_finished_before(self, cutoff: datetime) -> int:
        """Drop sent and refused messages older than ``cutoff``; pending ones stay."""
        result = await self.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.state != OutboxState.PENDING, OutboxMessage.created_at < cutoff
            )
        )
        return rowcount(result)
