"""Reminders set with !erinnerung."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class ReminderRepository:
    """All SQL about this part of the calendar."""

    session: AsyncSession
