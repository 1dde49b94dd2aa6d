"""Meeting mode and the minutes: ``!sitzung beginnen``/``beenden``, ``!anwesend``,
``!entschuldigt``, ``!weiter``, ``!top … aufrufen``, ``!notiz``, ``!rückgängig``,
``!protokoll`` and ``!protokoll freigeben``.

:mod:`~commands.minutes.mode` records what happens in the meeting, :mod:`~.document` renders the
minutes from those records; what other features need of meeting mode is in
``commands/meetings/mode.py``.

Each command declares its place in ``!hilfe`` (``group=``, ``rank=``).
"""

from __future__ import annotations

from commands.minutes.document import minutes_approve, minutes_show
from commands.minutes.mode import (
    attendance_excused,
    attendance_present,
    entry_undo,
    item_call,
    item_next,
    meeting_begin,
    meeting_end,
    note_change,
    note_create,
)

__all__ = [
    "attendance_excused",
    "attendance_present",
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
