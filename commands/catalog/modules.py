"""The feature modules the bot loads; the registry is built from them at start-up."""

from __future__ import annotations

from types import ModuleType

from commands import agenda, committees, decisions, meetings, minutes, tasks
from commands.admin import commands as admin
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
from commands.framework.registry import Registry
from commands.meetings import calendar
from commands.reminders import commands as reminders

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
