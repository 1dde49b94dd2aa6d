"""Converters turn one argument's text into a value, or explain what was wrong."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from commands.errors import BadArgument
from commands.i18n import N_
from commands.reply import code, fmt

if TYPE_CHECKING:
    from commands.context import Context

MAX_NUMBER = 2**63 - 1
MATRIX_ID = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d+)?$")


def text(ctx: Context, raw: str) -> str:
    """Any non-empty text."""
    value = raw.strip()
    if not value:
        raise BadArgument(ctx._(N_("The text must not be empty.")))
    return value


def number(ctx: Context, raw: str) -> int:
    """A positive record number such as ``12`` or ``#12``."""
    cleaned = raw.strip().lstrip("#").removeprefix("Nr.").strip()
    # isdigit() alone would accept "²"; the bound keeps the number inside a database integer.
    if not (cleaned.isascii() and cleaned.isdigit()) or not 0 < int(cleaned) <= MAX_NUMBER:
        raise BadArgument(
            fmt(ctx._(N_("{raw} is not a number. Write a number such as 12.")), raw=code(raw))
        )
    return int(cleaned)


def matrix_user(ctx: Context, raw: str) -> str:
    """A Matrix user id, written ``@name:server`` or picked as a mention."""
    value = raw.strip()
    if not MATRIX_ID.match(value):
        raise BadArgument(
            fmt(
                ctx._(
                    N_(
                        "{raw} is not a Matrix user. "
                        "Write it like @anna:example.org or mention the person."
                    )
                ),
                raw=code(raw),
            )
        )
    return value
