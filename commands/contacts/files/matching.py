"""What an import reports, and how it compares a row with what is stored: vocabulary
spellings, values that mean the same though written differently, cells with several values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from commands.contacts.files.columns import MULTI_SEPARATOR, Kind
from storage.folding import fold_text
from storage.models import VocabularyTerm


@dataclass(frozen=True)
class Notice:
    """Something about one line of the file: an error, or a note about a merge."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    kind: Kind
    filename: str
    description: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organisations_created: int = 0
    errors: list[Notice] = field(default_factory=list)
    notes: list[Notice] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False


class RowRefused(Exception):
    """A row that cannot be imported; the problems say why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class TermMatcher:
    """Matches vocabulary spellings in memory (a lookup per row would cost a query per row)."""

    def __init__(self, terms: Iterable[VocabularyTerm]) -> None:
        self.terms = list(terms)
        self.by_spelling: dict[str, VocabularyTerm] = {}
        for term in self.terms:
            for spelling in (term.key, term.label_de, term.label_en, *term.aliases):
                self.by_spelling.setdefault(fold_text(spelling), term)

    def match_list(self, text: str) -> tuple[list[VocabularyTerm], list[str]]:
        """Terms for a list separated by commas, semicolons or line breaks, and the rest."""
        found: list[VocabularyTerm] = []
        unknown: list[str] = []
        for part in (piece.strip() for piece in re.split(r"[,;\n]", text)):
            if not part:
                continue
            term = self.by_spelling.get(fold_text(part))
            if term is None:
                unknown.append(part)
            elif term not in found:
                found.append(term)
        return found, unknown


def same_value(attribute: str, old: str, new: str) -> bool:
    """Whether two spellings of a value mean the same, so a merge need not report them."""
    if attribute == "email":
        return old.strip().lower() == new.strip().lower()
    if attribute == "phone":
        return re.sub(r"\D", "", old) == re.sub(r"\D", "", new)
    if attribute in ("website", "link"):
        return plain_url(old) == plain_url(new)
    return fold_text(old) == fold_text(new)


def plain_url(url: str) -> str:
    """A web address without its scheme, "www." and trailing slash, for comparing."""
    return re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/")


def split_multi(text: str) -> list[str]:
    """The values of a cell that holds several, in their order."""
    return [part.strip() for part in text.split(MULTI_SEPARATOR)] if text else []
