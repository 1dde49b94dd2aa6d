"""What the agenda commands accept: an item's title with its ``nö``, minutes and a list of
opening items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.reply import code
from storage.folding import fold_text
from storage.models import AgendaItem

# The word that makes an item non-public, in every spelling people use (folded).
NON_PUBLIC_WORDS = frozenset({"noe", "nichtoeffentlich", "np", "nonpublic"})
MAX_ITEM_MINUTES = 8 * 60

_TITLE = converters.FieldText(AgendaItem, "title", N_("The title"))


@dataclass(frozen=True)
class Proposal:
    """The title of a proposed item and whether ``nö`` made it non-public."""

    title: str
    public: bool
    # ``!top 7 aufrufen``: in meeting mode this calls item No. 7 rather than proposing one.
    call: int | None = None
    # ``!top 7``: a number alone asks to see item No. 7; no item is ever titled just "7".
    show: int | None = None


CALL_WORDS = frozenset({"aufrufen", "call"})
# A number that is no item number either (0, or beyond any record): still no title.
_NUMBER_ONLY = re.compile(r"(?:nr\.?|no\.?|#)?\s*\d+", re.IGNORECASE)


def _is_non_public_word(word: str) -> bool:
    return fold_text(word).replace("-", "").replace(" ", "") in NON_PUBLIC_WORDS


def proposal(ctx: Context, raw: str) -> Proposal:
    """``Haushalt 2027 nö``: the title, and the word ``nö`` (anywhere, alone) for non-public."""
    words = raw.split()
    if len(words) == 2 and fold_text(words[1]) in CALL_WORDS:
        number = converters.record_number(words[0])
        if number is not None:
            return Proposal("", public=True, call=number)
    kept = [word for word in words if not _is_non_public_word(word)]
    number = converters.record_number(" ".join(kept))
    if number is not None:
        return Proposal("", public=True, show=number)
    if not kept or _NUMBER_ONLY.fullmatch(" ".join(kept)):
        raise BadArgument(ctx._(N_("The item needs a title, e.g. !top Bildungsbericht 2027.")))
    return Proposal(_TITLE(ctx, " ".join(kept)), public=len(kept) == len(words))


def title(ctx: Context, raw: str) -> str:
    """A new title for an item."""
    return _TITLE(ctx, raw)


def item_minutes(ctx: Context, raw: str) -> int:
    """The planned minutes of an item: ``15``, ``20min``, ``1h``; 1 minute to 8 hours."""
    length = converters.read_duration(raw)
    if (
        length is None
        or length % timedelta(minutes=1)
        or not timedelta(minutes=1) <= length <= timedelta(minutes=MAX_ITEM_MINUTES)
    ):
        raise BadArgument(
            ctx.say(
                "{raw} is not a planned time for an item. Write minutes like 15 or "
                "20min (at most 8 hours); nö goes before the options, after the title.",
                raw=code(raw),
            )
        )
    return int(length / timedelta(minutes=1))


def opening_list(ctx: Context, raw: str) -> list[str]:
    """Opening items separated by semicolons; ``-`` for the usual four."""
    if raw.strip() == "-":
        return []
    items = [part.strip() for part in raw.split(";") if part.strip()]
    if not items:
        raise BadArgument(
            ctx._(N_("Write the opening items separated by semicolons, or - for the usual ones."))
        )
    return [_TITLE(ctx, item) for item in items]
