"""Converters turn one argument's text into a value, or explain what was wrong."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.reply import code
from storage.folding import fold_text
from storage.models import Base, column_limit

if TYPE_CHECKING:
    from commands.framework.context import Context

Found = TypeVar("Found")
MAX_NUMBER = 2**63 - 1
_RECORD_NUMBER = re.compile(r"^(?:nr\.?|no\.?|#)?\s*(\d+)$", re.IGNORECASE)
# A user id by the Matrix spec's identifier grammar: a lower-case localpart, then the server
# name (a DNS name, an IPv4 address or a bracketed IPv6 address) with an optional port.
# Synapse lower-cases new user ids, so "@Anna:…" would never match a sender.
MATRIX_ID = re.compile(r"^@[a-z0-9._=\-/+]+:(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def is_matrix_id(value: str) -> bool:
    """Whether ``value`` is a Matrix user id such as ``@anna:example.org``.

    The one rule for a user id: the chat converter, the importer and the configuration use it.
    """
    return MATRIX_ID.match(value) is not None


def text(ctx: Context, raw: str) -> str:
    """Any non-empty text."""
    value = raw.strip()
    if not value:
        raise BadArgument(ctx._(N_("The text must not be empty.")))
    return value


class FieldText:
    """Converter for text stored in ``model.attribute``: read by ``read`` (any non-empty text
    unless given), one line, and no longer than the column holds, the same limit the import
    applies."""

    def __init__(
        self,
        model: type[Base],
        attribute: str,
        label: str,
        read: Callable[[Context, str], str] = text,
    ) -> None:
        self.limit = column_limit(model, attribute)
        self.label = label
        self.read = read

    def __repr__(self) -> str:
        return f"FieldText(limit={self.limit!r}, read={self.read.__name__})"

    def __call__(self, ctx: Context, raw: str) -> str:
        value = self.read(ctx, raw)
        if "\n" in value:
            raise BadArgument(
                ctx.say(
                    "{field} is one line; please write it without a line break.",
                    field=ctx._(self.label),
                )
            )
        if self.limit is not None and len(value) > self.limit:
            raise BadArgument(
                ctx.say(
                    "{field} has at most {limit} characters; this one has {count}.",
                    field=ctx._(self.label),
                    limit=self.limit,
                    count=len(value),
                )
            )
        return value


def record_number(raw: str) -> int | None:
    """``12``, ``#12``, ``Nr. 12`` or ``No. 12`` as a number; None for anything else."""
    match = _RECORD_NUMBER.match(raw.strip())
    # \d alone would accept "²" and other digits; the bound keeps the number inside a database
    # integer (beyond it, it is no record number and would overflow the query).
    if match is None or not match[1].isascii() or not 0 < int(match[1]) <= MAX_NUMBER:
        return None
    return int(match[1])


def number(ctx: Context, raw: str) -> int:
    """A positive number such as ``12``, ``#12`` or ``Nr. 12``."""
    value = record_number(raw)
    if value is None:
        raise BadArgument(
            ctx.say("{raw} is not a number. Write a number such as 12.", raw=code(raw))
        )
    return value


def looked_up(
    lookup: Callable[[Context, int], Awaitable[Found]],
) -> Callable[[Context, str], Awaitable[Found]]:
    """A converter that reads a record number as :func:`number` does and hands the handler
    the record ``lookup`` finds for it; ``lookup`` says "not found" once for every command."""

    async def record(ctx: Context, raw: str) -> Found:
        return await lookup(ctx, number(ctx, raw))

    record.__name__ = record.__qualname__ = lookup.__name__
    record.__doc__ = lookup.__doc__
    return record


_YES = frozenset({"ja", "j", "yes", "y", "an", "on", "true", "1"})
_NO = frozenset({"nein", "n", "no", "aus", "off", "false", "0"})


def yes_no(ctx: Context, raw: str) -> bool:
    """``ja``/``nein`` (also yes/no, an/aus, on/off)."""
    folded = fold_text(raw)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise BadArgument(ctx.say("{raw} is neither yes nor no. Write ja or nein.", raw=code(raw)))


def matrix_user(ctx: Context, raw: str) -> str:
    """A Matrix user id, written ``@name:server`` or picked as a mention."""
    value = raw.strip()
    if not is_matrix_id(value):
        raise BadArgument(
            ctx.say(
                "{raw} is not a Matrix user. "
                "Write it like @anna:example.org or mention the person.",
                raw=code(raw),
            )
        )
    return value


# --------------------------------------------------------------------------- durations

# Every unit a duration may be written in, folded, in German and English.
_UNIT_WORDS = {
    timedelta(seconds=1): ("s", "sek", "sekunde", "sekunden", "sec", "second", "seconds"),
    timedelta(minutes=1): ("m", "min", "mins", "minute", "minuten", "minutes"),
    timedelta(hours=1): ("h", "std", "stunde", "stunden", "hour", "hours", "hr", "hrs"),
    timedelta(days=1): ("d", "t", "tag", "tage", "tagen", "day", "days"),
    timedelta(weeks=1): ("w", "woche", "wochen", "week", "weeks"),
}
_UNITS = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
_UNIT_PATTERN = "|".join(sorted(_UNITS, key=len, reverse=True))
_DURATION_PART = re.compile(rf"(\d+(?:\.\d+)?)\s*({_UNIT_PATTERN})\.?(?![a-z])")
_CLOCK_DURATION = re.compile(r"^(\d{1,2}):(\d{2})$")
_BARE_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def read_duration(raw: str, bare_unit: timedelta = timedelta(minutes=1)) -> timedelta | None:
    """A length of time as people write it, or None for text that is none.

    One reading for chat, import and configuration: ``90``, ``90min``, ``1,5h``, ``1 Std. 30``,
    ``1h30`` and ``1:30`` are all ninety minutes; ``7d``, ``1 Woche``, ``2w`` and ``30s`` work
    too. A bare number counts in ``bare_unit`` (minutes unless the setting is a number of days).
    """
    folded = fold_text(raw).replace(",", ".")
    if clock := _CLOCK_DURATION.match(folded):
        return timedelta(hours=int(clock[1]), minutes=int(clock[2]))
    if _BARE_NUMBER.match(folded):
        return float(folded) * bare_unit
    parts = list(_DURATION_PART.finditer(folded))
    if not parts:
        return None
    total = sum(
        (float(number) * _UNITS[unit] for number, unit in (p.groups() for p in parts)), timedelta()
    )
    rest = _DURATION_PART.sub("", folded).replace(" ", "")
    # "1h30": minutes after the hours need no unit.
    if rest.isdigit() and _UNITS[parts[-1][2]] == timedelta(hours=1):
        return total + timedelta(minutes=int(rest))
    return total if not rest else None


MIN_MEETING_LENGTH = timedelta(minutes=5)
MAX_MEETING_LENGTH = timedelta(hours=24)


def meeting_length(ctx: Context, raw: str) -> timedelta:
    """How long a meeting lasts, for one meeting or as a committee's default: 5 minutes to
    24 hours in whole minutes, written as :func:`read_duration` reads it."""
    length = read_duration(raw)
    if (
        length is None
        or length % timedelta(minutes=1)
        or not MIN_MEETING_LENGTH <= length <= MAX_MEETING_LENGTH
    ):
        raise BadArgument(
            ctx.say(
                "{raw} is not a meeting length. Write it like 2h, 1,5h or 90min.", raw=code(raw)
            )
        )
    return length
