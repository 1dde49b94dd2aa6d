"""The German catalog reads right: no case-inflected names, one word per thing, formal "Sie"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parent.parent / "locale/de/LC_MESSAGES/kuemmerer.po"

# Known bad patterns, each with why it reads wrong.
BAD_PATTERNS = {
    # A name put in after "von"/"des" would need a case ending ("von Bildungsbeirat"); write
    # "des Gremiums {committee}" or "{committee}: …" instead.
    "name after a case-taking word": r"\b(?:von|vom|des|dem|den) \{(?:committee|scope|name)\}",
    "inflected list after von": r"\bvon alle\b",
    "room of a name": r"\bRaum von\b",
    "dative room labels in a sentence": r"\bin dem Teamraum\b",
    "two spellings of the team room": r"\bTeam-Raum\b",
    "informal address": r"\b(?:du|Du|dein|deine|deinen|dich|dir)\b",
}


def german_texts() -> list[tuple[str, str]]:
    """Every translated German string with its English source."""
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    texts: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        source_text = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts.extend((str(source_text), str(text)) for text in strings)
    return texts


@pytest.mark.parametrize("pattern", sorted(BAD_PATTERNS))
def test_the_german_catalog_has_none_of_the_known_bad_patterns(pattern: str) -> None:
    """No German text uses a pattern that is known to read badly."""
    offending = [
        f"{english!r} → {german!r}"
        for english, german in german_texts()
        if re.search(BAD_PATTERNS[pattern], german)
    ]
    assert offending == []


def test_the_scan_finds_a_bad_pattern_when_there_is_one() -> None:
    """The patterns do match the texts the office complained about."""
    complaints = [
        "Anstehende Sitzungen von {committee} ({count}):",
        "2 anstehende Sitzungen von alle Gremien",
        "Die Einladung steht jetzt im Raum von {committee}.",
        "verwenden Sie den Befehl in dem Teamraum oder einem Direktchat",
        "das Team findet die anderen im Team-Raum",
    ]
    for text in complaints:
        assert any(re.search(pattern, text) for pattern in BAD_PATTERNS.values()), text
