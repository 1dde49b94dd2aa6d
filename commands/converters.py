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
    if not is_matrix_id(value):
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
