"""SQLAlchemy models. Times are stored as UTC and always come back aware.

No relationship loads by itself (``lazy="raise"``): the repository whose query returns an object
says in that query which of its relationships come with it, so a command's SELECTs can be read
off the repository methods it calls. Collections that the database empties by ``ON DELETE
CASCADE`` are left to it (``passive_deletes``) rather than loaded only to be deleted.

One module per part of the schema; importing this package registers every table with
``Base.metadata`` (which Alembic compares the migrations with).
"""

from storage.models.base import Base, JsonObject, JsonValue, StoredEnum, UTCDateTime, column_limit
from storage.models.bookkeeping import (
    AuditEntry,
    HandledEvent,
    LedgerStatus,
    OutboxMessage,
    OutboxState,
    ScheduleEntry,
    SentLedger,
    SyncState,
)
from storage.models.committees import (
    LEADING_SEAT_ROLES,
    OPEN_ITEM_STATES,
    AgendaItem,
    AgendaPaper,
    Committee,
    CommitteeMember,
    ItemStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Reminder,
)
from storage.models.contacts import (
    Membership,
    Offer,
    Organization,
    Person,
    VocabularyTerm,
    offer_field,
    offer_target_group,
    organization_field,
    person_field,
)
from storage.models.minutes import ATTENDANCE_KINDS, EntryKind, Minutes, MinutesEntry
from storage.models.tasks import Decision, Task, TaskStatus

__all__ = [
    "ATTENDANCE_KINDS",
    "LEADING_SEAT_ROLES",
    "OPEN_ITEM_STATES",
    "AgendaItem",
    "AgendaPaper",
    "AuditEntry",
    "Base",
    "Committee",
    "CommitteeMember",
    "Decision",
    "EntryKind",
    "HandledEvent",
    "ItemStatus",
    "JsonObject",
    "JsonValue",
    "LedgerStatus",
    "Meeting",
    "MeetingSeries",
    "MeetingStatus",
    "Membership",
    "Minutes",
    "MinutesEntry",
    "Offer",
    "Organization",
    "OutboxMessage",
    "OutboxState",
    "Person",
    "Reminder",
    "ScheduleEntry",
    "SentLedger",
    "StoredEnum",
    "SyncState",
    "Task",
    "TaskStatus",
    "UTCDateTime",
    "VocabularyTerm",
    "column_limit",
    "offer_field",
    "offer_target_group",
    "organization_field",
    "person_field",
]
