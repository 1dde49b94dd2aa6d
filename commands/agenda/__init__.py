"""Agenda commands: ``!top`` (propose, accept, move, withdraw, postpone, change, done),
``!anlage``, ``!tagesordnung`` (show, publish, opening items).

:mod:`~commands.agenda.items` handles the items, :mod:`~.showing` the agenda as a whole,
:mod:`~.converters` reads their arguments. How an agenda is numbered and reads is in
``commands/meetings/agenda.py``, shared with the invitation, the reminders and the calendar.

Each command declares its place in ``!hilfe`` (``group=``, ``rank=``).
"""

from __future__ import annotations

from commands.agenda.items import (
    item_accept,
    item_change,
    item_done,
    item_move,
    item_postpone,
    item_propose,
    item_withdraw,
    paper_attach,
)
from commands.agenda.jobs import (
    post_draft_agenda,
    post_items_call,
    post_items_last_day,
    roll_over_open_items,
)
from commands.agenda.showing import agenda_opening, agenda_publish, agenda_show

__all__ = [
    "agenda_opening",
    "agenda_publish",
    "agenda_show",
    "item_accept",
    "item_change",
    "item_done",
    "item_move",
    "item_postpone",
    "item_propose",
    "item_withdraw",
    "paper_attach",
    "post_draft_agenda",
    "post_items_call",
    "post_items_last_day",
    "roll_over_open_items",
]
