"""Recurring times in words: ``jeden Montag 9 Uhr``, ``monthly on the 1st at 8am`` and kin.

Pure functions, no translation: the text becomes a :class:`Recurrence` (what repeats), an
RFC 5545 RRULE over local wall time (what the scheduler stores) and the first moment in UTC.
The time of day is cut out with the same reader as single dates (``commands.dates.when``), so
``9 Uhr``, ``um 9``, ``09:00`` and ``9am`` mean the same here as there.

Like ``commands.dates.when`` the grammar is strict: a word it does not know makes the whole text
unreadable rather than being skipped, because a reminder at a guessed time is worse than a
question back.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

# The time-of-day reader and the text normalisation of the single-date converter, so both
# converters read "9 Uhr", "um 9", "9:00" and "9am" alike.
from commands.dates.when import normalise as normalise_when_text
from commands.dates.when import split_time_of_day
from storage.folding import fold_text

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WORKDAYS = (0, 1, 2, 3, 4)
# A monthly reminder on the 29th to 31st falls on the month's last day in shorter months
# (BYSETPOS=-1 over 28..N), instead of RRULE's default of skipping those months.
LAST_SAFE_MONTH_DAY = 28
MAX_INTERVAL = 52
# Enough to get past any rule this grammar can write (the rarest: a 31st in a quarterly rule).
_SEARCH_LIMIT = 1000

_WEEKDAY_WORDS = {
    **dict.fromkeys(("montag", "mo", "monday", "mon"), 0),
    **dict.fromkeys(("dienstag", "di", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("mittwoch", "mi", "wednesday", "wed"), 2),
    **dict.fromkeys(("donnerstag", "do", "thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("freitag", "fr", "friday", "fri"), 4),
    **dict.fromkeys(("samstag", "sonnabend", "sa", "saturday", "sat"), 5),
    **dict.fromkeys(("sonntag", "so", "sunday", "sun"), 6),
}
# "montags", "mondays": the plural alone already says "every".
_WEEKDAY_PLURALS = {
    **dict.fromkeys(("montags", "mondays"), 0),
    **dict.fromkeys(("dienstags", "tuesdays"), 1),
    **dict.fromkeys(("mittwochs", "wednesdays"), 2),
    **dict.fromkeys(("donnerstags", "thursdays"), 3),
    **dict.fromkeys(("freitags", "fridays"), 4),
    **dict.fromkeys(("samstags", "sonnabends", "saturdays"), 5),
    **dict.fromkeys(("sonntags", "sundays"), 6),
}
_EVERY = {"jeden", "jede", "jedes", "jeder", "every", "each", "alle", "allen"}
_DAILY = {"taeglich", "daily"}
_WEEKLY = {"woechentlich", "weekly"}
_MONTHLY = {"monatlich", "monthly"}
_BIWEEKLY = {
    *("14-taegig", "14-taeglich", "14taegig", "14taeglich", "vierzehntaegig"),
    *("vierzehntaeglich", "zweiwoechentlich", "zweiwoechig", "biweekly", "fortnightly"),
}
_QUARTERLY = {"quartalsweise", "vierteljaehrlich", "quarterly"}
_WORKDAY_WORDS = {"werktags", "wochentags", "arbeitstags", "weekdays"}
_WORKDAY_NOUNS = {"werktag", "wochentag", "arbeitstag", "weekday"}
_UNITS = {
    **dict.fromkeys(("tag", "tage", "tagen", "day", "days"), "day"),
    **dict.fromkeys(("woche", "wochen", "week", "weeks"), "week"),
    **dict.fromkeys(("monat", "monate", "monaten", "monats", "month", "months"), "month"),
}
_ORDINALS = {
    **dict.fromkeys(("erste", "ersten", "erster", "erstes", "first", "1st", "1."), 1),
    **dict.fromkeys(("zweite", "zweiten", "zweiter", "zweites", "second", "2nd", "2."), 2),
    **dict.fromkeys(("dritte", "dritten", "dritter", "drittes", "third", "3rd", "3."), 3),
    **dict.fromkeys(("vierte", "vierten", "vierter", "viertes", "fourth", "4th", "4."), 4),
    **dict.fromkeys(("letzte", "letzten", "letzter", "letztes", "last"), -1),
    "other": 2,  # "every other Monday"
}
_NUMBERS = {
    **{"zwei": 2, "zwo": 2, "drei": 3, "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7},
    **{"acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwoelf": 12, "vierzehn": 14},
    **{"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8},
    **{"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14},
}
# Glue between the meaningful words: "am 1.", "on the 1st", "im Monat", "of the month".
_FILLERS = {"am", "an", "on", "the", "im", "in", "of", "des", "der", "den", "dem", "und"}
_FILLERS |= {"and", "immer", "jeweils", "a", "ein", "einen", "einem", "einmal", "once"}
_MONTH_DAY = re.compile(r"^(?P<day>\d{1,2})(?:\.|st|nd|rd|th)?$")

_RECURRING_MARKERS = (
    _EVERY | _DAILY | _WEEKLY | _MONTHLY | _BIWEEKLY | _QUARTERLY | _WORKDAY_WORDS
) | set(_WEEKDAY_PLURALS)


class Frequency(Enum):
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


class Problem(Enum):
    """Why a recurring time could not be read; the command turns it into a sentence."""

    UNREADABLE = "unreadable"
    NO_TIME = "no_time"  # "jeden Montag" without a time of day
    NO_MONTH_DAY = "no_month_day"  # "monatlich um 8 Uhr" without the day of the month


class RecurrenceError(ValueError):
    """The text looks recurring but cannot be read; ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.value)


@dataclass(frozen=True)
class Recurrence:
    """What repeats, independent of the time of day (that comes from the first moment)."""

    frequency: Frequency
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # 0 = Monday; empty: the weekday of the first moment
    month_day: int | None = None  # 1..31, or -1 for the last day of the month
    week_position: int | None = None  # with one weekday: its 1st..4th or last (-1) in a month

    @property
    def is_workdays(self) -> bool:
        return (
            self.frequency is Frequency.WEEKLY and self.interval == 1 and self.weekdays == WORKDAYS
        )

    def rule(self) -> str:
        """The RRULE (without DTSTART) that the scheduler evaluates over local wall time."""
        parts = [f"FREQ={self.frequency.value}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.week_position is not None and len(self.weekdays) == 1:
            parts.append(f"BYDAY={self.week_position}{WEEKDAY_CODES[self.weekdays[0]]}")
        elif self.weekdays:
            parts.append("BYDAY=" + ",".join(WEEKDAY_CODES[day] for day in self.weekdays))
        if self.month_day is not None:
            if self.month_day > LAST_SAFE_MONTH_DAY:
                days = range(LAST_SAFE_MONTH_DAY, self.month_day + 1)
                parts.append("BYMONTHDAY=" + ",".join(map(str, days)))
                parts.append("BYSETPOS=-1")
            else:
                parts.append(f"BYMONTHDAY={self.month_day}")
        return ";".join(parts)

    @classmethod
    def from_rule(cls, rule: str) -> Recurrence | None:
        """Read back a rule that :meth:`rule` wrote; None for anything else."""
        try:
            fields = dict(part.split("=", 1) for part in rule.upper().split(";") if part)
            frequency = Frequency(fields.pop("FREQ"))
            interval = int(fields.pop("INTERVAL", "1"))
            weekdays: tuple[int, ...] = ()
            position: int | None = None
            if "BYDAY" in fields:
                match = re.fullmatch(r"(-?\d)?([A-Z]{2})", fields["BYDAY"])
                if match and match[1]:
                    position, weekdays = int(match[1]), (WEEKDAY_CODES.index(match[2]),)
                else:
                    weekdays = tuple(WEEKDAY_CODES.index(c) for c in fields["BYDAY"].split(","))
                del fields["BYDAY"]
            month_day: int | None = None
            if "BYMONTHDAY" in fields:
                days = [int(day) for day in fields.pop("BYMONTHDAY").split(",")]
                if len(days) > 1 and fields.pop("BYSETPOS", "") != "-1":
                    return None
                month_day = max(days)
        except (KeyError, ValueError):
            return None
        if fields:
            return None
        return cls(frequency, interval, weekdays, month_day, position)


@dataclass(frozen=True)
class ParsedRecurrence:
    """A recurring time as the user wrote it."""

    recurrence: Recurrence
    at: time  # local wall time of day
    first_at: datetime  # aware UTC: the first occurrence after "now"
    rule: str


def _words(text: str) -> list[str]:
    # Folded as a whole, not word by word: the rule trims a dot only at the very end, and
    # "am 1. Montag" needs its "1." to stay an ordinal.
    return fold_text(text.replace(",", " ")).split()


def looks_recurring(raw: str) -> bool:
    """True when ``raw`` is meant as a repeating time ("jeden …", "every …", "täglich" …)."""
    return any(word in _RECURRING_MARKERS for word in _words(normalise_when_text(raw)))


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word)


@dataclass
class _Reading:
    """What the words said so far."""

    frequency: Frequency | None = None
    interval: int | None = None
    weekdays: list[int] | None = None
    month_day: int | None = None
    position: int | None = None
    month_context: bool = False  # "im Monat", "of the month", "monatlich"

    def set_frequency(self, frequency: Frequency, interval: int | None = None) -> None:
        if self.frequency not in (None, frequency):
            raise RecurrenceError(Problem.UNREADABLE)
        if interval is not None and self.interval not in (None, interval):
            raise RecurrenceError(Problem.UNREADABLE)
        self.frequency = frequency
        if interval is not None:
            self.interval = interval

    def add_weekday(self, day: int) -> None:
        self.weekdays = [*(self.weekdays or []), day]


def _read_words(words: list[str]) -> _Reading:
    reading = _Reading()
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        index += 1
        if word in _FILLERS or word in _EVERY:
            continue
        if word in _DAILY:
            reading.set_frequency(Frequency.DAILY)
        elif word in _WEEKLY:
            reading.set_frequency(Frequency.WEEKLY)
        elif word in _MONTHLY:
            reading.set_frequency(Frequency.MONTHLY)
            reading.month_context = True
        elif word in _BIWEEKLY:
            reading.set_frequency(Frequency.WEEKLY, 2)
        elif word in _QUARTERLY:
            reading.set_frequency(Frequency.MONTHLY, 3)
            reading.month_context = True
        elif word in _WORKDAY_WORDS or word in _WORKDAY_NOUNS:
            reading.set_frequency(Frequency.WEEKLY)
            for day in WORKDAYS:
                reading.add_weekday(day)
        elif word in _WEEKDAY_WORDS or word.rstrip(".") in _WEEKDAY_WORDS:
            reading.add_weekday(_WEEKDAY_WORDS[word.rstrip(".")])
        elif word in _WEEKDAY_PLURALS:
            reading.add_weekday(_WEEKDAY_PLURALS[word])
        elif (number := _number(word)) is not None and following in _UNITS:
            # "alle 2 Wochen", "every three days", "alle 14 Tage"
            index += 1
            _read_unit(reading, _UNITS[following], number)
        elif word in _ORDINALS and following.rstrip(".") in _WEEKDAY_WORDS:
            # "am ersten Montag", "every other monday", "letzten Freitag"
            index += 1
            if reading.position is not None:
                raise RecurrenceError(Problem.UNREADABLE)
            reading.position = _ORDINALS[word]
            reading.add_weekday(_WEEKDAY_WORDS[following.rstrip(".")])
        elif word in _ORDINALS and following in _UNITS:
            # "jede zweite Woche", "every other day", "am letzten Tag (des Monats)"
            index += 1
            ordinal, unit = _ORDINALS[word], _UNITS[following]
            if ordinal == -1 and unit == "day":
                reading.month_day = -1
                reading.month_context = True
            elif ordinal > 0:
                _read_unit(reading, unit, ordinal)
            else:
                raise RecurrenceError(Problem.UNREADABLE)
        elif word in _UNITS:
            # "jeden Tag", "every week", "jeden Monat", "im Monat", "of the month"
            _read_unit(reading, _UNITS[word], None)
        elif (match := _MONTH_DAY.match(word)) is not None:
            day = int(match["day"])
            if not 1 <= day <= 31 or reading.month_day is not None:
                raise RecurrenceError(Problem.UNREADABLE)
            reading.month_day = day
        else:
            raise RecurrenceError(Problem.UNREADABLE)
    return reading


def _read_unit(reading: _Reading, unit: str, interval: int | None) -> None:
    if interval is not None and not 1 <= interval <= MAX_INTERVAL:
        raise RecurrenceError(Problem.UNREADABLE)
    if unit == "day":
        reading.set_frequency(Frequency.DAILY, interval)
    elif unit == "week":
        reading.set_frequency(Frequency.WEEKLY, interval)
    else:
        reading.month_context = True
        reading.set_frequency(Frequency.MONTHLY, interval)


def _recurrence_of(reading: _Reading) -> Recurrence:
    """Decide what the collected words mean together."""
    weekdays = tuple(sorted(set(reading.weekdays or [])))
    interval = reading.interval or 1
    position = reading.position
    monthly = reading.month_context or reading.frequency is Frequency.MONTHLY
    if position is not None:
        if len(weekdays) != 1 or reading.month_day is not None:
            raise RecurrenceError(Problem.UNREADABLE)
        # "jeden zweiten Montag" / "every other Monday" is every two weeks; the first, third,
        # fourth and last Monday, or any position "im Monat", is a place in the month.
        if not monthly and position == 2 and reading.frequency in (None, Frequency.WEEKLY):
            if reading.interval not in (None, 2):
                raise RecurrenceError(Problem.UNREADABLE)
            return Recurrence(Frequency.WEEKLY, 2, weekdays)
        if reading.frequency not in (None, Frequency.MONTHLY):
            raise RecurrenceError(Problem.UNREADABLE)
        return Recurrence(Frequency.MONTHLY, interval, weekdays, week_position=position)
    if monthly:
        if weekdays:
            raise RecurrenceError(Problem.UNREADABLE)
        if reading.month_day is None:
            raise RecurrenceError(Problem.NO_MONTH_DAY)
        return Recurrence(Frequency.MONTHLY, interval, month_day=reading.month_day)
    if reading.month_day is not None:
        raise RecurrenceError(Problem.UNREADABLE)
    if reading.frequency is Frequency.DAILY and interval % 7 == 0:
        # "alle 14 Tage (am Montag)" is how many people say "every two weeks".
        return Recurrence(Frequency.WEEKLY, interval // 7, weekdays)
    if reading.frequency is Frequency.DAILY:
        if weekdays:
            raise RecurrenceError(Problem.UNREADABLE)
        return Recurrence(Frequency.DAILY, interval)
    if reading.frequency is Frequency.WEEKLY or weekdays:
        return Recurrence(Frequency.WEEKLY, interval, weekdays)
    raise RecurrenceError(Problem.UNREADABLE)


def first_occurrence(rule: str, at: time, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The first moment after ``now`` (aware UTC) on which ``rule`` at ``at`` local time falls.

    The search starts today (or tomorrow, when ``at`` has passed today) so an interval rule
    such as "alle 3 Tage" begins at the next possible day rather than three days out.
    """
    local_now = now.astimezone(zone)
    start_day = local_now.date()
    if datetime.combine(start_day, at, tzinfo=zone) <= now:
        start_day += timedelta(days=1)
    walls = rrulestr(rule, dtstart=datetime.combine(start_day, at))
    for wall in itertools.islice(walls, _SEARCH_LIMIT):
        moment = wall.replace(tzinfo=zone).astimezone(UTC)
        if moment > now:
            return moment
    return None


def parse_recurrence(raw: str, *, now: datetime, zone: ZoneInfo) -> ParsedRecurrence:
    """Read ``raw`` as a recurring time; raise :class:`RecurrenceError` if it is not one."""
    split = split_time_of_day(normalise_when_text(raw))
    if split is None:
        raise RecurrenceError(Problem.UNREADABLE)
    rest, at = split
    words = _words(rest)
    if not any(word in _RECURRING_MARKERS for word in words):
        raise RecurrenceError(Problem.UNREADABLE)
    recurrence = _recurrence_of(_read_words(words))
    if at is None:
        raise RecurrenceError(Problem.NO_TIME)
    rule = recurrence.rule()
    # The first occurrence is searched without the interval: "alle zwei Wochen montags" said
    # on a Tuesday starts next Monday, and the interval counts from there.
    first_at = first_occurrence(replace(recurrence, interval=1).rule(), at, now, zone)
    if first_at is None:
        raise RecurrenceError(Problem.UNREADABLE)
    return ParsedRecurrence(recurrence, at, first_at, rule)
