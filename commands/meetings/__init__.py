"""Meeting commands: ``!sitzung neu``, ``!termine``, ``!sitzung``, ``!sitzung verschieben``,
``!sitzung absagen``, ``!einladung``.

One module per job: :mod:`~commands.meetings.planning` schedules, :mod:`~.listing` shows,
:mod:`~.changes` moves and cancels, :mod:`~.invitation` invites; :mod:`~.finding` says which
meeting a command is about and who may see it, :mod:`~.converters` reads the options. A
meeting's scheduler entries are kept in step by ``commands/meetings/schedule.py``, and what is
said about a meeting is in ``commands/meetings/texts.py``.

The registry takes the commands in the order they are imported here, which is the order
``!hilfe`` lists them.
"""

from __future__ import annotations

from commands.meetings.planning import meeting_create  # isort: skip (help order)
from commands.meetings.listing import meeting_list, meeting_show  # isort: skip
from commands.meetings.changes import meeting_move  # isort: skip
from commands.meetings.changes import meeting_cancel  # isort: skip
from commands.meetings.invitation import invitation_send  # isort: skip

__all__ = [
    "invitation_send",
    "meeting_cancel",
    "meeting_create",
    "meeting_list",
    "meeting_move",
    "meeting_show",
]
