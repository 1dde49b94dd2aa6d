"""Committees, their rooms and members."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Committee


@dataclass
class CommitteeRepository:
    """All SQL about committees and their members."""

    session: AsyncSession

    async def for_room(self, room_id: str) -> Committee | None:
        """The committee bound to ``room_id``, if any (one room, one committee)."""
        return await self.session.scalar(select(Committee).where(Committee.room_id == room_id))
