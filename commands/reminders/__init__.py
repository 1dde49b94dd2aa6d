"""Reminders a person or a room asks for."""

from __future__ import annotations

from commands.reminders.commands import (
    personal_reminder_create,
    reminder_create,
    reminder_delete,
    reminders_list,
)
from commands.reminders.jobs import post_reminder

__all__ = [
    "personal_reminder_create",
    "post_reminder",
    "reminder_create",
    "reminder_delete",
    "reminders_list",
]
