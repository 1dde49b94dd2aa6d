"""How typed text is compared: one spelling-neutral form for names, look-ups and search."""

from __future__ import annotations

import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_DASHES = re.compile(r"\s*[-‐‑‒–—/]\s*")
_SPACES = re.compile(r"\s+")


def fold_text(text: str) -> str:
    """The one spelling-neutral form that every comparison of typed text uses.

    The rule: lower case; ä/ö/ü/ß as ae/oe/ue/ss; other accents dropped (é → e); every dash or
    slash, with the spaces around it, as one ``-``; runs of white space as one space; spaces and
    ``.,;:`` at both ends removed. So "Übergang Schule–Beruf", "uebergang schule-beruf" and
    "Übergang Schule - Beruf" fold alike, and ``Löschen`` is ``loeschen``.

    Names stored for look-up (``name_key``) and the search index hold this form, so changing
    the rule means rebuilding them.
    """
    lowered = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _DASHES.sub("-", plain)).strip(" .,;:")
