"""Repositories for the foundation tables. Every query of the bot lives in ``storage/``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.agenda import AgendaRepository
from storage.calendar_export import CalendarExportRepository
from storage.committees import CommitteeRepository
from storage.contacts import ContactRepository
from storage.meetings import MeetingRepository
from storage.minutes import MinutesRepository
from storage.models import (
    AuditEntry,
    Committee,
    CommitteeMember,
    HandledEvent,
    Offer,
    Organization,
    Person,
    SyncState,
)
from storage.outbox import OutboxRepository
from storage.privacy import PrivacyRepository
from storage.reminders import ReminderRepository
from storage.reports import ReportRepository
from storage.results import rowcount
from storage.schedule import ScheduleRepository
from storage.search import SearchIndex
from storage.tasks import TaskRepository
from storage.vocabulary import VocabularyRepository

SYNC_TOKEN_KEY = "next_batch"
INSTALLED_AT_KEY = "installed_at"


@dataclass(frozen=True)
class Arrival:
    """What the bot must know about a command's event before it runs the command."""

    handled: bool  # the event was handled before: it is not run again
    committee_room: bool  # its room is bound to a committee, however few people are in it
    seat_role: str | None = None  # the sender's seat in that committee ("Vorsitz" …), if any


@dataclass
class SyncStateRepository:
    """The sync token and the set of handled events: what makes restarts safe."""

    session: AsyncSession

    async def token(self) -> str | None:
        row = await self.session.get(SyncState, SYNC_TOKEN_KEY)
        return row.value if row else None

    async def save_token(self, token: str) -> None:
        await self.session.merge(SyncState(key=SYNC_TOKEN_KEY, value=token))

    async def installed_at(self) -> datetime | None:
        """When this installation first synced; None for one from before this was recorded."""
        row = await self.session.get(SyncState, INSTALLED_AT_KEY)
        return datetime.fromisoformat(row.value) if row else None

    async def save_installed_at(self, moment: datetime) -> None:
        await self.session.merge(SyncState(key=INSTALLED_AT_KEY, value=moment.isoformat()))

    async def was_handled(self, event_id: str) -> bool:
        """Whether ``event_id`` has been recorded as handled (one look-up by key)."""
        return await self.session.get(HandledEvent, event_id) is not None

    def record_handled(self, event_id: str, room_id: str, at: datetime) -> None:
        """Record ``event_id`` as handled when this unit of work commits, together with
        whatever its command changed: both are kept, or neither."""
        self.session.add(HandledEvent(event_id=event_id, room_id=room_id, handled_at=at))

    async def mark_handled(self, event_id: str, room_id: str, at: datetime) -> bool:
        """Record ``event_id`` now; False when it had been recorded before."""
        if await self.was_handled(event_id):
            return False
        self.record_handled(event_id, room_id, at)
        await self.session.flush()
        return True

    async def forget_handled_before(self, cutoff: datetime) -> int:
        """Drop records older than ``cutoff`` (the sync token already covers them)."""
        result = await self.session.execute(
            delete(HandledEvent).where(HandledEvent.handled_at < cutoff)
        )
        return rowcount(result)


@dataclass
class AuditRepository:
    """The audit log: who changed, viewed in bulk, exported or deleted which record."""

    session: AsyncSession

    async def record(
        self,
        at: datetime,
        actor: str,
        action: str,
        object_type: str,
        object_id: str | int,
        detail: str = "",
    ) -> AuditEntry:
        entry = AuditEntry(
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
        )
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def latest(self, limit: int = 100) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        )
        return list(reversed(list(rows)))

    async def newest(self, limit: int) -> list[AuditEntry]:
        """The ``limit`` most recent entries, newest first (for reading, not for replay)."""
        rows = await self.session.scalars(
            select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        )
        return list(rows)

    async def names(self, entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
        """The current names of the records ``entries`` are about, and of the actors who have
        a contact record: ``{(object_type, object_id): name}`` and ``{("actor", id): name}``.
        One query per kind of record; an erased or deleted record simply has no name."""
        wanted: dict[str, set[int]] = {}
        for entry in entries:
            if entry.object_id.isdigit():
                wanted.setdefault(entry.object_type, set()).add(int(entry.object_id))
        columns = {
            "person": (Person.id, Person.name),
            "organization": (Organization.id, Organization.name),
            "offer": (Offer.id, Offer.title),
            "committee": (Committee.id, Committee.name),
        }
        found: dict[tuple[str, str], str] = {}
        for object_type, ids in wanted.items():
            if object_type not in columns:
                continue
            key, name = columns[object_type]
            for record_id, record_name in await self.session.execute(
                select(key, name).where(key.in_(ids))
            ):
                found[(object_type, str(record_id))] = record_name
        actors = {entry.actor for entry in entries if entry.actor.startswith("@")}
        if actors:
            for matrix_id, person_name in await self.session.execute(
                select(Person.matrix_id, Person.name).where(Person.matrix_id.in_(actors))
            ):
                found[("actor", matrix_id)] = person_name
        return found


class Store:
    """The repositories of one unit of work, all sharing its session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.sync = SyncStateRepository(session)
        self.audit = AuditRepository(session)
        self.contacts = ContactRepository(session)
        self.vocabulary = VocabularyRepository(session)
        self.search = SearchIndex(session)
        self.reports = ReportRepository(session)
        self.privacy = PrivacyRepository(session)
        self.committees = CommitteeRepository(session)
        self.meetings = MeetingRepository(session)
        self.reminders = ReminderRepository(session)
        self.schedule = ScheduleRepository(session)
        self.calendar = CalendarExportRepository(session)
        self.tasks = TaskRepository(session)
        self.agenda = AgendaRepository(session)
        self.minutes = MinutesRepository(session)
        self.outbox = OutboxRepository(session)

    async def arrival(self, event_id: str, room_id: str, sender: str = "") -> Arrival:
        """Whether ``event_id`` was handled before, whether ``room_id`` is a committee's room,
        and which seat ``sender`` holds there: the bot's bookkeeping for an incoming command,
        in one SELECT."""
        handled = select(HandledEvent.event_id).where(HandledEvent.event_id == event_id)
        bound = select(Committee.id).where(Committee.room_id == room_id)
        seat = (
            select(CommitteeMember.role)
            .join(Committee, Committee.id == CommitteeMember.committee_id)
            .outerjoin(Person, Person.id == CommitteeMember.person_id)
            .where(
                Committee.room_id == room_id,
                or_(CommitteeMember.matrix_id == sender, Person.matrix_id == sender),
                literal(sender) != "",
            )
            .order_by(CommitteeMember.id)
            .limit(1)
            .scalar_subquery()
        )
        row = (await self.session.execute(select(handled.exists(), bound.exists(), seat))).one()
        return Arrival(handled=bool(row[0]), committee_room=bool(row[1]), seat_role=row[2])

    async def commit(self) -> None:
        """Make the work of this unit permanent; the session goes on with a new transaction."""
        await self.session.commit()

    async def rollback(self) -> None:
        """Undo the work of this unit so far; the repositories forget what it had changed."""
        await self.session.rollback()
        self.schedule.changed_ids.clear()
