"""Agenda commands: ``!top`` (propose, accept, move, withdraw, postpone, change, done),
``!anlage``, ``!tagesordnung`` (show, publish, opening items).

:mod:`~commands.agenda.items` handles the items, :mod:`~.showing` the agenda as a whole,
:mod:`~.converters` reads their arguments. How an agenda is numbered and reads is in
``commands/meetings/agenda.py``, shared with the invitation, the reminders and the calendar.

The registry takes the commands in the order they are imported here, which is the order
``!hilfe`` lists them.
"""

from __future__ import annotations

from commands.agenda.showing import agenda_show  # isort: skip (help order)
from commands.agenda.items import item_propose  # isort: skip
from commands.agenda.items import paper_attach  # isort: skip
from commands.agenda.items import item_accept, item_move, item_withdraw  # isort: skip
from commands.agenda.items import item_postpone, item_change, item_done  # isort: skip
from commands.agenda.showing import agenda_publish, agenda_opening  # isort: skip

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
]
