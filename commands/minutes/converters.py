"""Arguments of the minutes commands: who is present, and what a note says."""

from __future__ import annotations

import re
from dataclasses import dataclass

from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.reply import code

MATRIX_ID = re.compile(r"^@[^:\s]+:\S+$")
NOTE_LIMIT = 4000


@dataclass(frozen=True)
class Attendee:
    """Somebody named in ``!anwesend``: a Matrix account, or a name (no Matrix account)."""

    matrix_id: str = ""
    name: str = ""


def attendees(ctx: Context, raw: str) -> list[Attendee]:
    """``@anna:example.org @bernd:example.org, Petra Lang``: accounts by their @-id, plain
    names separated by commas."""
    found: list[Attendee] = []
    for part in raw.split(","):
        words = part.split()
        for word in words:
            if word.startswith("@") and not MATRIX_ID.match(word):
                raise BadArgument(
                    ctx.say(
                        "{word} is no Matrix account. Write accounts as @name:server "
                        "and names without @, separated by commas.",
                        word=code(word),
                    )
                )
        found += [Attendee(matrix_id=word) for word in words if word.startswith("@")]
        name = " ".join(word for word in words if not word.startswith("@"))
        if name:
            found.append(Attendee(name=name[:255]))
    if not found:
        raise BadArgument(ctx._(N_("Name at least one person: @name:server or a name.")))
    return found


def note_text(ctx: Context, raw: str) -> str:
    """The text of a note, at most a few thousand characters."""
    value = raw.strip()
    if not value:
        raise BadArgument(ctx._(N_("The note needs a text, e.g. !notiz The budget is agreed.")))
    if len(value) > NOTE_LIMIT:
        raise BadArgument(
            ctx.say(
                "A note holds at most {limit} characters; split it into several.", limit=NOTE_LIMIT
            )
        )
    return value
