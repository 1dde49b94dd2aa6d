"""The Bildungsbeirat's calendar: a year of meetings with a series across the DST change, the
calendar file built from them, and a desk whose dispatcher knows the feed's address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar
from dateutil.rrule import rrulestr

from bot.work import CommandWork
from commands.catalog.modules import build_registry
from commands.framework.clock import ManualClock
from commands.framework.dispatch import Dispatcher, Request
from commands.framework.i18n import Translator
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply
from commands.meetings.ics import (
    build_calendar,
)
from storage.calendar_export import CalendarExportRepository, CalendarRows
from storage.database import Database
from storage.folding import fold_text
from storage.models import AuditEntry, Committee, Meeting, MeetingSeries, MeetingStatus
from storage.repositories import Store
from tests.support.names import ANNA, BEIRAT_ROOM, BERLIN, STEUERUNG_ROOM, TEAM_ROOM

NEW_YEAR = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday before the first meeting
RULE = "FREQ=MONTHLY;BYDAY=2WE;COUNT=8"  # every 2nd Wednesday, January to August 2027
FEED_BASE = "https://kuemmerer.example.org"


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall time in Berlin."""
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
    """A meeting row of ``committee`` from ``start``, ``minutes`` long, not yet added."""
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
            room_id=STEUERUNG_ROOM,
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
        cancelled.status = MeetingStatus.CANCELLED
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
    """The calendar file of ``committee`` from ``since`` on, and the rows it was built from."""
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
    """The events of ``calendar`` with the UID ``uid`` (a series and its exceptions)."""
    return [event for event in calendar.walk("VEVENT") if str(event["UID"]) == uid]


class FeedDesk:
    """The real dispatcher and registry on SQLite, with the feed switched on or off."""

    def __init__(self, database: Database, feed_base_url: str = FEED_BASE) -> None:
        self.database = database
        self.clock = ManualClock(NEW_YEAR)
        dispatcher = Dispatcher(
            build_registry(),
            Translator("en", BERLIN),
            self.clock,
            "!",
            "@bot:localhost",
            feed_base_url=feed_base_url,
        )
        # The bot's unit of work around the real dispatcher.
        self.dispatcher = CommandWork(dispatcher, self.store, self.clock)

    @asynccontextmanager
    async def store(self) -> AsyncIterator[Store]:
        """A unit of work on the desk's database, committed at the end."""
        async with self.database.session() as session:
            yield Store(session)

    async def reply(
        self, command: str, room: str = TEAM_ROOM, role: Role = Role.TEAM, sender: str = ANNA
    ) -> Reply:
        """The answer to ``command`` from ``sender`` in ``room`` (team room or a committee's)."""
        kind = RoomKind.TEAM if room == TEAM_ROOM else RoomKind.GROUP
        reply = await self.dispatcher.respond(Request(sender, room, kind, role, command))
        assert reply is not None
        return reply

    async def audit(self) -> list[AuditEntry]:
        """The last 100 entries of the audit log, oldest first."""
        async with self.store() as store:
            return await store.audit.latest(100)

    async def feed_token(self, room: str = BEIRAT_ROOM) -> str:
        """The feed token of the committee of ``room`` (empty while it has no feed)."""
        async with self.store() as store:
            committee = await store.committees.for_room(room)
            assert committee is not None
            return committee.feed_token


def plain(reply: Reply) -> str:
    """The plain text of ``reply``'s blocks, one a line."""
    return "\n".join(block.content.plain for block in reply.blocks)  # type: ignore[union-attr]
