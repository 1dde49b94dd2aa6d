"""Reads and writes that only tests need: the bot never asks these questions of its database,
so they live beside the tests rather than in a repository."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AgendaItem, AuditEntry, OutboxMessage, ScheduleEntry, SentLedger
from storage.outbox import OutboxState


async def ledger_rows(session: AsyncSession, entry_id: str) -> list[SentLedger]:
    """All ledger rows of ``entry_id``, oldest occurrence first."""
    rows = await session.scalars(
        select(SentLedger).where(SentLedger.entry_id == entry_id).order_by(SentLedger.occurrence)
    )
    return list(rows)


async def active_entries(session: AsyncSession) -> list[ScheduleEntry]:
    """All schedule entries that still fire, in id order."""
    rows = await session.scalars(
        select(ScheduleEntry).where(ScheduleEntry.active.is_(True)).order_by(ScheduleEntry.id)
    )
    return list(rows)


async def outbox_in_states(
    session: AsyncSession, states: Collection[OutboxState]
) -> list[OutboxMessage]:
    """The outbox messages in ``states``, oldest first."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state.in_([str(state) for state in states]))
        .order_by(OutboxMessage.id)
    )
    return list(rows)


async def audit_of(
    session: AsyncSession, object_type: str, object_id: str | int
) -> list[AuditEntry]:
    """The audit entries about one record, in the order they were written."""
    rows = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id)
    )
    return list(rows)


async def items_submitted_by(session: AsyncSession, matrix_id: str) -> list[AgendaItem]:
    """Every agenda item ``matrix_id`` submitted, oldest first."""
    rows = await session.scalars(
        select(AgendaItem).where(AgendaItem.submitter == matrix_id).order_by(AgendaItem.id)
    )
    return list(rows)
