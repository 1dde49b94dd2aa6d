"""The bookkeeping of the Matrix connection: the sync token and the events already handled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HandledEvent, SyncState
from storage.results import rowcount

SYNC_TOKEN_KEY = "next_batch"
INSTALLED_AT_KEY = "installed_at"


@dataclass
class SyncStateRepository:
    """The sync token and the set of handled events: what makes restarts safe."""

    session: AsyncSession

    async def token(self) -> str | None:
        row = await self.session.get(SyncState, SYNC_TOKEN_KEY)
        return row.value if row else None

    async def save_token(self, token: str) -> None:
        await self.session.merge(SyncState(key=SYNC_TOKEN_KEY, value=token))

    async def installed_at(self) -> datetime | None:
        """When this installation first synced; None for one from before this was recorded."""
        row = await self.session.get(SyncState, INSTALLED_AT_KEY)
        return datetime.fromisoformat(row.value) if row else None

    async def save_installed_at(self, moment: datetime) -> None:
        await self.session.merge(SyncState(key=INSTALLED_AT_KEY, value=moment.isoformat()))

    async def was_handled(self, event_id: str) -> bool:
        """Whether ``event_id`` has been recorded as handled (one look-up by key)."""
        return await self.session.get(HandledEvent, event_id) is not None

    def record_handled(self, event_id: str, room_id: str, at: datetime) -> None:
        """Record ``event_id`` as handled when this unit of work commits, together with
        whatever its command changed: both are kept, or neither."""
        self.session.add(HandledEvent(event_id=event_id, room_id=room_id, handled_at=at))

    async def mark_handled(self, event_id: str, room_id: str, at: datetime) -> bool:
        """Record ``event_id`` now; False when it had been recorded before."""
        if await self.was_handled(event_id):
            return False
        self.record_handled(event_id, room_id, at)
        await self.session.flush()
        return True

    async def forget_handled_before(self, cutoff: datetime) -> int:
        """Drop records older than ``cutoff`` (the sync token already covers them)."""
        result = await self.session.execute(
            delete(HandledEvent).where(HandledEvent.handled_at < cutoff)
        )
        return rowcount(result)
