"""Scheduled posts of the calendar: meeting reminders, invitation deadlines, ``!erinnerung``.

The scheduler calls these handlers; they read the database and post through the bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.scheduler import JobHandler

if TYPE_CHECKING:
    from bot.core import Kuemmerer


def calendar_job_handlers(bot: Kuemmerer) -> dict[str, JobHandler]:
    """The handlers by schedule-entry kind."""
    return {}
