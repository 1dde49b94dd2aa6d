"""The committees' meetings as an iCalendar file (RFC 5545) for Outlook, Thunderbird and others.

Pure: rows in, bytes out, no database and no clock of its own. A series becomes one master
VEVENT with its RRULE; cancelled occurrences are EXDATEs on it, and an occurrence that was moved
or changed becomes a VEVENT with the series' UID and a RECURRENCE-ID. Times carry the TZID of
their zone (the bot's, or the series' own) and the file has a VTIMEZONE for each.

What goes in is deliberately little: committee name, title, time, place, online link and — once
agenda items exist — the *public* part of the agenda. No attendees, no e-mail addresses, no
names of people, no cancellation reasons (they may say who fell ill). The same bytes are served
to anyone holding a feed link, so nothing here may need a permission check.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar, Event, Timezone, vDuration, vRecur

from commands.framework.i18n import N_
from storage.folding import fold_text
from storage.models import Committee, Meeting, MeetingSeries, MeetingStatus

PRODID = "-//Kümmerer//DE"
# Open-ended series run forever; the VTIMEZONE only needs to cover the years a reader looks at.
TIMEZONE_HORIZON = timedelta(days=10 * 366)
# How many occurrences of a series are looked at to decide whether one is still ahead.
OCCURRENCE_LOOKAHEAD = 500
_UNSAFE_IN_FILENAME = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class CalendarTexts:
    """The few words the file contains, already in the reader's language."""

    meeting: str = "Sitzung"  # the title of a meeting that has none of its own
    online: str = "Online"  # label before the online link in the description
    agenda: str = "Tagesordnung (öffentlicher Teil)"
    # Outlook ignores STATUS:CANCELLED in imported and subscribed calendars; the title says it.
    cancelled: str = "{summary} (abgesagt)"


def calendar_texts(gettext: Callable[[str], str]) -> CalendarTexts:
    """The calendar's words translated with ``gettext`` (e.g. ``Translator.gettext``)."""
    return CalendarTexts(
        meeting=gettext(N_("Meeting")),
        online=gettext(N_("Online")),
        agenda=gettext(N_("Agenda (public part)")),
        cancelled=gettext(N_("{summary} (cancelled)")),
    )


def calendar_name(
    committees: Sequence[Committee], everything: bool, gettext: Callable[[str], str]
) -> str:
    """The calendar's display name (X-WR-CALNAME): ``Sitzungen: Bildungsbeirat``."""
    if everything:
        return gettext(N_("Meetings of all committees"))
    names = ", ".join(committee.name for committee in committees)
    return gettext(N_("Meetings: {committees}")).format(committees=names)


def calendar_filename(
    committees: Sequence[Committee], everything: bool, language: str, day: date
) -> str:
    """``kalender-bb-2027-03-08.ics`` for one committee, ``kalender-alle-…`` for all."""
    stem, everyone = ("kalender", "alle") if language == "de" else ("calendar", "all")
    slugs = [
        _UNSAFE_IN_FILENAME.sub("-", fold_text(c.short_name or c.name)).strip("-")
        for c in committees
    ]
    which = everyone if everything or not slugs or not all(slugs) else "-".join(slugs)
    return f"{stem}-{which}-{day.isoformat()}.ics"


@dataclass(frozen=True)
class AgendaLine:
    """One agenda item (TOP) as the calendar may show it: ``Ö 1 Begrüßung``."""

    label: str
    title: str
    public: bool


def public_agenda(lines: Iterable[AgendaLine]) -> list[AgendaLine]:
    """Only the public items. Non-public items ("NÖ") never leave the committee's room and
    the team room — the file and the feed are readable by anyone holding the link."""
    return [line for line in lines if line.public]


def describe(online_link: str, agenda: Iterable[AgendaLine], texts: CalendarTexts) -> str:
    """The DESCRIPTION of an event: the online link and the public agenda, nothing else.

    The agenda passes through :func:`public_agenda` here, whatever the caller hands in, so a
    non-public item can never end up in a calendar file or feed.
    """
    parts: list[str] = []
    if online_link:
        parts.append(f"{texts.online}: {online_link}")
    items = public_agenda(agenda)
    if items:
        parts.append("\n".join([f"{texts.agenda}:", *(f"{i.label} {i.title}" for i in items)]))
    return "\n\n".join(parts)


def summary(committee: Committee | None, title: str, texts: CalendarTexts) -> str:
    """``Bildungsbeirat: Sitzung`` — the committee first, so a shared calendar stays readable."""
    name = title.strip() or texts.meeting
    return f"{committee.name}: {name}" if committee is not None else name


def build_calendar(
    name: str,
    committees: Iterable[Committee],
    series: Iterable[MeetingSeries],
    meetings: Iterable[Meeting],
    *,
    now: datetime,
    zone: ZoneInfo,
    since: datetime | None = None,
    texts: CalendarTexts | None = None,
    agendas: Mapping[int, Sequence[AgendaLine]] | None = None,
    refresh: timedelta | None = None,
) -> bytes:
    """One VCALENDAR named ``name`` with the given series and meetings, as UTF-8 bytes.

    ``meetings`` holds one-off meetings and the occurrence rows of the series (from which the
    EXDATEs and RECURRENCE-ID overrides come). With ``since``, one-off meetings that ended
    before it and series without an occurrence ending at or after it are left out. ``zone`` is
    the zone of one-off meetings (a series has its own). ``agendas`` maps meeting ids to their
    agenda; only public items are ever used. ``refresh`` is the polling interval suggested to
    subscribed clients (feeds only). ``now`` becomes every DTSTAMP.
    """
    texts = texts or CalendarTexts()
    agendas = agendas or {}
    by_id = {committee.id: committee for committee in committees}
    series_by_id = {entry.id: entry for entry in series}
    occurrences: dict[int, list[Meeting]] = defaultdict(list)
    one_offs: list[Meeting] = []
    for meeting in meetings:
        if meeting.series_id is not None and meeting.series_id in series_by_id:
            occurrences[meeting.series_id].append(meeting)
        elif since is None or meeting.end >= since:
            # An occurrence whose series was not handed in stands on its own.
            one_offs.append(meeting)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-timezone", zone.key)
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))

    events: list[tuple[datetime, list[Event]]] = []
    for entry in series_by_id.values():
        rows = occurrences.get(entry.id, [])
        if since is not None and not _series_reaches(entry, rows, since):
            continue
        committee = by_id.get(entry.committee_id)
        events.append(
            (entry.first_start, _series_events(entry, rows, committee, now, texts, agendas))
        )
    for meeting in one_offs:
        committee = by_id.get(meeting.committee_id)
        agenda = agendas.get(meeting.id, ())
        events.append(
            (meeting.start, [_one_off_event(meeting, committee, zone, now, texts, agenda)])
        )
    events.sort(key=lambda pair: pair[0])
    for _start, group in events:
        for event in group:
            calendar.add_component(event)

    first, last = _covered_dates(events, now)
    # The bot's zone always: X-WR-TIMEZONE names it, and RFC 5545 wants at least one component
    # even in the feed of a committee without meetings.
    if zone.key not in calendar.get_used_tzids():
        calendar.add_component(Timezone.from_tzinfo(zone, zone.key, first, last))
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


# --------------------------------------------------------------------------- events


def _base_event(
    uid: str, start: datetime, end: datetime, now: datetime, sequence: int, created: datetime
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("sequence", sequence)
    event.add("created", created.astimezone(UTC))
    return event


def _add_details(
    event: Event,
    committee: Committee | None,
    title: str,
    place: str,
    online_link: str,
    agenda: Iterable[AgendaLine],
    texts: CalendarTexts,
    updated: datetime,
    cancelled: bool = False,
) -> None:
    text = summary(committee, title, texts)
    event.add("summary", texts.cancelled.format(summary=text) if cancelled else text)
    if place:
        event.add("location", place)
    description = describe(online_link, agenda, texts)
    if description:
        event.add("description", description)
    if online_link.startswith(("https://", "http://")):
        event.add("url", online_link)
    event.add("last-modified", updated.astimezone(UTC))


def _one_off_event(
    meeting: Meeting,
    committee: Committee | None,
    zone: ZoneInfo,
    now: datetime,
    texts: CalendarTexts,
    agenda: Sequence[AgendaLine],
) -> Event:
    event = _base_event(
        meeting.uid,
        meeting.start.astimezone(zone),
        meeting.end.astimezone(zone),
        now,
        meeting.sequence,
        meeting.created_at,
    )
    _add_details(
        event,
        committee,
        meeting.title,
        meeting.place,
        meeting.online_link,
        agenda,
        texts,
        meeting.updated_at,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
    )
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
        # A cancelled meeting no longer blocks the time in anyone's free/busy view.
        event.add("transp", "TRANSPARENT")
    else:
        event.add("status", "CONFIRMED")
    return event


def _series_events(
    series: MeetingSeries,
    rows: Sequence[Meeting],
    committee: Committee | None,
    now: datetime,
    texts: CalendarTexts,
    agendas: Mapping[int, Sequence[AgendaLine]],
) -> list[Event]:
    """The master VEVENT (RRULE, EXDATE) followed by one VEVENT per changed occurrence."""
    zone = ZoneInfo(series.timezone)
    start = series.first_start.astimezone(zone)
    duration = timedelta(minutes=series.duration_minutes)
    master = _base_event(
        series.uid,
        start,
        _wall_clock_end(start, duration),
        now,
        series.sequence,
        series.created_at,
    )
    master.add("rrule", normalised_rule(series.rule, zone))
    _add_details(
        master,
        committee,
        series.title,
        series.place,
        series.online_link,
        (),
        texts,
        series.updated_at,
    )
    master.add("status", "CONFIRMED")
    cancelled = sorted(
        _original(row).astimezone(zone) for row in rows if row.status == MeetingStatus.CANCELLED
    )
    if cancelled:
        master.add("exdate", cancelled)
    events = [master]
    for row in sorted(rows, key=_original):
        agenda = agendas.get(row.id, ())
        if row.status == MeetingStatus.CANCELLED or not _differs(
            series, row, public_agenda(agenda)
        ):
            continue
        override = _base_event(
            series.uid,
            row.start.astimezone(zone),
            row.end.astimezone(zone),
            now,
            # Never below the master's: some clients drop overrides older than their master.
            max(row.sequence, series.sequence),
            row.created_at,
        )
        override.add("recurrence-id", _original(row).astimezone(zone))
        _add_details(
            override,
            committee,
            row.title,
            row.place,
            row.online_link,
            agenda,
            texts,
            row.updated_at,
        )
        override.add("status", "CONFIRMED")
        events.append(override)
    return events


def _original(meeting: Meeting) -> datetime:
    """Where the occurrence sat in the series before any move (its RECURRENCE-ID)."""
    return meeting.original_start or meeting.start


def _differs(series: MeetingSeries, row: Meeting, public_items: Sequence[AgendaLine]) -> bool:
    """Whether an occurrence needs its own VEVENT instead of being a plain rule instance."""
    return (
        row.start != _original(row)
        or row.end - row.start != timedelta(minutes=series.duration_minutes)
        or row.title != series.title
        or row.place != series.place
        or row.online_link != series.online_link
        or row.sequence > series.sequence
        or bool(public_items)
    )


def _wall_clock_end(start: datetime, duration: timedelta) -> datetime:
    """``start + duration`` on the wall clock (a 2-hour meeting ends 2 hours later as read)."""
    zone = start.tzinfo
    return (start.replace(tzinfo=None) + duration).replace(tzinfo=zone)


# --------------------------------------------------------------------------- rules


def normalised_rule(rule: str, zone: ZoneInfo) -> vRecur:
    """``rule`` as a vRecur whose UNTIL is in UTC, as RFC 5545 requires beside a TZID start.

    A date or a local time without zone is read as the end of that day / that time in ``zone``.
    """
    text = rule.strip().removeprefix("RRULE:")
    recur = vRecur.from_ical(text)
    untils = recur.get("UNTIL")
    if untils:
        until = untils[0]
        if isinstance(until, datetime):
            local = until if until.tzinfo is not None else until.replace(tzinfo=zone)
        else:
            assert isinstance(until, date)
            local = datetime.combine(until, time(23, 59, 59), tzinfo=zone)
        recur["UNTIL"] = [local.astimezone(UTC)]
    return recur


def _series_reaches(series: MeetingSeries, rows: Sequence[Meeting], since: datetime) -> bool:
    """Whether the series still has an occurrence, not cancelled, that ends at or after
    ``since`` — by its rule, or because an occurrence was moved there."""
    if any(row.status != MeetingStatus.CANCELLED and row.end >= since for row in rows):
        return True
    zone = ZoneInfo(series.timezone)
    duration = timedelta(minutes=series.duration_minutes)
    taken = {_original(row) for row in rows}  # cancelled or moved: the rows above decide
    rule = rrulestr(
        normalised_rule(series.rule, zone).to_ical().decode(),
        dtstart=series.first_start.astimezone(zone),
    )
    after = (since - duration).astimezone(zone)
    for start in islice(rule.xafter(after, inc=True), OCCURRENCE_LOOKAHEAD):
        if start.astimezone(UTC) not in taken:
            return True
    return False


def _covered_dates(
    events: Sequence[tuple[datetime, list[Event]]], now: datetime
) -> tuple[date, date]:
    """The span of dates the VTIMEZONEs must describe."""
    starts = [event.decoded("dtstart") for _s, group in events for event in group]
    first = min([*starts, now]).date() - timedelta(days=1)
    last = max([*starts, now]).date() + TIMEZONE_HORIZON
    return first, last
