"""Agenda items (TOPs) and their papers: every query of the agenda commands and posts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.meetings import MEETING_LOADED
from storage.models import (
    OPEN_ITEM_STATES,
    AgendaItem,
    AgendaPaper,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    Person,
)
from storage.results import rowcount

ITEM_LOADED = (selectinload(AgendaItem.papers),)
"""An item with its papers: what every agenda shows."""


@dataclass(frozen=True)
class MovedItem:
    """An item that moved from a cancelled or finished meeting, and who submitted it."""

    item_id: int
    title: str
    submitter: str
    submitter_name: str


@dataclass
class AgendaRepository:
    """All SQL about agenda items and their papers."""

    session: AsyncSession

    # ------------------------------------------------------------------ reading

    async def get(self, item_id: int) -> AgendaItem | None:
        """Item No. ``item_id`` with its papers, whatever its state."""
        return await self.session.scalar(
            select(AgendaItem).where(AgendaItem.id == item_id).options(*ITEM_LOADED)
        )

    async def for_meeting(self, meeting: Meeting, *, waiting: bool = False) -> list[AgendaItem]:
        """The open items of ``meeting`` (accepted and Nachträge) with their papers, in their
        order; with ``waiting`` also the committee's items that wait for its next meeting,
        which ``meeting`` is (see :class:`~storage.models.AgendaItem`)."""
        belongs = AgendaItem.meeting_id == meeting.id
        if waiting:
            belongs = or_(
                belongs,
                (AgendaItem.meeting_id.is_(None))
                & (AgendaItem.committee_id == meeting.committee_id),
            )
        rows = await self.session.scalars(
            select(AgendaItem)
            .where(belongs, AgendaItem.status.in_(OPEN_ITEM_STATES))
            .order_by(AgendaItem.position, AgendaItem.id)
            .options(*ITEM_LOADED)
        )
        return list(rows)

    async def next_meeting(self, committee_id: int, now: datetime) -> Meeting | None:
        """The committee's next meeting that has not taken place: neither cancelled nor held,
        not begun by its planned time nor early in meeting mode."""
        return await self.session.scalar(
            select(Meeting)
            .where(
                Meeting.committee_id == committee_id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.start > now,
                ~exists().where(Minutes.meeting_id == Meeting.id),
            )
            .order_by(Meeting.start, Meeting.id)
            .limit(1)
            .options(*MEETING_LOADED)
        )

    async def last_position(self, meeting_id: int | None, committee_id: int) -> int:
        """The highest position used among the open items of that meeting (0 if none)."""
        where = (
            AgendaItem.meeting_id == meeting_id
            if meeting_id is not None
            else (AgendaItem.meeting_id.is_(None)) & (AgendaItem.committee_id == committee_id)
        )
        found = await self.session.scalar(select(func.max(AgendaItem.position)).where(where))
        return int(found or 0)

    # ------------------------------------------------------------------ writing

    async def add(
        self,
        at: datetime,
        *,
        committee_id: int,
        meeting_id: int | None,
        title: str,
        submitter: str,
        submitter_name: str = "",
        description: str = "",
        minutes: int = 15,
        public: bool = True,
        position: int = 0,
        status: ItemStatus = ItemStatus.ACCEPTED,
        late: bool = False,
    ) -> AgendaItem:
        """Record an item; ``at`` is now. Its papers start empty (and count as loaded)."""
        item = AgendaItem(
            committee_id=committee_id,
            meeting_id=meeting_id,
            title=title,
            submitter=submitter,
            submitter_name=submitter_name,
            description=description,
            minutes=minutes,
            public=public,
            position=position,
            status=status,
            late=late,
            created_at=at,
            updated_at=at,
            papers=[],
        )
        self.session.add(item)
        await self.session.flush()
        return item

    async def touch(self, item: AgendaItem, at: datetime) -> None:
        """Write the changes made to ``item`` and stamp it as changed at ``at``."""
        item.updated_at = at
        await self.session.flush()

    async def renumber(self, items: Sequence[AgendaItem], at: datetime) -> None:
        """Give ``items`` the positions 1, 2, 3 … in the order of the sequence."""
        for position, item in enumerate(items, start=1):
            if item.position != position:
                item.position = position
                item.updated_at = at
        await self.session.flush()

    async def add_paper(
        self,
        item: AgendaItem,
        at: datetime,
        *,
        name: str,
        room_id: str,
        event_id: str,
        added_by: str,
    ) -> AgendaPaper:
        """Attach a paper (the file message ``event_id`` in the committee room ``room_id``,
        called ``name``) to ``item``."""
        paper = AgendaPaper(
            item_id=item.id,
            name=name,
            room_id=room_id,
            event_id=event_id,
            added_by=added_by,
            created_at=at,
        )
        self.session.add(paper)
        await self.session.flush()
        item.papers.append(paper)
        return paper

    async def move_open_items(
        self, source: Meeting, target: Meeting | None, at: datetime
    ) -> list[MovedItem]:
        """Move the open items of the cancelled meeting ``source`` behind those of ``target``
        (no target: they wait for the committee's next meeting)."""
        return await self._move(
            (AgendaItem.meeting_id == source.id,), source.committee_id, target, at, False
        )

    async def roll_over(
        self, committee_id: int, now: datetime, target: Meeting | None
    ) -> list[MovedItem]:
        """Postpone (*vertagt*) the open items of every meeting of the committee that is over
        by ``now`` behind those of ``target`` (no target: the next meeting). Items not marked
        as dealt with in their meeting are open; a roll-over missed while the bot was down is
        caught up by the next one. A meeting held in meeting mode is over whatever its
        planned end says."""
        ended = select(Meeting.id).where(
            Meeting.committee_id == committee_id,
            or_(
                (Meeting.status == MeetingStatus.SCHEDULED) & (Meeting.end <= now),
                Meeting.status == MeetingStatus.HELD,
            ),
        )
        return await self._move(
            (AgendaItem.meeting_id.in_(ended),), committee_id, target, now, True
        )

    async def _move(
        self,
        where: tuple[ColumnElement[bool], ...],
        committee_id: int,
        target: Meeting | None,
        at: datetime,
        deferred: bool,
    ) -> list[MovedItem]:
        items = list(
            await self.session.scalars(
                select(AgendaItem)
                .where(*where, AgendaItem.status.in_(OPEN_ITEM_STATES))
                .order_by(AgendaItem.meeting_id, AgendaItem.position, AgendaItem.id)
            )
        )
        target_id = target.id if target is not None else None
        position = await self.last_position(target_id, committee_id)
        for item in items:
            position += 1
            if deferred:
                item.deferred_from = item.meeting_id
            item.meeting_id = target_id
            item.position = position
            item.updated_at = at
        await self.session.flush()
        return [MovedItem(i.id, i.title, i.submitter, i.submitter_name) for i in items]

    async def claim_waiting(self, meeting: Meeting, at: datetime) -> None:
        """Give the items that wait for the committee's next meeting to ``meeting``."""
        waiting = await self.session.scalars(
            select(AgendaItem).where(
                AgendaItem.meeting_id.is_(None),
                AgendaItem.committee_id == meeting.committee_id,
                AgendaItem.status.in_(OPEN_ITEM_STATES),
            )
        )
        for item in waiting:
            item.meeting_id = meeting.id
            item.updated_at = at
        await self.session.flush()

    async def set_status(self, item: AgendaItem, status: ItemStatus, at: datetime) -> None:
        """Give ``item`` ``status`` (accepted, withdrawn …) and write it."""
        item.status = status
        await self.touch(item, at)

    async def mark_done(self, item: AgendaItem, at: datetime) -> None:
        """The item was dealt with in its meeting: it is never rolled over."""
        await self.set_status(item, ItemStatus.DONE, at)


async def pseudonymise_submitter(session: AsyncSession, person: Person, pseudonym: str) -> int:
    """Art. 17: the items (and papers) that ``person`` submitted stay with the committee, under
    ``pseudonym`` instead of their Matrix account and name; returns how many were changed."""
    if not person.matrix_id:
        return 0
    items = await session.execute(
        update(AgendaItem)
        .where(AgendaItem.submitter == person.matrix_id)
        .values(submitter=pseudonym, submitter_name=pseudonym)
    )
    papers = await session.execute(
        update(AgendaPaper)
        .where(AgendaPaper.added_by == person.matrix_id)
        .values(added_by=pseudonym)
    )
    return rowcount(items) + rowcount(papers)
