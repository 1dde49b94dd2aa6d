"""Tasks and decisions over Matrix: a committee's decision and its task in the committee room,
the owner's reminder posted once (also across a restart), the task closed by its owner, the
decision shown done, and the status report's PDF read back; the office's own task in the team
room."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import pytest
from nio import MemoryDownloadResponse
from pypdf import PdfReader

from bot.devtools.chat_client import ChatClient, Message
from commands.tasks.schedule import TASK_DUE_KIND, due_entry_id
from storage.repositories import Store
from storage.schedule import LedgerStatus
from tests.support.matrix import SOON, Office, beirat_with_bernd, bot_of, day_ahead
from tests.support.storage_reads import ledger_rows

pytestmark = pytest.mark.synapse


async def meeting_held_yesterday(office: Office, room_id: str) -> int:
    """The committee's meeting of yesterday, recorded as ``!sitzung neu`` would have."""
    now = datetime.now(UTC)
    async with bot_of(office).database.session() as session:
        store = Store(session)
        committee = await store.committees.for_room(room_id)
        assert committee is not None
        meeting = await store.meetings.add_meeting(
            now - timedelta(days=20),
            committee_id=committee.id,
            uid="held-yesterday@kuemmerer",
            start=now - timedelta(days=1),
            end=now - timedelta(days=1) + timedelta(hours=2),
        )
        return meeting.id


async def reminder_brought_forward(office: Office, task_id: int) -> None:
    """The task's due reminder moved to a few seconds from now, as written by the command but
    for the earlier moment (the chat cannot wait for the day before), and its timer re-armed."""
    bot = bot_of(office)
    entry_id = due_entry_id(task_id)
    async with bot.database.session() as session:
        store = Store(session)
        planned = await store.schedule.get(entry_id)
        assert planned is not None and planned.active and planned.kind == TASK_DUE_KIND
        await store.schedule.put(
            entry_id=entry_id,
            kind=TASK_DUE_KIND,
            first_at=office.bot.clock.now() + SOON,
            now=office.bot.clock.now(),
            timezone=planned.timezone,
            payload=planned.payload,
        )
    assert bot.scheduler is not None
    await bot.scheduler.rearm({entry_id})


def posts(person: ChatClient, room: str, bot: str, start: str) -> list[Message]:
    return [
        m
        for m in person.messages
        if m.room_id == room and m.sender == bot and m.body.startswith(start)
    ]


async def test_a_decision_and_its_task_are_followed_up_until_done(office: Office) -> None:
    """Bernd may not record a decision; Anna records it unanimously and a task for Bernd from
    it; Bernd is reminded once, also after a restart; he closes the task; the decision then
    reads done; the report's PDF says so; the team room keeps the office's own task."""
    anna, bot_id = office.anna, office.bot.user_id
    room, bernd = await beirat_with_bernd(office)
    meeting = await meeting_held_yesterday(office, room)

    refused = await bernd.ask(room, f"!decision The concept is adopted. meeting={meeting}")
    assert "`!decision` is only for organisers; you are not allowed to use it." in refused.body

    decided = await anna.ask(
        room, f"!decision The concept is adopted. unanimous meeting={meeting}"
    )
    assert "Decision No. 1 of Bildungsbeirat is recorded." in decided.body, decided.body
    assert "Votes: unanimous" in decided.body

    created = await anna.ask(
        room, f"!task new Ask the schools {bernd.user_id} until={day_ahead(10)} decision=1"
    )
    assert "Task No. 1 is recorded." in created.body, created.body
    bernds_name = bernd.user_id[1:].split(":")[0]  # his display name: the bot shows names
    assert f"Owner: {bernds_name}" in created.body and "(in 10 days)" in created.body
    assert "The owner is reminded on" in created.body

    await reminder_brought_forward(office, 1)
    # Waited for by its text: Bernd's client may still be receiving the answers to Anna.
    await bernd.wait_until(lambda: bool(posts(bernd, room, bot_id, "Reminder for")), timeout=30)
    [reminder] = posts(bernd, room, bot_id, "Reminder for")
    assert reminder.body.startswith(f"Reminder for {bernds_name}: task No. 1 is due ")
    assert reminder.content["m.mentions"] == {"user_ids": [bernd.user_id]}
    assert f'href="https://matrix.to/#/{bernd.user_id}"' in reminder.html

    await office.bot.restart()
    scheduler = bot_of(office).scheduler
    assert scheduler is not None
    await asyncio.wait_for(scheduler.started.wait(), 30)
    listed = await bernd.ask(room, "!tasks mine")
    assert "No. 1 · open · due " in listed.body and "Ask the schools" in listed.body
    assert len(posts(bernd, room, bot_id, "Reminder for")) == 1
    async with bot_of(office).database.session() as session:
        ledger = await ledger_rows(session, due_entry_id(1))
    assert [row.status for row in ledger] == [LedgerStatus.SENT]

    done = await bernd.ask(room, "!done 1 All four schools answered")
    assert "Status: done" in done.body and "No more reminders will come for it." in done.body
    tracking = await bernd.ask(room, "!decisions")
    assert "Decision No. 1 · " in tracking.body and " · done · unanimous" in tracking.body
    team_view = await anna.ask(office.team_room, "!decisions Bildungsbeirat open")
    assert "No open decisions (Bildungsbeirat (BB))." in team_view.body

    report = await bernd.ask(room, "!report")
    assert "• Decisions: 1" in report.body and "• Tasks done: 1" in report.body
    await bernd.wait_until(lambda: bool(posts(bernd, room, bot_id, "status-report-")))
    await bernd.wait_until(
        lambda: any(m.body.endswith(".pdf") for m in posts(bernd, room, bot_id, "status-report"))
    )
    [pdf_event] = [
        m for m in posts(bernd, room, bot_id, "status-report-") if m.body.endswith(".pdf")
    ]
    assert pdf_event.msgtype == "m.file"
    download = await bernd.client.download(mxc=pdf_event.content["url"])
    assert isinstance(download, MemoryDownloadResponse)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(download.body)).pages)
    assert "Status report: Bildungsbeirat (BB)" in text and "The concept is adopted." in text

    office_task = await anna.ask(office.team_room, "!task new Order the flyers until friday")
    assert "Task No. 2 is recorded." in office_task.body and "For: the office" in office_task.body
    everything = await anna.ask(office.team_room, "!tasks")
    assert "No. 2 · open · due " in everything.body and "Ask the schools" not in everything.body
