"""The outbox sender through an outage and through failing sends: it waits for the homeserver
instead of hammering it, logs an outage once, drops nothing, and a post delivered well after
its due moment says so (real database, a stand-in homeserver)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.matrix import HomeserverUnreachable, Reachability, SendFailed
from bot.outbox import OutboxSender
from commands.framework.clock import ManualClock
from commands.framework.i18n import Translator
from storage.database import Database
from storage.outbox import OutboxState
from storage.repositories import Store
from tests.support.outbox import NOW, ROOM_A, ROOM_B, no_wait
from tests.support.storage_reads import outbox_in_states


class FlakyHomeserver:
    """A stand-in that refuses every send while ``down`` (as a stopped Synapse does) and
    otherwise answers, de-duplicating transaction ids like Synapse for one device."""

    def __init__(self) -> None:
        self.down = False
        self.attempts = 0
        self.failures: dict[str, list[Exception]] = {}  # body -> errors to raise first
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.by_txn: dict[str, str] = {}
        self.tried = asyncio.Event()

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str | None = None) -> str:
        self.attempts += 1
        self.tried.set()
        if self.down:
            raise HomeserverUnreachable("ClientConnectorError: connection refused")
        failures = self.failures.get(str(content.get("body")))
        if failures:
            raise failures.pop(0)
        assert txn_id is not None
        if txn_id not in self.by_txn:
            self.sent.append((room_id, content))
            self.by_txn[txn_id] = f"$event{len(self.sent)}"
        return self.by_txn[txn_id]

    async def upload(
        self, room_id: str, filename: str, mimetype: str, data: bytes
    ) -> dict[str, Any]:
        raise AssertionError("no files here")


async def owe_notice(
    database: Database, key: str, room_id: str, body: str, due_at: datetime | None = None
) -> None:
    content = {
        "msgtype": "m.notice",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": f"<p>{body}</p>",
    }
    # Owed when it fell due (the bot was up then): only its way out is held up.
    written_at = due_at or NOW
    async with database.session() as session:
        assert await Store(session).outbox.add(key, room_id, content, written_at, due_at=due_at)


async def pending(database: Database) -> int:
    async with database.session() as session:
        rows = await outbox_in_states(session, [OutboxState.PENDING])
    return len(rows)


async def test_while_the_homeserver_is_away_the_sender_waits_for_the_sync_and_loses_nothing(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Sends refused because nothing answers are not repeated blindly: each room tries once,
    waits until the sync loop reaches the homeserver again, then sends everything once; the
    outage is logged once, not per attempt."""
    await owe_notice(database, "a1", ROOM_A, "first for a")
    await owe_notice(database, "a2", ROOM_A, "second for a")
    await owe_notice(database, "b1", ROOM_B, "for b")
    homeserver = FlakyHomeserver()
    homeserver.down = True
    reachability = Reachability()
    sender = OutboxSender(
        database, homeserver, ManualClock(NOW), sleep=no_wait, reachability=reachability
    )
    with caplog.at_level(logging.INFO):
        sender.start()
        try:
            async with asyncio.timeout(5):
                while homeserver.attempts < 2:
                    await homeserver.tried.wait()
                    homeserver.tried.clear()
            for _ in range(50):  # a sender that did not wait would try again and again here
                await asyncio.sleep(0)
            assert homeserver.attempts == 2 and reachability.down
            homeserver.down = False
            # What the sync loop reports once a sync gets through.
            reachability.synced(reachability.sync_started())
            sender.wake()
            await asyncio.wait_for(sender.idle.wait(), 5)
        finally:
            await sender.stop()
    in_a = [content["body"] for room, content in homeserver.sent if room == ROOM_A]
    assert in_a == ["first for a", "second for a"]  # a room's order survives the outage
    assert len(homeserver.sent) == 3
    assert await pending(database) == 0
    lines = [record.getMessage() for record in caplog.records]
    assert sum("homeserver unreachable" in line for line in lines) == 1, lines
    assert sum("homeserver answers again" in line for line in lines) == 1, lines


async def test_a_send_failing_again_and_again_is_retried_until_it_goes_and_logged_once(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Eight server errors in a row do not drop a reply: it goes out on the ninth try, once,
    and the log has one warning about it rather than eight."""
    await owe_notice(database, "reply", ROOM_A, "the answer")
    homeserver = FlakyHomeserver()
    homeserver.failures["the answer"] = [SendFailed("502: bad gateway") for _ in range(8)]
    sender = OutboxSender(database, homeserver, ManualClock(NOW), sleep=no_wait)
    with caplog.at_level(logging.INFO, logger="bot.outbox"):
        sender.start()
        try:
            await asyncio.wait_for(sender.idle.wait(), 5)
        finally:
            await sender.stop()
    assert [content["body"] for _, content in homeserver.sent] == ["the answer"]
    assert homeserver.attempts == 9
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "not sent yet" in warnings[0].getMessage()


async def test_a_post_delivered_well_after_it_was_due_says_so(database: Database) -> None:
    """A post sent two minutes after its due moment carries the note with that moment, in
    German as configured; one only seconds late and a reply (no due moment) go out as written."""
    await owe_notice(
        database, "late", ROOM_A, "Erinnerung: Bericht", due_at=NOW - timedelta(minutes=2)
    )
    await owe_notice(
        database, "on-time", ROOM_A, "Erinnerung: Anruf", due_at=NOW - timedelta(seconds=5)
    )
    await owe_notice(database, "reply", ROOM_A, "Antwort")
    homeserver = FlakyHomeserver()
    german = Translator("de", ZoneInfo("Europe/Berlin"))
    sender = OutboxSender(database, homeserver, ManualClock(NOW), sleep=no_wait, translator=german)
    sender.start()
    try:
        await asyncio.wait_for(sender.idle.wait(), 5)
    finally:
        await sender.stop()
    late, on_time, reply = (content for _, content in homeserver.sent)
    note = "(Verspätet zugestellt; geplant für Mo, 08.03.2027, 09:58 Uhr.)"
    assert late["body"] == f"Erinnerung: Bericht\n{note}"
    assert late["formatted_body"] == f"<p>Erinnerung: Bericht</p><p>{note}</p>"
    assert on_time["body"] == "Erinnerung: Anruf"
    assert reply["body"] == "Antwort"


def test_a_long_poll_answered_while_the_homeserver_shuts_down_does_not_end_the_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A sync that began before the homeserver went away and still got its answer does not
    count as the homeserver being back; one that began afterwards does, and the outage is
    logged once, with its end once."""
    now = [100.0]
    reachability = Reachability(monotonic=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="bot.matrix"):
        long_poll = reachability.sync_started()
        now[0] = 101.0
        reachability.unreachable("connection refused")
        now[0] = 102.0
        reachability.synced(long_poll)
        assert reachability.down
        reachability.unreachable("connection refused")
        now[0] = 161.0
        reachability.synced(reachability.sync_started())
        assert not reachability.down
    assert [record.getMessage() for record in caplog.records] == [
        "homeserver unreachable (connection refused); retrying until it answers",
        "homeserver answers again after 60 s",
    ]
