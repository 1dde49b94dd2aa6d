"""How a query is read and how well a record's name meets it: folded words, their spellings,
the terms they name, and the rank of a match. No SQL here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import fuzz

from storage.folding import fold_text

TEXT_SCORE = 60.0
"""The score of a match outside the name (function, organisation, Gemeinde, term)."""
MAX_WORD_LENGTH = 64
"""Longer words are not counted in ``search_word``: no one types them."""
_WORD = re.compile(r"[^\W_]+")
# Words too common to find anything by (as are words of one or two letters): they only rank.
STOPWORDS = frozenset(
    {"und", "oder", "der", "die", "das", "den", "dem", "des", "ein", "eine", "fuer", "mit", "von",
     "vom", "zum", "zur", "auf", "bei", "and", "the", "for", "with"}
)  # fmt: skip


def words(folded: str) -> list[str]:
    """The words of a folded text (letters and digits; so no word holds ``%`` or ``_``)."""
    return _WORD.findall(folded)


def counted_words(*texts: str) -> set[str]:
    """The words of folded texts that ``search_word`` counts."""
    return {word for text in texts for word in words(text) if len(word) <= MAX_WORD_LENGTH}


def joined(*parts: str | None) -> str:
    """Folded parts, each once, kept apart so no match spans two of them."""
    seen: list[str] = []
    for part in parts:
        folded = fold_text(part or "")
        if folded and folded not in seen:
            seen.append(folded)
    return " ; ".join(seen)


@dataclass(frozen=True)
class QueryWord:
    """A query word, the known spellings it may stand for, and the terms it names."""

    text: str
    alternatives: frozenset[str] = frozenset()
    terms: frozenset[int] = frozenset()

    @property
    def spellings(self) -> list[str]:
        """The word as typed first, then the other spellings it is searched as."""
        return [self.text, *sorted(self.alternatives - {self.text})]


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: its folded words, and what they may mean."""

    text: str
    words: tuple[QueryWord, ...]
    terms: frozenset[int]  # terms the whole query names ("übergang schule beruf")

    @property
    def matching(self) -> tuple[QueryWord, ...]:
        """The words a match must contain. Words of one or two letters ("AG", "e.V.") and
        stop words ("und", "für") only rank, unless the query has nothing else."""
        return (
            tuple(w for w in self.words if len(w.text) >= 3 and w.text not in STOPWORDS)
            or self.words
        )

    def term_groups(self) -> list[frozenset[int]]:
        """Facet conditions that match on their own: the whole query, or every word, a term."""
        if self.terms:
            return [self.terms]
        if all(word.terms for word in self.matching):
            return [word.terms for word in self.matching]
        return []


def umlaut_spellings(word: str) -> set[str]:
    """``word`` with a/o/u read as ä/ö/ü (folded: ae/oe/ue), at up to three places at once."""
    places = [i for i, ch in enumerate(word) if ch in "aou" and word[i + 1 : i + 2] != "e"][:6]
    spellings = set()
    for count in range(1, min(3, len(places)) + 1):
        for chosen in combinations(places, count):
            letters = list(word)
            for place in chosen:
                letters[place] += "e"
            spellings.add("".join(letters))
    return spellings


def allowed_edits(word: str) -> int:
    """How many typos a correction of ``word`` may undo: one, two in a long word."""
    return 1 if len(word) < 6 else 2


def _word_score(word: QueryWord, tokens: Sequence[str], body: str) -> float:
    """How well one query word meets a name's words: 1 equal … 0 not at all."""
    best = 0.0
    for token in tokens:
        if token == word.text:
            return 1.0
        if token in word.alternatives:
            tier = 0.9
        elif token.startswith(word.text):
            tier = 0.8
        elif word.text in token:
            tier = 0.7
        elif any(alternative in token for alternative in word.alternatives):
            tier = 0.6
        else:
            continue
        # rapidfuzz orders within a tier (adds at most 0.1): "schul" is nearer "schule" than
        # "schulsozialarbeit".
        best = max(best, tier + fuzz.ratio(word.text, token) / 1000)
    if best == 0.0 and (word.terms or any(spelling in body for spelling in word.spellings)):
        best = 0.5
    return best


def score(query: ParsedQuery, name: str, body: str) -> float:
    """The rank of a text match: 100 for the name itself, never below ``TEXT_SCORE``."""
    tokens = words(name)
    if " ".join(tokens) == query.text:
        return 100.0
    total = sum(_word_score(word, tokens, body) for word in query.words)
    return max(TEXT_SCORE, round(95.0 * total / len(query.words), 2))


def terms_named(spelling: str, vocabulary: Mapping[int, set[str]]) -> frozenset[int]:
    """Terms that have ``spelling`` as a key, label or alias; long ones may be a letter off."""
    exact = frozenset(term for term, spellings in vocabulary.items() if spelling in spellings)
    if exact or len(spelling) < 6:
        return exact
    return frozenset(
        term
        for term, spellings in vocabulary.items()
        if any(fuzz.ratio(spelling, known) >= 90 for known in spellings)
    )
