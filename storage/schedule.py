"""Queries of the scheduler: schedule entries and the sent-ledger that makes firing idempotent.

Every entry keeps ``next_due``: its first occurrence not yet in the ledger, or a moment before
it (never after). Writing an entry here sets the lower bound ``max(first_at, created_at)``,
which needs no recurrence rule; the scheduler then stores the exact moment (it owns the
rules). A bound that is too early only costs one look at the entry; one too late would lose
an occurrence, so nothing here ever moves ``next_due`` past a moment it has not checked.

:meth:`ScheduleRepository.put` is the one way to write an entry, for a command and for the
scheduler alike, and it refuses what could never run: a naive moment, an unknown zone, a rule
that does not read, or a kind that no job is declared for.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base, JsonValue, LedgerStatus, ScheduleEntry, SentLedger
from storage.results import rowcount

# Rows per INSERT of claims: well below SQLite's limit of bound parameters per statement.
CLAIM_BATCH = 500

# A UTC ``UNTIL`` beside a naive wall-time start: read without its Z, as the scheduler does.
_UTC_UNTIL = re.compile(r"(UNTIL=\d{8}T\d{6})Z", re.IGNORECASE)

# The ledger as a table: its writes go by (entry, occurrence), not by the ORM's primary key.
_LEDGER = Base.metadata.tables[SentLedger.__tablename__]


def earliest_possible(entry: ScheduleEntry) -> datetime | None:
    """A moment no later than the entry's first unhandled occurrence, without its rule: none
    comes before ``first_at``, nor before ``created_at`` (an entry never replays its past)."""
    if not entry.active:
        return None
    return max(entry.first_at, entry.created_at)


@dataclass(frozen=True)
class Claim:
    """One occurrence a wake-up records in the ledger (``claimed`` to run, or ``missed``)."""

    entry_id: str
    occurrence: datetime
    status: LedgerStatus


@dataclass
class ScheduleRepository:
    """Schedule entries and their ledger; every scheduler query lives here."""

    session: AsyncSession
    # The entries this unit of work created, changed or stopped: once it is committed, the bot
    # re-arms the timers of these entries, and of no others.
    changed_ids: set[str] = field(default_factory=set)
    # The kinds some job runs for (the bot sets them when it opens a unit of work): an entry of
    # another kind is refused. None only where no jobs are loaded (tools, some tests).
    kinds: frozenset[str] | None = None

    @property
    def changed(self) -> bool:
        """Whether this unit of work created, changed or stopped an entry."""
        return bool(self.changed_ids)

    async def put(
        self,
        *,
        entry_id: str,
        kind: str,
        first_at: datetime,
        now: datetime,
        rule: str = "",
        timezone: str = "Europe/Berlin",
        payload: Mapping[str, JsonValue] | None = None,
    ) -> ScheduleEntry:
        """Create or replace ``entry_id``; changing its timing restarts it from ``now``, so
        occurrences before the change are never caught up. An active entry that already reads
        like this is left as it is (and not counted as changed). Raises ``ValueError`` for a
        naive ``first_at``, an unknown zone, a rule that does not read or an undeclared kind."""
        self._check(kind, first_at, rule, timezone)
        first_at = first_at.astimezone(UTC)
        existing = await self.get(entry_id)
        unchanged = (
            existing is not None
            and existing.active
            and (existing.first_at, existing.rule, existing.timezone) == (first_at, rule, timezone)
        )
        same_job = existing is not None and (existing.kind, existing.payload) == (
            kind,
            dict(payload or {}),
        )
        if unchanged and same_job and existing is not None:
            return existing
        entry = ScheduleEntry(
            id=entry_id,
            kind=kind,
            first_at=first_at,
            rule=rule,
            timezone=timezone,
            payload=dict(payload or {}),
            active=True,
            created_at=existing.created_at if unchanged and existing else now,
        )
        # Same timing: what the scheduler found out about the next moment still holds.
        entry.next_due = existing.next_due if unchanged and existing else earliest_possible(entry)
        self.changed_ids.add(entry_id)
        if existing is None:
            entry.revision = 0
            # Known to be new: merge() would look it up in the database once more.
            self.session.add(entry)
            await self.session.flush()
            return entry
        if entry.next_due is None:
            entry.next_due = earliest_possible(entry)
        entry.revision = existing.revision + 1
        merged = await self.session.merge(entry)
        await self.session.flush()
        return merged

    def _check(self, kind: str, first_at: datetime, rule: str, timezone: str) -> None:
        """Refuse an entry that could never run as written."""
        if self.kinds is not None and kind not in self.kinds:
            raise ValueError(f"no job is declared for the kind {kind!r}")
        if first_at.tzinfo is None:
            raise ValueError("first_at must be an aware datetime")
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {timezone!r}") from None
        if rule:
            # Read as the scheduler reads it: over local wall time, a UTC UNTIL included.
            wall = first_at.astimezone(zone).replace(tzinfo=None)
            try:
                rrulestr(_UTC_UNTIL.sub(r"\1", rule), dtstart=wall)
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"invalid rule {rule!r}: {exc}") from None

    async def get(self, entry_id: str) -> ScheduleEntry | None:
        """The entry with ``entry_id``, active or not."""
        return await self.session.get(ScheduleEntry, entry_id)

    async def with_prefix(self, prefix: str) -> list[ScheduleEntry]:
        """The entries whose ids start with ``prefix``, active or not, in id order (one
        owner's entries, e.g. a meeting's)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = await self.session.scalars(
            select(ScheduleEntry)
            .where(ScheduleEntry.id.like(f"{escaped}%", escape="\\"))
            .order_by(ScheduleEntry.id)
        )
        return list(rows)

    async def entries(self, entry_ids: Collection[str]) -> dict[str, ScheduleEntry]:
        """The entries among ``entry_ids`` that exist, active or not, by id."""
        if not entry_ids:
            return {}
        rows = await self.session.scalars(
            select(ScheduleEntry).where(ScheduleEntry.id.in_(list(entry_ids)))
        )
        return {entry.id: entry for entry in rows}

    async def deactivate(self, entry_id: str) -> bool:
        """Stop ``entry_id`` from firing but keep it and its ledger; False if unknown."""
        self.changed_ids.add(entry_id)
        result = await self.session.execute(
            update(ScheduleEntry)
            .where(ScheduleEntry.id == entry_id)
            .values(active=False, next_due=None, revision=ScheduleEntry.revision + 1)
        )
        return rowcount(result) > 0

    async def delete(self, entry_id: str) -> bool:
        """Remove ``entry_id`` together with its ledger rows; False if unknown."""
        # Explicit rather than trusting ON DELETE CASCADE, which SQLite only honours with
        # PRAGMA foreign_keys on (Database sets it; other tools opening the file may not).
        await self.session.execute(delete(SentLedger).where(SentLedger.entry_id == entry_id))
        result = await self.session.execute(
            delete(ScheduleEntry).where(ScheduleEntry.id == entry_id)
        )
        return rowcount(result) > 0

    async def due(self, now: datetime) -> list[ScheduleEntry]:
        """The active entries whose ``next_due`` has come, oldest first: one indexed query.

        On PostgreSQL the rows stay locked until the caller's transaction ends, and rows that
        another process holds are skipped: that process is handling them right now. (SQLite
        has one writer at a time; there :meth:`advance` notices an entry changed meanwhile.)
        """
        rows = await self.session.scalars(
            select(ScheduleEntry)
            .where(ScheduleEntry.active.is_(True), ScheduleEntry.next_due <= now)
            .order_by(ScheduleEntry.next_due, ScheduleEntry.id)
            .with_for_update(skip_locked=True)
        )
        return list(rows)

    async def earliest_due(self) -> datetime | None:
        """The soonest ``next_due`` of all active entries (the only timer the bot needs)."""
        return await self.session.scalar(
            select(func.min(ScheduleEntry.next_due)).where(ScheduleEntry.active.is_(True))
        )

    async def advance(self, entry: ScheduleEntry, next_due: datetime | None) -> bool:
        """Set the ``next_due`` of ``entry`` as read to ``next_due``; False when it was written
        (or deleted) since it was read, and so was left alone."""
        result = await self.session.execute(
            update(ScheduleEntry)
            .where(ScheduleEntry.id == entry.id, ScheduleEntry.revision == entry.revision)
            .values(next_due=next_due, revision=ScheduleEntry.revision + 1)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) > 0

    async def claim_all(self, claims: list[Claim], at: datetime) -> set[tuple[str, datetime]]:
        """Record ``claims`` in the ledger in one statement (per :data:`CLAIM_BATCH`); return
        the (entry, occurrence) pairs this call inserted. One already in the ledger is left as
        it is and not returned: whoever recorded it first owns it."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        owned: set[tuple[str, datetime]] = set()
        for start in range(0, len(claims), CLAIM_BATCH):
            batch = claims[start : start + CLAIM_BATCH]
            statement = (
                insert(_LEDGER)
                .values(
                    [
                        {
                            "entry_id": claim.entry_id,
                            "occurrence": claim.occurrence,
                            "status": str(claim.status),
                            "recorded_at": at,
                        }
                        for claim in batch
                    ]
                )
                .on_conflict_do_nothing(index_elements=["entry_id", "occurrence"])
                .returning(_LEDGER.c.entry_id, _LEDGER.c.occurrence)
            )
            rows = await self.session.execute(statement)
            owned.update((entry_id, occurrence) for entry_id, occurrence in rows)
        return owned

    async def set_statuses(
        self, outcomes: list[tuple[str, datetime, LedgerStatus]], at: datetime
    ) -> None:
        """Overwrite the outcomes of claimed occurrences, all in one statement."""
        if not outcomes:
            return
        await self.session.execute(
            update(_LEDGER)
            .where(
                and_(
                    _LEDGER.c.entry_id == bindparam("the_entry"),
                    _LEDGER.c.occurrence == bindparam("the_occurrence"),
                )
            )
            .values(status=bindparam("the_status"), recorded_at=at),
            [
                {"the_entry": entry_id, "the_occurrence": occurrence, "the_status": str(status)}
                for entry_id, occurrence, status in outcomes
            ],
        )

    async def last_occurrence(self, entry_id: str) -> datetime | None:
        """The newest occurrence of ``entry_id`` in the ledger, whatever its status."""
        return await self.session.scalar(
            select(func.max(SentLedger.occurrence)).where(SentLedger.entry_id == entry_id)
        )

    async def last_occurrences(
        self, entry_ids: Collection[str] | None = None
    ) -> dict[str, datetime]:
        """The newest ledger occurrence of each entry that has one, in one grouped query; of
        ``entry_ids`` only, or of every entry when that is None."""
        query = select(SentLedger.entry_id, func.max(SentLedger.occurrence)).group_by(
            SentLedger.entry_id
        )
        if entry_ids is not None:
            if not entry_ids:
                return {}
            query = query.where(SentLedger.entry_id.in_(list(entry_ids)))
        rows = await self.session.execute(query)
        return {entry_id: occurrence for entry_id, occurrence in rows}

    async def claimed(self) -> list[SentLedger]:
        """The occurrences claimed but never finished (a crash mid-run), oldest first."""
        rows = await self.session.scalars(
            select(SentLedger)
            .where(SentLedger.status == LedgerStatus.CLAIMED)
            .order_by(SentLedger.occurrence, SentLedger.id)
        )
        return list(rows)
