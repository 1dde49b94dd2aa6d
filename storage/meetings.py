"""Meetings and meeting series of the committees."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class MeetingRepository:
    """All SQL about this part of the calendar."""

    session: AsyncSession
