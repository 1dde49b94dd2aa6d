"""The calendar file: read back with icalendar and expanded with recurring-ical-events; the
``!kalender`` commands through the real dispatcher; the feed server over loopback HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import icalendar
import pytest
import recurring_ical_events  # type: ignore[import-untyped]
from dateutil.rrule import rrulestr

from bot.cli import main
from bot.config import HttpConfig
from bot.feed import FeedServer
from commands.catalog.modules import build_registry
from commands.framework.clock import ManualClock
from commands.framework.dispatch import Dispatcher, Request
from commands.framework.i18n import Translator
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply
from commands.meetings.ics import (
    AgendaLine,
    CalendarTexts,
    build_calendar,
    describe,
    normalised_rule,
)
from storage.calendar_export import CalendarExportRepository, CalendarRows
from storage.database import Database
from storage.models import AuditEntry, Committee, Meeting, MeetingSeries
from storage.repositories import Store
from storage.vocabulary import fold_text
from tests.support.names import ANNA, BEIRAT_ROOM, BERLIN, BERND, TEAM_ROOM

STEUER_ROOM = "!steuerung:localhost"
NEW_YEAR = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday before the first meeting
RULE = "FREQ=MONTHLY;BYDAY=2WE;COUNT=8"  # every 2nd Wednesday, January to August 2027
FEED_BASE = "https://kuemmerer.example.org"


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@dataclass
class Beirat:
    """What the office has scheduled for the Bildungsbeirat (and one other committee)."""

    committee: Committee
    series: MeetingSeries
    occurrences: list[Meeting]
    moved: Meeting
    cancelled: Meeting
    one_off: Meeting
    cancelled_one_off: Meeting
    other: Meeting


def meeting(
    committee: Committee, start: datetime, minutes: int = 120, **fields: object
) -> Meeting:
    values: dict[str, object] = {
        "committee_id": committee.id,
        "uid": f"meeting-{start:%Y%m%dT%H%M}-{committee.id}@kuemmerer",
        "start": start.astimezone(UTC),
        "end": (start + timedelta(minutes=minutes)).astimezone(UTC),
        "created_by": ANNA,
        "created_at": NEW_YEAR,
        "updated_at": NEW_YEAR,
    }
    values.update(fields)
    return Meeting(**values)


async def schedule_beirat(database: Database) -> Beirat:
    """A monthly series across the DST change with one occurrence moved and one cancelled,
    a one-off meeting, a cancelled one-off, and a meeting of the Steuerungsgruppe."""
    async with database.session() as session:
        beirat = Committee(
            name="Bildungsbeirat",
            name_key=fold_text("Bildungsbeirat"),
            short_name="BB",
            kind="Beirat",
            room_id=BEIRAT_ROOM,
            created_at=NEW_YEAR,
            updated_at=NEW_YEAR,
        )
        steuerung = Committee(
            name="Steuerungsgruppe",
            name_key=fold_text("Steuerungsgruppe"),
            short_name="SG",
            kind="Steuerungsgruppe",
            room_id=STEUER_ROOM,
            created_at=NEW_YEAR,
            updated_at=NEW_YEAR,
        )
        session.add_all([beirat, steuerung])
        await session.flush()
        series = MeetingSeries(
            committee_id=beirat.id,
            uid="series-beirat@kuemmerer",
            first_start=berlin(2027, 1, 13, 14).astimezone(UTC),
            duration_minutes=120,
            rule=RULE,
            timezone="Europe/Berlin",
            title="",
            place="Kreishaus, Raum 204",
            online_link="https://meet.example.org/beirat",
            sequence=0,
            created_at=NEW_YEAR,
            updated_at=NEW_YEAR,
        )
        session.add(series)
        await session.flush()
        occurrences = []
        for start in rrulestr(RULE, dtstart=berlin(2027, 1, 13, 14)):
            occurrences.append(
                meeting(
                    beirat,
                    start,
                    series_id=series.id,
                    uid=series.uid,
                    original_start=start.astimezone(UTC),
                    place=series.place,
                    online_link=series.online_link,
                )
            )
        moved = occurrences[3]  # 14 April → Thursday 15 April, 10:00
        moved.start = berlin(2027, 4, 15, 10).astimezone(UTC)
        moved.end = berlin(2027, 4, 15, 12).astimezone(UTC)
        moved.sequence = 1
        cancelled = occurrences[4]  # 12 May
        cancelled.status = "cancelled"
        cancelled.cancel_reason = "Frau Beispiel ist erkrankt"
        cancelled.sequence = 1
        one_off = meeting(
            beirat, berlin(2027, 6, 23, 9, 30), 90, title="Klausurtagung", place="VHS Musterstadt"
        )
        cancelled_one_off = meeting(
            beirat,
            berlin(2027, 7, 1, 10),
            title="Sondersitzung",
            status="cancelled",
            cancel_reason="Raum belegt",
            sequence=2,
        )
        other = meeting(steuerung, berlin(2027, 2, 3, 16), title="Jahresplanung")
        session.add_all([*occurrences, one_off, cancelled_one_off, other])
        await session.flush()
        return Beirat(
            beirat, series, occurrences, moved, cancelled, one_off, cancelled_one_off, other
        )


async def calendar_of(
    database: Database, committee: Committee, since: datetime = NEW_YEAR
) -> tuple[bytes, CalendarRows]:
    async with database.session() as session:
        rows = await CalendarExportRepository(session).rows([committee], since=since)
    data = build_calendar(
        "Sitzungen: Bildungsbeirat",
        rows.committees,
        rows.series,
        rows.meetings,
        now=NEW_YEAR,
        zone=BERLIN,
        since=since,
    )
    return data, rows


def events_with_uid(calendar: icalendar.Calendar, uid: str) -> list[icalendar.Component]:
    return [event for event in calendar.walk("VEVENT") if str(event["UID"]) == uid]


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


# --------------------------------------------------------------------------- the commands


class FeedDesk:
    """The real dispatcher and registry on SQLite, with the feed switched on or off."""

    def __init__(self, database: Database, feed_base_url: str = FEED_BASE) -> None:
        self.database = database
        self.clock = ManualClock(NEW_YEAR)
        self.dispatcher = Dispatcher(
            build_registry(),
            Translator("en", BERLIN),
            self.clock,
            self.store,
            "!",
            "@bot:localhost",
            feed_base_url=feed_base_url,
        )

    @asynccontextmanager
    async def store(self) -> AsyncIterator[Store]:
        async with self.database.session() as session:
            yield Store(session)

    async def reply(
        self, command: str, room: str = TEAM_ROOM, role: Role = Role.TEAM, sender: str = ANNA
    ) -> Reply:
        kind = RoomKind.TEAM if room == TEAM_ROOM else RoomKind.GROUP
        reply = await self.dispatcher.respond(Request(sender, room, kind, role, command))
        assert reply is not None
        return reply

    async def audit(self) -> list[AuditEntry]:
        async with self.store() as store:
            return await store.audit.latest(100)

    async def feed_token(self, room: str = BEIRAT_ROOM) -> str:
        async with self.store() as store:
            committee = await store.committees.for_room(room)
            assert committee is not None
            return committee.feed_token


def plain(reply: Reply) -> str:
    return "\n".join(block.content.plain for block in reply.blocks)  # type: ignore[union-attr]


async def test_calendar_in_the_team_room_has_all_committees(database: Database) -> None:
    """``!calendar`` in the team room attaches one text/calendar file for every committee."""
    beirat = await schedule_beirat(database)
    desk = FeedDesk(database)

    reply = await desk.reply("!calendar")

    assert "9 upcoming meetings of all committees" in plain(reply)
    [attachment] = reply.attachments
    assert attachment.filename == "calendar-all-2027-01-04.ics"
    assert attachment.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.data)
    assert events_with_uid(calendar, beirat.other.uid)
    assert events_with_uid(calendar, beirat.one_off.uid)
    [entry] = [e for e in await desk.audit() if e.action == "export"]
    assert (entry.object_type, entry.object_id, entry.detail) == (
        "committee",
        "*",
        "count=9 format=ics",
    )


async def test_calendar_filter_and_committee_room(database: Database) -> None:
    """A name filters in the team room; in a committee room its own committee is exported and
    nobody, not even the team, gets another committee's calendar there."""
    beirat = await schedule_beirat(database)
    desk = FeedDesk(database)

    filtered = await desk.reply("!calendar steuerungsgruppe")
    [attachment] = filtered.attachments
    assert attachment.filename == "calendar-sg-2027-01-04.ics"
    assert "1 upcoming meeting of Steuerungsgruppe" in plain(filtered)

    in_room = await desk.reply("!calendar", room=BEIRAT_ROOM, role=Role.MEMBER, sender=BERND)
    [attachment] = in_room.attachments
    assert attachment.filename == "calendar-bb-2027-01-04.ics"
    assert not events_with_uid(icalendar.Calendar.from_ical(attachment.data), beirat.other.uid)

    refused = await desk.reply(
        "!calendar Steuerungsgruppe", room=BEIRAT_ROOM, role=Role.MEMBER, sender=BERND
    )
    assert refused.is_error and not refused.attachments
    assert "team room" in plain(refused)
    also_for_the_team = await desk.reply(
        "!calendar Steuerungsgruppe", room=BEIRAT_ROOM, role=Role.TEAM
    )
    assert also_for_the_team.is_error and not also_for_the_team.attachments

    unknown = await desk.reply("!calendar Jugendhilfeausschuss")
    assert unknown.is_error
    assert "Known committees: Bildungsbeirat, Steuerungsgruppe" in plain(unknown)


async def test_calendar_without_meetings_sends_no_file(database: Database) -> None:
    """With nothing scheduled the answer says so and attaches nothing."""
    desk = FeedDesk(database)

    reply = await desk.reply("!calendar")

    assert not reply.attachments
    assert "No upcoming meetings" in plain(reply)


async def test_subscribe_gives_and_renews_the_feed_address(database: Database) -> None:
    """``!calendar subscribe`` creates the address once; ``new`` replaces the token; the audit
    log records both without the token."""
    await schedule_beirat(database)
    desk = FeedDesk(database)

    first = await desk.reply("!calendar subscribe", room=BEIRAT_ROOM, role=Role.ORGANIZER)
    token = await desk.feed_token()
    assert len(token) == 32
    assert f"{FEED_BASE}/kalender/{token}.ics" in plain(first)
    again = await desk.reply("!calendar subscribe", room=BEIRAT_ROOM, role=Role.ORGANIZER)
    assert await desk.feed_token() == token
    assert f"/kalender/{token}.ics" in plain(again)

    renewed = await desk.reply("!calendar subscribe new", room=BEIRAT_ROOM, role=Role.TEAM)
    new_token = await desk.feed_token()
    assert new_token != token
    assert f"/kalender/{new_token}.ics" in plain(renewed)
    assert "old one no longer works" in plain(renewed)

    feed_entries = [e for e in await desk.audit() if e.object_type == "calendar_feed"]
    assert [e.action for e in feed_entries] == ["create", "view", "update"]
    assert all(token not in e.detail and new_token not in e.detail for e in feed_entries)


async def test_subscribe_is_for_organisers_and_needs_the_feed(database: Database) -> None:
    """A plain member is refused; with the feed switched off the answer says how to enable it."""
    await schedule_beirat(database)

    member = await FeedDesk(database).reply(
        "!calendar subscribe", room=BEIRAT_ROOM, role=Role.MEMBER, sender=BERND
    )
    assert member.is_error
    off = await FeedDesk(database, feed_base_url="").reply(
        "!calendar subscribe", room=BEIRAT_ROOM, role=Role.ORGANIZER
    )
    assert "switched off" in plain(off)
    assert "[http]" in plain(off) and "public_url" in plain(off)
    assert await FeedDesk(database).feed_token() == ""


# --------------------------------------------------------------------------- the feed server


def watch_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Everything the bot logs at its usual level, and the feed's and aiohttp's own debug lines
    (aiosqlite's debug lines echo SQL parameters, which is no part of the bot's logging)."""
    caplog.set_level(logging.INFO)
    for name in ("bot", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)


@asynccontextmanager
async def running_feed(database: Database) -> AsyncIterator[str]:
    """The feed server on a free loopback port; yields its base URL."""
    server = FeedServer(
        database,
        HttpConfig(enabled=True, host="127.0.0.1", port=0),
        ManualClock(NEW_YEAR),
        Translator("en", BERLIN),
    )
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.stop()


async def test_feed_serves_the_calendar_for_a_valid_token(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A valid token gets text/calendar with a private cache header; the log never has it."""
    beirat = await schedule_beirat(database)
    desk = FeedDesk(database)
    await desk.reply("!calendar subscribe", room=BEIRAT_ROOM, role=Role.ORGANIZER)
    token = await desk.feed_token()
    watch_logs(caplog)

    async with (
        running_feed(database) as base,
        aiohttp.ClientSession() as http,
        http.get(f"{base}/kalender/{token}.ics") as response,
    ):
        assert response.status == 200
        assert response.content_type == "text/calendar"
        assert response.headers["Cache-Control"] == "private, max-age=300"
        body = await response.read()

    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Bildungsbeirat"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
    assert b"X-PUBLISHED-TTL:PT1H" in body
    assert events_with_uid(calendar, beirat.series.uid)
    assert not events_with_uid(calendar, beirat.other.uid)
    assert token not in caplog.text


async def test_feed_refuses_everything_else_alike(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Unknown, malformed and rotated tokens, other paths and methods: the same plain 404."""
    await schedule_beirat(database)
    desk = FeedDesk(database)
    await desk.reply("!calendar subscribe", room=BEIRAT_ROOM, role=Role.ORGANIZER)
    old = await desk.feed_token()
    await desk.reply("!calendar subscribe new", room=BEIRAT_ROOM, role=Role.ORGANIZER)
    watch_logs(caplog)

    async with running_feed(database) as base, aiohttp.ClientSession() as http:
        answers = []
        for method, path in [
            ("GET", f"/kalender/{old}.ics"),
            ("GET", f"/kalender/{'x' * 32}.ics"),
            ("GET", "/kalender/.ics"),
            ("GET", f"/kalender/{old}"),
            ("GET", "/kalender/"),
            ("GET", "/"),
            ("GET", "/kalender/../etc/passwd"),
            ("POST", f"/kalender/{old}.ics"),
        ]:
            async with http.request(method, base + path) as response:
                answers.append((response.status, await response.text()))

    assert set(answers) == {(404, "Not found\n")}
    assert old not in caplog.text


# --------------------------------------------------------------------------- command line


async def test_cli_exports_the_meetings_as_ics(database: Database, tmp_path: Path) -> None:
    """``kuemmerer export --kind meetings --format ics`` writes the same calendar as
    ``!kalender``; --committee narrows it; ics for contacts is refused."""
    beirat = await schedule_beirat(database)
    config = tmp_path / "config.toml"
    config.write_text(
        "\n".join(
            [
                "[matrix]",
                'homeserver = "https://matrix.stadt.example"',
                'user_id = "@kuemmerer:stadt.example"',
                'password = "geheim"',
                "[bot]",
                'team_room = "#team:stadt.example"',
                'language = "en"',
                "[storage]",
                f'url = "{database.url}"',
            ]
        ),
        encoding="utf-8",
    )
    target = tmp_path / "beirat.ics"

    status = await _run_cli(
        [
            *("export", "--config", str(config), "--kind", "meetings", "--format", "ics"),
            *("--committee", "BB", "--output", str(target)),
        ]
    )

    assert status == 0
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert events_with_uid(calendar, beirat.series.uid)
    assert not events_with_uid(calendar, beirat.other.uid)
    refused = await _run_cli(
        ["export", "--config", str(config), "--kind", "persons", "--format", "ics"]
    )
    assert refused == 2


async def _run_cli(argv: list[str]) -> int:
    """``main`` runs its own event loop, so it gets a thread of its own."""
    import asyncio

    return await asyncio.to_thread(main, argv)
