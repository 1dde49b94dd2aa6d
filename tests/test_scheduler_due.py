"""The scheduler reads what is due, not what exists: each entry's stored next moment, one
transaction claiming a wake-up's occurrences, two processes never running one twice, and
scheduled effects that a run after a crash does not repeat. On each backend."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import event, select, text, update

from bot.posting import ScheduledPost, job_handlers
from bot.scheduler import SchedulerService
from commands.framework.clock import ManualClock
from commands.meetings.schedule import MeetingOver
from storage.database import Database, alembic_config
from storage.models import AgendaItem, OutboxMessage, ScheduleEntry, SentLedger
from storage.repositories import Store
from storage.schedule import LedgerStatus, ScheduleRepository
from tests.support.committees import beirat_with_a_meeting, member, organiser
from tests.support.scheduling import GRACE, POST, START, PostBox, Recorder, scheduler_for
from tests.support.statements import counted_statements
from tests.support.storage_reads import ledger_rows


@contextmanager
def loaded_entries() -> Iterator[list[str]]:
    """The ids of the schedule entries read from the database inside the block."""
    loaded: list[str] = []

    def note(entry: ScheduleEntry, _context: Any) -> None:
        loaded.append(entry.id)

    event.listen(ScheduleEntry, "load", note)
    try:
        yield loaded
    finally:
        event.remove(ScheduleEntry, "load", note)


async def fill(database: Database, count: int, due: int) -> None:
    """``count`` daily entries written as a command writes them; ``due`` of them fall due
    ten minutes after START, the others at noon a day later."""
    async with database.session() as session:
        schedule = ScheduleRepository(session)
        for number in range(count):
            soon = number < due
            await schedule.put(
                entry_id=f"post:{number:05d}",
                kind=POST,
                first_at=START + (timedelta(minutes=10) if soon else timedelta(days=1, hours=4)),
                now=START,
                rule="FREQ=DAILY",
            )


async def wake_up(database: Database, count: int) -> tuple[list[str], list[str], list[str]]:
    """The statements of one wake-up (its run and setting the timer) among ``count`` entries
    of which three are due, the entries it read, and those whose handlers ran."""
    await fill(database, count, due=3)
    clock = ManualClock(START)
    recorder = Recorder()
    service = SchedulerService(database, clock, GRACE, {POST: recorder})
    await service.start()
    try:
        clock.set(START + timedelta(minutes=10))
        with counted_statements(database) as statements, loaded_entries() as read:
            await service.run_due()
            await service.refresh()
    finally:
        await service.shutdown()
    return statements, read, [run.entry_id for run in recorder.runs]


async def test_a_wake_up_costs_the_same_among_ten_or_two_thousand_entries(
    database: Database, storage_url: str, tmp_path: Path, backend: str
) -> None:
    """A wake-up with three entries due sends the same statements whether 10 or 2,000 entries
    exist, and reads only the three entries due by now."""
    few, read_among_few, ran_among_few = await wake_up(database, 10)
    # The same three due entries, among many more, in a second fresh database of the backend.
    if backend == "sqlite":
        other = Database(f"sqlite+aiosqlite:///{tmp_path / 'many.db'}")
        await other.migrate()
    else:
        other = Database(storage_url)
        async with other.session() as session:
            await session.execute(text("DELETE FROM sent_ledger"))
            await session.execute(text("DELETE FROM schedule_entry"))
    try:
        many, read_among_many, ran_among_many = await wake_up(other, 2000)
    finally:
        await other.dispose()

    expected = ["post:00000", "post:00001", "post:00002"]
    assert ran_among_few == ran_among_many == expected
    assert sorted(read_among_few) == sorted(read_among_many) == expected
    assert len(few) == len(many)
    # A handful, none of them per entry: read due, read their ledger, advance three, claim,
    # record the outcomes, read the soonest moment.
    assert len(many) <= 10


async def test_two_processes_never_run_one_occurrence_twice(database: Database) -> None:
    """Two schedulers on one database waking at the same moment run each of twenty due
    occurrences exactly once between them, and the ledger says so."""
    async with database.session() as session:
        schedule = ScheduleRepository(session)
        for number in range(20):
            await schedule.put(
                entry_id=f"post:{number:02d}",
                kind=POST,
                first_at=START + timedelta(minutes=5),
                now=START,
            )
    clock = ManualClock(START + timedelta(minutes=5))
    first, second = Recorder(), Recorder()
    one = SchedulerService(database, clock, GRACE, {POST: first})
    other = SchedulerService(database, clock, GRACE, {POST: second})

    ran = await asyncio.gather(one.run_due(), other.run_due())

    assert sum(ran) == 20
    entries = sorted(run.entry_id for run in first.runs + second.runs)
    assert entries == [f"post:{number:02d}" for number in range(20)]
    async with database.session() as session:
        statuses = list(await session.scalars(select(SentLedger.status)))
    assert statuses == [LedgerStatus.SENT] * 20
    assert await one.run_due() == await other.run_due() == 0


async def test_an_entry_fires_even_if_its_timer_was_never_set(database: Database) -> None:
    """An entry a command committed just before a crash (so nothing re-armed it) is still
    found by the next wake-up: its stored moment is never later than its occurrence."""
    async with database.session() as session:
        await Store(session).schedule.put(
            entry_id="weekly",
            kind=POST,
            first_at=START + timedelta(minutes=30),
            now=START,
            rule="FREQ=WEEKLY",
        )
    clock = ManualClock(START + timedelta(minutes=30))
    recorder = Recorder()
    service = SchedulerService(database, clock, GRACE, {POST: recorder})

    assert await service.run_due() == 1

    async with database.session() as session:
        entry = await ScheduleRepository(session).get("weekly")
    assert entry is not None
    assert entry.next_due == START + timedelta(days=7, minutes=30)
    assert [run.occurrence for run in recorder.runs] == [START + timedelta(minutes=30)]


async def test_entries_from_before_the_upgrade_are_caught_up_once(tmp_path: Path) -> None:
    """Entries written before next_due existed fire as before after the upgrade: what fell due
    meanwhile runs (or is recorded missed), and each then waits for its next occurrence."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0011_outbox_due")
    database = Database(url)
    try:
        async with database.session() as session:
            for entry_id, first_at, rule in (
                ("daily", START - timedelta(days=3), "FREQ=DAILY"),
                ("once-done", START - timedelta(days=1), ""),
                ("once-ahead", START + timedelta(hours=2), ""),
            ):
                await session.execute(
                    text(
                        "INSERT INTO schedule_entry (id, kind, first_at, rule, timezone, "
                        "payload, active, created_at) VALUES (:id, :kind, :first_at, :rule, "
                        "'Europe/Berlin', '{}', 1, :created_at)"
                    ),
                    {
                        "id": entry_id,
                        "kind": POST,
                        "first_at": first_at.replace(tzinfo=None),
                        "rule": rule,
                        "created_at": (START - timedelta(days=3)).replace(tzinfo=None),
                    },
                )
            await session.execute(
                text(
                    "INSERT INTO sent_ledger (entry_id, occurrence, status, recorded_at) "
                    "VALUES ('once-done', :at, 'sent', :at)"
                ),
                {"at": (START - timedelta(days=1)).replace(tzinfo=None)},
            )
        await database.migrate()

        clock = ManualClock(START + timedelta(minutes=30))
        recorder = Recorder()
        service = SchedulerService(database, clock, GRACE, {POST: recorder})
        await service.start()
        await service.shutdown()

        # 08:00 today ran late within the grace period; the two days before were missed.
        assert [(run.entry_id, run.occurrence) for run in recorder.runs] == [("daily", START)]
        async with database.session() as session:
            entries = await ScheduleRepository(session).entries(
                {"daily", "once-done", "once-ahead"}
            )
            ledger = await ledger_rows(session, "daily")
        assert [row.status for row in ledger] == [
            LedgerStatus.MISSED,
            LedgerStatus.MISSED,
            LedgerStatus.MISSED,
            LedgerStatus.LATE,
        ]
        assert entries["daily"].next_due == START + timedelta(days=1)
        assert entries["once-done"].next_due is None
        assert entries["once-ahead"].next_due == START + timedelta(hours=2)
    finally:
        await database.dispose()


async def test_a_roll_over_run_again_after_a_crash_changes_nothing(database: Database) -> None:
    """The roll-over after a meeting, run a second time because a crash came before the
    ledger said it ran, moves no item again and owes the team room no second post."""
    desk = await beirat_with_a_meeting(database)
    await organiser(desk, "!meeting new 10.05.2027 14:00")
    await member(desk, "!item Haushalt")
    await member(desk, "!item Sprachkitas")
    end = datetime(2027, 4, 12, 14, 0, tzinfo=UTC)
    clock = ManualClock(end)
    box, service = scheduler_for(database, clock)
    assert await service.run_due() == 1

    async def items() -> list[tuple[int, int | None, int, int | None]]:
        async with database.session() as session:
            rows = await session.scalars(select(AgendaItem).order_by(AgendaItem.id))
            return [(i.id, i.meeting_id, i.position, i.deferred_from) for i in rows]

    moved = await items()
    # The crash: the roll-over committed, the ledger still says only "claimed".
    async with database.session() as session:
        await session.execute(
            update(SentLedger)
            .where(SentLedger.entry_id == MeetingOver(1).entry_id)
            .values(status=LedgerStatus.CLAIMED)
        )
    clock.advance(timedelta(minutes=3))
    assert await service.resume_interrupted() == 1

    assert await items() == moved
    assert len(box.posts) == 1
    assert "2 items not marked as dealt with are postponed" in box.texts()[0][1]


class CrashingOnce(PostBox):
    """The bot stand-in, cut short the first time it is asked to post (a kill mid-run)."""

    crashed: bool = False

    def _crash_once(self) -> None:
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("killed")

    async def owe_post(self, store: Store, post: ScheduledPost) -> Sequence[OutboxMessage]:
        self._crash_once()
        return await super().owe_post(store, post)


async def test_a_roll_over_cut_short_before_its_post_moves_and_tells_once(
    database: Database,
) -> None:
    """A roll-over cut short after deciding what to move but before its post was owed moved
    nothing either; run again, it moves the items and tells the team room once."""
    desk = await beirat_with_a_meeting(database)
    await organiser(desk, "!meeting new 10.05.2027 14:00")
    await member(desk, "!item Haushalt")
    end = datetime(2027, 4, 12, 14, 0, tzinfo=UTC)
    clock = ManualClock(end)
    box = CrashingOnce(database)
    service = SchedulerService(database, clock, GRACE, job_handlers(box))
    assert await service.run_due() == 1
    assert box.crashed and box.posts == []
    async with database.session() as session:
        await session.execute(
            update(SentLedger)
            .where(SentLedger.entry_id == MeetingOver(1).entry_id)
            .values(status=LedgerStatus.CLAIMED)
        )

    assert await service.resume_interrupted() == 1

    assert [text for _, text in box.texts()] == [
        "Meeting No. 1 of Bildungsbeirat is over; 1 item not marked as dealt with is "
        "postponed: #1 Haushalt."
    ]
