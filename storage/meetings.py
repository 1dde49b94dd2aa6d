"""Meetings and meeting series of the committees."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.models import CommitteeMember, Meeting, MeetingSeries, MeetingStatus, Person

MEETING_LOADED = (joinedload(Meeting.committee), joinedload(Meeting.series))
"""A meeting with its committee (without members) and its series, joined into its own SELECT:
what every meeting command shows or checks."""


@dataclass(frozen=True)
class MeetingPage:
    """One page of a meeting list and how many there are in all."""

    meetings: list[Meeting]
    total: int


@dataclass
class MeetingRepository:
    """All SQL about this part of the calendar."""

    session: AsyncSession

    # ------------------------------------------------------------------ writing

    async def add_series(
        self,
        at: datetime,
        *,
        committee_id: int,
        uid: str,
        first_start: datetime,
        duration_minutes: int,
        rule: str,
        timezone: str,
        title: str = "",
        place: str = "",
        online_link: str = "",
    ) -> MeetingSeries:
        """Record a series (its rule, zone, first start and defaults); ``at`` is now."""
        series = MeetingSeries(
            committee_id=committee_id,
            uid=uid,
            first_start=first_start,
            duration_minutes=duration_minutes,
            rule=rule,
            timezone=timezone,
            title=title,
            place=place,
            online_link=online_link,
            created_at=at,
            updated_at=at,
        )
        self.session.add(series)
        await self.session.flush()
        return series

    async def add_meeting(
        self,
        at: datetime,
        *,
        committee_id: int,
        uid: str,
        start: datetime,
        end: datetime,
        series_id: int | None = None,
        original_start: datetime | None = None,
        title: str = "",
        place: str = "",
        online_link: str = "",
        created_by: str = "",
        agenda_published_at: datetime | None = None,
    ) -> Meeting:
        """Record one meeting (a one-off or an occurrence ``original_start`` of the series
        ``series_id``); ``at`` is now."""
        meeting = Meeting(
            committee_id=committee_id,
            uid=uid,
            start=start,
            end=end,
            series_id=series_id,
            original_start=original_start,
            title=title,
            place=place,
            online_link=online_link,
            created_by=created_by,
            agenda_published_at=agenda_published_at,
            created_at=at,
            updated_at=at,
        )
        self.session.add(meeting)
        await self.session.flush()
        return meeting

    async def cancel(self, meeting: Meeting, reason: str, at: datetime) -> None:
        """Cancel ``meeting`` for ``reason`` (may be empty); its calendar entry gets a new
        sequence number, so calendars replace the one they have."""
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancel_reason = reason
        meeting.sequence += 1
        await self.touch(meeting, at)

    async def touch(self, meeting: Meeting, at: datetime) -> None:
        """Write the changes made to ``meeting`` and stamp it as changed at ``at``."""
        meeting.updated_at = at
        await self.session.flush()

    # ------------------------------------------------------------------ reading

    async def get(self, meeting_id: int) -> Meeting | None:
        """Meeting No. ``meeting_id``, whatever its state, as :data:`MEETING_LOADED` says."""
        return await self.session.scalar(
            select(Meeting).where(Meeting.id == meeting_id).options(*MEETING_LOADED)
        )

    async def overlapping(
        self, start: datetime, end: datetime, exclude: Collection[int] = ()
    ) -> list[Meeting]:
        """Meetings not cancelled whose time overlaps [start, end), with their committees,
        other than those in ``exclude``; soonest first."""
        conditions = [
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.start < end,
            Meeting.end > start,
        ]
        if exclude:
            conditions.append(Meeting.id.not_in(list(exclude)))
        rows = await self.session.scalars(
            select(Meeting)
            .where(*conditions)
            .order_by(Meeting.start, Meeting.id)
            .options(joinedload(Meeting.committee))
        )
        return list(rows)

    async def upcoming(
        self,
        now: datetime,
        committee_ids: Collection[int] | None = None,
        *,
        limit: int = 10,
        offset: int = 0,
    ) -> MeetingPage:
        """Meetings not cancelled that start at ``now`` or later, soonest first, as
        :data:`MEETING_LOADED` says; only those of ``committee_ids`` unless that is None."""
        conditions = [Meeting.status == MeetingStatus.SCHEDULED, Meeting.start >= now]
        if committee_ids is not None:
            conditions.append(Meeting.committee_id.in_(list(committee_ids)))
        total = await self.session.scalar(select(func.count(Meeting.id)).where(*conditions))
        rows = await self.session.scalars(
            select(Meeting)
            .where(*conditions)
            .order_by(Meeting.start, Meeting.id)
            .limit(limit)
            .offset(offset)
            .options(*MEETING_LOADED)
        )
        return MeetingPage(list(rows), int(total or 0))

    async def next_for(self, committee_id: int, now: datetime) -> Meeting | None:
        """The committee's next meeting that is not cancelled, if any, as
        :data:`MEETING_LOADED` says."""
        return await self.session.scalar(
            select(Meeting)
            .where(
                Meeting.committee_id == committee_id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.start >= now,
            )
            .order_by(Meeting.start, Meeting.id)
            .limit(1)
            .options(*MEETING_LOADED)
        )

    async def committee_ids_of(self, matrix_id: str) -> list[int]:
        """The committees ``matrix_id`` sits in: as a member with that Matrix account, or as
        the member whose contact record carries it."""
        linked = select(Person.id).where(Person.matrix_id == matrix_id)
        rows = await self.session.scalars(
            select(CommitteeMember.committee_id)
            .where(
                or_(
                    CommitteeMember.matrix_id == matrix_id,
                    CommitteeMember.person_id.in_(linked),
                )
            )
            .distinct()
        )
        return sorted(rows)
