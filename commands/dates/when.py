"""The one date/time converter: natural German and English meeting and reminder times.

Parsing is done by dateparser, but only after the text has been taken apart here:

* The time of day is cut out first (``14 Uhr``, ``um 9``, ``9h``, ``14:30``, ``3pm``).
  dateparser reads ``14 Uhr`` as the 14th of the month, ignores the hour in ``heute 18 Uhr``
  and ``morgen um 9`` and returns the current hour for a bare ``morgen``; with the time
  handled here, ``has_time`` is simply "a time token was written".
* The rest must have one of a few known shapes (day word, weekday, ``in N units``, a numeric
  or written date); anything else is refused. dateparser is very lenient — ``die``, ``mit``,
  ``an`` and ``a`` all parse as dates — and a bot that books meetings must not guess.

All arithmetic happens in the configured zone; results are aware UTC datetimes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from commands.framework.errors import BadArgument
from commands.framework.i18n import N_, Translator
from commands.framework.reply import Text, fmt

if TYPE_CHECKING:
    from commands.framework.context import Context


class Reading(Enum):
    """A way the written text was read that the reply must state, as it was not the only one."""

    SKIPPED_HOUR = "skipped"  # the wall time does not exist (clocks go forward): moved on
    REPEATED_HOUR = "repeated"  # the wall time happens twice (clocks go back): the first one
    REPEATED_HOUR_SECOND = "second"  # the same, and the user asked for the second one
    AFTERNOON = "afternoon"  # a spoken hour ("halb drei") taken as afternoon
    MORNING = "morning"  # a spoken hour ("halb acht") taken as morning
    THIS_WEEK = "this week"  # "nächsten Donnerstag" taken as this week's Thursday


@dataclass(frozen=True)
class ParsedWhen:
    """A point in time as the user wrote it."""

    at: datetime  # aware UTC; for a bare date, midnight (or the default time) in the zone
    has_time: bool  # False when the user gave only a date ("12.03.2027")
    readings: tuple[Reading, ...] = ()  # what the reply has to say about how it was read
    written: time | None = None  # the wall time as written, when SKIPPED_HOUR moved it


# --- normalisation --------------------------------------------------------------------------

# Umlaut-free spellings dateparser does not know.
_SPELLINGS = (
    (re.compile(r"\bnaechst"), "nächst"),
    (re.compile(r"\buebermorgen\b"), "übermorgen"),
    (re.compile(r"\bmaerz\b"), "märz"),
    (re.compile(r"\bfuenf\b"), "fünf"),
    (re.compile(r"\bzwoelf\b"), "zwölf"),
)
_QUOTES = "\"'„“”‚‘’«»`"

# The time of day. One alternative per written form; "um"/"at" may precede any of them, and
# must precede a bare hour ("um 9"). A dotted time needs "Uhr", otherwise "12.03" is a date.
_AMPM = r"(?:am|pm|a\.m\.|p\.m\.)(?!\w)"
_TIME = re.compile(
    rf"""
    (?:\b(?:um|at|gegen)\s+)?
    (?<![\d.:/-])
    (?:
        (?P<h1>\d{{1,2}}):(?P<m1>\d{{2}})(?::(?P<s1>\d{{2}}))?\s*(?P<ap1>{_AMPM})?(?:\s*uhr\b|h\b)?
      | (?P<h2>\d{{1,2}})\.(?P<m2>\d{{2}})\s*uhr\b
      | (?P<h3>\d{{1,2}})\s*(?P<ap3>{_AMPM})
      | (?P<h4>\d{{1,2}})\s*uhr\b(?:\s*(?P<m4>\d{{2}})\b)?
      | (?P<h5>\d{{1,2}})h(?P<m5>\d{{2}})?\b
    )
    | \b(?:um|at)\s+(?P<h6>\d{{1,2}})\b(?!\s*[.:/-]\s*\d)
    """,
    re.VERBOSE,
)

_NUMBER_WORDS = {
    **dict.fromkeys(("ein", "eins", "eine", "einer", "einem", "einen", "one", "a", "an"), 1),
    **{"zwei": 2, "zwo": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7},
    **{"acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12},
    **{"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8},
    **{"nine": 9, "ten": 10, "eleven": 11, "twelve": 12},
}
_DAY_UNITS = {
    *("tag", "tage", "tagen", "woche", "wochen", "monat", "monate", "monaten"),
    *("jahr", "jahre", "jahren", "day", "days", "week", "weeks", "month", "months"),
    *("year", "years"),
}
_CLOCK_UNITS = {
    *("stunde", "stunden", "std", "minute", "minuten", "min"),
    *("hour", "hours", "hr", "hrs", "minutes", "mins"),
}
_UNIT = "|".join(sorted(_DAY_UNITS | _CLOCK_UNITS, key=len, reverse=True))
# "in zwei Wochen" -> "in 2 wochen" (dateparser knows only some number words); a number word
# is replaced only before a unit, so "a" or "eine" elsewhere stays as it is.
_NUMBER_WORD = re.compile(rf"\b({'|'.join(_NUMBER_WORDS)})\s+(?=(?:{_UNIT})\b)")
_RELATIVE = re.compile(r"^(?:(?:in|vor)\s+\d+\s+(?P<u1>[a-zäöü]+)\.?|\d+\s+(?P<u2>[a-z]+)\s+ago)$")

# Digit-free text is only accepted in these forms (dateparser would take "die" for Tuesday).
_DAY_WORDS = {
    *("heute", "morgen", "übermorgen", "gestern", "vorgestern"),
    *("today", "tomorrow", "yesterday", "day after tomorrow", "the day after tomorrow"),
    *("day before yesterday", "the day before yesterday"),
}
_DAY_WORD = re.compile(
    r"\b(?:heute|morgen|übermorgen|gestern|vorgestern|today|tomorrow|yesterday)\b"
)
_NOW_WORDS = {"jetzt", "sofort", "now"}

_WEEKDAYS = {
    **dict.fromkeys(("montag", "mo", "monday", "mon"), 0),
    **dict.fromkeys(("dienstag", "di", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("mittwoch", "mi", "wednesday", "wed"), 2),
    **dict.fromkeys(("donnerstag", "do", "thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("freitag", "fr", "friday", "fri"), 4),
    **dict.fromkeys(("samstag", "sonnabend", "sa", "saturday", "sat"), 5),
    **dict.fromkeys(("sonntag", "so", "sunday", "sun"), 6),
}
_WEEKDAY = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
# "nächsten Dienstag" / "kommenden Montag" / "next friday": dateparser returns None for the
# German qualifiers, so weekdays are resolved here.
_QUALIFIER = r"(?:nächste[nrs]?|kommende[nrs]?|diese[nrs]?|next|this|coming)"
_NEXT_WEEK = r"(?:nächste\s+woche|kommende\s+woche|next\s+week)"
_WEEKDAY_FORM = re.compile(
    rf"^(?:(?P<pre>{_NEXT_WEEK})\s+)?(?:{_QUALIFIER}\s+)?(?P<day>{_WEEKDAY})\.?"
    rf"(?:\s+(?P<post>{_NEXT_WEEK}))?$"
)
_WEEKDAY_AND_DATE = re.compile(rf"^(?P<day>{_WEEKDAY})\.?\s+(?P<date>.*\d.*)$")
# "Donnerstag in zwei Wochen" / "in 2 Wochen am Donnerstag": that weekday, N weeks on.
_WEEKS = r"(?:wochen?|weeks?)"
_WEEKDAY_IN_WEEKS = re.compile(
    rf"^(?:(?P<d1>{_WEEKDAY})\.?\s+in\s+(?P<n1>\d+)\s+{_WEEKS}"
    rf"|in\s+(?P<n2>\d+)\s+{_WEEKS}\s+(?:am\s+|on\s+)?(?P<d2>{_WEEKDAY})\.?)$"
)
_DAY_MONTH = re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.?$")  # "12.03." - no year
_SLASH_WITH_YEAR = re.compile(r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{2}|\d{4})$")
_SLASH_ISO = re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})$")
_BARE_NUMBERS = re.compile(r"^[\d\s]+\.?$")  # "12", "12.", "2027", "12 13"


# Spoken times: "halb drei" is 2:30, "viertel nach drei" 3:15, "viertel vor drei" and
# "dreiviertel drei" 2:45; "um drei" and "drei Uhr" are full hours. Hours are words or digits.
_HOUR_WORDS = {
    **{"eins": 1, "ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6},
    **{"sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12},
}
_HOUR = rf"(?:\d{{1,2}}|{'|'.join(sorted(_HOUR_WORDS, key=len, reverse=True))})"
_SPOKEN_TIME = re.compile(
    rf"""
    (?:\b(?:um|gegen)\s+)?
    (?:
        \b(?P<part>halb|viertel\s+nach|viertel\s+vor|dreiviertel|drei\s+viertel)
        \s+(?P<h1>{_HOUR})\b(?:\s+uhr\b)?
      | \b(?:um|gegen)\s+(?P<h2>{_HOUR})\s+uhr\b
      | \b(?:um|gegen)\s+(?P<h3>{"|".join(_HOUR_WORDS)})\b
      | \b(?P<h4>{"|".join(_HOUR_WORDS)})\s+uhr\b
    )
    """,
    re.VERBOSE,
)
# Words that say which half of the day a spoken or 12-hour time means.
_MORNING = re.compile(r"\b(?:morgens|früh|vormittags|in the morning)\b")
_AFTERNOON = re.compile(r"\b(?:nachmittags|abends|in the afternoon|in the evening)\b")
# Without such a word, a spoken hour up to six means the afternoon: the office's hours.
_LATEST_AFTERNOON_HOUR = 6
# "Sommerzeit"/"Winterzeit" choose between the two 02:30 of the night the clocks go back.
_SUMMER_TIME = re.compile(r"\b(?:sommerzeit|mesz|cest|summer time|daylight time)\b")
_WINTER_TIME = re.compile(r"\b(?:winterzeit|mez|cet|winter time|standard time)\b")


def normalise(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw).strip().strip(_QUOTES).lower()
    text = re.sub(r"(\d{4}-\d{2}-\d{2})t(?=\d)", r"\1 ", text)  # ISO "2027-03-12T14:00"
    for pattern, replacement in _SPELLINGS:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def _hour_value(written: str) -> int:
    return int(written) if written.isdigit() else _HOUR_WORDS[written]


def _spoken_time(text: str) -> tuple[str, time, Reading | None] | None:
    """The text without a spoken time, the time, and the half of the day it was taken as
    when no word said which.

    None when there is no spoken time (or two, or an impossible one such as "halb 14").
    """
    matches = list(_SPOKEN_TIME.finditer(text))
    if len(matches) != 1:
        return None
    match = matches[0]
    hour = _hour_value(match["h1"] or match["h2"] or match["h3"] or match["h4"])
    if not 1 <= hour <= 12:
        return None
    part = " ".join((match["part"] or "").split())
    minute = {"halb": 30, "viertel nach": 15, "viertel vor": 45, "dreiviertel": 45}.get(
        part.replace("drei viertel", "dreiviertel"), 0
    )
    if minute in (30, 45):
        hour -= 1  # "halb drei" is half way to three
    rest = text[: match.start()] + " " + text[match.end() :]
    if _MORNING.search(rest):
        rest = _MORNING.sub(" ", rest)
        return rest, time(hour % 12, minute), None
    if _AFTERNOON.search(rest):
        rest = _AFTERNOON.sub(" ", rest)
        return rest, time(hour % 12 + 12, minute), None
    if hour <= _LATEST_AFTERNOON_HOUR:
        return rest, time(hour + 12, minute), Reading.AFTERNOON
    return rest, time(hour, minute), None if hour == 12 else Reading.MORNING


def split_time_of_day(text: str) -> tuple[str, time | None] | None:
    """The text without its time of day, and that time; None for two times or 25:00."""
    matches = list(_TIME.finditer(text))
    if not matches:
        return text, None
    if len(matches) > 1:
        return None
    match = matches[0]
    hour_text = next(match[g] for g in ("h1", "h2", "h3", "h4", "h5", "h6") if match[g])
    minute_text = match["m1"] or match["m2"] or match["m4"] or match["m5"] or "0"
    hour, minute, second = int(hour_text), int(minute_text), int(match["s1"] or 0)
    suffix = match["ap1"] or match["ap3"]
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    rest = text[: match.start()] + " " + text[match.end() :]
    # Seconds are kept when given: a reminder for 18:25:13 must not post at 18:25:00.
    return rest, time(hour, minute, second)


def _clean_rest(rest: str) -> str:
    """Drop the glue left around a date: commas, "am"/"on"/"den", a dangling "um"/"at"."""
    words = rest.replace(",", " ").split()
    if words and words[0] in {"am", "on", "den", "the"} and len(words) > 1:
        words = words[1:]
    if words and words[-1] in {"um", "at", "gegen"}:
        words = words[:-1]
    return " ".join(words)


# --- resolution -----------------------------------------------------------------------------


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """``clock`` on ``day`` in ``zone`` as aware UTC (offset of that very day: DST-correct)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _wall_time(day: date, clock: time, zone: ZoneInfo, second: bool) -> ParsedWhen:
    """``clock`` on ``day`` with what the reply must say when that wall time is special.

    A wall time in the spring gap does not exist: it is moved on by the gap (02:30 becomes
    03:30). One in the autumn overlap happens twice: the first (summer time) is taken unless
    ``second`` asks for the other.
    """
    first = datetime.combine(day, clock, tzinfo=zone)
    other = first.replace(fold=1)
    if first.utcoffset() == other.utcoffset():
        return ParsedWhen(first.astimezone(UTC), has_time=True)
    moved = first.astimezone(UTC)
    if moved.astimezone(zone).replace(tzinfo=None) != first.replace(tzinfo=None):
        return ParsedWhen(moved, True, (Reading.SKIPPED_HOUR,), written=clock)
    if second:
        return ParsedWhen(other.astimezone(UTC), True, (Reading.REPEATED_HOUR_SECOND,))
    return ParsedWhen(moved, True, (Reading.REPEATED_HOUR,))


def _daytime(rest: str, clock: time | None) -> tuple[str, time | None, Reading | None] | None:
    """Spoken times and the words for morning and afternoon, read out of ``rest``.

    Returns the rest, the time, and the half of the day a spoken hour was taken as; None for
    a time that cannot be (two times, "halb 14", "14 Uhr morgens").
    """
    if clock is None:
        spoken = _spoken_time(rest)
        if spoken is not None:
            return spoken
        if _SPOKEN_TIME.search(rest):
            return None
    if clock is not None and _AFTERNOON.search(rest):
        if clock.hour > 12:
            return None
        afternoon = time(clock.hour % 12 + 12, clock.minute, clock.second)
        return _AFTERNOON.sub(" ", rest), afternoon, None
    if clock is not None and _MORNING.search(rest):
        if clock.hour > 12:
            return None
        return _MORNING.sub(" ", rest), time(clock.hour % 12, clock.minute, clock.second), None
    return rest, clock, None


def _dateparser(
    text: str, local_now: datetime, zone: ZoneInfo, future: bool
) -> tuple[datetime, str] | None:
    settings = {
        "DATE_ORDER": "DMY",
        "TIMEZONE": zone.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future" if future else "current_period",
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
    }
    data = DateDataParser(languages=["de", "en"], settings=settings).get_date_data(text)
    if data.date_obj is None:
        return None
    moment: datetime = data.date_obj
    return moment.astimezone(zone), str(data.period)


def _weekday_date(match: re.Match[str], today: date) -> date:
    """The next such weekday (tomorrow to a week ahead), or that day in the next week."""
    weekday = _WEEKDAYS[match["day"]]
    if match["pre"] or match["post"]:
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _year_for(day: int, month: int, today: date, future: bool) -> int | None:
    """The year of the next such day from today on (29.02. waits for a leap year)."""
    for year in range(today.year, today.year + 9 if future else today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if not future or candidate >= today:
            return year
    return None


def _resolve_day(rest: str, local_now: datetime, zone: ZoneInfo, future: bool) -> date | None:
    """The calendar day ``rest`` names, or None when it is not (unambiguously) a day."""
    today = local_now.date()
    if match := _WEEKDAY_FORM.match(rest):
        return _weekday_date(match, today)
    if match := _WEEKDAY_IN_WEEKS.match(rest):
        monday = today - timedelta(days=today.weekday())
        weeks = int(match["n1"] or match["n2"])
        return monday + timedelta(weeks=weeks, days=_WEEKDAYS[match["d1"] or match["d2"]])
    if match := _WEEKDAY_AND_DATE.match(rest):
        # "Mi, 10.03.2027" (the house format): the weekday must agree with the date.
        day = _resolve_day(match["date"], local_now, zone, future)
        return day if day is not None and day.weekday() == _WEEKDAYS[match["day"]] else None
    if match := _DAY_MONTH.match(rest):
        # dateparser reads "12.03." as 12:03 today; hand it the year of the next such day.
        year = _year_for(int(match["d"]), int(match["m"]), today, future)
        if year is None:
            return None
        rest = f"{match['d']}.{match['m']}.{year}"
    if "/" in rest:
        # Slash dates are read day-first in Germany and month-first in the US: only accept
        # them when just one reading is a valid date.
        if match := _SLASH_ISO.match(rest):
            rest = f"{match['y']}-{match['m']}-{match['d']}"
        elif match := _SLASH_WITH_YEAR.match(rest):
            first, second = int(match["a"]), int(match["b"])
            if first <= 12 and second <= 12 and first != second:
                return None
            day_first = first > 12 or first == second
            day_number, month = (first, second) if day_first else (second, first)
            rest = f"{day_number}.{month}.{match['y']}"
        else:
            return None
    if _BARE_NUMBERS.match(rest):
        return None
    if rest not in _DAY_WORDS and (
        not any(character.isdigit() for character in rest) or _DAY_WORD.search(rest)
    ):
        # Digit-free text must be a day word; a day word with more text ("morgen 14") is
        # not read at all, as dateparser silently drops what it does not understand there.
        return None
    relative = _RELATIVE.match(rest)
    if relative and (relative["u1"] or relative["u2"]) not in _DAY_UNITS:
        return None
    parsed = _dateparser(rest, local_now, zone, future)
    if parsed is None:
        return None
    moment, period = parsed
    # An absolute date must name a day ("März 2027" does not) at midnight: a time of day here
    # means dateparser read a stray number we did not take for a time ("12.03.2027 14").
    absolute = relative is None and rest not in _DAY_WORDS
    if absolute and (period != "day" or moment.time() != time(0)):
        return None
    return moment.date()


def parse_when(
    raw: str, *, now: datetime, zone: ZoneInfo, future: bool = True
) -> ParsedWhen | None:
    """Read ``raw`` as a point in time, relative to ``now``; None if it is not one.

    Past results are returned as they are (the caller decides); ``future`` only steers the
    guesses: a bare time means its next occurrence and a date without year the next such day.
    """
    text = normalise(raw)
    if not text:
        return None
    split = split_time_of_day(text)
    if split is None:
        return None
    second = bool(_WINTER_TIME.search(split[0]))
    unfolded = _WINTER_TIME.sub(" ", _SUMMER_TIME.sub(" ", split[0]))
    daytime = _daytime(unfolded, split[1])
    if daytime is None:
        return None
    rest, clock, half_of_day = _clean_rest(daytime[0]), daytime[1], daytime[2]
    local_now = now.astimezone(zone)
    stated: tuple[Reading, ...] = () if half_of_day is None else (half_of_day,)

    if not rest:
        if clock is None:
            return None
        parsed = _wall_time(local_now.date(), clock, zone, second)
        if future and parsed.at < now:
            parsed = _wall_time(local_now.date() + timedelta(days=1), clock, zone, second)
        return _with(parsed, stated)
    if rest in _NOW_WORDS:
        return None if clock is not None else ParsedWhen(now.astimezone(UTC), has_time=True)

    rest = _NUMBER_WORD.sub(lambda match: f"{_NUMBER_WORDS[match[1]]} ", rest)
    relative = _RELATIVE.match(rest)
    if relative and (relative["u1"] or relative["u2"]) in _CLOCK_UNITS:
        # "in 2 Stunden": dateparser's full result is the point in time.
        parsed_relative = _dateparser(rest, local_now, zone, future)
        if parsed_relative is None or clock is not None:
            return None
        return ParsedWhen(parsed_relative[0].astimezone(UTC), has_time=True)

    day = _resolve_day(rest, local_now, zone, future)
    if day is None:
        return None
    if _is_this_weeks_next(rest, local_now.date()):
        stated += (Reading.THIS_WEEK,)
    if clock is None:
        return _with(ParsedWhen(_at(day, time(0), zone), has_time=False), stated)
    return _with(_wall_time(day, clock, zone, second), stated)


def _with(parsed: ParsedWhen, readings: tuple[Reading, ...]) -> ParsedWhen:
    return replace(parsed, readings=readings + parsed.readings)


def _is_this_weeks_next(rest: str, today: date) -> bool:
    """Whether ``rest`` says "nächsten Donnerstag" of a Thursday still ahead this week.

    People use it for both that day and the one a week later; the reply says which it took.
    """
    match = _WEEKDAY_FORM.match(rest)
    return bool(
        match
        and re.match(r"(?:nächste[nrs]?|next)\b", rest)
        and not (match["pre"] or match["post"])
        and _WEEKDAYS[match["day"]] > today.weekday()
    )


# --- converter ------------------------------------------------------------------------------

_MAX_ECHO = 60  # characters of the user's text repeated in an error


class When:
    """Converter for a date/time argument: ``Param(..., converter=When(), greedy=True)``.

    Raises :class:`BadArgument` for text that is no date and, unless ``future`` is False, for
    a past moment (a bare date only when its day is over). A bare date gets ``default_time``
    if given; ``has_time`` stays False so callers still know the user wrote no time.
    """

    def __init__(self, future: bool = True, default_time: time | None = None) -> None:
        self.future = future
        self.default_time = default_time

    def __repr__(self) -> str:
        return f"When(future={self.future!r}, default_time={self.default_time!r})"

    def __call__(self, ctx: Context, raw: str) -> ParsedWhen:
        now = ctx.clock.now()
        zone = ctx.t.zone
        # A day a week ahead in the house format, so the example is always valid and future.
        example = f"{ctx.t.date(now + timedelta(days=7))} 14:00"
        parsed = parse_when(raw, now=now, zone=zone, future=self.future)
        if parsed is None:
            shown = raw.strip()
            if len(shown) > _MAX_ECHO:
                shown = shown[: _MAX_ECHO - 1] + "…"
            message = N_(
                'Could not read "{raw}" as a date. '
                'Write it like {example} or "next Tuesday 10:00".'
            )
            raise BadArgument(fmt(ctx.t.gettext(message), raw=shown, example=example))

        for reading in parsed.readings:
            ctx.note(reading_note(ctx.t, reading, parsed, now))
        timed = parsed.has_time
        if not timed and self.default_time is not None:
            day = ctx.t.local(parsed.at).date()
            parsed = ParsedWhen(_at(day, self.default_time, zone), has_time=False)
            timed = True
        if not self.future:
            return parsed
        if timed and parsed.at < now:
            message = N_(
                "The time {when} is in the past. Please give a future date, e.g. {example}."
            )
            when = ctx.t.datetime(parsed.at)
        elif not timed and ctx.t.local(parsed.at).date() < ctx.t.local(now).date():
            message = N_(
                "The date {when} is in the past. Please give a future date, e.g. {example}."
            )
            when = ctx.t.date(parsed.at)
        else:
            return parsed
        raise BadArgument(fmt(ctx.t.gettext(message), when=when, example=example))


def relative_day(t: Translator, moment: datetime, now: datetime) -> str:
    """How far ``moment``'s day is from today: "heute", "morgen", "in 8 Tagen", "vor 2 Tagen"."""
    days = (t.local(moment).date() - t.local(now).date()).days
    named = {
        0: N_("today"),
        1: N_("tomorrow"),
        2: N_("the day after tomorrow"),
        -1: N_("yesterday"),
    }
    if days in named:
        return t.gettext(named[days])
    if days > 0:
        return t.ngettext("in {count} day", "in {count} days", days).format(count=days)
    return t.ngettext("{count} day ago", "{count} days ago", -days).format(count=-days)


def reading_note(t: Translator, reading: Reading, parsed: ParsedWhen, now: datetime) -> Text:
    """The sentence that says how a date was read, and how to write the other meaning."""
    when = f"{t.datetime(parsed.at)} ({relative_day(t, parsed.at, now)})"
    if reading is Reading.SKIPPED_HOUR:
        written = parsed.written.strftime("%H:%M") if parsed.written else ""
        message = N_(
            "{written} does not exist on {date}: the clocks go forward an hour that night. "
            "Taken as {when}."
        )
        return fmt(t.gettext(message), written=written, date=t.date(parsed.at), when=when)
    if reading is Reading.REPEATED_HOUR:
        message = N_(
            "This time happens twice that night, as the clocks go back. Taken: the first "
            'one (summer time), {when}. For the second one, add "winter time".'
        )
    elif reading is Reading.REPEATED_HOUR_SECOND:
        message = N_("Taken: the second one of the two such times that night (winter time).")
    elif reading is Reading.AFTERNOON:
        message = N_('Read as the afternoon: {when}. For the morning, add "in the morning".')
    elif reading is Reading.MORNING:
        message = N_('Read as the morning: {when}. For the evening, add "in the evening".')
    else:
        message = N_(
            'Read as this week\'s day: {when}. For the same weekday a week later, add "next week".'
        )
    return fmt(t.gettext(message), when=when)
