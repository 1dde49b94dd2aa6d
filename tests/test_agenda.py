"""The agenda at the desk: members propose items, organisers shape and publish the agenda, the
invitation and the calendar carry it, and the collection window's posts fire once.

Fast tests on the real dispatcher and SQLite; the whole cycle through Synapse is in
``tests/test_agenda_matrix.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from commands.framework.clock import ManualClock
from commands.framework.context import RepliedEvent
from commands.framework.dispatch import Request
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply
from storage.database import Database
from storage.models import AgendaItem, Person
from tests.support.committees import add_committee, beirat_with_a_meeting, member, organiser
from tests.support.desk import Desk
from tests.support.names import (
    ANNA,
    BEIRAT_ROOM,
    BERND,
    CLARA,
    MONDAY,
    STEUERUNG_ROOM,
    TEAM_ROOM,
)
from tests.support.scheduling import scheduler_for
from tests.support.storage_reads import items_submitted_by

DEADLINE = datetime(2027, 4, 5, 12, 0, tzinfo=UTC)  # for items of the meeting on 12 April


async def items(database: Database) -> list[AgendaItem]:
    async with database.session() as session:
        return list(await session.scalars(select(AgendaItem).order_by(AgendaItem.id)))


# --------------------------------------------------------------------------- proposing


async def test_a_member_proposes_an_item_and_hears_its_number_and_the_deadline(
    database: Database,
) -> None:
    """Bernd's !item gets item No. 1 for meeting No. 1 as P 5, the deadline not passed."""
    desk = await beirat_with_a_meeting(database)
    answer = await member(desk, "!item Bildungsbericht 2027 duration=20")
    assert answer.startswith(
        "Item No. 1 “Bildungsbericht 2027” is proposed for meeting No. 1 on "
        "Mon, 12 Apr 2027, 14:00 (P 5)."
    ), answer
    assert "The deadline for items (Mon, 5 Apr 2027, 14:00) has not passed." in answer
    [item] = await items(database)
    assert (item.minutes, item.public, item.late, item.submitter) == (20, True, False, BERND)


async def test_the_agenda_numbers_the_public_and_the_non_public_part(database: Database) -> None:
    """Opening items, accepted items and any other business are P 1 …; nö items are NP 1 …;
    each item shows its submitter and minutes, the sum stands against the meeting's length."""
    desk = await beirat_with_a_meeting(database)
    await member(desk, "!item Bildungsbericht 2027 duration=20")
    await member(desk, "!item Personalfrage Kita nö duration=10", sender=CLARA)
    await member(desk, '!item Sprachkitas description="Förderprogramm"')
    agenda = await member(desk, "!agenda")
    assert agenda.splitlines()[:10] == [
        "Agenda of Bildungsbeirat, No. 1, Mon, 12 Apr 2027, 14:00 (draft)",
        "Public part",
        "• P 1 Opening and establishment of the quorum",
        "• P 2 Approval of the agenda",
        "• P 3 Approval of the minutes of the last meeting",
        "• P 4 Status of the implementation of the decisions",
        f"• P 5 Bildungsbericht 2027 (#1: {BERND}, 20 min)",
        f"• P 6 Sprachkitas (#3: {BERND}, 15 min)",
        "• P 7 Any other business",
        "Non-public part",
    ], agenda
    assert f"• NP 1 Personalfrage Kita (#2: {CLARA}, 10 min)" in agenda
    assert "Planned: 45 of 120 minutes." in agenda


async def test_items_that_overrun_the_meeting_are_warned_about(database: Database) -> None:
    """Items planned longer than the meeting make the agenda say so."""
    desk = await beirat_with_a_meeting(database)
    await member(desk, "!item Haushalt duration=90")
    await member(desk, "!item Bildungsmonitoring duration=1h")
    agenda = await member(desk, "!agenda")
    assert "Warning: the items are planned with 150 minutes, but the meeting lasts 120" in agenda


async def test_german_agendas_number_oe_and_noe(database: Database) -> None:
    """In German the parts are Ö 1 … and NÖ 1 …, with "Verschiedenes" last."""
    desk = await beirat_with_a_meeting(database, language="de")
    await member(desk, "!top Bildungsbericht dauer=20")
    await member(desk, "!top Personalfrage nö")
    agenda = await member(desk, "!tagesordnung")
    assert "• Ö 1 Eröffnung und Feststellung der Beschlussfähigkeit" in agenda, agenda
    assert f"• Ö 5 Bildungsbericht (#1: {BERND}, 20 Min.)" in agenda
    assert "• Ö 6 Verschiedenes" in agenda
    assert f"• NÖ 1 Personalfrage (#2: {BERND}, 15 Min.)" in agenda
    assert "Nichtöffentlicher Teil" in agenda


async def test_an_item_after_the_deadline_waits_as_a_late_item_until_accepted(
    database: Database,
) -> None:
    """After top_frist an item is a late item: not on the agenda, listed as waiting, until an
    organiser accepts it; then it is marked as a late item."""
    desk = await beirat_with_a_meeting(database)
    desk.clock.set(DEADLINE + timedelta(minutes=1))
    answer = await member(desk, "!item Nachzügler")
    assert "The deadline for items (Mon, 5 Apr 2027, 14:00) has passed: it is a late item" in (
        answer
    )
    assert "`!item accept 1`" in answer
    agenda = await member(desk, "!agenda")
    assert "P 5 Nachzügler" not in agenda
    assert "Late items waiting for an organiser's acceptance" in agenda
    accepted = await organiser(desk, "!item accept 1")
    assert accepted == "Item No. 1 Nachzügler is accepted: P 5.", accepted
    assert f"P 5 Nachzügler (#1: {BERND}, 15 min, late item)" in await member(desk, "!agenda")


async def test_a_member_may_not_shape_or_publish(database: Database) -> None:
    """Members are refused reordering, accepting, postponing and publishing."""
    desk = await beirat_with_a_meeting(database)
    await member(desk, "!item Eins")
    for command in ("!item move 1 5", "!item accept 1", "!item postpone 1", "!agenda publish"):
        answer = await member(desk, command)
        assert "is only for organisers" in answer, (command, answer)
    assert "is on the agenda already" not in await member(desk, "!item accept 1")


async def test_the_organiser_reorders_within_a_part(database: Database) -> None:
    """!item move puts an item at a position of its part; other positions get a sentence."""
    desk = await beirat_with_a_meeting(database)
    for title in ("Eins", "Zwei", "Drei"):
        await member(desk, f"!item {title}")
    await member(desk, "!item Geheim nö")
    assert await organiser(desk, "!item move 3 5") == "Item No. 3 Drei is now P 5."
    agenda = await organiser(desk, "!agenda")
    assert [line.split(" (")[0] for line in agenda.splitlines() if "(#" in line] == [
        "• P 5 Drei",
        "• P 6 Eins",
        "• P 7 Zwei",
        "• NP 1 Geheim",
    ]
    refused = await organiser(desk, "!item move 3 2")
    assert "Position 2 is not possible: the submitted items of this part are numbered 5 to 7." in (
        refused
    )
    assert "Usage: `!item move <item number> <position>`" in refused


async def test_bad_input_is_explained(database: Database) -> None:
    """An unreadable duration, a missing title and an unknown item each get a sentence."""
    desk = await beirat_with_a_meeting(database)
    duration = await member(desk, "!item Haushalt duration=zwanzig")
    assert "`zwanzig` is not a planned time for an item. Write minutes like 15" in duration
    assert "Usage: `!item <title…>" in duration
    flag = await member(desk, "!item Haushalt duration=20 nö")
    assert "nö goes before the options, after the title" in flag
    assert "The item needs a title" in await member(desk, "!item nö")
    assert "There is no agenda item No. 9 here." in await organiser(desk, "!item accept 9")
    assert await items(database) == []


async def test_the_submitter_withdraws_and_another_member_may_not(database: Database) -> None:
    """Bernd withdraws his own item; Clara cannot withdraw Bernd's; the organiser can."""
    desk = await beirat_with_a_meeting(database)
    await member(desk, "!item Eins")
    await member(desk, "!item Zwei")
    assert "Only the organisers of Bildungsbeirat" in await member(
        desk, "!item withdraw 1", sender=CLARA
    )
    assert await member(desk, "!item withdraw 1") == "Item No. 1 Eins is withdrawn."
    assert await organiser(desk, "!item withdraw 2") == "Item No. 2 Zwei is withdrawn."
    assert "(#" not in await member(desk, "!agenda")


async def test_changing_an_item(database: Database) -> None:
    """!item change sets title, minutes and the public flag; without a key it asks for one."""
    desk = await beirat_with_a_meeting(database)
    await member(desk, "!item Entwurf")
    changed = await organiser(desk, "!item change 1 title=Haushalt 2028 duration=30 public=no")
    assert changed == "Item No. 1 Haushalt 2028 is changed: NP 1, 30 min, non-public.", changed
    assert "Say what to change" in await organiser(desk, "!item change 1")


async def test_opening_items_per_committee(database: Database) -> None:
    """The organisers set the committee's own opening items; - restores the usual four."""
    desk = await beirat_with_a_meeting(database)
    answer = await organiser(desk, "!agenda opening Begrüßung; Protokoll")
    assert answer.splitlines() == [
        "The agendas of Bildungsbeirat now open with:",
        "• Begrüßung",
        "• Protokoll",
    ]
    agenda = await member(desk, "!agenda")
    assert "• P 1 Begrüßung\n• P 2 Protokoll\n• P 3 Any other business" in agenda
    await organiser(desk, "!agenda opening -")
    assert "P 1 Opening and establishment of the quorum" in await member(desk, "!agenda")


# --------------------------------------------------------------------------- who sees what


async def direct(desk: Desk, command: str, sender: str) -> str:
    """``command`` from ``sender`` in a direct chat with the bot (not a team member)."""
    return await desk.ask(command, Role.GUEST, RoomKind.DIRECT, sender, "!dm:localhost")


async def test_a_direct_chat_works_for_members_of_the_committee_only(database: Database) -> None:
    """In a direct chat Bernd proposes with committee=BB and sees the non-public part; a
    stranger is refused and sees nothing."""
    desk = await beirat_with_a_meeting(database)
    answer = await direct(desk, "!item Geheim nö committee=BB", BERND)
    assert answer.startswith("Item No. 1 “Geheim” is proposed"), answer
    assert "NP 1 Geheim" in await direct(desk, "!agenda 1", BERND)
    stranger = "@zora:localhost"
    refused = await direct(desk, "!item Werbung committee=BB", stranger)
    assert "Only members of Bildungsbeirat propose items" in refused
    assert "There is no meeting No. 1 here" in await direct(desk, "!agenda 1", stranger)


async def test_a_number_alone_shows_that_item(database: Database) -> None:
    """!item 2 (also "No. 2", "Nr. 2", "#2") shows item No. 2 with its meeting, place,
    description and whether it is public, and proposes nothing."""
    desk = await beirat_with_a_meeting(database)
    await member(desk, "!item Bildungsbericht 2027 duration=20")
    await member(desk, '!item Sprachkitas description="Förderprogramm"', sender=CLARA)
    answer = await member(desk, "!item 2")
    assert answer.startswith("Item No. 2 “Sprachkitas” · Bildungsbeirat · P 6"), answer
    assert "• Meeting: No. 1 on Mon, 12 Apr 2027, 14:00" in answer
    assert f"• public, {CLARA}, 15 min" in answer and "• Description: Förderprogramm" in answer
    assert await member(desk, "!item No. 2") == answer
    assert await member(desk, "!top Nr. 2") == answer
    assert await member(desk, "!top #2") == answer
    assert len(await items(database)) == 2


async def test_an_unknown_item_number_creates_nothing(database: Database) -> None:
    """!item 99 says there is no such item and names the agenda command; no item "99"."""
    desk = await beirat_with_a_meeting(database)
    answer = await member(desk, "!item 99")
    assert "There is no agenda item No. 99 here. `!agenda` shows the items." in answer
    assert await items(database) == []
    assert "waiting" not in await member(desk, "!agenda")


async def test_a_non_public_item_is_shown_only_in_its_rooms(database: Database) -> None:
    """A nö item is shown in its committee's room and the team room; in a direct chat and in
    another committee's room it does not exist."""
    desk = await beirat_with_a_meeting(database)
    await add_committee(database, "Steuerungsgruppe", STEUERUNG_ROOM)
    await member(desk, "!item Personalfrage Kita nö")
    assert "• non-public, " in await member(desk, "!item 1")
    assert "Personalfrage Kita" in await desk.ask("!item 1")
    hidden = "There is no agenda item No. 1 here."
    assert hidden in await direct(desk, "!item 1", BERND)
    elsewhere = await desk.ask("!item 1", Role.MEMBER, RoomKind.GROUP, room_id=STEUERUNG_ROOM)
    assert hidden in elsewhere and "Personalfrage" not in elsewhere


async def test_the_calendar_file_carries_only_the_public_part_once_published(
    database: Database,
) -> None:
    """Before publishing the .ics has no agenda; after it, the public items and never a
    non-public one."""
    desk = await beirat_with_a_meeting(database)
    await member(desk, "!item Bildungsbericht 2027")
    await member(desk, "!item Personalfrage Kita nö")
    before = (await desk.reply("!calendar BB")).attachments[0].data.decode()
    assert "Bildungsbericht" not in before
    await organiser(desk, "!agenda publish")
    after = (await desk.reply("!calendar BB")).attachments[0].data.decode()
    unfolded = after.replace("\r\n ", "")
    assert "P 5 Bildungsbericht 2027" in unfolded, unfolded
    assert "Personalfrage" not in unfolded


async def test_publishing_posts_the_agenda_and_the_invitation_carries_it(
    database: Database,
) -> None:
    """Publishing answers with the agenda in the room; !invitation then lists it with the
    papers instead of "to follow"; a changed order is refused after publishing."""
    desk = await beirat_with_a_meeting(database)
    await member(desk, "!item Bildungsbericht 2027")
    published = await organiser(desk, "!agenda publish")
    assert published.startswith("Agenda of Bildungsbeirat – Mon, 12 Apr 2027, 14:00"), published
    assert "P 5 Bildungsbericht 2027" in published
    assert "published on 8 Mar 2027" in await member(desk, "!agenda")
    invitation = await organiser(desk, "!invitation")
    assert "Agenda: to follow" not in invitation
    assert "P 5 Bildungsbericht 2027" in invitation, invitation
    assert "Please submit agenda items" not in invitation
    assert "order is fixed" in await organiser(desk, "!item move 1 5")
    late = await member(desk, "!item Nachtrag")
    assert "The agenda has been published already: it is a late item" in late


# --------------------------------------------------------------------------- papers


async def attach(
    desk: Desk, command: str, replied: RepliedEvent | None, sender: str = BERND
) -> str:
    """``command`` from a member, sent as a reply to the message ``replied`` describes (None:
    one the bot cannot read)."""

    async def read() -> RepliedEvent | None:
        return replied

    request = Request(
        sender,
        BEIRAT_ROOM,
        RoomKind.GROUP,
        Role.MEMBER,
        command,
        event_id=desk.next_event_id(),
        replied_to=read,
    )
    reply = await desk.dispatcher.respond(request)
    assert isinstance(reply, Reply)
    return desk.text(reply)


async def test_a_paper_is_attached_by_replying_to_a_file(database: Database) -> None:
    """Bernd answers his file with !paper 1; the agenda lists it with a link to the message.
    Not a reply, an unreadable message, a text and someone else's file get a sentence."""
    desk = await beirat_with_a_meeting(database)
    await member(desk, "!item Bildungsbericht 2027")
    file = RepliedEvent("$file:localhost", BEIRAT_ROOM, BERND, "Bericht.pdf")
    assert "answer it with `!paper 1`" in await member(desk, "!paper 1")
    assert "I cannot read the message you replied to" in await attach(desk, "!paper 1", None)
    elsewhere = RepliedEvent("$f:localhost", "!other:localhost", BERND, "x.pdf")
    assert "I cannot read the message you replied to" in await attach(desk, "!paper 1", elsewhere)
    text = RepliedEvent("$t:localhost", BEIRAT_ROOM, BERND, None)
    assert "The message you replied to is no file." in await attach(desk, "!paper 1", text)
    assert "only files you posted yourself" in await attach(desk, "!paper 1", file, CLARA)
    answer = await attach(desk, "!paper 1", file)
    assert answer == "Bericht.pdf is attached to Item No. 1 Bildungsbericht 2027."
    agenda = await member(desk, "!agenda")
    assert f"papers: Bericht.pdf (https://matrix.to/#/{BEIRAT_ROOM}/$file:localhost)" in agenda, (
        agenda
    )


# --------------------------------------------------------------------------- moving on


async def test_a_postponed_item_goes_to_the_next_meeting_marked_postponed(
    database: Database,
) -> None:
    """!item postpone moves an item to the next meeting, where it shows as postponed."""
    desk = await beirat_with_a_meeting(database)
    await organiser(desk, "!meeting new 10.05.2027 14:00")
    await member(desk, "!item Haushalt")
    answer = await organiser(desk, "!item postpone 1")
    assert (
        answer == "Item No. 1 Haushalt is postponed to meeting No. 2 on Mon, 10 May 2027, 14:00."
    )
    assert "(#1" not in await member(desk, "!agenda 1")
    assert f"P 5 Haushalt (#1: {BERND}, 15 min, postponed)" in await member(desk, "!agenda 2")


async def test_a_cancelled_meetings_items_move_on_and_their_submitters_are_named(
    database: Database,
) -> None:
    """Cancelling a meeting moves its items to the next one and names them and who sent them
    in the announcement."""
    desk = await beirat_with_a_meeting(database)
    await organiser(desk, "!meeting new 10.05.2027 14:00")
    await member(desk, "!item Haushalt")
    await member(desk, "!item Sprachkitas", sender=CLARA)
    answer = await organiser(desk, "!meeting cancel 1")
    assert (
        "Its agenda items move to meeting No. 2 on Mon, 10 May 2027, 14:00: "
        f"#1 Haushalt ({BERND}); #2 Sprachkitas ({CLARA})."
    ) in answer, answer
    assert "P 6 Sprachkitas" in await member(desk, "!agenda 2")


# A committee whose meeting reminders and invitation deadline fall outside the collection window.
QUIET: dict[str, Any] = {"reminder_offsets_minutes": [], "notice_days": 0}


async def test_the_collection_window_posts_once_each(database: Database) -> None:
    """The call a week before the deadline and the last-day reminder reach the committee
    room, the draft agenda the team room at the deadline, each once, also after a restart;
    a moved meeting re-plans them."""
    desk = await beirat_with_a_meeting(database, **QUIET)
    await member(desk, "!item Bildungsbericht 2027")
    await organiser(desk, "!meeting move 1 13.04.2027 14:00")  # deadline: 6 April, 14:00
    deadline = DEADLINE + timedelta(days=1)
    clock = ManualClock(deadline - timedelta(days=7))
    box, service = scheduler_for(database, clock)
    assert await service.run_due() == 1
    clock.set(deadline - timedelta(hours=5))
    assert await service.run_due() == 1
    clock.set(deadline)
    assert await service.run_due() == 1
    _again, restarted = scheduler_for(database, clock)
    assert await restarted.run_due() == 0
    rooms = [room for room, _ in box.texts()]
    assert rooms == [BEIRAT_ROOM, BEIRAT_ROOM, TEAM_ROOM]
    call, last_day, draft = (text for _, text in box.texts())
    assert call.startswith(
        "Topics for the meeting of Bildungsbeirat on Tue, 13 Apr 2027, 14:00: please submit "
        "them by Tue, 6 Apr 2027, 14:00 with `!item …`."
    ), call
    assert last_day.startswith("Last day for topics for the meeting of Bildungsbeirat")
    assert "The deadline for agenda items of Bildungsbeirat" in draft
    assert "P 5 Bildungsbericht 2027" in draft and "`!agenda publish`" in draft


async def test_no_call_for_items_once_the_agenda_is_published(database: Database) -> None:
    """Publishing early stops the call, the last-day reminder and the draft."""
    desk = await beirat_with_a_meeting(database, **QUIET)
    await organiser(desk, "!agenda publish")
    clock = ManualClock(DEADLINE - timedelta(days=7))
    box, service = scheduler_for(database, clock)
    for moment in (DEADLINE - timedelta(hours=5), DEADLINE):
        await service.run_due()
        clock.set(moment)
    await service.run_due()
    assert box.posts == []


async def test_items_not_dealt_with_roll_over_after_the_meeting(database: Database) -> None:
    """When the meeting is over its open items become postponed items of the next meeting;
    one marked as dealt with stays behind; the team room hears of it."""
    desk = await beirat_with_a_meeting(database)
    await organiser(desk, "!meeting new 10.05.2027 14:00")
    await member(desk, "!item Haushalt")
    await member(desk, "!item Sprachkitas")
    assert "is marked as dealt with" in await organiser(desk, "!item done 2")
    end = datetime(2027, 4, 12, 14, 0, tzinfo=UTC)  # 16:00 in Berlin
    clock = ManualClock(end)
    box, service = scheduler_for(database, clock)
    assert await service.run_due() == 1
    [(room, text)] = box.texts()
    assert room == TEAM_ROOM
    assert text == (
        "Meeting No. 1 of Bildungsbeirat is over; 1 item not marked as dealt with is "
        "postponed: #1 Haushalt."
    )
    desk.clock.set(end)
    agenda = await member(desk, "!agenda")
    assert f"P 5 Haushalt (#1: {BERND}, 15 min, postponed)" in agenda
    assert "Sprachkitas" not in agenda


async def test_a_missed_roll_over_is_caught_up_when_the_next_agenda_is_published(
    database: Database,
) -> None:
    """Had the bot been down when the meeting ended, publishing the next agenda postpones
    what the ended meeting left open."""
    desk = await beirat_with_a_meeting(database)
    await organiser(desk, "!meeting new 10.05.2027 14:00")
    await member(desk, "!item Haushalt")
    desk.clock.set(datetime(2027, 4, 20, 8, 0, tzinfo=UTC))
    published = await organiser(desk, "!agenda publish")
    assert f"P 5 Haushalt (#1: {BERND}, 15 min, postponed)" in published, published


async def test_the_meeting_reminder_carries_the_published_agenda(database: Database) -> None:
    """Once published, the reminder before the meeting lists the agenda instead of "to
    follow"."""
    desk = await beirat_with_a_meeting(database, reminder_offsets_minutes=[24 * 60], notice_days=0)
    await member(desk, "!item Bildungsbericht 2027")
    await organiser(desk, "!agenda publish")
    clock = ManualClock(datetime(2027, 4, 11, 12, 0, tzinfo=UTC))
    box, service = scheduler_for(database, clock)
    await service.run_due()
    [(room, text)] = box.texts()
    assert room == BEIRAT_ROOM and text.startswith("Reminder: Bildungsbeirat"), text
    assert "Agenda: to follow" not in text and "P 5 Bildungsbericht 2027" in text


# --------------------------------------------------------------------------- data protection


async def test_access_lists_and_erasure_pseudonymises_the_submitter(database: Database) -> None:
    """Art. 15 lists the items a person submitted; Art. 17 keeps them under a pseudonym."""
    desk = await beirat_with_a_meeting(database)
    async with database.session() as session:
        person = Person(
            name="Bernd Beispiel",
            name_key="bernd beispiel",
            matrix_id=BERND,
            recorded_at=MONDAY,
            updated_at=MONDAY,
        )
        session.add(person)
        await session.flush()
        number = person.id
    await member(desk, "!item Bildungsbericht 2027")
    access = await desk.reply(f"!contact access {number}")
    markdown = access.attachments[1].data.decode()
    assert "Agenda items submitted" in markdown and "#1 Bildungsbericht 2027" in markdown
    await desk.ask(f"!contact delete {number} confirmed", sender=ANNA)
    [item] = await items(database)
    assert (item.submitter, item.submitter_name) == (f"Person {number}", f"Person {number}")
    async with database.session() as session:
        assert await items_submitted_by(session, BERND) == []
