"""Tasks and decisions at the desk: recording, echoes, lists and their order, states in words,
refusals, Wiedervorlage, re-planned reminders, the Beschlusskontrolle, the report, the weekly
digest, the right of access, erasure and the audit log."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from bot.posting import job_handlers
from bot.scheduler import SchedulerService, ensure_digest
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply
from storage.database import Database
from storage.models import Person, Task, TaskStatus
from tests.support.committees import add_beirat
from tests.support.desk import Desk, schedule_entry
from tests.support.documents import text_lines_and_image_tops
from tests.support.names import ANNA, BEIRAT_ROOM, BERLIN, BERND, CLARA, MONDAY, TEAM_ROOM
from tests.support.scheduling import PostBox

TODAY = date(2027, 3, 8)  # MONDAY in Berlin


async def ask_in_beirat(desk: Desk, command: str, role: Role = Role.ORGANIZER, **kw: Any) -> str:
    """``command`` typed in the Bildungsbeirat's room, as plain text."""
    return await desk.ask(command, role=role, room=RoomKind.GROUP, room_id=BEIRAT_ROOM, **kw)


async def add_task(database: Database, text: str, **values: Any) -> int:
    """A task written directly, as the commands would have written it earlier."""
    values.setdefault("created_by", ANNA)
    values.setdefault("created_at", MONDAY - timedelta(days=30))
    values.setdefault("updated_at", MONDAY - timedelta(days=30))
    async with database.session() as session:
        task = Task(text=text, **values)
        session.add(task)
        await session.flush()
        return task.id


async def past_meeting(database: Database, committee_id: int) -> int:
    """Meeting No. 1 of the committee, held a week ago."""
    async with database.session() as session:
        from storage.repositories import Store

        meeting = await Store(session).meetings.add_meeting(
            MONDAY - timedelta(days=30),
            committee_id=committee_id,
            uid="held@kuemmerer",
            start=MONDAY - timedelta(days=7),
            end=MONDAY - timedelta(days=7, hours=-2),
        )
        return meeting.id


# --------------------------------------------------------------------------- recording


async def test_a_team_task_with_owner_and_due_date_is_echoed_and_planned(
    database: Database,
) -> None:
    """!task new … @bernd until friday in the team room: the office's task is echoed with the
    day as read and the relative day, and its reminder is planned for Thursday 09:00."""
    desk = Desk(database)
    answer = await desk.ask(f"!task new Book the room {BERND} until friday")
    assert "Task No. 1 is recorded." in answer
    assert "Task No. 1: Book the room" in answer
    assert "Due: Friday, 12 Mar 2027 (in 4 days)" in answer
    assert f"Owner: {BERND}" in answer and "For: the office" in answer
    assert "The owner is reminded on Thu, 11 Mar 2027, 09:00." in answer
    planned = await schedule_entry(desk.database, "task:1:due")
    assert planned is not None and planned.active
    assert planned.first_at.astimezone(BERLIN) == datetime(2027, 3, 11, 9, 0, tzinfo=BERLIN)


async def test_a_german_bot_echoes_the_due_date_with_the_weekday_spelled_out(
    database: Database,
) -> None:
    """Ein deutscher Bot liest „bis Freitag“ und antwortet „Fällig: Freitag, 12.03.2027 (in 4
    Tagen)“."""
    desk = Desk(database, language="de")
    answer = await desk.ask("!aufgabe neu Raum buchen bis Freitag")
    assert "Aufgabe Nr. 1 ist erfasst." in answer, answer
    assert "Freitag, 12.03.2027 (in 4 Tagen)" in answer


async def test_a_committee_task_with_a_contact_without_matrix(database: Database) -> None:
    """In the committee room, wer=<contact> makes a person without Matrix the owner; the task
    belongs to the committee."""
    await add_beirat(database)
    async with database.session() as session:
        session.add(
            Person(name="Petra Hahn", name_key="petra hahn", recorded_at=MONDAY, updated_at=MONDAY)
        )
    desk = Desk(database)
    answer = await ask_in_beirat(desk, "!task new Print the flyer who=1 until=19.03.2027")
    assert "Owner: Petra Hahn" in answer and "For: Bildungsbeirat" in answer
    listed = await ask_in_beirat(desk, "!tasks", role=Role.MEMBER, sender=BERND)
    assert "No. 1 · open · due Friday, 19 Mar 2027 (in 11 days) · Petra Hahn" in listed


async def test_words_after_until_that_are_no_date_stay_in_the_text(database: Database) -> None:
    """ "until the meeting" is no date: the words stay in the text, and the answer says how a
    due date is written instead."""
    desk = Desk(database)
    answer = await desk.ask("!task new Revise the concept until the meeting")
    assert "Task No. 1: Revise the concept until the meeting" in answer
    assert 'The words after "until" are no date' in answer and "until=11.12.2026" in answer


async def test_bad_input_gets_a_sentence_and_the_usage_line(database: Database) -> None:
    """A wrong status, filter, owner or past date is refused with what was wrong and the
    usage line; nothing is stored."""
    desk = Desk(database)
    await desk.ask("!task new Book the room")
    status = await desk.ask("!task status 1 finished-ish")
    assert "`finished-ish` is no status. Write one of: open, in progress, blocked, done." in status
    assert "Usage: `!task status <number> <status…>`" in status
    listing = await desk.ask("!tasks urgent")
    assert "`urgent` is no filter." in listing and "Usage: `!tasks" in listing
    owner = await desk.ask("!task new Call back who=Bernd")
    assert "is neither a Matrix user nor a contact's number" in owner
    past = await desk.ask("!task new Call back until 01.03.2027")
    assert "The date 1 Mar 2027 is in the past." in past
    empty = await desk.ask(f"!task new {BERND}")
    assert "The task's text is missing" in empty
    async with desk.store() as store:
        assert [task.id for task in await store.tasks.tasks(include_done=True)] == [1]


async def test_a_member_may_not_record_tasks_but_the_owner_may_report_progress(
    database: Database,
) -> None:
    """Bernd, a member, cannot record a task; as its owner he may set it in progress and mark
    it done; Clara, another member, may not."""
    await add_beirat(database)
    desk = Desk(database)
    refused = await ask_in_beirat(desk, "!task new Something", role=Role.MEMBER, sender=BERND)
    assert "`!task new` is only for organisers" in refused
    await ask_in_beirat(desk, f"!task new Ask the schools {BERND}")
    clara = await ask_in_beirat(desk, "!done 1", role=Role.MEMBER, sender=CLARA)
    assert "Only the owner of task No. 1 or an organiser may change it." in clara
    progress = await ask_in_beirat(
        desk, "!task status 1 in progress", role=Role.MEMBER, sender=BERND
    )
    assert "Status: in progress" in progress
    done = await ask_in_beirat(desk, "!done 1 All four answered", role=Role.MEMBER, sender=BERND)
    assert "Status: done" in done and "Note: All four answered" in done


# --------------------------------------------------------------------------- reminders


async def test_moving_the_due_date_replans_the_reminder_and_done_stops_it(
    database: Database,
) -> None:
    """A new due date moves the reminder to the day before it; a done task keeps no
    reminder, and a done task is not reminded."""
    desk = Desk(database)
    await desk.ask("!task new Book the room until friday")
    moved = await desk.ask("!task edit 1 until=19.03.2027")
    assert "Due: Friday, 19 Mar 2027 (in 11 days)" in moved
    assert "A reminder is posted on Thu, 18 Mar 2027, 09:00." in moved
    planned = await schedule_entry(desk.database, "task:1:due")
    assert planned is not None and planned.active
    assert planned.first_at.astimezone(BERLIN) == datetime(2027, 3, 18, 9, 0, tzinfo=BERLIN)
    assert planned.payload == {"task_id": 1, "due_on": "2027-03-19"}
    cleared = await desk.ask("!task edit 1 until=-")
    assert "Due: none" in cleared
    stopped = await schedule_entry(desk.database, "task:1:due")
    assert stopped is not None and not stopped.active
    await desk.ask("!task edit 1 until=19.03.2027")
    done = await desk.ask("!done 1")
    assert "No more reminders will come for it." in done
    after = await schedule_entry(desk.database, "task:1:due")
    assert after is not None and not after.active


async def test_a_follow_up_date_is_planned_and_echoed(database: Database) -> None:
    """!followup 1 15.03.2027 sets the Wiedervorlage: echoed with the relative day, and the
    entry fires at 09:00 that day."""
    desk = Desk(database)
    await desk.ask("!task new Check the applications")
    answer = await desk.ask("!followup 1 15.03.2027")
    assert "Follow-up: Monday, 15 Mar 2027 (in 7 days)" in answer
    assert "On Monday, 15 Mar 2027 (in 7 days) at 09:00 it is put before its owner again." in (
        answer
    )
    planned = await schedule_entry(desk.database, "task:1:followup")
    assert planned is not None and planned.active
    assert planned.first_at.astimezone(BERLIN) == datetime(2027, 3, 15, 9, 0, tzinfo=BERLIN)


async def test_reminders_go_to_the_committee_room_once_and_not_for_a_moved_date(
    database: Database,
) -> None:
    """The due reminder of a committee's task is posted into its room mentioning the owner,
    once; the Wiedervorlage of an office task goes to the owner by direct chat; an entry whose
    task was moved or done meanwhile (by a write its timer did not see) stays silent."""
    await add_beirat(database)
    desk = Desk(database)
    await ask_in_beirat(desk, f"!task new Ask the schools {BERND} until=10.03.2027")
    await desk.ask(f"!task new Call the VHS {BERND}")
    await desk.ask("!followup 2 09.03.2027")
    await desk.ask(f"!task new Moved behind the timer's back {BERND} until=10.03.2027")
    await desk.ask(f"!task new Done behind the timer's back {BERND} until=10.03.2027")
    async with desk.store() as store:
        moved, done = await store.tasks.task(3), await store.tasks.task(4)
        assert moved is not None and done is not None
        moved.due_on, done.status = date(2027, 3, 20), TaskStatus.DONE
    box = PostBox(database)
    box.gateway.add_room(BEIRAT_ROOM, BERND)
    service = SchedulerService(database, desk.clock, timedelta(hours=1), job_handlers(box))
    desk.clock.set(datetime(2027, 3, 9, 9, 0, tzinfo=BERLIN))
    assert await service.run_due() == 4  # four entries fire, two of them find nothing to say
    assert await service.run_due() == 0
    [(room, due), (direct, follow_up)] = box.posts
    assert room == BEIRAT_ROOM and due.mention_users == [BERND]
    text = box.texts()[0][1]
    assert f"Reminder for {BERND}: task No. 1 is due Wednesday, 10 Mar 2027 (tomorrow)." in text
    assert "`!done 1` marks it done." in text
    assert box.gateway.opened == [BERND] and direct.startswith("!dm-")
    assert "Follow-up for" in box.texts()[1][1] and follow_up.mention_users == [BERND]


async def test_the_weekly_digest_lists_the_overdue_tasks_in_the_team_room(
    database: Database,
) -> None:
    """The digest on its weekday lists every overdue task, most overdue first, and says nothing
    in a week without one."""
    await add_beirat(database)
    await add_task(database, "Old report", due_on=TODAY - timedelta(days=10), committee_id=1)
    await add_task(database, "Late list", due_on=TODAY - timedelta(days=2))
    await add_task(database, "Future", due_on=TODAY + timedelta(days=2))
    await add_task(database, "Done", due_on=TODAY - timedelta(days=5), status=TaskStatus.DONE)
    desk = Desk(database)
    box = PostBox(database)
    service = SchedulerService(database, desk.clock, timedelta(hours=1), job_handlers(box))
    assert await ensure_digest(service, 0, datetime(1, 1, 1, 8, 0).time(), "Europe/Berlin")
    assert not await ensure_digest(service, 0, datetime(1, 1, 1, 8, 0).time(), "Europe/Berlin")
    desk.clock.set(datetime(2027, 3, 15, 8, 0, tzinfo=BERLIN))
    assert await service.run_due() == 1
    [(room, _reply)] = box.posts
    text = box.texts()[0][1]
    assert room == TEAM_ROOM and text.startswith("3 tasks are overdue:")
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert [line.split(": ", 1)[1] for line in lines] == ["Old report", "Late list", "Future"]
    assert "`!tasks overdue` shows them at any time." in text
    async with desk.store() as store:
        for task in await store.tasks.tasks():
            task.status = TaskStatus.DONE
    desk.clock.set(datetime(2027, 3, 22, 8, 0, tzinfo=BERLIN))
    assert await service.run_due() == 1 and len(box.posts) == 1


# --------------------------------------------------------------------------- lists


async def test_the_list_puts_overdue_tasks_first_with_their_status_in_words(
    database: Database,
) -> None:
    """!tasks in the team room: overdue ones first (most overdue on top), then by due date,
    undated last; every line says its status in words; done ones only with "all"."""
    await add_beirat(database)
    await add_task(database, "Later", due_on=TODAY + timedelta(days=9))
    await add_task(database, "Undated", status=TaskStatus.IN_PROGRESS)
    await add_task(database, "A bit late", due_on=TODAY - timedelta(days=1), committee_id=1)
    await add_task(database, "Very late", due_on=TODAY - timedelta(days=20), status="blocked")
    await add_task(database, "Finished", due_on=TODAY - timedelta(days=3), status=TaskStatus.DONE)
    desk = Desk(database)
    answer = await desk.ask("!tasks")
    lines = [line for line in answer.splitlines() if line.startswith("• ")]
    assert [line.rsplit(": ", 1)[1] for line in lines] == [
        "Very late",
        "A bit late",
        "Later",
        "Undated",
    ]
    assert lines[0].startswith("• No. 4 · blocked, overdue · due Tuesday, 16 Feb 2027 (20 days")
    assert (
        "No. 3 · open, overdue · due Sunday, 7 Mar 2027 (yesterday) · nobody yet · BB"
        in (lines[1])
    )
    assert lines[3].startswith("• No. 2 · in progress · nobody yet")
    assert "Open tasks (all, 4):" in answer and "2 of them are overdue." in answer
    everything = await desk.ask("!tasks all")
    assert "No. 5 · done · nobody yet: Finished" in everything
    overdue = await desk.ask("!tasks overdue")
    assert "Overdue tasks (all, 2):" in overdue and "Later" not in overdue


async def test_each_room_lists_its_own_scope(database: Database) -> None:
    """A committee room lists its committee's tasks, a direct chat the sender's own, and
    "mine" and who= narrow the team room's list."""
    await add_beirat(database)
    await add_task(database, "Beirat task", committee_id=1, owner_matrix_id=BERND)
    await add_task(database, "Office task", owner_matrix_id=ANNA)
    await add_task(database, "Another office task", owner_matrix_id=BERND)
    desk = Desk(database)
    room = await ask_in_beirat(desk, "!tasks", role=Role.MEMBER, sender=CLARA)
    assert "Beirat task" in room and "Office task" not in room
    direct = await desk.ask("!tasks", role=Role.GUEST, room=RoomKind.DIRECT, sender=BERND)
    assert "Beirat task" in direct and "Another office task" in direct
    assert "Office task:" not in direct and "Open tasks (your, 2):" in direct
    mine = await desk.ask("!tasks mine")
    assert "Office task" in mine and "Beirat task" not in mine
    bernds = await desk.ask(f"!tasks who={BERND}")
    assert "Beirat task" in bernds and "Office task:" not in bernds
    elsewhere = await desk.ask(
        f"!tasks who={ANNA}", role=Role.GUEST, room=RoomKind.DIRECT, sender=BERND
    )
    assert "In a direct chat you see your own tasks only." in elsewhere
    hidden = await ask_in_beirat(desk, "!task 2", role=Role.MEMBER, sender=CLARA)
    assert "There is no task No. 2 here." in hidden


# --------------------------------------------------------------------------- decisions


async def test_a_unanimous_decision_is_echoed_and_a_member_is_refused(database: Database) -> None:
    """ "einstimmig" after the wording records a unanimous decision of the meeting; votes and
    einstimmig together, or einstimmig after an option, are refused; a member may not record."""
    committee = await add_beirat(database)
    await past_meeting(database, committee)
    desk = Desk(database)
    answer = await ask_in_beirat(desk, "!decision The concept is adopted. unanimous meeting=1")
    assert "Decision No. 1 of Bildungsbeirat is recorded." in answer
    assert "Wording: The concept is adopted." in answer and "Votes: unanimous" in answer
    assert "Meeting: No. 1 on Mon, 1 Mar 2027, 10:00" in answer
    counted = await ask_in_beirat(
        desk, "!decision Budget approved. meeting=1 yes=7 no=1 abstain=2"
    )
    assert "Votes: Yes 7 · No 1 · Abstentions 2" in counted
    both = await ask_in_beirat(desk, "!decision X unanimous yes=3")
    assert "Write either unanimous or the votes" in both and "Usage: `!decision" in both
    late = await ask_in_beirat(desk, "!decision X meeting=1 unanimous")
    assert "Write `unanimous` right after the wording, before the options" in late
    member = await ask_in_beirat(desk, "!decision X", role=Role.MEMBER, sender=BERND)
    assert "`!decision` is only for organisers; you are not allowed to use it." in member
    german = await ask_in_beirat(Desk(database, language="de"), "!beschluss Y einstimmig")
    assert "Abstimmung: einstimmig" in german, german


async def test_decision_tracking_follows_the_state_of_the_tasks(database: Database) -> None:
    """!decisions shows each decision with its tasks: open without progress, in progress once
    work began, overdue when a task is late, done when all are; "open" hides the done ones."""
    committee = await add_beirat(database)
    await past_meeting(database, committee)
    desk = Desk(database)
    await ask_in_beirat(desk, "!decision Survey the schools. meeting=1 yes=9")
    state = await ask_in_beirat(desk, "!decisions", role=Role.MEMBER, sender=BERND)
    assert "Decision No. 1 · 1 Mar 2027 · open · Yes 9 · No 0 · Abstentions 0" in state
    assert "No task carries it out yet." in state
    await ask_in_beirat(desk, f"!task new Write the survey {BERND} until=12.03.2027 decision=1")
    await ask_in_beirat(desk, "!task new Send it out decision=1")
    await ask_in_beirat(desk, "!task status 1 in progress")
    assert "· in progress ·" in await ask_in_beirat(desk, "!decisions")
    desk.clock.set(MONDAY + timedelta(days=5))
    assert "· overdue ·" in await ask_in_beirat(desk, "!decisions")
    await ask_in_beirat(desk, "!done 1")
    await ask_in_beirat(desk, "!done 2")
    done = await ask_in_beirat(desk, "!decisions")
    assert "Decision No. 1 · 1 Mar 2027 · done ·" in done
    assert "No. 1 · done · Bernd" not in done and f"No. 1 · done · {BERND}" in done
    assert "No open decisions (Bildungsbeirat (BB))." in await ask_in_beirat(
        desk, "!decisions open"
    )
    team = await desk.ask("!decisions Bildungsbeirat")
    assert "Decision No. 1 · 1 Mar 2027 · done" in team


# --------------------------------------------------------------------------- report


async def test_the_report_counts_the_period_and_its_pdf_reads_back(database: Database) -> None:
    """!report in the committee room counts the meeting, the decision and the tasks done,
    open and overdue; the PDF carries the same, and text typed in the chat stays text."""
    committee = await add_beirat(database)
    await past_meeting(database, committee)
    desk = Desk(database)
    await ask_in_beirat(desk, "!decision <b>Adopted</b> unanimous meeting=1")
    await add_task(database, "Late & open", committee_id=1, due_on=TODAY - timedelta(days=1))
    await add_task(
        database,
        "Closed",
        committee_id=1,
        status=TaskStatus.DONE,
        done_at=MONDAY - timedelta(days=1),
    )
    reply: Reply = await desk.reply(
        "!report", role=Role.MEMBER, room=RoomKind.GROUP, room_id=BEIRAT_ROOM, sender=BERND
    )
    text = Desk.text(reply)
    assert "Status report: Bildungsbeirat (BB)" in text
    assert "Period: 9 Mar 2026 – 8 Mar 2027" in text
    for line in (
        "Meetings held: 1",
        "Decisions: 1",
        "Tasks done: 1",
        "Tasks open: 1",
        "of them overdue: 1",
    ):
        assert f"• {line}" in text
    png, pdf = reply.attachments
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert pdf.filename == "status-report-2027-03-08.pdf" and pdf.mimetype == "application/pdf"
    read = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Status report: Bildungsbeirat (BB)" in read
    assert "<b>Adopted</b>" in read and "Late & open" in read
    empty = await ask_in_beirat(desk, "!report from=01.01.2026 until=31.01.2026")
    assert "• Meetings held: 0" in empty
    backwards = await ask_in_beirat(desk, "!report from=01.02.2026 until=31.01.2026")
    assert "The period starts (1 Feb 2026) after it ends (31 Jan 2026)." in backwards


async def test_the_report_pdf_draws_its_chart_below_the_summary_table(database: Database) -> None:
    """The report's chart starts below the last row of the "At a glance" table instead of
    covering it (the PDF writer placed an image right after a table over its last row)."""
    committee = await add_beirat(database)
    await past_meeting(database, committee)
    desk = Desk(database)
    await ask_in_beirat(desk, "!decision Adopted unanimous meeting=1")
    reply = await desk.reply("!report", role=Role.MEMBER, room=RoomKind.GROUP, room_id=BEIRAT_ROOM)
    _png, pdf = reply.attachments
    baselines, image_tops = text_lines_and_image_tops(pdf.data)
    assert len(image_tops) == 1, image_tops
    last_row = baselines["of them overdue"]
    # A row's box ends before where the next row's baseline would be.
    row_pitch = last_row - baselines["Tasks open"]
    assert image_tops[0] > last_row + row_pitch, (image_tops, last_row, row_pitch)


# --------------------------------------------------------------------------- privacy, audit


async def test_access_lists_tasks_and_decisions_and_erasure_pseudonymises_them(
    database: Database,
) -> None:
    """Art. 15 lists the contact's tasks and the decisions they recorded; Art. 17 keeps both
    and names the person by the pseudonym only."""
    committee = await add_beirat(database)
    await past_meeting(database, committee)
    async with database.session() as session:
        session.add(
            Person(
                name="Bernd Berg",
                name_key="bernd berg",
                matrix_id=BERND,
                recorded_at=MONDAY,
                updated_at=MONDAY,
            )
        )
    desk = Desk(database)
    await ask_in_beirat(desk, "!decision Adopted. meeting=1", sender=BERND)
    await desk.ask("!task new Call the VHS who=1")
    access = await desk.reply("!contact access 1")
    assert "Tasks owned: 1" in Desk.text(access) and "Decisions recorded: 1" in Desk.text(access)
    markdown = access.attachments[1].data.decode()
    assert "Call the VHS" in markdown and "Adopted." in markdown
    await desk.ask("!contact delete 1 confirmed")
    listed = await desk.ask("!tasks")
    assert "No. 1 · open · Person 1: Call the VHS" in listed
    async with desk.store() as store:
        decision = await store.tasks.decision(1)
        assert decision is not None and decision.recorded_by == "Person 1"
        [task] = await store.tasks.tasks()
        assert (task.owner_person_id, task.owner_matrix_id) == (None, "")


async def test_the_audit_log_records_decisions_and_task_changes_without_their_text(
    database: Database,
) -> None:
    """Recording a decision, a task, a change and its completion each leave an audit entry
    naming the record's number, never its wording."""
    committee = await add_beirat(database)
    await past_meeting(database, committee)
    desk = Desk(database)
    await ask_in_beirat(desk, "!decision Secret wording meeting=1")
    await ask_in_beirat(desk, "!task new Secret task until=12.03.2027")
    await ask_in_beirat(desk, "!task edit 1 until=19.03.2027")
    await ask_in_beirat(desk, "!done 1 Secret note")
    entries = [
        (e.action, e.object_type, e.object_id, e.detail)
        for e in await desk.audit()
        if e.object_type in ("task", "decision")
    ]
    assert entries == [
        ("create", "decision", "1", f"committee {committee}"),
        ("create", "task", "1", f"committee {committee}"),
        ("update", "task", "1", "due"),
        ("update", "task", "1", "status done"),
    ]
    assert not any("Secret" in detail for *_, detail in entries)


@pytest.mark.backend_neutral
async def test_the_digest_weekday_and_time_come_from_the_configuration() -> None:
    """[tasks] digest_weekday and digest_time are read in either language; a wrong value is
    refused with the key named."""
    from bot.config import ConfigError, config_from_mapping

    base = {
        "matrix": {"homeserver": "https://hs", "user_id": "@k:hs", "password": "x"},
        "bot": {"team_room": "!t:hs"},
    }
    config = config_from_mapping(
        {**base, "tasks": {"digest_weekday": "Freitag", "digest_time": "07:30"}}, {}
    )
    assert (config.tasks.digest_day, str(config.tasks.digest_at)) == (4, "07:30:00")
    with pytest.raises(ConfigError, match=r"tasks\.digest_weekday"):
        config_from_mapping({**base, "tasks": {"digest_weekday": "someday"}}, {})
    with pytest.raises(ConfigError, match=r"tasks\.digest_time"):
        config_from_mapping({**base, "tasks": {"digest_time": "25:00"}}, {})
