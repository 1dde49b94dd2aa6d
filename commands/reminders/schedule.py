"""A ``!erinnerung``'s scheduler entry: its id and typed payload.

Each reminder has one entry, ``reminder:{id}`` of kind ``reminder`` (:class:`ReminderDue`,
payload ``{"reminder_id": id}``), with the reminder's first moment and RRULE over local wall
time in the bot's zone. The commands write it, ``commands/reminders/jobs.py`` posts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

REMINDER_KIND = "reminder"


def schedule_entry_id(reminder_id: int) -> str:
    """The scheduler entry of a reminder."""
    return f"reminder:{reminder_id}"


@dataclass(frozen=True)
class ReminderDue:
    """Reminder ``reminder_id`` is posted (into its room, or to its creator alone)."""

    reminder_id: int
    kind: ClassVar[str] = REMINDER_KIND

    @property
    def entry_id(self) -> str:
        """``reminder:{id}``."""
        return schedule_entry_id(self.reminder_id)

    def to_payload(self) -> dict[str, Any]:
        """The payload stored with the entry."""
        return {"reminder_id": self.reminder_id}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ReminderDue:
        """The reminder a stored payload describes."""
        return cls(int(payload["reminder_id"]))
