"""What the calendar file and the subscription feed read: meetings, series, feed tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AgendaItem, Committee, ItemStatus, Meeting, MeetingSeries, MeetingStatus

FEED_TOKEN_BYTES = 24  # 192 bits: guessing a feed address is hopeless


def new_feed_token() -> str:
    """A fresh secret for a committee's feed address (URL-safe, 32 characters)."""
    return secrets.token_urlsafe(FEED_TOKEN_BYTES)


@dataclass(frozen=True)
class CalendarRows:
    """Everything one calendar file is built from."""

    committees: list[Committee]
    series: list[MeetingSeries] = field(default_factory=list)
    # One-off meetings ending at or after ``since``, and every occurrence row of the series.
    meetings: list[Meeting] = field(default_factory=list)
    # The accepted items of the meetings whose agenda is published, in their order.
    items: list[AgendaItem] = field(default_factory=list)

    def upcoming(self, now: datetime) -> list[Meeting]:
        """The meetings still ahead (not cancelled, not over), earliest first."""
        return sorted(
            (m for m in self.meetings if m.status != MeetingStatus.CANCELLED and m.end >= now),
            key=lambda m: m.start,
        )


@dataclass
class CalendarExportRepository:
    """Read-only queries for the calendar export, plus the committees' feed tokens."""

    session: AsyncSession

    async def rows(self, committees: Sequence[Committee], since: datetime) -> CalendarRows:
        """The series and meetings of ``committees`` for a calendar starting at ``since``."""
        ids = [committee.id for committee in committees]
        if not ids:
            return CalendarRows([])
        series = list(
            await self.session.scalars(
                select(MeetingSeries)
                .where(MeetingSeries.committee_id.in_(ids))
                .order_by(MeetingSeries.first_start, MeetingSeries.id)
            )
        )
        series_ids = [entry.id for entry in series]
        one_off = and_(
            Meeting.series_id.is_(None), Meeting.committee_id.in_(ids), Meeting.end >= since
        )
        condition = or_(one_off, Meeting.series_id.in_(series_ids)) if series_ids else one_off
        meetings = list(
            await self.session.scalars(
                select(Meeting).where(condition).order_by(Meeting.start, Meeting.id)
            )
        )
        published = [m.id for m in meetings if m.agenda_published_at is not None]
        items = (
            list(
                await self.session.scalars(
                    select(AgendaItem)
                    .where(
                        AgendaItem.meeting_id.in_(published),
                        AgendaItem.status == ItemStatus.ACCEPTED,
                    )
                    .order_by(AgendaItem.meeting_id, AgendaItem.position, AgendaItem.id)
                )
            )
            if published
            else []
        )
        return CalendarRows(list(committees), series, meetings, items)

    # ----------------------------------------------------------------- feed tokens

    async def committee_by_feed_token(self, token: str) -> Committee | None:
        """The committee whose feed address ends in ``token``; None for an unknown one.

        The caller compares the stored token with ``hmac.compare_digest`` before trusting it.
        """
        if not token:
            return None
        return await self.session.scalar(select(Committee).where(Committee.feed_token == token))

    async def ensure_feed_token(self, committee: Committee, now: datetime) -> bool:
        """Give ``committee`` a feed token if it has none; True when one was created."""
        if committee.feed_token:
            return False
        committee.feed_token = new_feed_token()
        committee.updated_at = now
        await self.session.flush()
        return True

    async def rotate_feed_token(self, committee: Committee, now: datetime) -> None:
        """Replace the feed token; the old address stops working at once."""
        committee.feed_token = new_feed_token()
        committee.updated_at = now
        await self.session.flush()
