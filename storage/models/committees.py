"""Committees and their calendar: seats, meetings and their series, agenda items and papers,
and the reminders set in rooms."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, StoredEnum
from storage.models.contacts import Person


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


class MeetingStatus(StrEnum):
    """Whether a meeting takes place, or took place."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"  # meeting mode ended it: over, whatever its planned time says


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
    status: Mapped[MeetingStatus] = mapped_column(
        StoredEnum(MeetingStatus, 16), default=MeetingStatus.SCHEDULED
    )
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


class ItemStatus(StrEnum):
    """Where an agenda item stands."""

    ACCEPTED = "accepted"  # on the agenda
    LATE = "late"  # a Nachtrag waiting for an organiser's acceptance
    WITHDRAWN = "withdrawn"
    DONE = "done"  # dealt with in its meeting; never rolled over


OPEN_ITEM_STATES = (ItemStatus.ACCEPTED, ItemStatus.LATE)


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
    status: Mapped[ItemStatus] = mapped_column(
        StoredEnum(ItemStatus, 16), default=ItemStatus.ACCEPTED
    )
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
