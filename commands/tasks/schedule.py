"""A task's scheduler entries, and the weekly digest's: one home for their ids and payloads.

* ``task:{id}:due`` (kind ``task.due``, :class:`TaskDue`): the owner is reminded at 09:00 the
  day before the due date; payload ``{"task_id", "due_on"}``.
* ``task:{id}:followup`` (kind ``task.follow_up``, :class:`TaskFollowUp`): the Wiedervorlage at
  09:00 of its day; payload ``{"task_id", "follow_up_on"}``.
* ``tasks.digest`` (kind ``tasks.digest``, :class:`Digest`): weekly, the overdue tasks into the
  team room.

A task's entries follow its current state (:func:`arm_task`): a new date re-plans them, a done
task has none. The posts read the task afresh and stay silent when the date in the payload is no
longer the task's, so an entry that was replaced can never remind of an old date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from storage.models import Task, TaskStatus
from storage.schedule import ScheduleRepository

TASK_DUE_KIND = "task.due"
TASK_FOLLOW_UP_KIND = "task.follow_up"
DIGEST_KIND = "tasks.digest"
DIGEST_ENTRY_ID = "tasks.digest"
# Reminders come at the start of the office's day, not at midnight.
REMINDER_TIME = time(9, 0)


def entry_prefix(task_id: int) -> str:
    """What the ids of all of task ``task_id``'s entries start with."""
    return f"task:{task_id}:"


def due_entry_id(task_id: int) -> str:
    """The entry of the reminder the day before the due date."""
    return f"{entry_prefix(task_id)}due"


def follow_up_entry_id(task_id: int) -> str:
    """The entry of the Wiedervorlage."""
    return f"{entry_prefix(task_id)}followup"


def _at(day: date, timezone: str) -> datetime:
    return datetime.combine(day, REMINDER_TIME, tzinfo=ZoneInfo(timezone))


@dataclass(frozen=True)
class TaskDue:
    """The owner of task ``task_id`` is reminded the day before ``due_on``."""

    task_id: int
    due_on: date
    kind: ClassVar[str] = TASK_DUE_KIND

    @property
    def entry_id(self) -> str:
        """``task:{id}:due``."""
        return due_entry_id(self.task_id)

    def to_payload(self) -> dict[str, Any]:
        """The payload stored with the entry."""
        return {"task_id": self.task_id, "due_on": self.due_on.isoformat()}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> TaskDue:
        """The reminder a stored payload describes."""
        return cls(int(payload["task_id"]), date.fromisoformat(payload["due_on"]))

    def still_meant(self, task: Task | None) -> bool:
        """Whether the task is open and still due on the day this entry was written for."""
        return task is not None and task.status != TaskStatus.DONE and task.due_on == self.due_on


@dataclass(frozen=True)
class TaskFollowUp:
    """Task ``task_id`` is put before its owner again on ``follow_up_on`` (Wiedervorlage)."""

    task_id: int
    follow_up_on: date
    kind: ClassVar[str] = TASK_FOLLOW_UP_KIND

    @property
    def entry_id(self) -> str:
        """``task:{id}:followup``."""
        return follow_up_entry_id(self.task_id)

    def to_payload(self) -> dict[str, Any]:
        """The payload stored with the entry."""
        return {"task_id": self.task_id, "follow_up_on": self.follow_up_on.isoformat()}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> TaskFollowUp:
        """The Wiedervorlage a stored payload describes."""
        return cls(int(payload["task_id"]), date.fromisoformat(payload["follow_up_on"]))

    def still_meant(self, task: Task | None) -> bool:
        """Whether the task is open and still to be followed up on this entry's day."""
        return (
            task is not None
            and task.status != TaskStatus.DONE
            and task.follow_up_on == self.follow_up_on
        )


@dataclass(frozen=True)
class Digest:
    """The weekly digest of overdue tasks; its entry carries no payload."""

    kind: ClassVar[str] = DIGEST_KIND

    def to_payload(self) -> dict[str, Any]:
        """The (empty) payload stored with the entry."""
        return {}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Digest:
        """The digest, whatever the stored payload holds."""
        return cls()


TaskEntry = TaskDue | TaskFollowUp


def wanted_entries(task: Task, timezone: str) -> dict[str, tuple[TaskEntry, datetime]]:
    """The entries the task's state asks for, by id: (entry, moment)."""
    if task.status == TaskStatus.DONE:
        return {}
    wanted: dict[str, tuple[TaskEntry, datetime]] = {}
    if task.due_on is not None:
        due = TaskDue(task.id, task.due_on)
        wanted[due.entry_id] = (due, _at(task.due_on - timedelta(days=1), timezone))
    if task.follow_up_on is not None:
        follow_up = TaskFollowUp(task.id, task.follow_up_on)
        wanted[follow_up.entry_id] = (follow_up, _at(task.follow_up_on, timezone))
    return wanted


async def arm_task(
    schedule: ScheduleRepository, task: Task, *, now: datetime, timezone: str
) -> None:
    """Write the task's entries for its current state and stop the ones it no longer needs;
    a moment already past is not written (a task due tomorrow, set up in the afternoon, gets
    no reminder for this morning)."""
    wanted = {
        entry_id: value
        for entry_id, value in wanted_entries(task, timezone).items()
        if value[1] > now
    }
    for entry_id, (entry, first_at) in wanted.items():
        await schedule.put(
            entry_id=entry_id,
            kind=entry.kind,
            first_at=first_at,
            now=now,
            timezone=timezone,
            payload=entry.to_payload(),
        )
    for stored in await schedule.with_prefix(entry_prefix(task.id)):
        if stored.active and stored.id not in wanted:
            await schedule.deactivate(stored.id)


def digest_start(weekday: int, at: time, timezone: str, now: datetime) -> datetime:
    """The first digest: the next ``weekday`` (0 = Monday) at ``at`` from ``now`` on."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    first = datetime.combine(day, at, tzinfo=zone)
    return first if first > now else first + timedelta(days=7)
