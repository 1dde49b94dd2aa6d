"""Reminders set with ``!erinnerung``, and what the calendar's scheduled posts read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.meetings import MeetingRepository
from storage.models import Meeting, Reminder


@dataclass
class ReminderRepository:
    """All SQL about reminders; plus the two look-ups the scheduled calendar posts need."""

    session: AsyncSession

    async def add(
        self,
        *,
        room_id: str,
        creator: str,
        text: str,
        first_at: datetime,
        rule: str,
        timezone: str,
        to_creator_only: bool,
        now: datetime,
    ) -> Reminder:
        """Store a new active reminder; its id is its number for ``!erinnerungen``."""
        reminder = Reminder(
            room_id=room_id,
            creator=creator,
            text=text,
            first_at=first_at,
            rule=rule,
            timezone=timezone,
            to_creator_only=to_creator_only,
            active=True,
            created_at=now,
        )
        self.session.add(reminder)
        await self.session.flush()
        return reminder

    async def get(self, reminder_id: int) -> Reminder | None:
        """The reminder with ``reminder_id``, active or not."""
        return await self.session.get(Reminder, reminder_id)

    async def for_room(self, room_id: str) -> list[Reminder]:
        """The active reminders posted into ``room_id`` (not the personal ones), oldest first."""
        rows = await self.session.scalars(
            select(Reminder)
            .where(
                Reminder.room_id == room_id,
                Reminder.active.is_(True),
                Reminder.to_creator_only.is_(False),
            )
            .order_by(Reminder.id)
        )
        return list(rows)

    async def personal(self, creator: str) -> list[Reminder]:
        """The active reminders ``creator`` set for themself, from whatever room, oldest first."""
        rows = await self.session.scalars(
            select(Reminder)
            .where(
                Reminder.creator == creator,
                Reminder.active.is_(True),
                Reminder.to_creator_only.is_(True),
            )
            .order_by(Reminder.id)
        )
        return list(rows)

    async def count_personal(self, creator: str) -> int:
        """How many active personal reminders ``creator`` has."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(Reminder)
            .where(
                Reminder.creator == creator,
                Reminder.active.is_(True),
                Reminder.to_creator_only.is_(True),
            )
        )
        return int(count or 0)

    async def deactivate(self, reminder_id: int) -> bool:
        """Stop the reminder (it stays stored for the audit trail); False if unknown."""
        reminder = await self.get(reminder_id)
        if reminder is None:
            return False
        reminder.active = False
        await self.session.flush()
        return True

    async def meeting(self, meeting_id: int) -> Meeting | None:
        """The meeting a scheduled post is about, with its committee and series."""
        return await MeetingRepository(self.session).get(meeting_id)
