"""The feature modules the bot loads; the registry and the jobs are built from them at start-up."""

from __future__ import annotations

from types import ModuleType

from commands import agenda, committees, decisions, meetings, minutes, tasks
from commands.admin import commands as admin
from commands.agenda import jobs as agenda_jobs
from commands.contacts import (
    network,
    offers,
    organizations,
    persons,
    privacy,
    responsibles,
    transfer,
    vocabulary,
)
from commands.framework import help
from commands.framework.registry import Jobs, Registry
from commands.meetings import calendar
from commands.meetings import jobs as meeting_jobs
from commands.reminders import commands as reminders
from commands.reminders import jobs as reminder_jobs
from commands.tasks import jobs as task_jobs

COMMAND_MODULES: tuple[ModuleType, ...] = (
    help,
    committees,
    meetings,
    agenda,
    minutes,
    reminders,
    tasks,
    decisions,
    calendar,
    persons,
    responsibles,
    organizations,
    offers,
    privacy,
    transfer,
    network,
    vocabulary,
    admin,
)


def build_registry() -> Registry:
    """All commands of the bot, in the order ``!hilfe`` lists them."""
    return Registry.from_modules(COMMAND_MODULES)


# Each feature's scheduled jobs; every kind of schedule entry is declared by exactly one.
JOB_MODULES: tuple[ModuleType, ...] = (meeting_jobs, agenda_jobs, reminder_jobs, task_jobs)


def build_jobs() -> Jobs:
    """All scheduled jobs of the bot, by the kind of entry each runs for."""
    return Jobs.from_modules(JOB_MODULES)
