"""Minutes and meeting mode: every query about a meeting's recorded entries, and the two hooks
of data protection for them (:func:`minutes_of_person`, :func:`pseudonymise_minutes`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.meetings import MEETING_LOADED
from storage.models import (
    ATTENDANCE_KINDS,
    AgendaItem,
    Decision,
    EntryKind,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesEntry,
    Person,
    Task,
)
from storage.results import rowcount


@dataclass
class MinutesRepository:
    """Meeting mode, the entries of the minutes, and what the minutes show beside them."""

    session: AsyncSession

    async def running_in(self, room_id: str) -> Minutes | None:
        """The meeting mode running in ``room_id``, if one does."""
        return await self.session.scalar(
            select(Minutes).where(Minutes.room_id == room_id, Minutes.ended_at.is_(None))
        )

    async def of_meeting(self, meeting_id: int) -> Minutes | None:
        return await self.session.get(Minutes, meeting_id)

    async def latest_in(self, room_id: str) -> Minutes | None:
        """The minutes most recently begun in ``room_id``."""
        return await self.session.scalar(
            select(Minutes)
            .where(Minutes.room_id == room_id)
            .order_by(Minutes.started_at.desc(), Minutes.meeting_id.desc())
            .limit(1)
        )

    async def approved_before(self, committee_id: int, start: datetime) -> Minutes | None:
        """The minutes of the committee's last meeting before ``start``, if any were taken."""
        return await self.session.scalar(
            select(Minutes)
            .join(Meeting, Meeting.id == Minutes.meeting_id)
            .where(Meeting.committee_id == committee_id, Meeting.start < start)
            .order_by(Meeting.start.desc())
            .limit(1)
        )

    async def begin(
        self,
        meeting: Meeting,
        room_id: str,
        at: datetime,
        *,
        started_by: str,
        taker_name: str = "",
    ) -> Minutes:
        """Start meeting mode (again, after an end by mistake: the entries stay and the
        meeting is no longer held); the minutes are taken by ``started_by``, called
        ``taker_name``."""
        minutes = await self.of_meeting(meeting.id)
        if minutes is None:
            minutes = Minutes(
                meeting_id=meeting.id,
                room_id=room_id,
                started_at=at,
                started_by=started_by,
                taker_name=taker_name,
            )
            self.session.add(minutes)
        else:
            minutes.ended_at = None
        if meeting.status == MeetingStatus.HELD:
            meeting.status = MeetingStatus.SCHEDULED
        await self.session.flush()
        return minutes

    async def add(
        self,
        minutes: Minutes,
        at: datetime,
        *,
        kind: EntryKind,
        author: str,
        call_id: int | None = None,
        agenda_item_id: int | None = None,
        label: str = "",
        public: bool = True,
        text: str = "",
        matrix_id: str = "",
        person_id: int | None = None,
        decision_id: int | None = None,
        task_id: int | None = None,
    ) -> MinutesEntry:
        """Record an entry of ``minutes``; its id is the number ``!rückgängig`` takes."""
        entry = MinutesEntry(
            meeting_id=minutes.meeting_id,
            kind=kind,
            author=author,
            call_id=call_id,
            agenda_item_id=agenda_item_id,
            label=label,
            public=public,
            text=text,
            matrix_id=matrix_id,
            person_id=person_id,
            decision_id=decision_id,
            task_id=task_id,
            created_at=at,
            updated_at=at,
        )
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def set_current(self, minutes: Minutes, call: MinutesEntry) -> None:
        """The item of ``call`` is the one being dealt with now."""
        minutes.current_call_id = call.id
        await self.session.flush()

    async def change(
        self,
        entry: MinutesEntry,
        at: datetime,
        *,
        kind: EntryKind | None = None,
        text: str | None = None,
        author: str | None = None,
    ) -> None:
        """Correct ``entry``: its kind (present or excused), its text, or who recorded it; what
        is not given stays."""
        if kind is not None:
            entry.kind = kind
        if text is not None:
            entry.text = text
        if author is not None:
            entry.author = author
        entry.updated_at = at
        await self.session.flush()

    async def end(self, minutes: Minutes, meeting: Meeting, at: datetime) -> None:
        """End meeting mode: ``meeting`` is held from now on, whatever its planned time."""
        minutes.ended_at = at
        minutes.current_call_id = None
        meeting.status = MeetingStatus.HELD
        meeting.updated_at = at
        await self.session.flush()

    async def approve(self, minutes: Minutes, at: datetime, by: str) -> None:
        minutes.approved_at = at
        minutes.approved_by = by
        await self.session.flush()

    async def entry(self, entry_id: int) -> MinutesEntry | None:
        return await self.session.get(MinutesEntry, entry_id)

    async def entries(self, meeting_id: int) -> list[MinutesEntry]:
        """Every entry of the meeting's minutes, in the order they were recorded."""
        rows = await self.session.scalars(
            select(MinutesEntry)
            .where(MinutesEntry.meeting_id == meeting_id)
            .order_by(MinutesEntry.id)
        )
        return list(rows)

    async def last_by(self, meeting_id: int, author: str) -> MinutesEntry | None:
        """The newest entry ``author`` recorded that can be taken back (not an item's call)."""
        return await self.session.scalar(
            select(MinutesEntry)
            .where(
                MinutesEntry.meeting_id == meeting_id,
                MinutesEntry.author == author,
                MinutesEntry.kind != EntryKind.CALL,
            )
            .order_by(MinutesEntry.id.desc())
            .limit(1)
        )

    async def remove(self, entry: MinutesEntry) -> None:
        """Take back ``entry``, and the decision or task it recorded (a task from a decision
        taken back stays, without its decision)."""
        decision_id, task_id = entry.decision_id, entry.task_id
        await self.session.delete(entry)
        await self.session.flush()
        if decision_id is not None:
            await self.session.execute(
                update(Task).where(Task.decision_id == decision_id).values(decision_id=None)
            )
            await self.session.execute(delete(Decision).where(Decision.id == decision_id))
        if task_id is not None:
            await self.session.execute(delete(Task).where(Task.id == task_id))

    async def decisions(self, meeting_id: int) -> list[Decision]:
        """The meeting's decisions, recorded in meeting mode or later with its number."""
        rows = await self.session.scalars(
            select(Decision).where(Decision.meeting_id == meeting_id).order_by(Decision.id)
        )
        return list(rows)

    async def tasks(self, meeting_id: int) -> list[Task]:
        """The meeting's tasks with their owners' contact records."""
        rows = await self.session.scalars(
            select(Task)
            .where(Task.meeting_id == meeting_id)
            .order_by(Task.id)
            .options(selectinload(Task.owner_person))
        )
        return list(rows)

    async def postponed_from(self, meeting_id: int) -> list[AgendaItem]:
        """The items rolled over from the meeting to a later one."""
        rows = await self.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.deferred_from == meeting_id, AgendaItem.status != ItemStatus.DONE)
            .order_by(AgendaItem.id)
        )
        return list(rows)

    async def mark_called_done(self, meeting_id: int, at: datetime) -> int:
        """The items called in the meeting were dealt with: they are never rolled over."""
        called = select(MinutesEntry.agenda_item_id).where(
            MinutesEntry.meeting_id == meeting_id,
            MinutesEntry.kind == EntryKind.CALL,
            MinutesEntry.agenda_item_id.is_not(None),
        )
        result = await self.session.execute(
            update(AgendaItem)
            .where(AgendaItem.id.in_(called), AgendaItem.meeting_id == meeting_id)
            .values(status=ItemStatus.DONE, updated_at=at)
        )
        return rowcount(result)

    async def meetings_between(
        self, committee_id: int, begins: datetime, ends: datetime
    ) -> list[Meeting]:
        """The committee's meetings (not cancelled; held ones too, so meeting mode ended by
        mistake can begin again) that start in [``begins``, ``ends``)."""
        rows = await self.session.scalars(
            select(Meeting)
            .where(
                Meeting.committee_id == committee_id,
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.start >= begins,
                Meeting.start < ends,
            )
            .order_by(Meeting.start)
            .options(*MEETING_LOADED)
        )
        return list(rows)

    async def next_meeting_after(self, meeting: Meeting) -> Meeting | None:
        """The committee's next meeting after ``meeting`` (for the minutes' last line)."""
        return await self.session.scalar(
            select(Meeting)
            .where(
                Meeting.committee_id == meeting.committee_id,
                Meeting.start > meeting.start,
                Meeting.status == MeetingStatus.SCHEDULED,
            )
            .order_by(Meeting.start)
            .limit(1)
            .options(*MEETING_LOADED)
        )


PersonalRows = list[dict[str, str | int | datetime | date | None]]


def _of(person: Person) -> ColumnElement[bool]:
    own = MinutesEntry.person_id == person.id
    if person.matrix_id:
        return or_(own, MinutesEntry.matrix_id == person.matrix_id)
    return own


async def minutes_of_person(session: AsyncSession, person: Person) -> PersonalRows:
    """Art. 15: the person's attendance at meetings and the notes they wrote."""
    written = MinutesEntry.author == person.matrix_id if person.matrix_id else None
    condition = _of(person) if written is None else or_(_of(person), written)
    rows = await session.scalars(
        select(MinutesEntry)
        .where(condition, MinutesEntry.kind.in_((*ATTENDANCE_KINDS, EntryKind.NOTE)))
        .order_by(MinutesEntry.id)
    )
    return [
        {
            "meeting_id": entry.meeting_id,
            "kind": entry.kind,
            "text": entry.text,
            "recorded_at": entry.created_at,
        }
        for entry in rows
    ]


async def pseudonymise_minutes(session: AsyncSession, person: Person, pseudonym: str) -> int:
    """Art. 17: the minutes stay with the committee; the person's attendance lines show
    ``pseudonym`` instead of their name, and their notes and meeting modes are kept under it."""
    named = await session.execute(
        update(MinutesEntry)
        .where(_of(person), MinutesEntry.kind.in_(ATTENDANCE_KINDS))
        .values(text=pseudonym, matrix_id="", person_id=None)
    )
    changed = rowcount(named)
    # Notes may name the person in words; the name goes, the note stays.
    if person.name.strip():
        notes = await session.scalars(
            select(MinutesEntry).where(
                MinutesEntry.kind == EntryKind.NOTE, MinutesEntry.text.contains(person.name)
            )
        )
        for note in notes:
            note.text = note.text.replace(person.name, pseudonym)
            changed += 1
    if person.matrix_id:
        written = await session.execute(
            update(MinutesEntry)
            .where(MinutesEntry.author == person.matrix_id)
            .values(author=pseudonym)
        )
        taker = await session.execute(
            update(Minutes)
            .where(Minutes.started_by == person.matrix_id)
            .values(started_by=pseudonym, taker_name=pseudonym)
        )
        changed += rowcount(written) + rowcount(taker)
    return changed
