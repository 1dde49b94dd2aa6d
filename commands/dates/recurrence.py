"""Meeting series: RFC 5545 rules over local wall time, expanded with ``dateutil.rrule``.

A committee meets "every 2nd Wednesday at 14:00" in its own zone, summer and winter alike. So the
rule runs over naive wall times in the committee's zone and each occurrence is localised on its
own day; converting to UTC first would move summer meetings by an hour.

Pure functions only: no database, no translations. Also the occurrences of a schedule entry,
which follow the same wall-time rule.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from storage.folding import fold_text
from storage.models import ScheduleEntry

# Without bis=/anzahl= a series is created this far ahead of its first meeting.
OPEN_SERIES_HORIZON = relativedelta(months=12)
# More would be a typo or an attempt to fill the calendar for decades.
MAX_OCCURRENCES = 120

_RFC_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Zone offsets jump by at most a day (Samoa, 2011); DST by an hour or two.
_DST_MARGIN = timedelta(days=1)
_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


class Frequency(StrEnum):
    """How often a series repeats."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"  # the same weekday position each month, e.g. the 2nd Wednesday
    QUARTERLY = "quarterly"  # the same weekday position every three months


# Spellings people write, folded (lower case, umlauts as ae/oe/ue).
FREQUENCY_WORDS: dict[str, Frequency] = {
    **dict.fromkeys(("woechentlich", "weekly", "jede woche", "every week"), Frequency.WEEKLY),
    **dict.fromkeys(
        (
            "14-taeglich",
            "14taeglich",
            "14-taegig",
            "14taegig",
            "zweiwoechentlich",
            "alle zwei wochen",
            "alle 2 wochen",
            "biweekly",
            "fortnightly",
            "every two weeks",
            "every 2 weeks",
        ),
        Frequency.BIWEEKLY,
    ),
    **dict.fromkeys(("monatlich", "monthly", "jeden monat", "every month"), Frequency.MONTHLY),
    **dict.fromkeys(
        ("quartalsweise", "vierteljaehrlich", "quartal", "quarterly", "every quarter"),
        Frequency.QUARTERLY,
    ),
}


def frequency_named(raw: str) -> Frequency | None:
    """The frequency ``raw`` names ("monatlich", "14-täglich", "weekly" …), if any."""
    return FREQUENCY_WORDS.get(" ".join(fold_text(raw).split()))


def weekday_position(day: date) -> int:
    """Which of its month's weekdays ``day`` is: 1–4, or -1 for the last one.

    The 5th such weekday is always the last one; a 4th that is also the last one counts as
    "last" too, as committees that meet "at the end of the month" mean exactly that.
    """
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    if day.day + 7 > days_in_month:
        return -1
    return (day.day - 1) // 7 + 1


def _rfc_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def series_rule(
    frequency: Frequency, first_local: datetime, *, count: int | None, until: datetime | None
) -> str:
    """The RRULE for a series whose first meeting is at ``first_local`` (local wall time).

    ``until`` (aware) becomes a UTC ``UNTIL`` as RFC 5545 requires next to a ``DTSTART`` with
    ``TZID``; exactly one of ``count`` and ``until`` bounds the series.
    """
    weekday = _RFC_WEEKDAYS[first_local.weekday()]
    if frequency is Frequency.WEEKLY:
        parts = ["FREQ=WEEKLY", f"BYDAY={weekday}"]
    elif frequency is Frequency.BIWEEKLY:
        parts = ["FREQ=WEEKLY", "INTERVAL=2", f"BYDAY={weekday}"]
    else:
        position = weekday_position(first_local.date())
        parts = ["FREQ=MONTHLY"]
        if frequency is Frequency.QUARTERLY:
            parts.append("INTERVAL=3")
        parts.append(f"BYDAY={position:+d}{weekday}")
    if count is not None:
        parts.append(f"COUNT={count}")
    elif until is not None:
        parts.append(f"UNTIL={_rfc_utc(until)}")
    return ";".join(parts)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The last second of ``day`` in ``zone``, aware: a series "bis 31.12." includes that day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone)


def open_series_until(first_local: datetime) -> datetime:
    """The end of an open series: a year's worth of meetings (52 weekly, 12 monthly, 4
    quarterly), so it stops a week before the first meeting's anniversary, which would
    otherwise start a 13th month or a 53rd week."""
    zone = first_local.tzinfo
    assert isinstance(zone, ZoneInfo), "first_local must carry its ZoneInfo"
    last_day = (first_local + OPEN_SERIES_HORIZON).date() - timedelta(weeks=1)
    return end_of_day(last_day, zone)


def _localised(rule: str, zone: ZoneInfo) -> str:
    """The rule with a UTC ``UNTIL`` rewritten as local wall time, as a naive rrule needs."""

    def local(match: re.Match[str]) -> str:
        until = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return "UNTIL=" + until.astimezone(zone).strftime("%Y%m%dT%H%M%S")

    return _UNTIL_UTC.sub(local, rule)


def expand(rule: str, first_start: datetime, zone: ZoneInfo) -> Iterator[datetime]:
    """The starts of the series as aware UTC datetimes, ascending (at most the rule's bound).

    The rule runs over naive wall times from ``first_start``'s wall time in ``zone``; each
    occurrence is localised on its own day, so 14:00 is 14:00 in summer and in winter.
    """
    start = first_start.astimezone(zone).replace(tzinfo=None)
    for wall in rrulestr(_localised(rule, zone), dtstart=start):
        yield wall.replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class SeriesPlan:
    """What a ``!sitzung neu … wiederholung=…`` creates: the rule and the meetings' starts."""

    rule: str
    starts: tuple[datetime, ...]  # aware UTC
    open_ended: bool  # neither bis= nor anzahl= was given: created up to the horizon


class TooManyOccurrences(ValueError):
    """The series would hold more than :data:`MAX_OCCURRENCES` meetings."""


def plan_series(
    frequency: Frequency,
    first_start: datetime,
    zone: ZoneInfo,
    *,
    count: int | None = None,
    until_day: date | None = None,
) -> SeriesPlan:
    """The rule and the starts of a series from ``first_start`` (aware), bounded by ``count``,
    by ``until_day`` (inclusive, local) or, without either, by :data:`OPEN_SERIES_HORIZON`.

    Raises :class:`TooManyOccurrences` beyond :data:`MAX_OCCURRENCES`.
    """
    first_local = first_start.astimezone(zone)
    open_ended = count is None and until_day is None
    if count is not None:
        if count > MAX_OCCURRENCES:
            raise TooManyOccurrences(count)
        rule = series_rule(frequency, first_local, count=count, until=None)
    else:
        until = end_of_day(until_day, zone) if until_day else open_series_until(first_local)
        rule = series_rule(frequency, first_local, count=None, until=until)
    starts: list[datetime] = []
    for start in expand(rule, first_start, zone):
        if len(starts) == MAX_OCCURRENCES:
            raise TooManyOccurrences(MAX_OCCURRENCES + 1)
        starts.append(start)
    return SeriesPlan(rule, tuple(starts), open_ended)


@dataclass(frozen=True)
class RuleShape:
    """What a stored rule says in words: its frequency and weekday position (1–4, -1)."""

    frequency: Frequency | None  # None for a rule this module did not write
    position: int


_BYDAY_POSITION = re.compile(r"^([+-]?\d)?[A-Z]{2}$")


def rule_shape(rule: str) -> RuleShape:
    """Read back a rule written by :func:`series_rule`, e.g. to say "monthly on the 2nd
    Wednesday" on a meeting's card."""
    parts = dict(part.split("=", 1) for part in rule.upper().split(";") if "=" in part)
    interval = int(parts.get("INTERVAL", "1"))
    match = _BYDAY_POSITION.match(parts.get("BYDAY", ""))
    position = int(match.group(1)) if match and match.group(1) else 0
    frequency: Frequency | None = None
    if parts.get("FREQ") == "WEEKLY":
        frequency = {1: Frequency.WEEKLY, 2: Frequency.BIWEEKLY}.get(interval)
    elif parts.get("FREQ") == "MONTHLY" and position:
        frequency = {1: Frequency.MONTHLY, 3: Frequency.QUARTERLY}.get(interval)
    return RuleShape(frequency, position)


# --- occurrences of schedule entries -------------------------------------------------------------


def occurrences(
    entry: ScheduleEntry, since: datetime, until: datetime | None = None
) -> Iterator[datetime]:
    """Occurrences of ``entry`` in [since, until] as aware UTC datetimes, ascending, unique.

    The rule runs over naive local wall times starting at ``first_at``'s wall time in the
    entry's zone; each is then localised, so "09:00 Europe/Berlin" stays 09:00 local across
    DST. A wall time inside the spring gap lands after the gap (zoneinfo's fold=0); an
    ambiguous autumn time means its first (summer-time) instance.
    """
    zone = ZoneInfo(entry.timezone)
    if not entry.rule.strip():
        if since <= entry.first_at and (until is None or entry.first_at <= until):
            yield entry.first_at.astimezone(UTC)
        return
    start = entry.first_at.astimezone(zone).replace(tzinfo=None)
    rule = rrulestr(_localised(entry.rule, zone), dtstart=start)
    # Start a margin early so the de-duplication below sees the same history whatever ``since``
    # is; the sequence is then one and the same for every window asked for.
    begin = since.astimezone(zone).replace(tzinfo=None) - _DST_MARGIN
    latest: datetime | None = None
    for wall in rule.xafter(begin, inc=True):
        moment = wall.replace(tzinfo=zone).astimezone(UTC)
        # Wall times in a spring gap can map onto (or before) an instant already seen: the
        # sequence is the ascending, unique instants, so those are dropped.
        if latest is not None and moment <= latest:
            continue
        latest = moment
        if moment < since:
            continue
        if until is not None and moment > until:
            return
        yield moment


def next_occurrence(entry: ScheduleEntry, after: datetime) -> datetime | None:
    """The first occurrence of ``entry`` strictly after ``after`` (aware UTC), if any."""
    return next((moment for moment in occurrences(entry, after) if moment > after), None)


def pending_occurrences(
    entry: ScheduleEntry, last: datetime | None, until: datetime | None = None
) -> Iterator[datetime]:
    """Occurrences not yet handled: after the last ledger row and not before the entry's start.

    ``created_at`` is the moment the entry was (re)armed, so scheduling never replays the past.
    """
    since = entry.created_at if last is None else max(last, entry.created_at)
    for moment in occurrences(entry, since, until):
        if last is None or moment > last:
            yield moment
