"""Meeting commands: ``!sitzung neu``, ``!termine``, ``!sitzung``, ``!sitzung verschieben``,
``!sitzung absagen``, ``!einladung``.

One module per job: :mod:`~commands.meetings.planning` schedules, :mod:`~.listing` shows,
:mod:`~.changes` moves and cancels, :mod:`~.invitation` invites; :mod:`~.finding` says which
meeting a command is about and who may see it, :mod:`~.converters` reads the options. A
meeting's scheduler entries are kept in step by ``commands/meetings/schedule.py``, and what is
said about a meeting is in ``commands/meetings/texts.py``.

Each command declares its place in ``!hilfe`` (``group=``, ``rank=``).
"""

from __future__ import annotations

from commands.meetings.calendar import calendar_export, calendar_subscribe
from commands.meetings.changes import meeting_cancel, meeting_move
from commands.meetings.invitation import invitation_send
from commands.meetings.jobs import post_invitation_due, post_meeting_reminder
from commands.meetings.listing import meeting_list, meeting_show
from commands.meetings.planning import meeting_create
from commands.meetings.schedule import rearm_upcoming

__all__ = [
    "calendar_export",
    "calendar_subscribe",
    "invitation_send",
    "meeting_cancel",
    "meeting_create",
    "meeting_list",
    "meeting_move",
    "meeting_show",
    "post_invitation_due",
    "post_meeting_reminder",
    "rearm_upcoming",
]
