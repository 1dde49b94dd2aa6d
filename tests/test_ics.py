"""The calendar file: read back with icalendar and expanded with recurring-ical-events.

The ``!kalender`` commands are in ``tests/test_calendar_commands.py``, the feed server and the
command line's export in ``tests/test_calendar_feed.py``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from commands.meetings.ics import (
    AgendaLine,
    CalendarTexts,
    build_calendar,
    describe,
    normalised_rule,
)
from storage.calendar_export import CalendarExportRepository
from storage.database import Database
from tests.support.calendar import (
    NEW_YEAR,
    berlin,
    calendar_of,
    events_with_uid,
    schedule_beirat,
)
from tests.support.names import BERLIN

# --------------------------------------------------------------------------- the file


async def test_series_is_one_rrule_with_exdate_and_recurrence_id(database: Database) -> None:
    """A series is a master VEVENT with TZID, RRULE and EXDATE plus one override per move."""
    beirat = await schedule_beirat(database)
    data, _rows = await calendar_of(database, beirat.committee)
    calendar = icalendar.Calendar.from_ical(data)

    assert str(calendar["PRODID"]) == "-//Kümmerer//DE"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Sitzungen: Bildungsbeirat"
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Berlin"
    assert b"DTSTART;TZID=Europe/Berlin:20270113T140000" in data

    master, override = events_with_uid(calendar, "series-beirat@kuemmerer")
    assert "RECURRENCE-ID" not in master
    assert master["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert master.decoded("DTSTART") == berlin(2027, 1, 13, 14)
    assert master.decoded("DTEND") == berlin(2027, 1, 13, 16)
    assert master["RRULE"].to_ical() == b"FREQ=MONTHLY;COUNT=8;BYDAY=2WE"
    assert isinstance(master, icalendar.Event)
    assert master.exdates == [berlin(2027, 5, 12, 14)]
    assert master["EXDATE"].params["TZID"] == "Europe/Berlin"
    assert str(master["SUMMARY"]) == "Bildungsbeirat: Sitzung"
    assert str(master["LOCATION"]) == "Kreishaus, Raum 204"
    assert str(master["URL"]) == "https://meet.example.org/beirat"
    assert "https://meet.example.org/beirat" in str(master["DESCRIPTION"])
    assert master["SEQUENCE"] == 0

    assert override["RECURRENCE-ID"].params["TZID"] == "Europe/Berlin"
    assert override.decoded("RECURRENCE-ID") == berlin(2027, 4, 14, 14)
    assert override.decoded("DTSTART") == berlin(2027, 4, 15, 10)
    assert override["SEQUENCE"] == 1


async def test_one_off_meetings_and_cancellations(database: Database) -> None:
    """One-offs carry their own UID and SEQUENCE; a cancelled one is STATUS:CANCELLED."""
    beirat = await schedule_beirat(database)
    data, _rows = await calendar_of(database, beirat.committee)
    calendar = icalendar.Calendar.from_ical(data)

    [one_off] = events_with_uid(calendar, beirat.one_off.uid)
    assert str(one_off["SUMMARY"]) == "Bildungsbeirat: Klausurtagung"
    assert str(one_off["STATUS"]) == "CONFIRMED"
    assert one_off.decoded("DTSTART") == berlin(2027, 6, 23, 9, 30)
    assert one_off["DTSTART"].params["TZID"] == "Europe/Berlin"
    [cancelled] = events_with_uid(calendar, beirat.cancelled_one_off.uid)
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Bildungsbeirat: Sondersitzung (abgesagt)"
    assert cancelled["SEQUENCE"] == 2
    assert events_with_uid(calendar, beirat.other.uid) == []  # another committee's meeting


async def test_two_parsers_agree_on_the_occurrences(database: Database) -> None:
    """Expanded by recurring-ical-events, the file has exactly the meetings that take place,
    each at its (moved) local time: 14:00 in winter and in summer."""
    beirat = await schedule_beirat(database)
    data, _rows = await calendar_of(database, beirat.committee)
    calendar = icalendar.Calendar.from_ical(data)

    expanded = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))
    taking_place = sorted(
        event.decoded("DTSTART") for event in expanded if event.get("STATUS") != "CANCELLED"
    )
    expected = sorted(
        m.start.astimezone(BERLIN)
        for m in [*beirat.occurrences, beirat.one_off]
        if m.status != "cancelled"
    )
    assert taking_place == expected
    series_times = [
        when for when in taking_place if when.date() != date(2027, 4, 15) and when.month != 6
    ]
    assert {when.strftime("%H:%M") for when in series_times} == {"14:00"}
    assert {when.utcoffset() for when in series_times} == {timedelta(hours=1), timedelta(hours=2)}
    assert berlin(2027, 5, 12, 14) not in taking_place
    assert berlin(2027, 4, 15, 10) in taking_place


async def test_no_personal_data_and_no_cancellation_reason(database: Database) -> None:
    """Who scheduled a meeting and why one was cancelled never reach the file."""
    beirat = await schedule_beirat(database)
    data, _rows = await calendar_of(database, beirat.committee)

    assert b"anna" not in data.lower()
    assert b"erkrankt" not in data
    assert b"Raum belegt" not in data
    assert b"ATTENDEE" not in data and b"ORGANIZER" not in data


def test_non_public_agenda_items_never_appear() -> None:
    """The description builder drops non-public agenda items, whatever it is handed."""
    agenda = [
        AgendaLine("Ö 1", "Begrüßung", public=True),
        AgendaLine("NÖ 1", "Personalangelegenheit Schulleitung", public=False),
    ]
    description = describe("https://meet.example.org/x", agenda, CalendarTexts())

    assert "Begrüßung" in description
    assert "Personalangelegenheit" not in description
    assert "NÖ" not in description


async def test_agenda_of_an_occurrence_is_public_only(database: Database) -> None:
    """Handing a meeting's agenda to the builder gives that occurrence its public items only."""
    beirat = await schedule_beirat(database)
    async with database.session() as session:
        rows = await CalendarExportRepository(session).rows([beirat.committee], since=NEW_YEAR)
    march = beirat.occurrences[2]
    data = build_calendar(
        "Beirat",
        rows.committees,
        rows.series,
        rows.meetings,
        now=NEW_YEAR,
        zone=BERLIN,
        agendas={
            march.id: [
                AgendaLine("Ö 1", "Bildungsbericht 2027", public=True),
                AgendaLine("NÖ 1", "Vergabe Fördermittel", public=False),
            ]
        },
    )
    calendar = icalendar.Calendar.from_ical(data)
    [override] = [
        event
        for event in events_with_uid(calendar, beirat.series.uid)
        if event.get("RECURRENCE-ID") and event.decoded("RECURRENCE-ID") == berlin(2027, 3, 10, 14)
    ]
    assert "Bildungsbericht 2027" in str(override["DESCRIPTION"])
    assert b"Vergabe" not in data


async def test_only_upcoming_meetings_from_since(database: Database) -> None:
    """From ``since`` on, past one-offs drop out; a series still running stays whole."""
    beirat = await schedule_beirat(database)
    july = datetime(2027, 7, 5, tzinfo=UTC)
    data, rows = await calendar_of(database, beirat.committee, since=july)
    calendar = icalendar.Calendar.from_ical(data)

    assert events_with_uid(calendar, beirat.one_off.uid) == []  # 23 June is past
    assert len(events_with_uid(calendar, beirat.series.uid)) == 2  # master and April override
    assert [m.start for m in rows.upcoming(july)] == [
        berlin(2027, 7, 14, 14).astimezone(UTC),
        berlin(2027, 8, 11, 14).astimezone(UTC),
    ]
    september = datetime(2027, 9, 1, tzinfo=UTC)
    data, _rows = await calendar_of(database, beirat.committee, since=september)
    assert events_with_uid(icalendar.Calendar.from_ical(data), beirat.series.uid) == []


def test_a_calendar_without_meetings_is_still_valid() -> None:
    """No meetings: still one component (the VTIMEZONE), as RFC 5545 requires."""
    data = build_calendar("Leer", [], [], [], now=NEW_YEAR, zone=BERLIN)

    calendar = icalendar.Calendar.from_ical(data)
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Berlin"


def test_until_is_written_in_utc() -> None:
    """A rule ending on a local date gets an UTC UNTIL, as RFC 5545 requires beside a TZID."""
    rule = normalised_rule("RRULE:FREQ=WEEKLY;UNTIL=20270331", BERLIN)

    assert rule.to_ical() == b"FREQ=WEEKLY;UNTIL=20270331T215959Z"
