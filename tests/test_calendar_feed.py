"""The calendar feed server over loopback HTTP, and the command line's calendar export."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import icalendar
import pytest

from bot.config import HttpConfig
from bot.feed import FeedServer
from commands.framework.clock import ManualClock
from commands.framework.i18n import Translator
from commands.framework.registry import Role
from storage.database import Database
from tests.support.calendar import (
    NEW_YEAR,
    FeedDesk,
    events_with_uid,
    schedule_beirat,
)
from tests.support.cli import run_cli, write_minimal_config
from tests.support.names import BEIRAT_ROOM, BERLIN

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
    config = write_minimal_config(tmp_path, database.url, language="en")
    target = tmp_path / "beirat.ics"

    status = await run_cli(
        *("export", "--config", str(config), "--kind", "meetings", "--format", "ics"),
        *("--committee", "BB", "--output", str(target)),
    )

    assert status == 0
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert events_with_uid(calendar, beirat.series.uid)
    assert not events_with_uid(calendar, beirat.other.uid)
    refused = await run_cli(
        "export", "--config", str(config), "--kind", "persons", "--format", "ics"
    )
    assert refused == 2
