"""Committees, their rooms and members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Unpack

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage.folding import fold_text
from storage.models import Committee, CommitteeMember, Meeting, MeetingStatus, Membership, Person
from storage.values import CommitteeChange, CommitteeSettings, refuse_unknown

# The roles a seat can have, in the order member lists show them.
SEAT_ROLES = ("Vorsitz", "Stellvertretung", "Mitglied", "Geschäftsführung")

SEATS_LOADED = (
    selectinload(Committee.members)
    .joinedload(CommitteeMember.person)
    .selectinload(Person.memberships)
    .joinedload(Membership.organization),
)
"""A committee with its seats, their holders' contact records and where those work: what a
member list shows (names, organisations, municipalities) and what changing a seat needs."""


@dataclass
class CommitteeRepository:
    """All SQL about committees and their members."""

    session: AsyncSession

    # ----------------------------------------------------------------- committees

    async def for_room(self, room_id: str, *, seats: bool = False) -> Committee | None:
        """The committee bound to ``room_id``, if any (one room, one committee); with
        ``seats`` also its members as :data:`SEATS_LOADED` says."""
        query = select(Committee).where(Committee.room_id == room_id)
        return await self.session.scalar(query.options(*SEATS_LOADED) if seats else query)

    async def add(
        self, at: datetime, name: str, room_id: str, **values: Unpack[CommitteeSettings]
    ) -> Committee:
        """Create a committee bound to ``room_id``."""
        refuse_unknown(values, CommitteeSettings.__optional_keys__, "committee")
        committee = Committee(
            name=name,
            name_key=fold_text(name),
            room_id=room_id,
            created_at=at,
            updated_at=at,
            **values,
        )
        committee.members = []  # known to be empty: reading it later needs no lazy load
        self.session.add(committee)
        await self.session.flush()
        return committee

    async def update(
        self, committee: Committee, at: datetime, **values: Unpack[CommitteeChange]
    ) -> Committee:
        """Change the given settings of ``committee``."""
        refuse_unknown(values, CommitteeChange.__optional_keys__, "committee")
        for key, value in values.items():
            setattr(committee, key, value)
        committee.name_key = fold_text(committee.name)
        committee.updated_at = at
        await self.session.flush()
        return committee

    async def get(self, committee_id: int) -> Committee | None:
        """Committee No. ``committee_id`` without its members."""
        return await self.session.get(Committee, committee_id)

    async def load_seats(self, committee: Committee) -> Committee:
        """``committee`` (loaded before) now with its members as :data:`SEATS_LOADED` says."""
        await self.session.scalars(
            select(Committee).where(Committee.id == committee.id).options(*SEATS_LOADED)
        )
        return committee

    async def seat_in_room(self, room_id: str, matrix_id: str) -> tuple[str, str] | None:
        """The committee of ``room_id`` and the seat ``matrix_id`` holds there (by its own
        Matrix id or its contact record's), as ``(committee name, seat role)``, if any."""
        row = (
            await self.session.execute(
                select(Committee.name, CommitteeMember.role)
                .join(CommitteeMember, CommitteeMember.committee_id == Committee.id)
                .outerjoin(Person, Person.id == CommitteeMember.person_id)
                .where(
                    Committee.room_id == room_id,
                    or_(CommitteeMember.matrix_id == matrix_id, Person.matrix_id == matrix_id),
                )
                .order_by(CommitteeMember.id)
                .limit(1)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def seat_counts(self, committee_ids: Sequence[int]) -> dict[int, int]:
        """How many seats each of these committees has, by committee id (0 for none)."""
        counts = dict.fromkeys(committee_ids, 0)
        if counts:
            rows = await self.session.execute(
                select(CommitteeMember.committee_id, func.count(CommitteeMember.id))
                .where(CommitteeMember.committee_id.in_(list(counts)))
                .group_by(CommitteeMember.committee_id)
            )
            counts.update({committee_id: int(count) for committee_id, count in rows})
        return counts

    async def all(self) -> list[Committee]:
        """Every committee, by name."""
        return list(await self.session.scalars(select(Committee).order_by(Committee.name_key)))

    async def named(self, name: str, *, seats: bool = False) -> Committee | None:
        """The committee called ``name`` or with the short name ``name``, in any spelling
        (case, umlauts, dashes): "bildungsbeirat", "Bildungsbeirat", "bb"; with ``seats``
        also its members as :data:`SEATS_LOADED` says."""
        wanted = fold_text(name)
        found = next((c for c in await self.all() if is_called(c, wanted)), None)
        return await self.load_seats(found) if found is not None and seats else found

    async def matching(self, query: str) -> list[Committee]:
        """Committees called ``query`` (name or short name, any spelling); failing that, those
        whose name contains it ("bildung" finds the Bildungsbeirat)."""
        wanted = fold_text(query)
        if not wanted:
            return []
        # An office has a handful of committees: folding in Python also handles "Ü", which
        # SQLite's lower() leaves as it is.
        committees = await self.all()
        exact = [c for c in committees if is_called(c, wanted)]
        return exact or [c for c in committees if wanted in c.name_key]

    # ----------------------------------------------------------------- members

    @staticmethod
    def seat_of(
        committee: Committee, person: Person | None, matrix_id: str
    ) -> CommitteeMember | None:
        """The seat in ``committee`` (loaded with its seats) held by ``person`` or by the
        account ``matrix_id``."""
        for member in committee.members:
            if person is not None and member.person_id == person.id:
                return member
            if matrix_id and member.matrix_id == matrix_id:
                return member
        return None

    async def seat(
        self,
        committee: Committee,
        at: datetime,
        role: str,
        person: Person | None = None,
        matrix_id: str = "",
    ) -> tuple[CommitteeMember, bool]:
        """Give ``person`` (or the account ``matrix_id``) a seat with ``role``; an existing seat
        keeps its place and gets the new role. Returns the seat and whether it is new.

        ``committee`` comes with its seats, and ``person`` with where it works, so that the
        seat can be shown.
        """
        if person is None and not matrix_id:
            raise ValueError("a seat needs a person or a Matrix account")
        member = self.seat_of(committee, person, matrix_id)
        created = member is None
        if member is None:
            member = CommitteeMember(
                committee=committee, person=person, matrix_id=matrix_id, role=role, created_at=at
            )
            self.session.add(member)
        else:
            member.role = role
            # A seat first known only by one of its two handles learns the other.
            if person is not None and member.person_id is None:
                member.person = person
            if matrix_id and not member.matrix_id:
                member.matrix_id = matrix_id
        committee.updated_at = at
        await self.session.flush()
        await self.session.refresh(committee, ["members"])
        return member, created

    async def unseat(self, committee: Committee, member: CommitteeMember, at: datetime) -> None:
        """Remove the seat ``member`` from ``committee``."""
        committee.members.remove(member)
        committee.updated_at = at
        await self.session.flush()

    # ----------------------------------------------------------------- meetings

    async def next_meetings(
        self, committee_ids: Sequence[int], now: datetime
    ) -> dict[int, Meeting]:
        """The next scheduled meeting of each committee that has one, by committee id."""
        if not committee_ids:
            return {}
        rows = await self.session.scalars(
            select(Meeting)
            .where(
                Meeting.committee_id.in_(committee_ids),
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.start >= now,
            )
            .order_by(Meeting.start, Meeting.id)
        )
        upcoming: dict[int, Meeting] = {}
        for meeting in rows:
            upcoming.setdefault(meeting.committee_id, meeting)
        return upcoming

    async def upcoming_meetings(self, committee: Committee, now: datetime) -> list[Meeting]:
        """The scheduled meetings of ``committee`` that have not started yet, soonest first,
        each with its committee (for re-arming their reminders)."""
        return list(
            await self.session.scalars(
                select(Meeting)
                .where(
                    Meeting.committee_id == committee.id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                    Meeting.start >= now,
                )
                .order_by(Meeting.start, Meeting.id)
                .options(joinedload(Meeting.committee))
            )
        )

    async def upcoming_count(self, committee: Committee, now: datetime) -> int:
        """How many scheduled meetings of ``committee`` lie ahead."""
        count = await self.session.scalar(
            select(func.count(Meeting.id)).where(
                Meeting.committee_id == committee.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.start >= now,
            )
        )
        return int(count or 0)


def is_called(committee: Committee, wanted: str) -> bool:
    """Whether ``wanted`` (folded) is the committee's name or short name."""
    return bool(wanted) and wanted in (committee.name_key, fold_text(committee.short_name))
