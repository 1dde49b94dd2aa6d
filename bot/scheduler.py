"""The bot's scheduler: the database says what is due, APScheduler only says when to look.

Every schedule entry lives in ``schedule_entry``; every fired occurrence gets one row in
``sent_ledger`` whose unique (entry, occurrence) key is claimed *before* the handler runs, so a
double fire or a second process never runs it twice. A handler does not send: it writes its post
into the outbox under a key of its occurrence (:func:`occurrence_key`). An occurrence whose
claim a crash left behind runs again at the next start, and the key keeps its post from being
owed twice: every post is sent exactly once.

The core is :meth:`SchedulerService.run_due`, which works purely from the injected clock and the
database (tests drive it with a :class:`~commands.clock.ManualClock`). APScheduler holds one
``DateTrigger`` job per entry, id = entry id, armed at the entry's first unhandled occurrence and
re-armed after every wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from commands.clock import Clock
from commands.recurrence import pending_occurrences
from storage.database import Database
from storage.models import ScheduleEntry
from storage.repositories import Store
from storage.schedule import LedgerStatus, ScheduleRepository

log = logging.getLogger(__name__)

HOUSEKEEPING_KIND = "housekeeping.prune_handled_events"
HOUSEKEEPING_ENTRY_ID = "housekeeping.prune_handled_events"
HOUSEKEEPING_AT = time(3, 30)
HANDLED_EVENT_RETENTION = timedelta(days=30)

# A wake-up a few seconds after the occurrence is still "on time"; only real delays get a note.
ON_TIME_TOLERANCE = timedelta(minutes=1)
# After months of downtime a minutely rule would otherwise write tens of thousands of rows.
MAX_MISSED_RECORDED = 100
# A wake-up that failed (database locked, disk full) tries again instead of going silent.
RETRY_AFTER = timedelta(minutes=1)
RETRY_JOB_ID = "__scheduler_retry__"
# How long shutdown waits for a handler that is mid-send before cancelling it.
SHUTDOWN_TIMEOUT = 30.0

_SCHEDULER_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class ScheduledRun:
    """One occurrence handed to a handler; ``late_by`` is set when it runs noticeably late."""

    entry_id: str
    kind: str
    payload: dict[str, Any]
    occurrence: datetime
    late_by: timedelta | None


JobHandler = Callable[[ScheduledRun], Awaitable[None]]


def occurrence_key(run: ScheduledRun) -> str:
    """The outbox key of what ``run`` posts: the same when the occurrence runs again after a
    crash, so its post is owed once however often its handler runs."""
    return f"scheduled:{run.entry_id}@{run.occurrence.isoformat()}"


# --- the internal housekeeping job ----------------------------------------------------------


def prune_handled_events(database: Database) -> JobHandler:
    """The handler of :data:`HOUSEKEEPING_KIND`: forget handled events older than 30 days."""

    async def handler(run: ScheduledRun) -> None:
        # Measured from the occurrence, not the wall clock: the result does not depend on
        # when a late run happens to get through.
        cutoff = run.occurrence - HANDLED_EVENT_RETENTION
        async with database.session() as session:
            store = Store(session)
            removed = await store.sync.forget_handled_before(cutoff)
            delivered = await store.outbox.forget_finished_before(cutoff)
        log.info("housekeeping: forgot %d handled events from before %s", removed, cutoff)
        log.info("housekeeping: forgot %d delivered messages from before %s", delivered, cutoff)

    return handler


def housekeeping_handlers(database: Database) -> dict[str, JobHandler]:
    """The handlers of the bot's internal jobs, to be merged into the service's handlers."""
    return {HOUSEKEEPING_KIND: prune_handled_events(database)}


# --- the service ----------------------------------------------------------------------------


class SchedulerService:
    """Runs scheduled jobs from the database, idempotently, with catch-up after downtime."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        grace_period: timedelta,
        handlers: Mapping[str, JobHandler],
        *,
        on_time_tolerance: timedelta = ON_TIME_TOLERANCE,
    ) -> None:
        self.database = database
        self.clock = clock
        self.grace_period = grace_period
        self.on_time_tolerance = on_time_tolerance
        self._handlers = dict(handlers)
        # An explicit zoneinfo zone keeps APScheduler away from tzlocal guessing.
        self._scheduler = AsyncIOScheduler(timezone=_SCHEDULER_ZONE)
        # One pass at a time within this process; across processes the ledger's key decides.
        self._lock = asyncio.Lock()
        self._wakes: set[asyncio.Task[None]] = set()
        # Set once start() has posted what fell due meanwhile and armed the timers: whoever
        # must know that the catch-up is over (a health check, a test) waits on it.
        self.started = asyncio.Event()

    # lifecycle

    async def start(self) -> None:
        """Finish what a crash interrupted, catch up on what fell due while the bot was down,
        then arm APScheduler from the database."""
        await self.resume_interrupted()
        await self.run_due()
        self._scheduler.start()
        await self._arm_all()
        self.started.set()

    async def shutdown(self) -> None:
        """Stop waking up; let a handler that is mid-send finish (up to a timeout)."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
            # APScheduler's asyncio shutdown is queued onto the loop; let it happen now.
            await asyncio.sleep(0)
        if self._wakes:
            _, pending = await asyncio.wait(set(self._wakes), timeout=SHUTDOWN_TIMEOUT)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    @property
    def armed(self) -> bool:
        """Running with timers set (there is always the housekeeping job once started)."""
        return bool(self._scheduler.running and self._scheduler.get_jobs())

    # editing

    async def schedule(
        self,
        *,
        entry_id: str,
        kind: str,
        first_at: datetime,
        rule: str = "",
        timezone: str = "Europe/Berlin",
        payload: Mapping[str, Any] | None = None,
    ) -> ScheduleEntry:
        """Create or replace ``entry_id`` and (re)arm it.

        Changing the timing or re-activating a cancelled entry restarts it from now, so
        occurrences before this call are never caught up. Raises ``ValueError`` for a naive
        ``first_at``, an unknown zone, an invalid rule, or an entry that would never fire.
        """
        if first_at.tzinfo is None:
            raise ValueError("first_at must be an aware datetime")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {timezone!r}") from None
        now = self.clock.now()
        async with self.database.session() as session:
            repository = ScheduleRepository(session)
            entry = await repository.put(
                entry_id=entry_id,
                kind=kind,
                first_at=first_at,
                now=now,
                rule=rule,
                timezone=timezone,
                payload=payload,
            )
            last = await repository.last_occurrence(entry_id)
            try:
                upcoming = next(pending_occurrences(entry, last), None)
            except ValueError as exc:
                raise ValueError(f"invalid rule {rule!r}: {exc}") from None
            if upcoming is None:
                raise ValueError(f"schedule entry {entry_id!r} would never fire")
        self._arm(entry, last)
        return entry

    async def refresh(self) -> None:
        """Re-arm every timer from the database (after entries were written behind the
        service's back; a command's changes go through :meth:`rearm`)."""
        await self._arm_all()

    async def rearm(self, entry_ids: Collection[str]) -> int:
        """Re-arm the timers of ``entry_ids`` only, after a command changed these entries;
        return how many are armed now. Two queries, however many entries there are: the
        entries, and their last occurrences grouped."""
        if not self._scheduler.running or not entry_ids:
            return 0  # start() arms everything from the database
        async with self.database.session() as session:
            repository = ScheduleRepository(session)
            entries = await repository.entries(entry_ids)
            lasts = await repository.last_occurrences(entry_ids)
        armed = 0
        for entry_id in sorted(entry_ids):
            entry = entries.get(entry_id)
            if entry is None or not entry.active:
                self._unarm(entry_id)
                continue
            self._arm(entry, lasts.get(entry_id))
            armed += 1
        return armed

    async def cancel(self, entry_id: str) -> bool:
        """Stop ``entry_id`` from firing; its ledger stays. False if there is no such entry."""
        async with self.database.session() as session:
            known = await ScheduleRepository(session).deactivate(entry_id)
        self._unarm(entry_id)
        return known

    # running

    async def run_due(self) -> int:
        """Handle every unhandled occurrence due by ``clock.now()``; return how many ran.

        Occurrences older than the grace period are recorded ``missed``; younger ones run,
        late ones with ``late_by`` set. Each is claimed in the ledger first, so a second call
        or a second process never runs it again (a crash's leftovers: resume_interrupted()).
        """
        async with self._lock:
            now = self.clock.now()
            ran = 0
            for entry, occurrence in await self._plan(now):
                ran += await self._run_occurrence(entry, occurrence, now)
            return ran

    async def resume_interrupted(self) -> int:
        """Run again the occurrences a crash left claimed but unfinished; return how many.

        Their handlers post under the occurrence's key, so a post that was written to the
        outbox before the crash is not owed a second time.
        """
        async with self._lock:
            async with self.database.session() as session:
                repository = ScheduleRepository(session)
                claimed = await repository.claimed()
                entries = await repository.entries({row.entry_id for row in claimed})
            now = self.clock.now()
            ran = 0
            for row in claimed:
                entry = entries.get(row.entry_id)
                if entry is None:
                    continue
                log.info("schedule entry %s: resuming occurrence %s", entry.id, row.occurrence)
                ran += await self._handle(entry, row.occurrence, now)
            return ran

    async def _plan(self, now: datetime) -> list[tuple[ScheduleEntry, datetime]]:
        plan: list[tuple[ScheduleEntry, datetime]] = []
        async with self.database.session() as session:
            repository = ScheduleRepository(session)
            entries = await repository.active()
            lasts = await repository.last_occurrences()
            for entry in entries:
                last = lasts.get(entry.id)
                runnable: list[datetime] = []
                missed: deque[datetime] = deque(maxlen=MAX_MISSED_RECORDED)
                skipped = 0
                try:
                    for occurrence in pending_occurrences(entry, last, now):
                        if now - occurrence <= self.grace_period:
                            runnable.append(occurrence)
                            continue
                        if len(missed) == MAX_MISSED_RECORDED:
                            skipped += 1  # the deque drops its oldest on append
                        missed.append(occurrence)
                except (ValueError, KeyError):
                    # A broken stored rule or zone must not hold up the other entries.
                    log.exception("schedule entry %s cannot be evaluated", entry.id)
                    continue
                if skipped:
                    log.warning(
                        "schedule entry %s: %d more missed occurrences not recorded",
                        entry.id,
                        skipped,
                    )
                plan.extend((entry, occurrence) for occurrence in [*missed, *runnable])
        # Oldest first across all entries, as they would have run had the bot been up.
        plan.sort(key=lambda item: (item[1], item[0].id))
        return plan

    async def _run_occurrence(
        self, entry: ScheduleEntry, occurrence: datetime, now: datetime
    ) -> int:
        lateness = now - occurrence
        if lateness > self.grace_period:
            if await self._claim(entry.id, occurrence, LedgerStatus.MISSED):
                log.warning(
                    "schedule entry %s: occurrence %s missed by %s, not run",
                    entry.id,
                    occurrence,
                    lateness,
                )
            return 0
        # Claimed in its own committed transaction before the handler: a second wake-up or
        # process leaves it alone; only resume_interrupted() runs a claimed one again.
        if not await self._claim(entry.id, occurrence, LedgerStatus.CLAIMED):
            return 0
        return await self._handle(entry, occurrence, now)

    async def _handle(self, entry: ScheduleEntry, occurrence: datetime, now: datetime) -> int:
        """Run the handler of a claimed occurrence and record how it went."""
        lateness = now - occurrence
        handler = self._handlers.get(entry.kind)
        if handler is None:
            log.error("schedule entry %s: no handler for kind %r", entry.id, entry.kind)
            await self._set_status(entry.id, occurrence, LedgerStatus.FAILED)
            return 0
        late_by = lateness if lateness > self.on_time_tolerance else None
        run = ScheduledRun(
            entry_id=entry.id,
            kind=entry.kind,
            payload=dict(entry.payload),
            occurrence=occurrence,
            late_by=late_by,
        )
        try:
            await handler(run)
        except Exception:
            # Never let a handler's error reach APScheduler or stop the other entries.
            log.exception("schedule entry %s (%s) failed at %s", entry.id, entry.kind, occurrence)
            status = LedgerStatus.FAILED
        else:
            status = LedgerStatus.SENT if late_by is None else LedgerStatus.LATE
        await self._set_status(entry.id, occurrence, status)
        return 1

    async def _claim(self, entry_id: str, occurrence: datetime, status: LedgerStatus) -> bool:
        async with self.database.session() as session:
            return await ScheduleRepository(session).claim(
                entry_id, occurrence, self.clock.now(), status
            )

    async def _set_status(self, entry_id: str, occurrence: datetime, status: LedgerStatus) -> None:
        async with self.database.session() as session:
            await ScheduleRepository(session).set_status(
                entry_id, occurrence, status, self.clock.now()
            )

    # APScheduler wiring

    async def _arm_all(self) -> None:
        if not self._scheduler.running:
            return
        async with self.database.session() as session:
            repository = ScheduleRepository(session)
            entries = await repository.active()
            lasts = await repository.last_occurrences()
        armed = [(entry, lasts.get(entry.id)) for entry in entries]
        for entry, last in armed:
            self._arm(entry, last)
        active = {entry.id for entry, _ in armed} | {RETRY_JOB_ID}
        for job in self._scheduler.get_jobs():
            if job.id not in active:
                job.remove()

    def _arm(self, entry: ScheduleEntry, last: datetime | None) -> None:
        """Wake up at the entry's first unhandled occurrence (at once if that is past)."""
        if not self._scheduler.running:
            return  # start() arms everything from the database
        try:
            due = next(pending_occurrences(entry, last), None)
        except (ValueError, KeyError):
            log.exception("schedule entry %s cannot be armed", entry.id)
            due = None
        if due is None:
            self._unarm(entry.id)
            return
        self._wake_at(entry.id, due)

    def _wake_at(self, job_id: str, moment: datetime) -> None:
        # APScheduler waits on the real wall clock; shift by the injected clock's offset so an
        # OffsetClock (the demo's time travel) still wakes at the right bot time.
        skew = self.clock.now() - datetime.now(UTC)
        self._scheduler.add_job(
            self._fire,
            trigger=DateTrigger(run_date=moment - skew, timezone=_SCHEDULER_ZONE),
            id=job_id,
            replace_existing=True,
            # The ledger decides what is late or missed; APScheduler must never drop a wake-up.
            misfire_grace_time=None,
            coalesce=True,
        )

    def _unarm(self, entry_id: str) -> None:
        if not self._scheduler.running:
            return
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(entry_id)

    async def _fire(self) -> None:
        # The job hands over to a task of ours and returns at once, so APScheduler never sees a
        # running instance (which would make it skip re-armed jobs) and shutdown can await it.
        task = asyncio.create_task(self._wake())
        self._wakes.add(task)
        task.add_done_callback(self._wakes.discard)

    async def _wake(self) -> None:
        try:
            await self.run_due()
            await self._arm_all()
        except Exception:
            log.exception("scheduler wake-up failed; retrying in %s", RETRY_AFTER)
            if self._scheduler.running:
                self._wake_at(RETRY_JOB_ID, self.clock.now() + RETRY_AFTER)


async def ensure_housekeeping(service: SchedulerService, timezone: str = "Europe/Berlin") -> bool:
    """Schedule the daily handled-event pruning at 03:30 local unless it is active already.

    Returns True when the entry was (re)created.
    """
    async with service.database.session() as session:
        existing = await ScheduleRepository(session).get(HOUSEKEEPING_ENTRY_ID)
    if existing is not None and existing.active:
        return False
    zone = ZoneInfo(timezone)
    today = service.clock.now().astimezone(zone).date()
    await service.schedule(
        entry_id=HOUSEKEEPING_ENTRY_ID,
        kind=HOUSEKEEPING_KIND,
        first_at=datetime.combine(today, HOUSEKEEPING_AT, tzinfo=zone),
        rule="FREQ=DAILY",
        timezone=timezone,
    )
    return True
