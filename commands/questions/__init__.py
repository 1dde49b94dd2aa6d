"""Plain-language questions mapped onto the commands: the reader the dispatcher is given."""

from __future__ import annotations

from collections.abc import Sequence

from commands.framework.i18n import Translator
from commands.framework.questions import Understood
from commands.framework.registry import Command
from commands.questions.matcher import closest_commands, understand


class PlainLanguage:
    """The question reader of :mod:`commands.questions.matcher`, as the framework expects it."""

    def understand(self, text: str) -> Understood | None:
        """The command a question asks for, or None when no known kind of question fits."""
        return understand(text)

    def closest_commands(
        self, question: str, candidates: Sequence[Command], t: Translator
    ) -> list[Command]:
        """The commands whose names and help read most like ``question``."""
        return closest_commands(question, candidates, t)
