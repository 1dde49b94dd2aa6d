"""A task's scheduler entries, and the weekly digest's: one home for their ids and payloads.

* ``task:{id}:due`` (kind ``task.due``): the owner is reminded at 09:00 the day before the due
  date; payload ``{"task_id", "due_on"}``.
* ``task:{id}:followup`` (kind ``task.follow_up``): the Wiedervorlage at 09:00 of its day;
  payload ``{"task_id", "follow_up_on"}``.
* ``tasks.digest`` (kind ``tasks.digest``): weekly, the overdue tasks into the team room.

A task's entries follow its current state (:func:`arm_task`): a new date re-plans them, a done
task has none. The posts read the task afresh and stay silent when the date in the payload is no
longer the task's, so an entry that was replaced can never remind of an old date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
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


def wanted_entries(task: Task, timezone: str) -> dict[str, tuple[str, datetime, dict[str, Any]]]:
    """The entries the task's state asks for, by id: (kind, moment, payload)."""
    if task.status == TaskStatus.DONE:
        return {}
    wanted = {}
    if task.due_on is not None:
        wanted[due_entry_id(task.id)] = (
            TASK_DUE_KIND,
            _at(task.due_on - timedelta(days=1), timezone),
            {"task_id": task.id, "due_on": task.due_on.isoformat()},
        )
    if task.follow_up_on is not None:
        wanted[follow_up_entry_id(task.id)] = (
            TASK_FOLLOW_UP_KIND,
            _at(task.follow_up_on, timezone),
            {"task_id": task.id, "follow_up_on": task.follow_up_on.isoformat()},
        )
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
    for entry_id, (kind, first_at, payload) in wanted.items():
        await schedule.put(
            entry_id=entry_id,
            kind=kind,
            first_at=first_at,
            now=now,
            timezone=timezone,
            payload=payload,
        )
    for entry in await schedule.with_prefix(entry_prefix(task.id)):
        if entry.active and entry.id not in wanted:
            await schedule.deactivate(entry.id)


def still_meant(task: Task | None, payload: dict[str, Any]) -> bool:
    """Whether a fired entry still fits the task: it exists, is not done, and the date the
    entry was written for is still its date."""
    if task is None or task.status == TaskStatus.DONE:
        return False
    if "due_on" in payload:
        return task.due_on is not None and task.due_on.isoformat() == payload["due_on"]
    if "follow_up_on" in payload:
        written = payload["follow_up_on"]
        return task.follow_up_on is not None and task.follow_up_on.isoformat() == written
    return False


def digest_start(weekday: int, at: time, timezone: str, now: datetime) -> datetime:
    """The first digest: the next ``weekday`` (0 = Monday) at ``at`` from ``now`` on."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    first = datetime.combine(day, at, tzinfo=zone)
    return first if first > now else first + timedelta(days=7)
