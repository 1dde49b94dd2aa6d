"""Meeting mode and the minutes at the desk: attendance, calling items, notes, decisions and
tasks under the current item, undo, the end with roll-over, the rendered minutes, corrections,
approval, and the person's rights over their entries.

Fast tests on the real dispatcher and SQLite; a whole meeting through Synapse is in
``tests/test_minutes_matrix.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply
from storage.database import Database
from storage.models import AgendaItem, ItemStatus, Person
from tests.support.committees import beirat_with_a_meeting, member, organiser
from tests.support.desk import Desk
from tests.support.documents import pdf_text
from tests.support.names import BEIRAT_ROOM, BERND, CLARA, FURTHER_MEMBERS, MONDAY

ON_THE_DAY = datetime(2027, 4, 12, 12, 5, tzinfo=UTC)  # 14:05 in Berlin, the meeting began


async def with_agenda(database: Database) -> Desk:
    """The Beirat's meeting No. 1 with a public item (No. 1), a non-public one (No. 2) and a
    third public one (No. 3), its agenda published, and the clock on the meeting's day."""
    desk = await beirat_with_a_meeting(database)
    await organiser(desk, "!top Bildungsbericht 2027")
    await organiser(desk, "!top Personalfrage Kita nö")
    await organiser(desk, "!top Sprachkitas")
    await organiser(desk, "!tagesordnung veröffentlichen")
    desk.clock.set(ON_THE_DAY)
    return desk


async def in_room(desk: Desk, command: str, role: Role = Role.ORGANIZER) -> Reply:
    return await desk.reply(command, role, RoomKind.GROUP, room_id=BEIRAT_ROOM)


async def test_a_meeting_is_recorded_and_its_minutes_rendered(database: Database) -> None:
    """Attendance, an item, a note, a decision with votes and a task go into the minutes'
    HTML and PDF; the note's ``<b>`` stays text in the HTML."""
    desk = await with_agenda(database)
    answer = await organiser(desk, "!meeting start")
    assert "Meeting mode for Bildungsbeirat, meeting No. 1, has begun." in answer
    answer = await organiser(desk, f"!present {BERND} {CLARA}, Petra Lang")
    assert "3 present." in answer
    await organiser(desk, f"!present {FURTHER_MEMBERS}")
    answer = await organiser(desk, "!item 1 call")
    assert "Called: P 5 Bildungsbericht 2027" in answer
    answer = await member(desk, "!note The draft is <b>good</b>.")
    assert "Note No. " in answer and "Current item: P 5 Bildungsbericht 2027" in answer
    answer = await organiser(desk, "!decision The report is adopted. yes=7 no=1 abstain=2")
    assert "Votes: Yes 7 · No 1 · Abstention" in answer and "Current item: P 5" in answer
    answer = await organiser(desk, f"!task Print the report {BERND} until 30.04.2027")
    assert "Task No. 1 is recorded." in answer
    reply = await in_room(desk, "!meeting end")
    text = desk.text(reply)
    assert "Minutes of Bildungsbeirat, meeting No. 1" in text
    names = [a.filename for a in reply.attachments]
    assert names == ["minutes-1.html", "minutes-1.pdf"], names
    html = reply.attachments[0].data.decode()
    assert "&lt;b&gt;good&lt;/b&gt;" in html and "<b>good</b>" not in html
    pdf = pdf_text(reply.attachments[1].data)
    assert "The report is adopted." in pdf and "Print the report" in pdf
    for rendered in (html, pdf):
        assert "\nItems\n" in rendered or "<h2>Items</h2>" in rendered
        assert "built-in method" not in rendered and "object at 0x" not in rendered


async def person(database: Database, name: str, matrix_id: str) -> int:
    """A contact record for ``matrix_id``."""
    async with database.session() as session:
        record = Person(
            name=name,
            name_key=name.lower(),
            matrix_id=matrix_id,
            recorded_at=MONDAY,
            updated_at=MONDAY,
        )
        session.add(record)
        await session.flush()
        return record.id


async def ended_meeting(database: Database) -> Desk:
    """Meeting No. 1 held: Bernd, Petra Lang and eight more present, Clara excused, item No. 1
    with a note, a decision and a task, item No. 2 (non-public) with a note; item No. 3 not
    called."""
    desk = await with_agenda(database)
    await organiser(desk, "!meeting start")
    await organiser(desk, f"!present {BERND}, Petra Lang")
    await organiser(desk, f"!present {FURTHER_MEMBERS}")
    await organiser(desk, f"!excused {CLARA}")
    await organiser(desk, "!item 1 call")
    await member(desk, "!note The report reads well.")
    await organiser(desk, "!decision The report is adopted. yes=7 no=1 abstain=2")
    await organiser(desk, f"!task Print the report {BERND} until 30.04.2027")
    await organiser(desk, "!item 2 call")
    await organiser(desk, "!note The post of Kita lead stays open for now.")
    await organiser(desk, "!meeting end")
    return desk


async def test_more_votes_than_members_present_are_refused(database: Database) -> None:
    """With three present, 3–1–0 is refused with both numbers and the usage line, for a new
    decision and for a correction; nothing is stored from the refusal."""
    desk = await with_agenda(database)
    await organiser(desk, "!meeting start")
    await organiser(desk, f"!present {BERND} {CLARA}, Petra Lang")
    await organiser(desk, "!item 1 call")
    answer = await organiser(desk, "!decision The report is adopted. yes=3 no=1")
    assert "The votes add up to 4, but 3 are recorded as present" in answer, answer
    assert "`!present …`" in answer and "Usage: `!decision" in answer
    assert "No decisions" in await organiser(desk, "!decisions")
    assert "Yes 2 · No 1" in await organiser(desk, "!decision The report is adopted. yes=2 no=1")
    answer = await organiser(desk, "!decision edit 1 yes=2 no=1 abstain=1")
    assert "The votes add up to 4, but 3 are recorded as present" in answer, answer
    assert "Usage: `!decision edit" in answer


async def test_a_decision_below_the_quorum_is_recorded_with_a_note(database: Database) -> None:
    """With a quorum of 3 and one present, the decision is recorded and the reply says so."""
    desk = await with_agenda(database)
    await organiser(desk, "!committee change quorum=3")
    await organiser(desk, "!meeting start")
    await organiser(desk, f"!present {BERND}")
    await organiser(desk, "!item 1 call")
    answer = await organiser(desk, "!decision The report is adopted. unanimous")
    assert "Decision No. 1 of Bildungsbeirat is recorded." in answer
    assert "Note: 1 present, 3 needed for the quorum; the decision is recorded" in answer


async def test_unanimous_needs_attendance_first(database: Database) -> None:
    """In meeting mode with nobody present, unanimous is refused and names !present; counted
    votes are taken as given."""
    desk = await with_agenda(database)
    await organiser(desk, "!meeting start")
    await organiser(desk, "!item 1 call")
    answer = await organiser(desk, "!decision The report is adopted. unanimous")
    assert "Nobody is recorded as present yet, so the decision cannot be unanimous" in answer
    assert "`!present …` first" in answer and "Usage: `!decision" in answer
    answer = await organiser(desk, "!decision The report is adopted. yes=7 no=1 abstain=2")
    assert "Votes: Yes 7 · No 1 · Abstentions 2" in answer, answer


async def test_only_one_meeting_mode_runs_per_room(database: Database) -> None:
    """A second !meeting start in the same room is refused and names the one running."""
    desk = await with_agenda(database)
    await organiser(desk, "!meeting start")
    answer = await organiser(desk, "!meeting start 1")
    assert "Meeting mode for meeting No. 1 already runs in this room" in answer
    assert "`!meeting end` ends it." in answer


async def test_meeting_mode_needs_a_meeting_today(database: Database) -> None:
    """Weeks before the meeting there is none today: the answer says how to go on."""
    desk = await beirat_with_a_meeting(database)
    answer = await organiser(desk, "!meeting start")
    assert "Bildungsbeirat has no meeting today." in answer and "`!meetings`" in answer
    assert "Usage: `!meeting start [meeting number]`" in answer


async def test_attendance_shows_the_quorum_with_names_without_matrix(database: Database) -> None:
    """With a quorum of 3, two present do not reach it; a name without an account counts."""
    desk = await with_agenda(database)
    await organiser(desk, "!committee change quorum=3")
    await organiser(desk, "!meeting start")
    await organiser(desk, f"!present {BERND}")
    await organiser(desk, "!excused Frank Weber")
    answer = await member(desk, "!present")
    assert f"Present: {BERND}" in answer and "Excused: Frank Weber" in answer
    assert "1 present, 3 needed: the quorum is not reached." in answer
    answer = await organiser(desk, "!present Petra Lang, Frank Weber")
    assert "3 present, 3 needed: the quorum is reached." in answer


async def test_next_walks_the_agenda_and_stops_at_its_end(database: Database) -> None:
    """!next calls P 1 … NP 1 in order; after the last one it says so and keeps the item."""
    desk = await with_agenda(database)
    await organiser(desk, "!meeting start")
    called = [await organiser(desk, "!next") for _ in range(8)]
    assert called[0].startswith("Called: P 1 Opening and establishment of the quorum")
    assert called[6].startswith("Called: P 7 Any other business")
    assert called[7].startswith("Called: NP 1 Personalfrage Kita")
    answer = await organiser(desk, "!next")
    assert "That was the last item of the agenda." in answer
    assert "Current item: NP 1 Personalfrage Kita" in answer


async def test_undo_takes_back_ones_own_and_organisers_any_by_number(database: Database) -> None:
    """Bernd takes back his own note; by number only an organiser removes an entry."""
    desk = await with_agenda(database)
    await organiser(desk, "!meeting start")
    await organiser(desk, "!item 1 call")
    first = await member(desk, "!note First thought.")
    await member(desk, "!note Second thought.")
    answer = await member(desk, "!undo")
    assert answer.startswith("Taken back: note No. ")
    number = first.split("Note No. ")[1].split(" ")[0]
    answer = await member(desk, f"!undo {number}", sender=CLARA)
    assert "Only organisers remove entries by number" in answer
    answer = await member(desk, "!undo", sender=CLARA)
    assert "You have recorded nothing in this meeting to take back." in answer
    answer = await organiser(desk, f"!undo {number}")
    assert answer.startswith(f"Taken back: note No. {number}.")
    reply = await in_room(desk, "!meeting end")
    assert "thought" not in desk.text(reply)


async def test_undo_of_a_task_removes_it_and_its_reminders(database: Database) -> None:
    """A task taken back is gone from the task list and has no active reminder left."""
    desk = await with_agenda(database)
    await organiser(desk, "!meeting start")
    await organiser(desk, "!item 1 call")
    await organiser(desk, f"!task Book the hall {BERND} until 30.04.2027")
    assert (await organiser(desk, "!undo")).startswith("Taken back: task No. 1.")
    assert "There is no task No. 1 here." in await organiser(desk, "!task 1")
    async with desk.store() as store:
        entries = await store.schedule.with_prefix("task:1:")
    assert not [entry for entry in entries if entry.active]


async def test_a_member_is_refused_decisions_and_moving_the_agenda(database: Database) -> None:
    """Only organisers record decisions and call items; nothing is stored from a refusal."""
    desk = await with_agenda(database)
    await organiser(desk, "!meeting start")
    await organiser(desk, "!item 1 call")
    answer = await member(desk, "!decision We agree. unanimous")
    assert "organiser" in answer.lower()
    assert "`!next` is only for organisers" in await member(desk, "!next")
    assert "No decisions" in await organiser(desk, "!decisions")


async def test_end_marks_called_items_and_rolls_the_rest_over(database: Database) -> None:
    """Items No. 1 and 2 were called and are dealt with; No. 3 waits for the next meeting."""
    desk = await ended_meeting(database)
    async with database.session() as session:
        states = {
            i.id: (i.status, i.meeting_id) for i in await session.scalars(select(AgendaItem))
        }
    assert states[1] == (ItemStatus.DONE, 1) and states[2] == (ItemStatus.DONE, 1)
    assert states[3][0] != ItemStatus.DONE and states[3][1] is None
    answer = await organiser(desk, "!minutes")
    assert "Postponed" not in answer  # the chat shows what was dealt with


async def test_the_non_public_part_stays_a_separate_document(database: Database) -> None:
    """Public minutes never carry NP 1; the committee room gets a second document, the team
    room gets none."""
    desk = await ended_meeting(database)
    reply = await in_room(desk, "!minutes 1")
    text = desk.text(reply)
    assert "Personalfrage" not in text and "Kita lead" not in text
    files = {a.filename: a.data for a in reply.attachments}
    assert sorted(files) == [
        "minutes-1-non-public.html",
        "minutes-1-non-public.pdf",
        "minutes-1.html",
        "minutes-1.pdf",
    ]
    assert "Kita lead" not in files["minutes-1.html"].decode()
    assert "Kita lead" in pdf_text(files["minutes-1-non-public.pdf"])
    team = await desk.reply("!minutes 1")
    assert [a.filename for a in team.attachments] == ["minutes-1.html", "minutes-1.pdf"]
    assert "The non-public part is available in the committee's room only." in desk.text(team)


async def test_corrections_are_rendered_again(database: Database) -> None:
    """A corrected note and corrected votes appear in the minutes rendered again."""
    desk = await ended_meeting(database)
    async with desk.store() as store:
        note = next(e for e in await store.minutes.entries(1) if e.text.startswith("The report"))
    answer = await member(desk, f"!note edit {note.id} The report reads very well.")
    assert f"Note No. {note.id} is corrected." in answer
    answer = await member(desk, f"!note edit {note.id} Mine now.", sender=CLARA)
    assert "Only the author of a note or an organiser may change it." in answer
    answer = await organiser(desk, "!decision edit 1 unanimous")
    assert "Votes: unanimous" in answer and "`!minutes 1`" in answer
    reply = await in_room(desk, "!minutes")
    pdf = pdf_text(reply.attachments[1].data)
    assert "The report reads very well." in pdf and "unanimous" in pdf


async def test_approval_is_named_at_the_next_meetings_opening_item(database: Database) -> None:
    """Approved minutes of meeting No. 1 are what the agenda of No. 2 asks to approve."""
    desk = await ended_meeting(database)
    await organiser(desk, "!meeting new 10.05.2027 14:00")
    answer = await organiser(desk, "!agenda 2")
    assert "Minutes to approve: meeting No. 1 (not approved yet; `!minutes approve 1`" in answer
    answer = await organiser(desk, "!minutes approve")
    assert answer == "The minutes of meeting No. 1 are approved (12 Apr 2027)."
    answer = await organiser(desk, "!agenda 2")
    assert "Minutes to approve: meeting No. 1 (approved on 12 Apr 2027)" in answer
    reply = await in_room(desk, "!minutes 1")
    assert "Approved on 12 Apr 2027." in desk.text(reply)


async def test_bad_input_is_explained_with_the_usage(database: Database) -> None:
    """A malformed account, a note outside meeting mode and a task without owner are refused
    with a sentence and the usage line."""
    desk = await with_agenda(database)
    answer = await member(desk, "!note Hello")
    assert "No meeting mode runs in this room. `!meeting start` starts it." in answer
    await organiser(desk, "!meeting start")
    answer = await organiser(desk, "!present @bernd")
    assert "`@bernd` is no Matrix account." in answer
    assert "Usage: `!present [@who or names…]`" in answer
    answer = await member(desk, "!note Hello")
    assert "No item is called yet." in answer
    await organiser(desk, "!next")
    answer = await organiser(desk, "!task Book the hall until 30.04.2027")
    assert "Name who does it" in answer and "Usage: `!task" in answer
    async with desk.store() as store:
        entries = await store.minutes.entries(1)
    assert [e.kind for e in entries] == ["call"]


async def test_decision_and_task_link_to_an_item_outside_meeting_mode(database: Database) -> None:
    """After the meeting, item= puts a decision and a task under item No. 1 of the minutes."""
    desk = await ended_meeting(database)
    answer = await organiser(desk, "!decision The flyer is printed. unanimous meeting=1 item=1")
    assert "Decision No. 2" in answer, answer
    answer = await organiser(desk, "!task new Order flyers meeting=1 item=1")
    assert "Task No. 2 is recorded." in answer
    answer = await organiser(desk, "!decision Wrong. meeting=1 item=99")
    assert "Item No. 99 is not on the agenda of the meeting given" in answer
    reply = await in_room(desk, "!minutes 1")
    text = desk.text(reply)
    item = text.split("P 5 Bildungsbericht 2027")[1]
    assert "The flyer is printed." in item and "Order flyers" in item


async def test_access_and_erasure_reach_attendance_and_notes(database: Database) -> None:
    """Art. 15 lists Bernd's attendance and note; after Art. 17 the minutes and their PDF show
    his pseudonym."""
    number = await person(database, "Bernd Berger", BERND)
    desk = await ended_meeting(database)
    reply = await desk.reply(f"!contact access {number}")
    export = next(a for a in reply.attachments if a.filename.endswith(".md")).data.decode()
    assert "Meeting No. 1, present: " in export
    assert "Meeting No. 1, note: The report reads well." in export
    await desk.ask(f"!contact delete {number} confirmed")
    reply = await in_room(desk, "!minutes 1")
    assert f"Present: Person {number}, Petra Lang" in desk.text(reply)
    assert f"Person {number}" in pdf_text(reply.attachments[1].data)


async def test_the_audit_records_meeting_mode_without_texts(database: Database) -> None:
    """Decisions, notes, their changes and tasks are audited, never with their text."""
    desk = await ended_meeting(database)
    async with desk.store() as store:
        note = next(e for e in await store.minutes.entries(1) if e.kind == "note")
    await organiser(desk, f"!note edit {note.id} Changed.")
    entries = await desk.audit()
    kinds = {(e.action, e.object_type) for e in entries}
    assert {
        ("create", "minutes_note"),
        ("update", "minutes_note"),
        ("create", "decision"),
        ("create", "task"),
        ("end", "minutes"),
    } <= kinds
    assert not any("report" in e.detail.lower() or "Changed" in e.detail for e in entries)


async def test_a_later_decision_on_an_uncalled_non_public_item_stays_non_public(
    database: Database,
) -> None:
    """A decision recorded afterwards with item= of a non-public item never called goes to the
    non-public part, not under "further decisions" of the public minutes."""
    desk = await with_agenda(database)
    await organiser(desk, "!meeting start")
    await organiser(desk, "!item 1 call")
    await organiser(desk, "!meeting end")
    answer = await organiser(desk, "!decision The post is filled. unanimous meeting=1 item=2")
    assert "Decision No. 1 of Bildungsbeirat is recorded." in answer
    reply = await in_room(desk, "!minutes 1")
    files = {a.filename: a.data for a in reply.attachments}
    assert "The post is filled." not in desk.text(reply)
    assert "The post is filled." not in files["minutes-1.html"].decode()
    assert "The post is filled." in files["minutes-1-non-public.html"].decode()
