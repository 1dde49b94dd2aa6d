"""Minutes: meeting mode and the entries it records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, StoredEnum


class EntryKind(StrEnum):
    """What one line of the minutes records."""

    CALL = "call"  # an agenda item was called: the heading the later entries belong to
    PRESENT = "present"
    EXCUSED = "excused"
    NOTE = "note"
    DECISION = "decision"
    TASK = "task"


ATTENDANCE_KINDS = (EntryKind.PRESENT, EntryKind.EXCUSED)


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
    kind: Mapped[EntryKind] = mapped_column(StoredEnum(EntryKind, 16))
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
