"""How a reader of plain-language questions plugs into the dispatcher.

A message addressed to the bot by name ("Kümmerer, wann tagt der Beirat?") is handed to the
:class:`QuestionReader` the registry was built with, which reads it as a command line. The
framework knows only this interface; the reader itself is a feature (``commands.questions``),
so the dispatcher imports no feature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from commands.framework.i18n import Translator
    from commands.framework.registry import Command


@dataclass(frozen=True)
class Understood:
    """A question read as a command: which kind it was and the command line to run."""

    kind: str
    line: str  # without the prefix, e.g. "wer Ganztag gemeinde=Neustadt"


class QuestionReader(Protocol):
    """Reads a question as a command, or names the commands closest to it."""

    def understand(self, text: str) -> Understood | None:
        """The command ``text`` asks for, or None when no known kind of question fits."""
        ...

    def closest_commands(
        self, question: str, candidates: Sequence[Command], t: Translator
    ) -> list[Command]:
        """The commands among ``candidates`` that read most like ``question``."""
        ...
