"""The bot's own bookkeeping: the Matrix connection, the audit log, the schedule and its ledger,
and the outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JsonObject, StoredEnum


class LedgerStatus(StrEnum):
    """What happened to one occurrence of a schedule entry."""

    CLAIMED = "claimed"  # handler about to run; left behind by a crash, run again at start
    SENT = "sent"  # ran on time
    LATE = "late"  # ran after its time, within the grace period
    MISSED = "missed"  # older than the grace period; deliberately not run
    FAILED = "failed"  # the handler raised (or no handler exists for the kind)


class OutboxState(StrEnum):
    """Where one outbox message stands."""

    PENDING = "pending"  # owed: the sender sends it, after a restart as well
    SENT = "sent"  # the homeserver took it (answered, or it came back in sync)
    FAILED = "failed"  # refused for good (room gone, bot kicked); logged, never retried


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
    payload: Mapped[JsonObject] = mapped_column(JSON, default=dict)
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
    status: Mapped[LedgerStatus] = mapped_column(StoredEnum(LedgerStatus, 16))
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
    content: Mapped[JsonObject] = mapped_column(JSON, default=dict)
    # A file is uploaded only when it is sent; the message then carries its mxc URL.
    file_name: Mapped[str | None] = mapped_column(String(255), default=None)
    file_mimetype: Mapped[str | None] = mapped_column(String(255), default=None)
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    state: Mapped[OutboxState] = mapped_column(
        StoredEnum(OutboxState, 16), default=OutboxState.PENDING
    )
    created_at: Mapped[datetime]
    # When a post was due (a reminder's moment); delivered much later, e.g. after an outage of
    # the homeserver, it says so. None for replies, which answer a command whenever they come.
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    event_id: Mapped[str | None] = mapped_column(String(255), default=None)

    __table_args__ = (Index("ix_outbox_message_pending", "state", "room_id", "id"),)
