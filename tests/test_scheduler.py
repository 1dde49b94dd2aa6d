"""The scheduler: idempotent firing, catch-up after downtime, DST, housekeeping, wiring."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.scheduler import (
    HOUSEKEEPING_ENTRY_ID,
    HOUSEKEEPING_KIND,
    JobHandler,
    ScheduledRun,
    SchedulerService,
    ensure_housekeeping,
    housekeeping_handlers,
)
from commands.dates.recurrence import next_occurrence, occurrences
from commands.framework.clock import ManualClock, SystemClock
from storage.database import Database
from storage.models import HandledEvent, ScheduleEntry, SentLedger
from storage.repositories import Store
from storage.schedule import LedgerStatus, ScheduleRepository
from tests.support.names import BERLIN
from tests.support.scheduling import GRACE, POST, START, Recorder
from tests.support.storage_reads import ledger_rows

BOOM = "test.boom"


async def explode(run: ScheduledRun) -> None:
    """A handler that always fails."""
    raise RuntimeError(f"cannot post {run.entry_id}")


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A real SQLite file brought to the newest schema by Alembic."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'kuemmerer.db'}")
    await db.migrate()
    yield db
    await db.dispose()


def make_service(
    sqlite_database: Database, clock: ManualClock | SystemClock, handlers: dict[str, JobHandler]
) -> SchedulerService:
    return SchedulerService(sqlite_database, clock, GRACE, handlers)


async def ledger(sqlite_database: Database, entry_id: str) -> list[SentLedger]:
    async with sqlite_database.session() as session:
        return await ledger_rows(session, entry_id)


def transient_entry(first_at: datetime, rule: str) -> ScheduleEntry:
    return ScheduleEntry(
        id="weekly",
        kind=POST,
        first_at=first_at,
        rule=rule,
        timezone="Europe/Berlin",
        payload={},
        active=True,
        created_at=first_at,
    )


async def test_due_one_shot_runs_once_despite_repeated_and_double_fire(
    sqlite_database: Database,
) -> None:
    """A due one-shot runs exactly once: run_due twice and two services on one DB."""
    clock = ManualClock(START)
    first, second = Recorder(), Recorder()
    service_a = make_service(sqlite_database, clock, {POST: first})
    service_b = make_service(sqlite_database, clock, {POST: second})
    await service_a.schedule(
        entry_id="post-1", kind=POST, first_at=START + timedelta(minutes=5), payload={"n": 1}
    )

    assert await service_a.run_due() == 0  # not yet due
    clock.advance(timedelta(minutes=5))
    ran = await asyncio.gather(service_a.run_due(), service_b.run_due())
    assert sorted(ran) == [0, 1]
    assert await service_a.run_due() == 0
    assert await service_b.run_due() == 0

    runs = first.runs + second.runs
    assert len(runs) == 1
    assert runs[0].occurrence == START + timedelta(minutes=5)
    assert runs[0].payload == {"n": 1}
    assert runs[0].late_by is None
    assert [(row.status, row.occurrence) for row in await ledger(sqlite_database, "post-1")] == [
        (LedgerStatus.SENT, START + timedelta(minutes=5))
    ]


async def test_restart_does_not_repeat_and_catches_up_within_grace(
    sqlite_database: Database,
) -> None:
    """Restart: ran occurrences stay done; missed ones run late within grace, else `missed`."""
    clock = ManualClock(START)
    before = Recorder()
    service = make_service(sqlite_database, clock, {POST: before})
    await service.start()
    await service.schedule(
        entry_id="hourly", kind=POST, first_at=START + timedelta(hours=1), rule="FREQ=HOURLY"
    )
    clock.advance(timedelta(hours=1))
    assert await service.run_due() == 1
    await service.shutdown()

    # Same moment, new process: the 10:00 occurrence is in the ledger and must not repeat.
    again = Recorder()
    restarted = make_service(sqlite_database, clock, {POST: again})
    await restarted.start()
    await restarted.shutdown()
    assert again.runs == []

    # Down from 09:00 to 12:30 UTC: 10:00 and 11:00 are beyond the hour of grace, 12:00 is not.
    clock.advance(timedelta(hours=3, minutes=30))
    after = Recorder()
    revived = make_service(sqlite_database, clock, {POST: after})
    await revived.start()
    await revived.shutdown()

    assert [(run.occurrence, run.late_by) for run in after.runs] == [
        (START + timedelta(hours=4), timedelta(minutes=30))
    ]
    assert [(row.occurrence, row.status) for row in await ledger(sqlite_database, "hourly")] == [
        (START + timedelta(hours=1), LedgerStatus.SENT),
        (START + timedelta(hours=2), LedgerStatus.MISSED),
        (START + timedelta(hours=3), LedgerStatus.MISSED),
        (START + timedelta(hours=4), LedgerStatus.LATE),
    ]


def test_weekly_rule_keeps_local_time_across_spring_dst() -> None:
    """Weekly Monday 09:00 Berlin is 08:00 UTC before 2027-03-28 and 07:00 UTC after."""
    entry = transient_entry(datetime(2027, 3, 15, 9, 0, tzinfo=BERLIN), "FREQ=WEEKLY;BYDAY=MO")
    before = next_occurrence(entry, datetime(2027, 3, 16, tzinfo=UTC))
    after = next_occurrence(entry, datetime(2027, 3, 23, tzinfo=UTC))
    assert before == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
    assert after == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    listed = list(
        occurrences(entry, datetime(2027, 3, 15, tzinfo=UTC), datetime(2027, 4, 6, tzinfo=UTC))
    )
    assert [moment.astimezone(BERLIN).hour for moment in listed] == [9, 9, 9, 9]
    assert [moment.hour for moment in listed] == [8, 8, 7, 7]


def test_spring_gap_wall_time_is_not_doubled() -> None:
    """A half-hourly rule through the spring gap yields ascending, unique UTC instants."""
    entry = transient_entry(
        datetime(2027, 3, 28, 1, 0, tzinfo=BERLIN), "FREQ=MINUTELY;INTERVAL=30"
    )
    listed = list(
        occurrences(
            entry, datetime(2027, 3, 28, 0, 0, tzinfo=UTC), datetime(2027, 3, 28, 2, 0, tzinfo=UTC)
        )
    )
    # Every half hour in UTC: the gap's 02:00/02:30 land on what 03:00/03:30 CEST would be.
    assert listed == [
        datetime(2027, 3, 28, 0, 0, tzinfo=UTC) + timedelta(minutes=30 * n) for n in range(5)
    ]


async def test_weekly_run_keeps_local_time_across_autumn_dst(sqlite_database: Database) -> None:
    """Weekly Monday 09:00 Berlin runs at 07:00 UTC on 2027-10-25 and 08:00 UTC on 11-01."""
    clock = ManualClock(datetime(2027, 10, 20, tzinfo=UTC))
    recorder = Recorder()
    service = make_service(sqlite_database, clock, {POST: recorder})
    await service.schedule(
        entry_id="weekly",
        kind=POST,
        first_at=datetime(2027, 10, 25, 9, 0, tzinfo=BERLIN),
        rule="FREQ=WEEKLY;BYDAY=MO",
    )
    clock.set(datetime(2027, 10, 25, 7, 0, tzinfo=UTC))
    assert await service.run_due() == 1
    clock.set(datetime(2027, 11, 1, 7, 0, tzinfo=UTC))  # 08:00 local: an hour early now
    assert await service.run_due() == 0
    clock.set(datetime(2027, 11, 1, 8, 0, tzinfo=UTC))
    assert await service.run_due() == 1
    assert [run.occurrence for run in recorder.runs] == [
        datetime(2027, 10, 25, 7, 0, tzinfo=UTC),
        datetime(2027, 11, 1, 8, 0, tzinfo=UTC),
    ]
    assert all(run.late_by is None for run in recorder.runs)


async def test_housekeeping_prunes_old_handled_events(sqlite_database: Database) -> None:
    """The daily 03:30 housekeeping job forgets handled events older than 30 days only."""
    clock = ManualClock(datetime(2027, 6, 1, 12, 0, tzinfo=UTC))
    service = make_service(sqlite_database, clock, housekeeping_handlers(sqlite_database))
    async with sqlite_database.session() as session:
        sync = Store(session).sync
        await sync.mark_handled("$old", "!room:x", clock.now() - timedelta(days=45))
        await sync.mark_handled("$new", "!room:x", clock.now() - timedelta(days=2))
    assert await ensure_housekeeping(service) is True
    assert await ensure_housekeeping(service) is False

    clock.set(datetime(2027, 6, 2, 1, 30, tzinfo=UTC))  # 03:30 in Berlin (summer time)
    assert await service.run_due() == 1

    async with sqlite_database.session() as session:
        remaining = {row.event_id for row in await session.scalars(select(HandledEvent))}
    assert remaining == {"$new"}
    rows = await ledger(sqlite_database, HOUSEKEEPING_ENTRY_ID)
    assert [(row.occurrence, row.status) for row in rows] == [
        (datetime(2027, 6, 2, 1, 30, tzinfo=UTC), LedgerStatus.SENT)
    ]
    async with sqlite_database.session() as session:
        entry = await ScheduleRepository(session).get(HOUSEKEEPING_ENTRY_ID)
    assert entry is not None and entry.kind == HOUSEKEEPING_KIND


async def test_failing_handler_is_recorded_and_others_still_run(
    sqlite_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A raising handler is logged and recorded `failed`; the other due entry still runs."""
    clock = ManualClock(START)
    recorder = Recorder()
    service = make_service(sqlite_database, clock, {POST: recorder, BOOM: explode})
    due = START + timedelta(minutes=1)
    await service.schedule(entry_id="a-boom", kind=BOOM, first_at=due)
    await service.schedule(entry_id="b-post", kind=POST, first_at=due)
    clock.set(due)

    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        assert await service.run_due() == 2

    assert [run.entry_id for run in recorder.runs] == ["b-post"]
    assert [row.status for row in await ledger(sqlite_database, "a-boom")] == [LedgerStatus.FAILED]
    assert [row.status for row in await ledger(sqlite_database, "b-post")] == [LedgerStatus.SENT]
    failures = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert [str(error) for error in failures] == ["cannot post a-boom"]
    assert await service.run_due() == 0  # at most once: a failure is not retried


async def test_apscheduler_fires_one_shot_in_real_time(sqlite_database: Database) -> None:
    """Wiring: a one-shot ~1 s ahead is really fired by APScheduler and ledgered `sent`."""
    fired = asyncio.Event()
    recorder = Recorder()
    clock = SystemClock()
    fired_at: list[datetime] = []

    async def post(run: ScheduledRun) -> None:
        await recorder(run)
        fired_at.append(clock.now())
        fired.set()

    service = make_service(sqlite_database, clock, {POST: post})
    await service.start()
    try:
        at = clock.now() + timedelta(seconds=1)
        await service.schedule(entry_id="soon", kind=POST, first_at=at)
        await asyncio.wait_for(fired.wait(), timeout=10)
    finally:
        await service.shutdown()  # waits for the ledger update after the handler

    assert [run.occurrence for run in recorder.runs] == [at]
    assert at <= fired_at[0] < at + timedelta(seconds=5)  # fired by the trigger, not at once
    assert [row.status for row in await ledger(sqlite_database, "soon")] == [LedgerStatus.SENT]


async def test_schedule_rejects_entries_that_never_fire_and_cancel_stops(
    sqlite_database: Database,
) -> None:
    """schedule() refuses naive/past/invalid entries; a cancelled entry no longer runs."""
    clock = ManualClock(START)
    recorder = Recorder()
    service = make_service(sqlite_database, clock, {POST: recorder})
    with pytest.raises(ValueError, match="aware"):
        await service.schedule(entry_id="x", kind=POST, first_at=datetime(2027, 1, 5))
    with pytest.raises(ValueError, match="never fire"):
        await service.schedule(entry_id="x", kind=POST, first_at=START - timedelta(minutes=1))
    with pytest.raises(ValueError, match="invalid rule"):
        await service.schedule(entry_id="x", kind=POST, first_at=START, rule="FREQ=SOMETIMES")
    with pytest.raises(ValueError, match="time zone"):
        await service.schedule(entry_id="x", kind=POST, first_at=START, timezone="Mars/Olympus")

    await service.schedule(entry_id="daily", kind=POST, first_at=START, rule="FREQ=DAILY")
    assert await service.run_due() == 1
    assert await service.cancel("daily") is True
    assert await service.cancel("unknown") is False
    clock.advance(timedelta(days=1))
    assert await service.run_due() == 0
    assert len(recorder.runs) == 1
