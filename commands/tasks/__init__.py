"""Open tasks and decision tracking: ``!aufgabe …``, ``!aufgaben``, ``!erledigt``, ``!wv``,
and ``!bericht``.

:mod:`~commands.tasks.tasks` records and changes tasks, :mod:`~.listing` lists them,
:mod:`~.report` makes the status report (decisions are recorded in
:mod:`commands.decisions`); :mod:`~.converters` reads the arguments, :mod:`~.texts` says everything
about a task, and :mod:`~.schedule` keeps a task's reminders in step with it.

The registry takes the commands in the order they are imported here, which is the order
``!hilfe`` lists them.
"""

from __future__ import annotations

from commands.tasks.listing import tasks_list  # isort: skip (help order)
from commands.tasks.tasks import task_create, task_show, task_change  # isort: skip
from commands.tasks.tasks import task_set_status, task_done, task_follow_up  # isort: skip
from commands.tasks.report import report_show  # isort: skip

__all__ = [
    "report_show",
    "task_change",
    "task_create",
    "task_done",
    "task_follow_up",
    "task_set_status",
    "task_show",
    "tasks_list",
]
