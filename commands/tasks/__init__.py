"""Open tasks and decision tracking: ``!aufgabe …``, ``!aufgaben``, ``!erledigt``, ``!wv``,
and ``!bericht``.

:mod:`~commands.tasks.tasks` records and changes tasks, :mod:`~.listing` lists them,
:mod:`~.report` makes the status report (decisions are recorded in
:mod:`commands.decisions`); :mod:`~.converters` reads the arguments, :mod:`~.texts` says everything
about a task, and :mod:`~.schedule` keeps a task's reminders in step with it.

Each command declares its place in ``!hilfe`` (``group=``, ``rank=``).
"""

from __future__ import annotations

from commands.tasks.jobs import post_overdue_digest, post_task_due, post_task_follow_up
from commands.tasks.listing import tasks_list
from commands.tasks.report import report_show
from commands.tasks.tasks import (
    task_change,
    task_create,
    task_done,
    task_follow_up,
    task_set_status,
    task_show,
)

__all__ = [
    "post_overdue_digest",
    "post_task_due",
    "post_task_follow_up",
    "report_show",
    "task_change",
    "task_create",
    "task_done",
    "task_follow_up",
    "task_set_status",
    "task_show",
    "tasks_list",
]
