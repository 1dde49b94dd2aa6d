"""The bot's scheduler: the database says what is due, APScheduler only says when to look.

Every schedule entry lives in ``schedule_entry`` with its ``next_due`` moment (indexed); every
fired occurrence gets one row in ``sent_ledger`` whose unique (entry, occurrence) key is claimed
*before* the handler runs, so a double fire or a second process never runs it twice. A wake-up
reads only the entries due by now, claims all their occurrences and advances their ``next_due``
in one transaction, then runs the handlers, those due at the same moment side by side, and
records how each went in one more transaction: its cost follows what is due, not how many
entries exist. A handler does not send: it writes its post into the outbox under a key of its
occurrence (:func:`occurrence_key`). An occurrence whose claim a crash left behind runs again
at the next start, and the key keeps its post from being owed twice: every post is sent
exactly once.

The core is :meth:`SchedulerService.run_due`, which works purely from the injected clock and the
database (tests drive it with a
:class:`~commands.framework.clock.ManualClock`). APScheduler holds a
single ``DateTrigger`` job at the soonest ``next_due`` (and the retry job after a failed
wake-up); a command's change re-computes its own entries only and moves that job if they are
due sooner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from commands.dates.recurrence import pending_occurrences
from commands.framework.clock import Clock
from commands.tasks.schedule import DIGEST_ENTRY_ID, DIGEST_KIND, digest_start
from storage.database import Database
from storage.models import ScheduleEntry
from storage.repositories import Store
from storage.schedule import Claim, LedgerStatus, ScheduleRepository

log = logging.getLogger(__name__)

HOUSEKEEPING_KIND = "housekeeping.prune_handled_events"
HOUSEKEEPING_ENTRY_ID = "housekeeping.prune_handled_events"
HOUSEKEEPING_AT = time(3, 30)
HANDLED_EVENT_RETENTION = timedelta(days=30)
DIGEST_RULE = "FREQ=WEEKLY"

# A wake-up a few seconds after the occurrence is still "on time"; only real delays get a note.
ON_TIME_TOLERANCE = timedelta(minutes=1)
# After months of downtime a minutely rule would otherwise write tens of thousands of rows.
MAX_MISSED_RECORDED = 100
# A wake-up that failed (database locked, disk full) tries again instead of going silent.
RETRY_AFTER = timedelta(minutes=1)
RETRY_JOB_ID = "__scheduler_retry__"
WAKE_JOB_ID = "__scheduler_wake__"
# Handlers of occurrences due at the same moment run side by side, this many at a time: they
# only read and write the database (the outbox sends per room in order anyway), and one that
# waits for the homeserver (opening a direct chat) does not hold up the others. Fewer than the
# connection pool's five: beyond it every handler opens and closes a connection of its own,
# which measured slower on PostgreSQL than running them one by one.
CONCURRENT_HANDLERS = 4
# A catch-up over this many entries reads the whole grouped ledger once instead of an IN list.
MANY_DUE = 500
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
        concurrent_handlers: int = CONCURRENT_HANDLERS,
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
        # Reading the soonest moment and setting the timer to it is one step: a change that is
        # due sooner must not be overwritten by a moment read just before it was committed.
        self._arming = asyncio.Lock()
        self._armed_for: datetime | None = None
        self._concurrency = asyncio.Semaphore(concurrent_handlers)
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
        await self._arm_earliest()
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
    def kinds(self) -> frozenset[str]:
        """The kinds of entry this service has a handler for."""
        return frozenset(self._handlers)

    @property
    def armed(self) -> bool:
        """Running with a timer set, or waking up right now (its timer fired and is set again
        when the wake-up is done); there is always the housekeeping entry once started."""
        return bool(self._scheduler.running and (self._scheduler.get_jobs() or self._wakes))

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
        """Create or replace ``entry_id`` and (re)arm it, written the one way an entry is
        written (:meth:`ScheduleRepository.put`).

        Changing the timing or re-activating a cancelled entry restarts it from now, so
        occurrences before this call are never caught up. Raises ``ValueError`` for a naive
        ``first_at``, an unknown zone, an invalid rule, a kind without a handler, or an entry
        that would never fire.
        """
        now = self.clock.now()
        async with self._arming, self.database.session() as session:
            repository = ScheduleRepository(session, kinds=self.kinds)
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
            await repository.advance(entry, upcoming)
            entry.next_due = upcoming
        await self._arm_if_sooner(upcoming)
        return entry

    async def refresh(self) -> None:
        """Set the timer from the database (after entries were written behind the service's
        back; a command's changes go through :meth:`rearm`): one indexed query."""
        await self._arm_earliest()

    async def rearm(self, entry_ids: Collection[str]) -> int:
        """After a command changed ``entry_ids``: store their exact next moments and move the
        timer if one of them is due sooner; return how many of them still fire. Two queries
        however many entries there are (the entries, their last occurrences grouped), and one
        update per entry whose moment changed; no other entry is looked at."""
        if not entry_ids:
            return 0
        async with self._arming:
            async with self.database.session() as session:
                repository = ScheduleRepository(session)
                entries = await repository.entries(entry_ids)
                lasts = await repository.last_occurrences(entry_ids)
                upcoming: list[datetime] = []
                for entry_id in sorted(entry_ids):
                    entry = entries.get(entry_id)
                    if entry is None or not entry.active:
                        continue
                    exact = self._next_after(entry, lasts.get(entry_id))
                    # Compared with what was read: a change committed meanwhile keeps its own
                    # (earlier) bound, and the next wake-up settles it.
                    if exact != entry.next_due:
                        await repository.advance(entry, exact)
                    if exact is not None:
                        upcoming.append(exact)
            self._set_timer_if_sooner(min(upcoming, default=None))
        return len(upcoming)

    async def cancel(self, entry_id: str) -> bool:
        """Stop ``entry_id`` from firing; its ledger stays. False if there is no such entry."""
        async with self.database.session() as session:
            known = await ScheduleRepository(session).deactivate(entry_id)
        # The timer may stay: a wake-up with nothing due just sets it to the next moment.
        return known

    # running

    async def run_due(self) -> int:
        """Handle every unhandled occurrence due by ``clock.now()``; return how many ran.

        Occurrences older than the grace period are recorded ``missed``; younger ones run,
        late ones with ``late_by`` set. All are claimed in the ledger in one transaction
        first, so a second call or a second process never runs them again (a crash's
        leftovers: resume_interrupted()).
        """
        async with self._lock:
            now = self.clock.now()
            claimed = await self._claim_due(now)
            return await self._run_all(claimed, now)

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
            resumed: list[tuple[ScheduleEntry, datetime]] = []
            for row in claimed:
                entry = entries.get(row.entry_id)
                if entry is None:
                    continue
                log.info("schedule entry %s: resuming occurrence %s", entry.id, row.occurrence)
                resumed.append((entry, row.occurrence))
            return await self._run_all(resumed, now)

    def _next_after(self, entry: ScheduleEntry, after: datetime | None) -> datetime | None:
        """The entry's first occurrence after ``after`` (its first at all when None); None
        when there is none, or when its stored rule or zone cannot be read (logged): such an
        entry is left alone until it is written anew, instead of waking the bot again and
        again."""
        try:
            return next(pending_occurrences(entry, after), None)
        except (ValueError, KeyError):
            log.exception("schedule entry %s cannot be evaluated", entry.id)
            return None

    def _split(
        self, entry: ScheduleEntry, last: datetime | None, now: datetime
    ) -> tuple[list[datetime], list[datetime]]:
        """The entry's unhandled occurrences up to ``now``: those missed beyond the grace
        period (the newest :data:`MAX_MISSED_RECORDED`) and those to run."""
        runnable: list[datetime] = []
        missed: deque[datetime] = deque(maxlen=MAX_MISSED_RECORDED)
        skipped = 0
        for occurrence in pending_occurrences(entry, last, now):
            if now - occurrence <= self.grace_period:
                runnable.append(occurrence)
                continue
            if len(missed) == MAX_MISSED_RECORDED:
                skipped += 1  # the deque drops its oldest on append
            missed.append(occurrence)
        if skipped:
            log.warning(
                "schedule entry %s: %d more missed occurrences not recorded", entry.id, skipped
            )
        return list(missed), runnable

    async def _claim_due(self, now: datetime) -> list[tuple[ScheduleEntry, datetime]]:
        """In one transaction: the entries due by ``now``, their occurrences recorded in the
        ledger, their ``next_due`` moved past ``now``. Returns the occurrences to run, oldest
        first, as they would have run had the bot been up."""
        async with self.database.session() as session:
            repository = ScheduleRepository(session)
            entries = await repository.due(now)
            if not entries:
                return []
            ids = [entry.id for entry in entries]
            lasts = await repository.last_occurrences(ids if len(ids) <= MANY_DUE else None)
            if len(entries) > MANY_DUE:
                # After an upgrade every entry is due once, to find its exact next moment.
                log.info("scheduler: looking at %d entries at once", len(entries))
            claims: list[Claim] = []
            runnable: list[tuple[ScheduleEntry, datetime]] = []
            for entry in entries:
                last = lasts.get(entry.id)
                try:
                    missed, to_run = self._split(entry, last, now)
                except (ValueError, KeyError):
                    # A broken stored rule or zone must not hold up the other entries.
                    log.exception("schedule entry %s cannot be evaluated", entry.id)
                    missed, to_run = [], []
                    following = None
                else:
                    following = self._next_after(entry, now if last is None else max(last, now))
                if not await repository.advance(entry, following):
                    # Changed since it was read (a command, another process): its new moment
                    # is looked at by the next wake-up.
                    continue
                claims.extend(Claim(entry.id, moment, LedgerStatus.MISSED) for moment in missed)
                claims.extend(Claim(entry.id, moment, LedgerStatus.CLAIMED) for moment in to_run)
                runnable.extend((entry, moment) for moment in to_run)
            owned = await repository.claim_all(claims, now)
        for claim in claims:
            if claim.status == LedgerStatus.MISSED and (claim.entry_id, claim.occurrence) in owned:
                log.warning(
                    "schedule entry %s: occurrence %s missed by %s, not run",
                    claim.entry_id,
                    claim.occurrence,
                    now - claim.occurrence,
                )
        mine = [(entry, moment) for entry, moment in runnable if (entry.id, moment) in owned]
        mine.sort(key=lambda item: (item[1], item[0].id))
        return mine

    async def _run_all(
        self, claimed: Iterable[tuple[ScheduleEntry, datetime]], now: datetime
    ) -> int:
        """Run the handlers of claimed occurrences, oldest moment first, those of one moment
        side by side; then record all outcomes in one transaction. Returns how many ran."""
        outcomes: list[tuple[str, datetime, LedgerStatus]] = []
        ran = 0
        for _, together in groupby(claimed, key=lambda item: item[1]):
            batch = list(together)
            statuses = await asyncio.gather(
                *(self._execute(entry, occurrence, now) for entry, occurrence in batch)
            )
            for (entry, occurrence), status in zip(batch, statuses, strict=True):
                # An occurrence whose kind has no handler is recorded failed but never ran.
                outcomes.append((entry.id, occurrence, status or LedgerStatus.FAILED))
                ran += status is not None
        if outcomes:
            async with self.database.session() as session:
                await ScheduleRepository(session).set_statuses(outcomes, self.clock.now())
        return ran

    async def _execute(
        self, entry: ScheduleEntry, occurrence: datetime, now: datetime
    ) -> LedgerStatus | None:
        """Run the handler of a claimed occurrence; return how it went (None: no handler)."""
        lateness = now - occurrence
        handler = self._handlers.get(entry.kind)
        if handler is None:
            log.error("schedule entry %s: no handler for kind %r", entry.id, entry.kind)
            return None
        late_by = lateness if lateness > self.on_time_tolerance else None
        run = ScheduledRun(
            entry_id=entry.id,
            kind=entry.kind,
            payload=dict(entry.payload),
            occurrence=occurrence,
            late_by=late_by,
        )
        try:
            async with self._concurrency:
                await handler(run)
        except Exception:
            # Never let a handler's error reach APScheduler or stop the other entries.
            log.exception("schedule entry %s (%s) failed at %s", entry.id, entry.kind, occurrence)
            return LedgerStatus.FAILED
        return LedgerStatus.SENT if late_by is None else LedgerStatus.LATE

    # APScheduler wiring

    async def _arm_earliest(self) -> None:
        """Set the one timer to the soonest ``next_due`` of all entries (none: no timer)."""
        if not self._scheduler.running:
            return
        async with self._arming:
            async with self.database.session() as session:
                earliest = await ScheduleRepository(session).earliest_due()
            if earliest is None:
                self._armed_for = None
                with contextlib.suppress(JobLookupError):
                    self._scheduler.remove_job(WAKE_JOB_ID)
                return
            self._armed_for = earliest
            self._wake_at(WAKE_JOB_ID, earliest)

    async def _arm_if_sooner(self, moment: datetime | None) -> None:
        async with self._arming:
            self._set_timer_if_sooner(moment)

    def _set_timer_if_sooner(self, moment: datetime | None) -> None:
        """Move the timer to ``moment`` if that comes before the moment it is set to (a later
        one is found by the wake-up at the earlier moment). Call holding ``_arming``."""
        if not self._scheduler.running or moment is None:
            return  # start() sets the timer from the database
        if self._armed_for is not None and self._armed_for <= moment:
            return
        self._armed_for = moment
        self._wake_at(WAKE_JOB_ID, moment)

    def _wake_at(self, job_id: str, moment: datetime) -> None:
        # APScheduler waits on the real wall clock; shift by the injected clock's offset so an
        # OffsetClock (the demo's time travel) still wakes at the right bot time.
        skew = self.clock.now() - datetime.now(UTC)
        self._scheduler.add_job(
            self._fire_timer if job_id == WAKE_JOB_ID else self._fire,
            trigger=DateTrigger(run_date=moment - skew, timezone=_SCHEDULER_ZONE),
            id=job_id,
            replace_existing=True,
            # The ledger decides what is late or missed; APScheduler must never drop a wake-up.
            misfire_grace_time=None,
            coalesce=True,
        )

    async def _fire_timer(self) -> None:
        # The timer is gone once it fired: a change due later than the moment it was set to
        # may set it again, rather than wait for this wake-up to find the next moment.
        self._armed_for = None
        await self._fire()

    async def _fire(self) -> None:
        # The job hands over to a task of ours and returns at once, so APScheduler never sees a
        # running instance (which would make it skip re-armed jobs) and shutdown can await it.
        task = asyncio.create_task(self._wake())
        self._wakes.add(task)
        task.add_done_callback(self._wakes.discard)

    async def _wake(self) -> None:
        try:
            await self.run_due()
            await self._arm_earliest()
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


async def ensure_digest(
    service: SchedulerService, weekday: int | None, at: time, timezone: str
) -> bool:
    """Schedule the weekly digest of overdue tasks as configured (``weekday`` None: no digest);
    an entry that already runs on that weekday and time is left alone, so its ledger keeps it
    from posting twice. Returns True when the entry was (re)written or stopped."""
    async with service.database.session() as session:
        existing = await ScheduleRepository(session).get(DIGEST_ENTRY_ID)
    if weekday is None:
        if existing is not None and existing.active:
            return await service.cancel(DIGEST_ENTRY_ID)
        return False
    zone = ZoneInfo(timezone)
    if existing is not None and existing.active and existing.rule == DIGEST_RULE:
        local = existing.first_at.astimezone(zone)
        if (local.weekday(), local.time()) == (weekday, at) and existing.timezone == timezone:
            return False
    await service.schedule(
        entry_id=DIGEST_ENTRY_ID,
        kind=DIGEST_KIND,
        first_at=digest_start(weekday, at, timezone, service.clock.now()),
        rule=DIGEST_RULE,
        timezone=timezone,
    )
    return True
