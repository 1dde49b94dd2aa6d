"""The store: the repositories of one unit of work, all sharing its session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.agenda import AgendaRepository
from storage.audit import AuditRepository
from storage.calendar_export import CalendarExportRepository
from storage.committees import CommitteeRepository
from storage.contacts import ContactRepository
from storage.meetings import MeetingRepository
from storage.minutes import MinutesRepository
from storage.models import Committee, CommitteeMember, HandledEvent, Person
from storage.outbox import OutboxRepository
from storage.privacy import PrivacyRepository
from storage.reminders import ReminderRepository
from storage.reports import ReportRepository
from storage.schedule import ScheduleRepository
from storage.search import SearchIndex
from storage.sync import SyncStateRepository
from storage.tasks import TaskRepository
from storage.vocabulary import VocabularyRepository


@dataclass(frozen=True)
class Arrival:
    """What the bot must know about a command's event before it runs the command."""

    handled: bool  # the event was handled before: it is not run again
    committee_room: bool  # its room is bound to a committee, however few people are in it
    seat_role: str | None = None  # the sender's seat in that committee ("Vorsitz" …), if any


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
