"""Meeting mode and the minutes: ``!sitzung beginnen``/``beenden``, ``!anwesend``,
``!entschuldigt``, ``!weiter``, ``!top … aufrufen``, ``!notiz``, ``!rückgängig``,
``!protokoll`` and the corrections.

:mod:`~commands.minutes.mode` records what happens in the meeting, :mod:`~.document` renders the
minutes from those records; what other features need of meeting mode is in
``commands/meetings/mode.py``.

The registry takes the commands in the order they are imported here, which is the order
``!hilfe`` lists them.
"""

from __future__ import annotations

from commands.minutes.mode import meeting_begin, attendance_present  # isort: skip (help order)
from commands.minutes.mode import attendance_excused, item_next, item_call  # isort: skip
from commands.minutes.mode import note_create, entry_undo, meeting_end  # isort: skip
from commands.minutes.document import minutes_show, minutes_approve  # isort: skip
from commands.minutes.mode import note_change  # isort: skip
from commands.minutes.document import decision_change  # isort: skip

__all__ = [
    "attendance_excused",
    "attendance_present",
    "decision_change",
    "entry_undo",
    "item_call",
    "item_next",
    "meeting_begin",
    "meeting_end",
    "minutes_approve",
    "minutes_show",
    "note_change",
    "note_create",
]
