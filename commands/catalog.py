"""The list of command modules the bot loads; the registry is built from them at start-up."""

from __future__ import annotations

from types import ModuleType

from commands import (
    admin,
    agenda,
    calendar,
    committees,
    help,
    meetings,
    minutes,
    network,
    offers,
    organizations,
    persons,
    privacy,
    reminders,
    responsibles,
    tasks,
    transfer,
    vocabulary,
)
from commands.registry import Registry

COMMAND_MODULES: tuple[ModuleType, ...] = (
    help,
    committees,
    meetings,
    agenda,
    minutes,
    reminders,
    tasks,
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
