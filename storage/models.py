"""SQLAlchemy models. Times are stored as UTC and always come back aware.

No relationship loads by itself (``lazy="raise"``): the repository whose query returns an object
says in that query which of its relationships come with it, so a command's SELECTs can be read
off the repository methods it calls. Collections that the database empties by ``ON DELETE
CASCADE`` are left to it (``passive_deletes``) rather than loaded only to be deleted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in Python, naive UTC in the database (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class SyncState(Base):
    """Small key/value facts about the Matrix connection, e.g. the last handled sync token."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class HandledEvent(Base):
    """An event the bot has dealt with; a restart never handles it again."""

    __tablename__ = "handled_event"
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    handled_at: Mapped[datetime] = mapped_column(index=True)


class AuditEntry(Base):
    """Who did what to which record, and when. Never message contents."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(255))
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)


class ScheduleEntry(Base):
    """Something the scheduler fires: once (``rule`` empty) or by an RFC 5545 RRULE."""

    __tablename__ = "schedule_entry"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    first_at: Mapped[datetime]
    rule: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # The first occurrence not yet in the ledger, or a moment before it; None when the entry
    # is stopped or has no occurrence left. A wake-up reads only the entries due by now, so
    # its cost follows what is due rather than how many entries exist.
    next_due: Mapped[datetime | None] = mapped_column(default=None)
    # Counts the writes to the entry: whoever moves ``next_due`` after reading the entry does
    # so only if nobody wrote it meanwhile (a command changing it while a wake-up looks at it).
    revision: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_schedule_entry_due", "active", "next_due"),)


class SentLedger(Base):
    """One row per fired occurrence: the unique key makes every scheduled post idempotent."""

    __tablename__ = "sent_ledger"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("schedule_entry.id", ondelete="CASCADE"))
    occurrence: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # sent | late | missed | failed
    recorded_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("entry_id", "occurrence", name="uq_sent_ledger_once"),)


class OutboxMessage(Base):
    """One event the bot owes a room: written in the transaction that decided to send it, sent
    by the outbox sender afterwards, so a crash neither loses nor doubles it."""

    __tablename__ = "outbox_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What caused it (a command's event, a scheduled occurrence) and its place among the
    # messages of that cause: a cause that runs again after a crash adds no second row.
    key: Mapped[str] = mapped_column(String(512), unique=True)
    room_id: Mapped[str] = mapped_column(String(255))
    # Sent as the Matrix transaction id: Synapse answers a repeat from the same device with the
    # first event, and the bot's own events come back in sync carrying it.
    txn_id: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # A file is uploaded only when it is sent; the message then carries its mxc URL.
    file_name: Mapped[str | None] = mapped_column(String(255), default=None)
    file_mimetype: Mapped[str | None] = mapped_column(String(255), default=None)
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    created_at: Mapped[datetime]
    # When a post was due (a reminder's moment); delivered much later, e.g. after an outage of
    # the homeserver, it says so. None for replies, which answer a command whenever they come.
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    event_id: Mapped[str | None] = mapped_column(String(255), default=None)

    __table_args__ = (Index("ix_outbox_message_pending", "state", "room_id", "id"),)


# --------------------------------------------------------------------------- contact network


class VocabularyTerm(Base):
    """A term of a controlled vocabulary: Handlungsfeld, Zielgruppe or organisation kind."""

    __tablename__ = "vocabulary_term"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(32))  # field | target_group | org_kind
    key: Mapped[str] = mapped_column(String(64))
    label_de: Mapped[str] = mapped_column(String(128))
    label_en: Mapped[str] = mapped_column(String(128))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("vocabulary", "key", name="uq_vocabulary_term_key"),)


person_field = Table(
    "person_field",
    Base.metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("vocabulary_term.id", ondelete="CASCADE"), primary_key=True),
    # Reports count by term ("how many offers per Handlungsfeld"): look up by term first.
    Index("ix_person_field_term", "term_id", "person_id"),
)
organization_field = Table(
    "organization_field",
    Base.metadata,
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("vocabulary_term.id", ondelete="CASCADE"), primary_key=True),
    # Reports count by term ("how many offers per Handlungsfeld"): look up by term first.
    Index("ix_organization_field_term", "term_id", "organization_id"),
)
offer_field = Table(
    "offer_field",
    Base.metadata,
    Column("offer_id", ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("vocabulary_term.id", ondelete="CASCADE"), primary_key=True),
    # Reports count by term ("how many offers per Handlungsfeld"): look up by term first.
    Index("ix_offer_field_term", "term_id", "offer_id"),
)
offer_target_group = Table(
    "offer_target_group",
    Base.metadata,
    Column("offer_id", ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("vocabulary_term.id", ondelete="CASCADE"), primary_key=True),
    # Reports count by term ("how many offers per Handlungsfeld"): look up by term first.
    Index("ix_offer_target_group_term", "term_id", "offer_id"),
)


class Organization(Base):
    """A provider or institution (Träger, Einrichtung): school, Kita, VHS, association …"""

    __tablename__ = "organization"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)  # fold_text(name)
    kind_id: Mapped[int | None] = mapped_column(ForeignKey("vocabulary_term.id"))
    street: Mapped[str] = mapped_column(String(255), default="")
    postcode: Mapped[str] = mapped_column(String(16), default="")
    gemeinde: Mapped[str] = mapped_column(String(128), default="", index=True)
    website: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    kind: Mapped[VocabularyTerm | None] = relationship(lazy="raise")
    fields: Mapped[list[VocabularyTerm]] = relationship(
        secondary=organization_field, lazy="raise", passive_deletes=True
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        lazy="raise",
        passive_deletes=True,
    )


class Person(Base):
    """A contact (Ansprechperson). Personal data: source and legal basis are always kept."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)  # fold_text(name)
    email: Mapped[str] = mapped_column(String(255), default="", index=True)
    phone: Mapped[str] = mapped_column(String(64), default="")
    matrix_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    gemeinde: Mapped[str] = mapped_column(String(128), default="", index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255), default="")  # quelle
    recorded_at: Mapped[datetime]
    legal_basis: Mapped[str] = mapped_column(String(32), default="public_task")  # | consent
    consent_at: Mapped[datetime | None]
    consent_withdrawn_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    fields: Mapped[list[VocabularyTerm]] = relationship(
        secondary=person_field, lazy="raise", passive_deletes=True
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="raise", passive_deletes=True
    )

    @property
    def display_name(self) -> str:
        return f"{self.title} {self.name}".strip()


class Membership(Base):
    """A person's function in an organisation (later also in a committee)."""

    __tablename__ = "membership"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    function: Mapped[str] = mapped_column(String(255), default="")

    person: Mapped[Person] = relationship(back_populates="memberships", lazy="raise")
    organization: Mapped[Organization | None] = relationship(
        back_populates="memberships", lazy="raise"
    )


class Offer(Base):
    """An education offer of a provider (Angebot, from the Bestandsaufnahme)."""

    __tablename__ = "offer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255), index=True)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    place: Mapped[str] = mapped_column(String(255), default="")
    gemeinde: Mapped[str] = mapped_column(String(128), default="", index=True)
    schedule: Mapped[str] = mapped_column(String(255), default="")
    cost: Mapped[str] = mapped_column(String(255), default="")
    link: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    provider: Mapped[Organization | None] = relationship(lazy="raise")
    fields: Mapped[list[VocabularyTerm]] = relationship(
        secondary=offer_field, lazy="raise", passive_deletes=True
    )
    target_groups: Mapped[list[VocabularyTerm]] = relationship(
        secondary=offer_target_group, lazy="raise", passive_deletes=True
    )


# --------------------------------------------------------------------------- committees, calendar


class Committee(Base):
    """A committee (OParl Organization of type Gremium), bound to exactly one Matrix room."""

    __tablename__ = "committee"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)  # fold_text(name)
    short_name: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(
        String(32), default="Gremium"
    )  # Beirat | Steuerungsgruppe | AG
    room_id: Mapped[str] = mapped_column(String(255), unique=True)
    notice_days: Mapped[int] = mapped_column(default=14)  # Ladungsfrist
    item_deadline_days: Mapped[int] = mapped_column(default=7)  # Frist für TOP-Anmeldungen
    default_duration_minutes: Mapped[int] = mapped_column(default=120)
    default_place: Mapped[str] = mapped_column(String(255), default="")
    reminder_offsets_minutes: Mapped[list[int]] = mapped_column(JSON, default=list)
    allow_room_mention: Mapped[bool] = mapped_column(default=False)
    feed_token: Mapped[str] = mapped_column(String(64), default="", index=True)
    # The standard opening items of its agendas; empty: the usual four (commands/agenda).
    opening_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How many members must be present for the committee to decide (None: no rule set).
    quorum: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    members: Mapped[list[CommitteeMember]] = relationship(
        back_populates="committee",
        cascade="all, delete-orphan",
        lazy="raise",
        passive_deletes=True,
    )


# Seats whose holders plan the committee's meetings: they are organisers in its room.
LEADING_SEAT_ROLES = frozenset({"Vorsitz", "Stellvertretung", "Geschäftsführung"})


class CommitteeMember(Base):
    """A seat in a committee: a contact record, a Matrix account, or both."""

    __tablename__ = "committee_member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        ForeignKey("committee.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    matrix_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    role: Mapped[str] = mapped_column(
        String(32), default="Mitglied"
    )  # Vorsitz | Stellvertretung …
    created_at: Mapped[datetime]

    committee: Mapped[Committee] = relationship(back_populates="members", lazy="raise")
    person: Mapped[Person | None] = relationship(lazy="raise")


class MeetingSeries(Base):
    """A recurring meeting: an RFC 5545 rule over local wall time in ``timezone``."""

    __tablename__ = "meeting_series"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        ForeignKey("committee.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    first_start: Mapped[datetime]
    duration_minutes: Mapped[int]
    rule: Mapped[str] = mapped_column(Text)  # e.g. FREQ=MONTHLY;BYDAY=2WE;COUNT=10
    timezone: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255), default="")
    place: Mapped[str] = mapped_column(String(255), default="")
    online_link: Mapped[str] = mapped_column(String(512), default="")
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


MEETING_SCHEDULED = "scheduled"
MEETING_CANCELLED = "cancelled"


class Meeting(Base):
    """One meeting (Sitzung). Occurrences of a series are rows too, so each has a number and
    can be moved (``original_start`` is its RECURRENCE-ID) or cancelled on its own."""

    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        ForeignKey("committee.id", ondelete="CASCADE"), index=True
    )
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_series.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(255))
    original_start: Mapped[datetime | None]
    start: Mapped[datetime] = mapped_column(index=True)
    end: Mapped[datetime]
    title: Mapped[str] = mapped_column(String(255), default="")
    place: Mapped[str] = mapped_column(String(255), default="")
    online_link: Mapped[str] = mapped_column(String(512), default="")
    status: Mapped[str] = mapped_column(String(16), default=MEETING_SCHEDULED)  # | cancelled
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(default=0)
    invitation_sent_at: Mapped[datetime | None]
    agenda_published_at: Mapped[datetime | None]  # !tagesordnung veröffentlichen froze it
    created_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    committee: Mapped[Committee] = relationship(lazy="raise")
    series: Mapped[MeetingSeries | None] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("series_id", "original_start", name="uq_meeting_occurrence"),
    )


ITEM_ACCEPTED = "accepted"  # on the agenda
ITEM_LATE = "late"  # a Nachtrag waiting for an organiser's acceptance
ITEM_WITHDRAWN = "withdrawn"
ITEM_DONE = "done"  # dealt with in its meeting; never rolled over
OPEN_ITEM_STATES = (ITEM_ACCEPTED, ITEM_LATE)


class AgendaItem(Base):
    """An agenda item (TOP, OParl AgendaItem) proposed for a meeting of a committee.

    ``meeting_id`` is empty for an item deferred while the committee had no next meeting: it
    belongs to whichever meeting comes next. ``deferred_from`` marks it *vertagt*.
    """

    __tablename__ = "agenda_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        ForeignKey("committee.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column(default=15)
    public: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=ITEM_ACCEPTED)
    late: Mapped[bool] = mapped_column(default=False)  # came as a Nachtrag
    deferred_from: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL")
    )
    submitter: Mapped[str] = mapped_column(String(255), index=True)  # Matrix id or pseudonym
    submitter_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    papers: Mapped[list[AgendaPaper]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        lazy="raise",
        passive_deletes=True,
        order_by="AgendaPaper.id",
    )


class AgendaPaper(Base):
    """A file posted in the committee room and attached to an item with ``!anlage``."""

    __tablename__ = "agenda_paper"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    room_id: Mapped[str] = mapped_column(String(255))
    event_id: Mapped[str] = mapped_column(String(255))
    added_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]

    item: Mapped[AgendaItem] = relationship(back_populates="papers", lazy="raise")


class Reminder(Base):
    """A reminder set with ``!erinnerung``: once or recurring, into a room or to one person."""

    __tablename__ = "reminder"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255), index=True)
    creator: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    first_at: Mapped[datetime]
    rule: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    to_creator_only: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


# --------------------------------------------------------------------------- decisions, tasks


class Decision(Base):
    """A decision (Beschluss) of a committee, with its votes, kept as a record of the committee
    (an erased person who recorded it is pseudonymised, the decision stays)."""

    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        ForeignKey("committee.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    # The agenda item the decision was taken under (meeting mode, or ``top=``).
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    votes_yes: Mapped[int | None]
    votes_no: Mapped[int | None]
    votes_abstain: Mapped[int | None]
    unanimous: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[str] = mapped_column(String(255))  # Matrix id, or a pseudonym
    decided_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]

    committee: Mapped[Committee] = relationship(lazy="raise")
    meeting: Mapped[Meeting | None] = relationship(lazy="raise")


TASK_OPEN = "open"
TASK_IN_PROGRESS = "in_progress"
TASK_BLOCKED = "blocked"
TASK_DONE = "done"
TASK_STATUSES = (TASK_OPEN, TASK_IN_PROGRESS, TASK_BLOCKED, TASK_DONE)


class Task(Base):
    """A task or measure (Aufgabe, Maßnahme): of the office (no committee) or of a committee,
    often from a decision. Its owner is a Matrix user, a contact without Matrix, or nobody."""

    __tablename__ = "task"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    owner_matrix_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    # Only set when the owner was erased: the pseudonym that stands for them now.
    owner_name: Mapped[str] = mapped_column(String(255), default="")
    due_on: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default=TASK_OPEN)
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"), index=True
    )
    committee_id: Mapped[int | None] = mapped_column(
        ForeignKey("committee.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    follow_up_on: Mapped[date | None]  # Wiedervorlage
    done_note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    owner_person: Mapped[Person | None] = relationship(lazy="raise")
    committee: Mapped[Committee | None] = relationship(lazy="raise")
    decision: Mapped[Decision | None] = relationship(lazy="raise")


# --------------------------------------------------------------------------- minutes

ENTRY_CALL = "call"  # an agenda item was called: the heading the later entries belong to
ENTRY_PRESENT = "present"
ENTRY_EXCUSED = "excused"
ENTRY_NOTE = "note"
ENTRY_DECISION = "decision"
ENTRY_TASK = "task"
ATTENDANCE_KINDS = (ENTRY_PRESENT, ENTRY_EXCUSED)


class Minutes(Base):
    """A meeting's minutes: meeting mode runs while ``ended_at`` is None (one per room), and
    ``approved_at`` is set when the committee approved them."""

    __tablename__ = "minutes"
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    room_id: Mapped[str] = mapped_column(String(255), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    started_by: Mapped[str] = mapped_column(String(255))  # Matrix id, or a pseudonym
    taker_name: Mapped[str] = mapped_column(String(255), default="")  # Protokollführung
    current_call_id: Mapped[int | None]  # the entry of the item being dealt with
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str] = mapped_column(String(255), default="")


class MinutesEntry(Base):
    """One line of the minutes, stored as it was recorded: the minutes are rendered from these
    rows, never from the chat. Entries under an item point to its ``call`` entry, whose label
    and public flag are kept as they were when it was called."""

    __tablename__ = "minutes_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.meeting_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    call_id: Mapped[int | None]
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    label: Mapped[str] = mapped_column(String(32), default="")  # "Ö 3" when called
    public: Mapped[bool] = mapped_column(default=True)
    text: Mapped[str] = mapped_column(Text, default="")  # a note, a title, a name
    matrix_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def column_limit(model: type[Base], attribute: str) -> int | None:
    """How many characters the column behind ``model.attribute`` holds (None: unbounded). The
    one limit of a field, for chat and import alike."""
    length = getattr(model.__table__.c[attribute].type, "length", None)
    return length if isinstance(length, int) else None
