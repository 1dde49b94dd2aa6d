"""A meeting's scheduler entries: ids and payloads read back as written, a command re-arms only
the entries it changed, and arming reads the ledger in one grouped query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.scheduler import WAKE_JOB_ID, SchedulerService
from commands.framework.clock import SystemClock
from commands.framework.registry import Role, RoomKind
from commands.meetings.schedule import (
    INVITATION_DUE_KIND,
    MEETING_REMINDER_KIND,
    InvitationDue,
    ItemsCall,
    ItemsDeadline,
    ItemsLastDay,
    MeetingOver,
    MeetingReminder,
    parse_entry_id,
)
from storage.database import Database
from storage.models import ScheduleEntry
from storage.repositories import Store
from storage.schedule import Claim, LedgerStatus
from tests.support.desk import Desk
from tests.support.names import BEIRAT_ROOM
from tests.support.statements import counted_selects

WEEK, DAY = 7 * 24 * 60, 24 * 60


class Rearming:
    """What the bot is asked to re-arm after each command (the dispatcher's hook)."""

    def __init__(self) -> None:
        self.calls: list[frozenset[str]] = []

    async def __call__(self, entry_ids: frozenset[str]) -> None:
        self.calls.append(entry_ids)

    def take(self) -> set[str]:
        """Every entry id asked for since the last take."""
        taken = set().union(*self.calls)
        self.calls.clear()
        return taken


class Organiser(Desk):
    """Anna in the Bildungsbeirat's room, with the bot's re-arming recorded."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.rearming = Rearming()
        self.dispatcher.rearm = self.rearming

    async def in_beirat(self, command: str) -> str:
        return await self.ask(command, Role.TEAM, RoomKind.GROUP, room_id=BEIRAT_ROOM)


def test_entry_ids_and_payloads_read_back_as_written() -> None:
    """An entry's id and payload give back the entry they were written for; other ids are none."""
    reminder = MeetingReminder(12, DAY)
    invitation = InvitationDue(12)
    assert (
        reminder.entry_id == "meeting:12:reminder:1440" and reminder.kind == MEETING_REMINDER_KIND
    )
    assert (
        invitation.entry_id == "meeting:12:invitation" and invitation.kind == INVITATION_DUE_KIND
    )
    assert parse_entry_id(reminder.entry_id) == reminder
    assert parse_entry_id(invitation.entry_id) == invitation
    assert MeetingReminder.from_payload(reminder.to_payload()) == reminder
    assert InvitationDue.from_payload(invitation.to_payload()) == invitation
    assert parse_entry_id("reminder:12") is None
    assert parse_entry_id("meeting:x:reminder:5") is None


async def test_a_command_re_arms_only_the_entries_it_changed(database: Database) -> None:
    """Moving one of three meetings re-arms that meeting's entries only; a new reminder time
    re-arms only the new entries; a new place touches no entry at all."""
    anna = Organiser(database)
    await anna.in_beirat('!committee new "Bildungsbeirat" kurz=BB')
    for day in ("06.04.2027", "13.04.2027", "20.04.2027"):
        await anna.in_beirat(f"!meeting new {day} 14:00")
    first_arming = anna.rearming.take()
    # Per meeting: a week ahead, a day ahead, the invitation, the call for agenda items, its
    # last day, its deadline, and the end (which rolls the items over).
    assert len(first_arming) == 21

    await anna.in_beirat("!meeting move 2 14.04.2027 14:00")
    assert anna.rearming.take() == {
        MeetingReminder(2, WEEK).entry_id,
        MeetingReminder(2, DAY).entry_id,
        InvitationDue(2).entry_id,
        ItemsCall(2, 7).entry_id,
        ItemsLastDay(2).entry_id,
        ItemsDeadline(2).entry_id,
        MeetingOver(2).entry_id,
    }

    await anna.in_beirat('!committee change erinnerungen="7d, 1d, 2h"')
    assert anna.rearming.take() == {MeetingReminder(number, 120).entry_id for number in (1, 2, 3)}

    await anna.in_beirat('!committee change ort="Kreishaus"')
    assert anna.rearming.calls == []


async def test_arming_reads_the_last_occurrences_in_one_grouped_query(
    database: Database,
) -> None:
    """Setting the timer for thirty entries costs one SELECT (the soonest next moment);
    re-arming two changed ones costs two: the entries, and their last occurrences in one
    grouped query of the ledger. One timer stands for all entries."""
    now = datetime.now(UTC)
    async with database.session() as session:
        store = Store(session)
        for number in range(30):
            await store.schedule.put(
                entry_id=f"post:{number}",
                kind="test.post",
                first_at=now + timedelta(days=1),
                now=now,
                rule="FREQ=DAILY",
            )
            await store.schedule.claim_all([Claim(f"post:{number}", now, LedgerStatus.SENT)], now)
    service = SchedulerService(database, SystemClock(), timedelta(hours=1), {})
    await service.start()
    try:
        with counted_selects(database) as everything:
            await service.refresh()
        assert len(everything) == 1

        async with database.session() as session:
            store = Store(session)
            await store.schedule.put(
                entry_id="post:7",
                kind="test.post",
                first_at=now + timedelta(days=3),
                now=now,
                rule="FREQ=DAILY",
            )
            await store.schedule.deactivate("post:8")
            changed = frozenset(store.schedule.changed_ids)
        with counted_selects(database) as some:
            armed = await service.rearm(changed)
        assert len(some) == 2 and any("GROUP BY" in statement for statement in some)
        assert armed == 1  # post:8 was stopped, so only post:7 has a timer again
        assert {job.id for job in service._scheduler.get_jobs()} == {WAKE_JOB_ID}
        async with database.session() as session:
            entries = await Store(session).schedule.entries({"post:7", "post:8"})
        # Rules run over whole seconds.
        assert entries["post:7"].next_due == (now + timedelta(days=3)).replace(microsecond=0)
        assert entries["post:8"].next_due is None
    finally:
        await service.shutdown()


async def test_writing_an_entry_as_it_stands_changes_nothing(database: Database) -> None:
    """An entry written again with the same moment, rule and payload is no change, so nothing
    needs re-arming; a different moment is one."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "entry_id": "meeting:1:invitation",
        "kind": INVITATION_DUE_KIND,
        "first_at": now + timedelta(days=5),
        "now": now,
        "payload": InvitationDue(1).to_payload(),
    }
    async with database.session() as session:
        await Store(session).schedule.put(**values)
    async with database.session() as session:
        store = Store(session)
        await store.schedule.put(**values)
        assert not store.schedule.changed
        await store.schedule.put(**{**values, "first_at": now + timedelta(days=4)})
        assert store.schedule.changed_ids == {"meeting:1:invitation"}
        stored = await session.get(ScheduleEntry, "meeting:1:invitation")
    assert stored is not None and stored.first_at == now + timedelta(days=4)
