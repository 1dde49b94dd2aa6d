"""Committees, their rooms and members."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class CommitteeRepository:
    """All SQL about this part of the calendar."""

    session: AsyncSession
