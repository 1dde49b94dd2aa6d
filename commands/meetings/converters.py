"""What the meeting commands' options accept: length, repetition, count, last day, link."""

from __future__ import annotations

import re
from datetime import date, timedelta

from commands import converters
from commands.context import Context
from commands.errors import BadArgument
from commands.i18n import N_
from commands.recurrence import MAX_OCCURRENCES, Frequency, frequency_named
from commands.reply import code, fmt
from commands.when import When

MIN_DURATION = timedelta(minutes=5)
MAX_DURATION = timedelta(hours=24)
_DURATION = re.compile(
    r"^(?:(?P<hours>\d+(?:[.,]\d+)?)(?:h|std|stunden?|hours?))?"
    r"(?:(?P<minutes>\d+)(?:m|min|minuten?|minutes?)?)?$"
)
_CLOCK_DURATION = re.compile(r"^(?P<hours>\d{1,2}):(?P<minutes>\d{2})$")
_WEB_LINK = re.compile(r"^https?://\S+\.\S+$", re.IGNORECASE)


def duration(ctx: Context, raw: str) -> timedelta:
    """A meeting's length: ``2h``, ``1,5h``, ``90min``, ``1h30``, ``1:30`` or ``90`` (minutes)."""
    value = raw.strip().lower().replace(" ", "").rstrip(".")
    length: timedelta | None = None
    if match := _CLOCK_DURATION.match(value):
        length = timedelta(hours=int(match["hours"]), minutes=int(match["minutes"]))
    elif (match := _DURATION.match(value)) and (match["hours"] or match["minutes"]):
        # A bare number is minutes ("90"); "2" would be two minutes and is refused below.
        hours = float((match["hours"] or "0").replace(",", "."))
        length = timedelta(hours=hours, minutes=int(match["minutes"] or 0))
    if length is None or not MIN_DURATION <= length <= MAX_DURATION:
        raise BadArgument(
            fmt(
                ctx._(N_("{raw} is not a meeting length. Write it like 2h, 1,5h or 90min.")),
                raw=code(raw),
            )
        )
    return length


def frequency(ctx: Context, raw: str) -> Frequency:
    """How a series repeats: wöchentlich, 14-täglich, monatlich, quartalsweise (or English)."""
    found = frequency_named(raw)
    if found is None:
        raise BadArgument(
            fmt(
                ctx._(
                    N_(
                        "{raw} is not a repetition. Write weekly, biweekly, monthly or "
                        "quarterly (wöchentlich, 14-täglich, monatlich, quartalsweise)."
                    )
                ),
                raw=code(raw),
            )
        )
    return found


def occurrence_count(ctx: Context, raw: str) -> int:
    """How many meetings a series has: 1 to :data:`MAX_OCCURRENCES`."""
    count = converters.number(ctx, raw)
    if count > MAX_OCCURRENCES:
        raise too_many(ctx)
    return count


def last_day(ctx: Context, raw: str) -> date:
    """The last day of a series (``bis=31.12.2027``), in the bot's zone."""
    parsed = When(future=True)(ctx, raw)
    return ctx.t.local(parsed.at).date()


def online_link(ctx: Context, raw: str) -> str:
    """A web link to join online, e.g. a video conference."""
    value = raw.strip()
    if not _WEB_LINK.match(value):
        raise BadArgument(
            fmt(
                ctx._(
                    N_("{raw} is not a web link. Write it like https://meet.example.org/beirat.")
                ),
                raw=code(raw),
            )
        )
    return value


def too_many(ctx: Context) -> BadArgument:
    """The refusal of a series longer than :data:`MAX_OCCURRENCES`."""
    return BadArgument(
        fmt(
            ctx._(
                N_(
                    "A series holds at most {limit} meetings. Choose an earlier bis= or a "
                    "smaller anzahl=."
                )
            ),
            limit=MAX_OCCURRENCES,
        )
    )
