"""Decisions and tasks: the office's open work and the Beschlusskontrolle.

Every query about decisions and tasks lives here, and so do the two hooks of data protection
for them: what the right of access lists (:func:`tasks_of_person`, :func:`decisions_by_person`)
and how erasure pseudonymises the kept records (:func:`pseudonymise_tasks`,
:func:`pseudonymise_decisions`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Unpack

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    false,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Decision, Meeting, MeetingStatus, Person, Task, TaskStatus
from storage.results import rowcount
from storage.values import TaskLinks, refuse_unknown

PersonalRows = list[dict[str, str | int | datetime | date | None]]


@dataclass(frozen=True)
class Owner:
    """Whom a task is for: a Matrix user, a contact record, or both (a contact with Matrix)."""

    matrix_id: str = ""
    person_id: int | None = None


@dataclass(frozen=True)
class PeriodCounts:
    """What a status report counts for one period."""

    meetings_held: int
    decisions: int
    tasks_done: int
    tasks_open: int
    tasks_overdue: int


_TASK_LOADED = (
    selectinload(Task.committee),
    selectinload(Task.owner_person),
    selectinload(Task.decision),
)
"""A task with its committee, its owner's contact record and its decision."""


@dataclass
class TaskRepository:
    """Decisions and tasks; all their SQL."""

    session: AsyncSession

    # ------------------------------------------------------------------ decisions

    async def add_decision(
        self,
        *,
        committee_id: int,
        text: str,
        recorded_by: str,
        decided_at: datetime,
        created_at: datetime,
        meeting_id: int | None = None,
        agenda_item_id: int | None = None,
        votes_yes: int | None = None,
        votes_no: int | None = None,
        votes_abstain: int | None = None,
        unanimous: bool = False,
    ) -> Decision:
        """Store a decision; its id is its number."""
        decision = Decision(
            committee_id=committee_id,
            text=text,
            recorded_by=recorded_by,
            decided_at=decided_at,
            created_at=created_at,
            meeting_id=meeting_id,
            agenda_item_id=agenda_item_id,
            votes_yes=votes_yes,
            votes_no=votes_no,
            votes_abstain=votes_abstain,
            unanimous=unanimous,
        )
        self.session.add(decision)
        await self.session.flush()
        return decision

    async def touch_decision(self, decision: Decision) -> None:
        """Write the corrections made to ``decision``."""
        await self.session.flush()

    async def decision(self, decision_id: int) -> Decision | None:
        """The decision with its committee and meeting, or None."""
        return await self.session.scalar(
            select(Decision)
            .where(Decision.id == decision_id)
            .options(selectinload(Decision.committee), selectinload(Decision.meeting))
        )

    async def decisions(self, committee_ids: Collection[int] | None = None) -> list[Decision]:
        """The decisions of ``committee_ids`` (of all committees for None), oldest first, with
        committee and meeting."""
        query = select(Decision).options(
            selectinload(Decision.committee), selectinload(Decision.meeting)
        )
        if committee_ids is not None:
            query = query.where(Decision.committee_id.in_(list(committee_ids)))
        rows = await self.session.scalars(query.order_by(Decision.decided_at, Decision.id))
        return list(rows)

    async def tasks_of_decisions(self, decision_ids: Collection[int]) -> dict[int, list[Task]]:
        """The tasks of each decision, by decision id, in number order."""
        if not decision_ids:
            return {}
        rows = await self.session.scalars(
            select(Task)
            .where(Task.decision_id.in_(list(decision_ids)))
            .options(*_TASK_LOADED)
            .order_by(Task.id)
        )
        found: dict[int, list[Task]] = {}
        for task in rows:
            assert task.decision_id is not None
            found.setdefault(task.decision_id, []).append(task)
        return found

    # ------------------------------------------------------------------ tasks

    async def add_task(
        self,
        *,
        text: str,
        created_by: str,
        created_at: datetime,
        updated_at: datetime,
        owner_matrix_id: str = "",
        owner_person_id: int | None = None,
        due_on: date | None = None,
        follow_up_on: date | None = None,
        status: TaskStatus = TaskStatus.OPEN,
        done_at: datetime | None = None,
        done_note: str = "",
        **links: Unpack[TaskLinks],
    ) -> Task:
        """Store a task; its id is its number. Returned with its relations loaded."""
        refuse_unknown(links, TaskLinks.__optional_keys__, "task")
        task = Task(
            text=text,
            created_by=created_by,
            created_at=created_at,
            updated_at=updated_at,
            owner_matrix_id=owner_matrix_id,
            owner_person_id=owner_person_id,
            due_on=due_on,
            follow_up_on=follow_up_on,
            status=status,
            done_at=done_at,
            done_note=done_note,
            **links,
        )
        self.session.add(task)
        await self.session.flush()
        loaded = await self.task(task.id)
        assert loaded is not None
        return loaded

    async def task(self, task_id: int) -> Task | None:
        """The task with its committee, owner's contact record and decision, or None."""
        return await self.session.scalar(
            select(Task)
            .where(Task.id == task_id)
            .options(*_TASK_LOADED)
            .execution_options(populate_existing=True)
        )

    async def tasks(
        self,
        *,
        committee_id: int | None = None,
        team_only: bool = False,
        owner: Owner | None = None,
        include_done: bool = False,
    ) -> list[Task]:
        """Tasks with their relations: of one committee, of the office alone (``team_only``),
        or of all; of one owner or anyone's; done ones only with ``include_done``."""
        query = select(Task).options(*_TASK_LOADED)
        if committee_id is not None:
            query = query.where(Task.committee_id == committee_id)
        if team_only:
            query = query.where(Task.committee_id.is_(None))
        if owner is not None:
            query = query.where(owned_by(owner))
        if not include_done:
            query = query.where(Task.status != TaskStatus.DONE)
        return list(await self.session.scalars(query.order_by(Task.id)))

    async def overdue(self, today: date) -> list[Task]:
        """Every task not done whose due date is before ``today``, earliest due first."""
        rows = await self.session.scalars(
            select(Task)
            .where(Task.status != TaskStatus.DONE, Task.due_on < today)
            .options(*_TASK_LOADED)
            .order_by(Task.due_on, Task.id)
        )
        return list(rows)

    def set_status(
        self, task: Task, status: TaskStatus, at: datetime, note: str | None = None
    ) -> None:
        """Give ``task`` ``status``: done at ``at`` (with ``note`` as its closing remark, if
        one is given), or not done; :meth:`touch` writes it."""
        task.status = status
        if status == TaskStatus.DONE:
            task.done_at = at
            if note is not None:
                task.done_note = note
        else:
            task.done_at = None

    async def touch(self, task: Task, at: datetime) -> None:
        """Record that ``task`` changed at ``at`` and write the change."""
        task.updated_at = at
        await self.session.flush()

    # ------------------------------------------------------------------ report

    async def period_counts(
        self, committee_id: int | None, start: datetime, end: datetime, today: date
    ) -> PeriodCounts:
        """Meetings held, decisions taken and tasks done within [start, end); tasks still open
        at the end (created before it), and of those the ones overdue by ``today`` or the end.
        One committee's, or the whole office's for None."""
        last_day = min(today, end.date())

        def of_committee(column: SQLColumnExpression[int | None]) -> ColumnElement[bool]:
            return column == committee_id if committee_id is not None else true()

        held = select(func.count()).where(
            of_committee(Meeting.committee_id),
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.start >= start,
            Meeting.start < end,
        )
        decided = select(func.count()).where(
            of_committee(Decision.committee_id),
            Decision.decided_at >= start,
            Decision.decided_at < end,
        )
        done = select(func.count()).where(
            of_committee(Task.committee_id),
            Task.status == TaskStatus.DONE,
            Task.done_at >= start,
            Task.done_at < end,
        )
        still_open = and_(
            of_committee(Task.committee_id),
            Task.created_at < end,
            or_(Task.status != TaskStatus.DONE, Task.done_at >= end),
        )
        open_ = select(func.count()).where(still_open)
        overdue = select(func.count()).where(still_open, Task.due_on < last_day)
        row = (
            await self.session.execute(
                select(
                    held.scalar_subquery(),
                    decided.scalar_subquery(),
                    done.scalar_subquery(),
                    open_.scalar_subquery(),
                    overdue.scalar_subquery(),
                )
            )
        ).one()
        return PeriodCounts(*(int(value or 0) for value in row))


def owned_by(owner: Owner) -> ColumnElement[bool]:
    """Tasks whose owner is ``owner``: by Matrix id, or by a contact record that carries it."""
    conditions: list[ColumnElement[bool]] = []
    if owner.person_id is not None:
        conditions.append(Task.owner_person_id == owner.person_id)
    if owner.matrix_id:
        conditions.append(Task.owner_matrix_id == owner.matrix_id)
        with_matrix = select(Person.id).where(Person.matrix_id == owner.matrix_id)
        conditions.append(Task.owner_person_id.in_(with_matrix))
    return or_(*conditions) if conditions else false()


# --------------------------------------------------------------------------- Art. 15 / Art. 17


async def tasks_of_person(session: AsyncSession, person: Person) -> PersonalRows:
    """The tasks the person owns, by contact record or by their Matrix id (Art. 15)."""
    owner = Owner(person.matrix_id, person.id)
    rows = await session.scalars(select(Task).where(owned_by(owner)).order_by(Task.id))
    return [
        {
            "task_id": task.id,
            "text": task.text,
            "status": task.status,
            "due_on": task.due_on,
            "follow_up_on": task.follow_up_on,
            "committee_id": task.committee_id,
            "decision_id": task.decision_id,
            "done_note": task.done_note,
            "created_by": task.created_by,
            "created_at": task.created_at,
        }
        for task in rows
    ]


async def decisions_by_person(session: AsyncSession, person: Person) -> PersonalRows:
    """The decisions the person recorded with their Matrix account (Art. 15)."""
    if not person.matrix_id:
        return []
    rows = await session.scalars(
        select(Decision).where(Decision.recorded_by == person.matrix_id).order_by(Decision.id)
    )
    return [
        {
            "decision_id": decision.id,
            "committee_id": decision.committee_id,
            "meeting_id": decision.meeting_id,
            "text": decision.text,
            "decided_at": decision.decided_at,
        }
        for decision in rows
    ]


async def pseudonymise_tasks(session: AsyncSession, person: Person, pseudonym: str) -> int:
    """Tasks are kept; an erased owner or creator is named by the pseudonym only (Art. 17)."""
    owner = Owner(person.matrix_id, person.id)
    owned = await session.execute(
        update(Task)
        .where(owned_by(owner))
        .values(owner_person_id=None, owner_matrix_id="", owner_name=pseudonym)
        .execution_options(synchronize_session=False)
    )
    created = 0
    if person.matrix_id:
        result = await session.execute(
            update(Task)
            .where(Task.created_by == person.matrix_id)
            .values(created_by=pseudonym)
            .execution_options(synchronize_session=False)
        )
        created = rowcount(result)
    return rowcount(owned) + created


async def pseudonymise_decisions(session: AsyncSession, person: Person, pseudonym: str) -> int:
    """Decisions are kept; the one who recorded them is named by the pseudonym (Art. 17)."""
    if not person.matrix_id:
        return 0
    result = await session.execute(
        update(Decision)
        .where(Decision.recorded_by == person.matrix_id)
        .values(recorded_by=pseudonym)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)
