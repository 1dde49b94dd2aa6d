"""The audit log: who changed, viewed in bulk, exported or deleted which record. Never message
contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Committee, Offer, Organization, Person


@dataclass
class AuditRepository:
    """The audit log: who changed, viewed in bulk, exported or deleted which record."""

    session: AsyncSession

    async def record(
        self,
        at: datetime,
        actor: str,
        action: str,
        object_type: str,
        object_id: str | int,
        detail: str = "",
    ) -> AuditEntry:
        entry = AuditEntry(
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
        )
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def latest(self, limit: int = 100) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        )
        return list(reversed(list(rows)))

    async def newest(self, limit: int) -> list[AuditEntry]:
        """The ``limit`` most recent entries, newest first (for reading, not for replay)."""
        rows = await self.session.scalars(
            select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        )
        return list(rows)

    async def names(self, entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
        """The current names of the records ``entries`` are about, and of the actors who have
        a contact record: ``{(object_type, object_id): name}`` and ``{("actor", id): name}``.
        One query per kind of record; an erased or deleted record simply has no name."""
        wanted: dict[str, set[int]] = {}
        for entry in entries:
            if entry.object_id.isdigit():
                wanted.setdefault(entry.object_type, set()).add(int(entry.object_id))
        columns = {
            "person": (Person.id, Person.name),
            "organization": (Organization.id, Organization.name),
            "offer": (Offer.id, Offer.title),
            "committee": (Committee.id, Committee.name),
        }
        found: dict[tuple[str, str], str] = {}
        for object_type, ids in wanted.items():
            if object_type not in columns:
                continue
            key, name = columns[object_type]
            for record_id, record_name in await self.session.execute(
                select(key, name).where(key.in_(ids))
            ):
                found[(object_type, str(record_id))] = record_name
        actors = {entry.actor for entry in entries if entry.actor.startswith("@")}
        if actors:
            for matrix_id, person_name in await self.session.execute(
                select(Person.matrix_id, Person.name).where(Person.matrix_id.in_(actors))
            ):
                found[("actor", matrix_id)] = person_name
        return found
