"""The outbox: owed once, sent once per transaction id, in order per room, rooms side by side."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.matrix import SendFailed, SendRefused
from bot.outbox import OutboxSender
from bot.scheduler import ScheduledRun, SchedulerService, occurrence_key
from commands.framework.clock import ManualClock
from storage.database import Database
from storage.models import OutboxMessage
from storage.outbox import OutboxFile, OutboxRepository, OutboxState
from storage.repositories import Store
from storage.schedule import Claim, LedgerStatus, ScheduleRepository
from tests.support.outbox import NOW, ROOM_A, ROOM_B, no_wait
from tests.support.storage_reads import ledger_rows, outbox_in_states


class Homeserver:
    """A stand-in for the gateway that records sends and de-duplicates transaction ids like
    Synapse does for one device."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []  # (room, body) as posted
        self.by_txn: dict[str, str] = {}
        self.failures: dict[str, list[Exception]] = {}  # body -> errors to raise first
        self.held: dict[str, asyncio.Event] = {}  # room -> released when set
        self.uploads: list[str] = []

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str | None = None) -> str:
        if room_id in self.held:
            await self.held[room_id].wait()
        body = str(content.get("body"))
        if self.failures.get(body):
            raise self.failures[body].pop(0)
        assert txn_id is not None
        if txn_id not in self.by_txn:
            self.events.append((room_id, body))
            self.by_txn[txn_id] = f"$event{len(self.events)}"
        return self.by_txn[txn_id]

    async def upload(
        self, room_id: str, filename: str, mimetype: str, data: bytes
    ) -> dict[str, Any]:
        self.uploads.append(filename)
        return {"msgtype": "m.file", "body": filename, "url": "mxc://localhost/x"}


async def owe(database: Database, key: str, room_id: str, body: str) -> bool:
    async with database.session() as session:
        return await Store(session).outbox.add(key, room_id, {"body": body}, NOW) is not None


async def states(database: Database) -> list[tuple[str, str]]:
    async with database.session() as session:
        rows = await outbox_in_states(session, list(OutboxState))
    return [(row.key, row.state) for row in rows]


async def send_all(
    database: Database,
    homeserver: Homeserver,
    sleep: Callable[[float], Awaitable[None]] = no_wait,
    meanwhile: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Run a sender until nothing is left to send (after ``meanwhile``, if given)."""
    sender = OutboxSender(database, homeserver, ManualClock(NOW), sleep=sleep)
    sender.start()
    try:
        if meanwhile is not None:
            await meanwhile()
        sender.wake()
        await asyncio.wait_for(sender.idle.wait(), 5)
    finally:
        await sender.stop()


async def test_a_message_is_owed_once_per_key(database: Database) -> None:
    """Writing the same key again (its cause ran twice) adds no second message."""
    assert await owe(database, "reply:$1#0", ROOM_A, "Hallo") is True
    assert await owe(database, "reply:$1#0", ROOM_A, "Hallo") is False
    assert await states(database) == [("reply:$1#0", "pending")]


async def test_nothing_is_owed_when_the_work_is_rolled_back(database: Database) -> None:
    """A crash before the commit leaves no message behind, like the work it belonged to."""
    with pytest.raises(RuntimeError):
        async with database.session() as session:
            await Store(session).outbox.add("reply:$1#0", ROOM_A, {"body": "x"}, NOW)
            raise RuntimeError("killed before the commit")
    assert await states(database) == []


async def test_pending_messages_are_sent_in_order_and_marked(database: Database) -> None:
    """The sender posts a room's messages in the order they were owed and marks each sent."""
    for number in range(3):
        await owe(database, f"k{number}", ROOM_A, f"m{number}")
    homeserver = Homeserver()
    await send_all(database, homeserver)
    assert homeserver.events == [(ROOM_A, "m0"), (ROOM_A, "m1"), (ROOM_A, "m2")]
    assert await states(database) == [("k0", "sent"), ("k1", "sent"), ("k2", "sent")]


async def test_a_slow_room_does_not_hold_up_another(database: Database) -> None:
    """While room A's send hangs, room B's message goes out."""
    await owe(database, "a", ROOM_A, "for a")
    await owe(database, "b", ROOM_B, "for b")
    homeserver = Homeserver()
    homeserver.held[ROOM_A] = asyncio.Event()

    async def b_before_a() -> None:
        async with asyncio.timeout(5):
            while (ROOM_B, "for b") not in homeserver.events:
                await asyncio.sleep(0.01)
        assert (ROOM_A, "for a") not in homeserver.events
        homeserver.held[ROOM_A].set()

    await send_all(database, homeserver, meanwhile=b_before_a)
    assert sorted(homeserver.events) == [(ROOM_A, "for a"), (ROOM_B, "for b")]


async def test_a_passing_failure_is_retried_and_keeps_the_order(database: Database) -> None:
    """A send that fails for a passing reason is tried again, and the next one waits for it."""
    await owe(database, "first", ROOM_A, "first")
    await owe(database, "second", ROOM_A, "second")
    homeserver = Homeserver()
    homeserver.failures["first"] = [SendFailed("502"), SendFailed("502"), SendFailed("502")]
    await send_all(database, homeserver)
    assert homeserver.events == [(ROOM_A, "first"), (ROOM_A, "second")]


async def test_a_refused_message_is_given_up_and_logged_the_rest_goes_on(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A room that refuses for good (bot kicked) ends that send, logged; later ones still go."""
    await owe(database, "gone", ROOM_A, "to a kicked bot")
    await owe(database, "next", ROOM_A, "after")
    homeserver = Homeserver()
    homeserver.failures["to a kicked bot"] = [SendRefused("M_FORBIDDEN")]
    await send_all(database, homeserver)
    assert homeserver.events == [(ROOM_A, "after")]
    assert await states(database) == [("gone", "failed"), ("next", "sent")]
    assert "refused for good" in caplog.text and "to a kicked bot" not in caplog.text


class CountingReads:
    """Counts the sender's reads of one room's next message (a hand-over needs none)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads = 0
        original = OutboxRepository.next_pending

        async def counted(repository: OutboxRepository, room_id: str) -> OutboxMessage | None:
            self.reads += 1
            return await original(repository, room_id)

        monkeypatch.setattr(OutboxRepository, "next_pending", counted)


async def owe_and_hand_over(database: Database, sender: OutboxSender, key: str, body: str) -> None:
    """Write a message as a command does, and hand the committed row to the sender."""
    async with database.session() as session:
        message = await Store(session).outbox.add(key, ROOM_A, {"body": body}, NOW)
    assert message is not None
    sender.wake([message])


async def test_a_committed_reply_is_handed_over_and_sent_without_reading_it_back(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A room owed nothing else gets its new message straight from the command: it is sent
    before the sender reads the outbox again, and marked sent once."""
    homeserver = Homeserver()
    sender = OutboxSender(database, homeserver, ManualClock(NOW), sleep=no_wait)
    sender.start()
    try:
        await asyncio.wait_for(sender.idle.wait(), 5)  # the first look at the outbox is done
        counting = CountingReads(monkeypatch)
        await owe_and_hand_over(database, sender, "reply:$1#0", "Hallo")
        async with asyncio.timeout(5):
            while homeserver.events != [(ROOM_A, "Hallo")]:
                await asyncio.sleep(0.001)
        reads_before_the_send = counting.reads
        await asyncio.wait_for(sender.idle.wait(), 5)
    finally:
        await sender.stop()
    assert reads_before_the_send == 0
    assert homeserver.events == [(ROOM_A, "Hallo")]
    assert await states(database) == [("reply:$1#0", "sent")]


async def test_a_handed_over_reply_waits_behind_what_the_room_was_owed_before(
    database: Database,
) -> None:
    """While a room is still owed an older message (its send fails for now), a new reply
    handed over goes out after it, not before."""
    homeserver = Homeserver()
    homeserver.failures["older"] = [SendFailed("502"), SendFailed("502")]
    release = asyncio.Event()

    async def slow_retry(seconds: float) -> None:
        await release.wait()

    await owe(database, "older", ROOM_A, "older")
    sender = OutboxSender(database, homeserver, ManualClock(NOW), sleep=slow_retry)
    sender.start()
    try:
        async with asyncio.timeout(5):  # until the first try has failed
            while len(homeserver.failures["older"]) > 1:
                await asyncio.sleep(0.001)
        await owe_and_hand_over(database, sender, "reply:$2#0", "newer")
        release.set()
        await asyncio.wait_for(sender.idle.wait(), 5)
    finally:
        await sender.stop()
    assert homeserver.events == [(ROOM_A, "older"), (ROOM_A, "newer")]


async def test_a_resend_after_a_crash_uses_the_same_transaction_id(database: Database) -> None:
    """Sent but not marked (killed in between): the next sender repeats the same transaction
    id, which the homeserver answers with the first event, so nothing is doubled."""
    await owe(database, "k", ROOM_A, "once")
    homeserver = Homeserver()
    async with database.session() as session:
        [message] = await outbox_in_states(session, [OutboxState.PENDING])
    await homeserver.send(ROOM_A, {"body": "once"}, message.txn_id)  # then the kill
    await send_all(database, homeserver)
    assert homeserver.events == [(ROOM_A, "once")]
    assert await states(database) == [("k", "sent")]


async def test_an_event_back_in_sync_confirms_its_message(database: Database) -> None:
    """The bot's own event carrying the transaction id marks the message sent: not sent again."""
    await owe(database, "k", ROOM_A, "once")
    async with database.session() as session:
        [message] = await outbox_in_states(session, [OutboxState.PENDING])
        confirmed = await Store(session).outbox.confirm(
            {message.txn_id: "$ev", "other": "$x"}, NOW
        )
    assert confirmed == 1
    homeserver = Homeserver()
    await send_all(database, homeserver)
    assert homeserver.events == []
    assert await states(database) == [("k", "sent")]


async def test_a_file_is_uploaded_when_it_is_sent(database: Database) -> None:
    """An owed file is uploaded by the sender and posted; its bytes are not kept afterwards."""
    async with database.session() as session:
        file = OutboxFile("termine.ics", "text/calendar", b"BEGIN:VCALENDAR")
        await Store(session).outbox.add("file", ROOM_A, {}, NOW, file)
    homeserver = Homeserver()
    await send_all(database, homeserver)
    assert homeserver.uploads == ["termine.ics"]
    assert homeserver.events == [(ROOM_A, "termine.ics")]
    async with database.session() as session:
        [message] = await outbox_in_states(session, [OutboxState.SENT])
    assert message.file_data is None


async def test_an_occurrence_interrupted_by_a_crash_is_posted_once_at_start(
    database: Database,
) -> None:
    """A claim left behind by a kill runs again at the next start; its post, already owed
    under the occurrence's key, is not owed twice."""
    runs: list[ScheduledRun] = []

    async def post(run: ScheduledRun) -> None:
        runs.append(run)
        await owe(database, occurrence_key(run), ROOM_A, "Erinnerung")

    clock = ManualClock(NOW)
    service = SchedulerService(database, clock, timedelta(hours=1), {"test.post": post})
    await service.schedule(entry_id="once", kind="test.post", first_at=NOW)
    async with database.session() as session:
        await ScheduleRepository(session).claim_all(
            [Claim("once", NOW, LedgerStatus.CLAIMED)], NOW
        )
    interrupted = ScheduledRun("once", "test.post", {}, NOW, None)
    await owe(database, occurrence_key(interrupted), ROOM_A, "Erinnerung")  # then the kill

    assert await service.resume_interrupted() == 1
    assert await service.resume_interrupted() == 0
    assert await service.run_due() == 0
    assert len(runs) == 1
    assert await states(database) == [(occurrence_key(interrupted), "pending")]
    async with database.session() as session:
        [row] = await ledger_rows(session, "once")
    assert row.status == LedgerStatus.SENT


async def test_a_clean_stop_first_sends_what_is_owed(database: Database) -> None:
    """drain() returns once the last owed message is out, so a clean stop leaves none behind."""
    homeserver = Homeserver()
    sender = OutboxSender(database, homeserver, ManualClock(NOW))
    sender.start()
    try:
        await owe(database, "last", ROOM_A, "the last answer")
        assert await sender.drain(5) is True
    finally:
        await sender.stop()
    assert homeserver.events == [(ROOM_A, "the last answer")]
