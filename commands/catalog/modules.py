"""The feature packages the bot loads; the registry is built from what they export.

Each package exports its commands, its reactions to other features' events and its scheduled
jobs; the order here does not matter for the help, which follows each command's declared
group and rank.
"""

from __future__ import annotations

from types import ModuleType

from commands import (
    admin,
    agenda,
    committees,
    contacts,
    decisions,
    meetings,
    minutes,
    reminders,
    responsibles,
    tasks,
)
from commands.framework import help
from commands.framework.registry import Jobs, Registry
from commands.questions import PlainLanguage

FEATURES: tuple[ModuleType, ...] = (
    help,
    contacts,
    responsibles,
    committees,
    meetings,
    agenda,
    minutes,
    reminders,
    tasks,
    decisions,
    admin,
)


def build_registry() -> Registry:
    """All commands of the bot, in the order ``!hilfe`` lists them."""
    return Registry.from_modules(FEATURES, questions=PlainLanguage())


def build_jobs() -> Jobs:
    """All scheduled jobs of the bot, by the kind of schedule entry each one runs for: every
    kind is declared by exactly one feature."""
    return Jobs.from_modules(FEATURES)
