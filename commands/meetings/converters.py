"""What the meeting commands' options accept: repetition, count, last day, link."""

from __future__ import annotations

import re
from datetime import date

from commands.dates.recurrence import MAX_OCCURRENCES, Frequency, frequency_named
from commands.dates.when import When
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import Param
from commands.framework.reply import code
from commands.meetings.finding import meeting_in_reach

# A meeting's number, handed to the handler as the meeting if the sender may reach it here.
reachable_meeting = converters.looked_up(meeting_in_reach)
MEETING_IN_REACH = Param("meeting", N_("number"), reachable_meeting)

_WEB_LINK = re.compile(r"^https?://\S+\.\S+$", re.IGNORECASE)


def frequency(ctx: Context, raw: str) -> Frequency:
    """How a series repeats: wöchentlich, 14-täglich, monatlich, quartalsweise (or English)."""
    found = frequency_named(raw)
    if found is None:
        raise BadArgument(
            ctx.say(
                "{raw} is not a repetition. Write weekly, biweekly, monthly or "
                "quarterly (wöchentlich, 14-täglich, monatlich, quartalsweise).",
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
            ctx.say(
                "{raw} is not a web link. Write it like https://meet.example.org/beirat.",
                raw=code(raw),
            )
        )
    return value


def too_many(ctx: Context) -> BadArgument:
    """The refusal of a series longer than :data:`MAX_OCCURRENCES`."""
    return BadArgument(
        ctx.say(
            "A series holds at most {limit} meetings. Choose an earlier bis= or a "
            "smaller anzahl=.",
            limit=MAX_OCCURRENCES,
        )
    )


# "Which meeting", left out for the one the command means by default (the next or the last).
OPTIONAL_MEETING_NUMBER = Param("meeting", N_("meeting number"), reachable_meeting, optional=True)
