"""Decisions of the committees and the tasks of the office and the committees."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, StoredEnum
from storage.models.committees import Committee, Meeting
from storage.models.contacts import Person


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


class TaskStatus(StrEnum):
    """Where a task stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"


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
    status: Mapped[TaskStatus] = mapped_column(StoredEnum(TaskStatus, 16), default=TaskStatus.OPEN)
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
