"""Reminders: the recurrence reader, and !erinnerung / !erinnerungen / !erinnerung löschen
through the real dispatcher on a migrated SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import islice

import pytest

from commands.dates.recurrence import occurrences
from commands.dates.recurrence_text import (
    Problem,
    Recurrence,
    RecurrenceError,
    looks_recurring,
    parse_recurrence,
)
from commands.framework.registry import Role, RoomKind
from commands.reminders.commands import split_at_colon
from storage.database import Database
from storage.models import Reminder, ScheduleEntry
from tests.support.desk import Desk, schedule_entry
from tests.support.names import ANNA, BEIRAT_ROOM, BERLIN, BERND, CLARA

MONDAY_10 = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)  # Monday 8 March 2027, 10:00 in Berlin
AG_ROOM = "!ag:localhost"
BERND_DM = "!bernd-dm:localhost"


def local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%a %Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- the reader


@pytest.mark.parametrize(
    ("raw", "rule", "first"),
    [
        ("jeden Montag 9 Uhr", "FREQ=WEEKLY;BYDAY=MO", "Mon 2027-03-15 09:00"),
        ("jeden Montag um 9 Uhr", "FREQ=WEEKLY;BYDAY=MO", "Mon 2027-03-15 09:00"),
        ("montags 9:00", "FREQ=WEEKLY;BYDAY=MO", "Mon 2027-03-15 09:00"),
        ("jeden Montag und Donnerstag 9 Uhr", "FREQ=WEEKLY;BYDAY=MO,TH", "Thu 2027-03-11 09:00"),
        ("täglich um 8 Uhr", "FREQ=DAILY", "Tue 2027-03-09 08:00"),
        ("taeglich 18 Uhr", "FREQ=DAILY", "Mon 2027-03-08 18:00"),
        ("jeden Tag um 8", "FREQ=DAILY", "Tue 2027-03-09 08:00"),
        ("werktags 8 Uhr", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Tue 2027-03-09 08:00"),
        (
            "alle zwei Wochen Montag 9 Uhr",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            "Mon 2027-03-15 09:00",
        ),
        (
            "alle 14 Tage am Freitag 9 Uhr",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
            "Fri 2027-03-12 09:00",
        ),
        ("jeden zweiten Montag 9 Uhr", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "Mon 2027-03-15 09:00"),
        ("monatlich am 1. um 8 Uhr", "FREQ=MONTHLY;BYMONTHDAY=1", "Thu 2027-04-01 08:00"),
        ("jeden Monat am 15. um 10 Uhr", "FREQ=MONTHLY;BYMONTHDAY=15", "Mon 2027-03-15 10:00"),
        ("jeden ersten Montag im Monat 9:30", "FREQ=MONTHLY;BYDAY=1MO", "Mon 2027-04-05 09:30"),
        ("monatlich am letzten Freitag 16 Uhr", "FREQ=MONTHLY;BYDAY=-1FR", "Fri 2027-03-26 16:00"),
        (
            "monatlich am letzten Tag um 8 Uhr",
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "Wed 2027-03-31 08:00",
        ),
        (
            "quartalsweise am 15. 10 Uhr",
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15",
            "Mon 2027-03-15 10:00",
        ),
        ("every monday 9am", "FREQ=WEEKLY;BYDAY=MO", "Mon 2027-03-15 09:00"),
        ("every Monday at 9am", "FREQ=WEEKLY;BYDAY=MO", "Mon 2027-03-15 09:00"),
        ("mondays at 9", "FREQ=WEEKLY;BYDAY=MO", "Mon 2027-03-15 09:00"),
        ("daily at 8am", "FREQ=DAILY", "Tue 2027-03-09 08:00"),
        ("every weekday at 8am", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Tue 2027-03-09 08:00"),
        ("every other monday at 9am", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "Mon 2027-03-15 09:00"),
        ("every 2 weeks on friday 3pm", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "Fri 2027-03-12 15:00"),
        ("every 3 days at 7:00", "FREQ=DAILY;INTERVAL=3", "Tue 2027-03-09 07:00"),
        ("monthly on the 1st at 8am", "FREQ=MONTHLY;BYMONTHDAY=1", "Thu 2027-04-01 08:00"),
        (
            "every first monday of the month at 9am",
            "FREQ=MONTHLY;BYDAY=1MO",
            "Mon 2027-04-05 09:00",
        ),
        ("monthly on the last friday at 4pm", "FREQ=MONTHLY;BYDAY=-1FR", "Fri 2027-03-26 16:00"),
    ],
)
def test_recurring_forms_give_rule_and_first_date(raw: str, rule: str, first: str) -> None:
    """Each German and English repeating form gives its RRULE and the next matching moment."""
    parsed = parse_recurrence(raw, now=MONDAY_10, zone=BERLIN)
    assert (parsed.rule, local(parsed.first_at)) == (rule, first)
    assert Recurrence.from_rule(parsed.rule) == parsed.recurrence


def test_a_monthly_31st_falls_on_the_last_day_of_shorter_months() -> None:
    """ "am 31." reminds on 30 April and 28 February instead of skipping those months."""
    parsed = parse_recurrence("monatlich am 31. um 8 Uhr", now=MONDAY_10, zone=BERLIN)
    entry = ScheduleEntry(first_at=parsed.first_at, rule=parsed.rule, timezone="Europe/Berlin")
    dates = [local(moment)[4:14] for moment in islice(occurrences(entry, MONDAY_10), 4)]
    assert dates == ["2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30"]


def test_jeden_montag_9_uhr_stays_nine_oclock_across_the_change_to_summer_time() -> None:
    """The rule runs on wall time: 09:00 before and after 28 March 2027 (08:00, then 07:00 UTC)."""
    parsed = parse_recurrence("jeden Montag 9 Uhr", now=MONDAY_10, zone=BERLIN)
    entry = ScheduleEntry(first_at=parsed.first_at, rule=parsed.rule, timezone="Europe/Berlin")
    mondays = list(islice(occurrences(entry, MONDAY_10), 3))
    assert [local(m) for m in mondays] == [
        "Mon 2027-03-15 09:00",
        "Mon 2027-03-22 09:00",
        "Mon 2027-03-29 09:00",
    ]
    assert [m.hour for m in mondays] == [8, 8, 7]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("jeden Montag", Problem.NO_TIME),
        ("every day", Problem.NO_TIME),
        ("monatlich um 8 Uhr", Problem.NO_MONTH_DAY),
        ("jeden Hund 9 Uhr", Problem.UNREADABLE),
        ("täglich montags 9 Uhr", Problem.UNREADABLE),
        ("jeden Montag 9 Uhr 10 Uhr", Problem.UNREADABLE),
        ("monatlich am 32. um 8 Uhr", Problem.UNREADABLE),
        ("alle 99 Wochen 9 Uhr", Problem.UNREADABLE),
    ],
)
def test_unreadable_repeating_times_say_why(raw: str, problem: Problem) -> None:
    """A repeating time without a time of day, a day of the month or sense is refused."""
    with pytest.raises(RecurrenceError) as error:
        parse_recurrence(raw, now=MONDAY_10, zone=BERLIN)
    assert error.value.problem is problem


@pytest.mark.parametrize(
    ("raw", "recurring"),
    [
        ("jeden Montag 9 Uhr", True),
        ("werktags 8 Uhr", True),
        ("every monday 9am", True),
        ("monthly on the 1st", True),
        ("morgen 9 Uhr", False),
        ("nächsten Montag 9 Uhr", False),
        ("in 2 Wochen", False),
        ("next friday 3pm", False),
    ],
)
def test_only_repeating_words_make_a_time_recurring(raw: str, recurring: bool) -> None:
    """ "jeden", "every", "werktags" … mean repeating; a single date never does."""
    assert looks_recurring(raw) is recurring


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("morgen 9 Uhr: Protokoll", ("morgen 9 Uhr", "Protokoll")),
        ("morgen 9:30: Akten: bitte lesen", ("morgen 9:30", "Akten: bitte lesen")),
        ("14:00:Kaffee", ("14:00", "Kaffee")),
        ("every monday 9am : Wochenplanung", ("every monday 9am", "Wochenplanung")),
        ("morgen 9 Uhr Protokoll", None),
    ],
)
def test_the_first_colon_outside_a_time_separates_time_and_text(
    raw: str, expected: tuple[str, str] | None
) -> None:
    """The colon of "9:30" belongs to the time; the next one starts the text."""
    assert split_at_colon(raw) == expected


# --------------------------------------------------------------------------- the commands


async def bernd_in(desk: Desk, command: str, room_id: str = BEIRAT_ROOM) -> str:
    """``command`` from Bernd, a plain member of a committee room."""
    return await desk.ask(command, Role.MEMBER, RoomKind.GROUP, BERND, room_id=room_id)


async def bernd_directly(desk: Desk, command: str) -> str:
    """``command`` from Bernd in his direct chat with the bot (he is not in the team)."""
    return await desk.ask(command, Role.GUEST, RoomKind.DIRECT, BERND, room_id=BERND_DM)


async def reminders(database: Database) -> list[Reminder]:
    async with Desk(database).store() as store:
        return [r for n in range(1, 20) if (r := await store.reminders.get(n)) is not None]


async def test_a_reminder_is_set_for_the_room_and_scheduled(
    desk: Desk, database: Database
) -> None:
    """!remind tomorrow 9am: … echoes the time and writes the reminder and its entry."""
    answer = await desk.ask("!remind tomorrow 9am: send the minutes", room_id=BEIRAT_ROOM)
    assert answer.startswith("Reminder No. 1 is set.")
    assert "When: Tue, 9 Mar 2027, 09:00" in answer
    assert "Text: send the minutes" in answer
    assert "It will be posted in this room." in answer
    assert "`!remind delete 1` deletes it." in answer
    [reminder] = await reminders(database)
    assert (reminder.room_id, reminder.creator, reminder.to_creator_only) == (
        BEIRAT_ROOM,
        ANNA,
        False,
    )
    scheduled = await schedule_entry(database, "reminder:1")
    assert scheduled is not None and scheduled.active
    assert (scheduled.kind, scheduled.rule, scheduled.payload) == (
        "reminder",
        "",
        {"reminder_id": 1},
    )
    assert local(scheduled.first_at) == "Tue 2027-03-09 09:00"


async def test_a_repeating_reminder_shows_its_rhythm_and_next_three_dates(
    desk: Desk, database: Database
) -> None:
    """!remind every monday 9am: … answers in words and with the next three Mondays."""
    answer = await desk.ask("!remind every monday 9am: Wochenplanung")
    assert "When: every Monday at 09:00" in answer
    assert "Next dates:\n• Mon, 15 Mar 2027, 09:00\n• Mon, 22 Mar 2027, 09:00\n" in answer
    assert "• Mon, 29 Mar 2027, 09:00" in answer
    scheduled = await schedule_entry(database, "reminder:1")
    assert scheduled is not None
    assert (scheduled.rule, scheduled.timezone) == ("FREQ=WEEKLY;BYDAY=MO", "Europe/Berlin")


async def test_a_reminder_to_the_second_is_echoed_and_scheduled_to_the_second(
    database: Database,
) -> None:
    """!erinnerung 02.12.2027 18:25:13: … says 18:25:13 Uhr and its entry fires then."""
    answer = await Desk(database, language="de", now=MONDAY_10).ask(
        "!erinnerung 02.12.2027 18:25:13: Antrag abschicken"
    )
    assert "Do, 02.12.2027, 18:25:13 Uhr" in answer
    scheduled = await schedule_entry(database, "reminder:1")
    assert scheduled is not None
    assert scheduled.first_at == datetime(2027, 12, 2, 17, 25, 13, tzinfo=UTC)


async def test_a_reminder_due_in_seconds_is_not_refused_as_past(database: Database) -> None:
    """A time a few seconds ahead on the same minute is in the future, not "in the past"."""
    now = datetime(2027, 3, 8, 9, 0, 10, tzinfo=UTC)
    answer = await Desk(database, language="de", now=now).ask(
        "!erinnerung 08.03.2027 10:00:40: gleich"
    )
    assert "10:00:40 Uhr" in answer


async def test_german_forms_are_understood_by_a_german_bot(database: Database) -> None:
    """!erinnerung monatlich am 1. um 8 Uhr: … lists the next firsts of the month in German."""
    answer = await Desk(database, language="de", now=MONDAY_10).ask(
        "!erinnerung monatlich am 1. um 8 Uhr: Statistik melden"
    )
    assert "Do, 01.04.2027, 08:00 Uhr" in answer and "Sa, 01.05.2027, 08:00 Uhr" in answer
    assert "Statistik melden" in answer


# The text is refused before anything is stored.
@pytest.mark.backend_neutral
@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("!remind tomorrow 9am send the minutes", "Put a colon between the time and the text"),
        ("!remind : send the minutes", "The time is missing before the colon"),
        ("!remind tomorrow 9am:", "The text is missing after the colon"),
        ("!remind yesterday 9am: too late", "is in the past"),
        ("!remind every monday: plan", "Please add the time of day, e.g. `every monday at 9am`"),
        ("!remind monthly at 8am: report", "Please say on which day of the month"),
        ("!remind every blue moon 9am: x", 'Could not read "every blue moon 9am" as a repeating'),
        ("!remind someday: x", 'Could not read "someday" as a date'),
    ],
)
async def test_unreadable_reminders_are_refused_with_an_example(
    desk: Desk, database: Database, command: str, said: str
) -> None:
    """A missing colon, time or text, a past time or an unknown rhythm is explained."""
    answer = await desk.ask(command)
    assert said in answer and "Usage: `!remind <when: text…>`" in answer
    assert await reminders(database) == []


async def test_the_list_shows_this_rooms_reminders_with_number_date_rhythm_and_creator(
    desk: Desk,
) -> None:
    """!reminders lists the room's reminders by next date; another room's stay out."""
    await desk.ask("!remind every monday 9am: Wochenplanung", room_id=BEIRAT_ROOM)
    await bernd_in(desk, "!remind tomorrow 9am: Raum buchen")
    await desk.ask("!remind tomorrow 8am: AG-Sache", room_id=AG_ROOM)
    answer = await desk.ask("!reminders", room_id=BEIRAT_ROOM, room=RoomKind.GROUP)
    assert answer.splitlines() == [
        "Reminders in this room:",
        "• No. 2 · Tue, 9 Mar 2027, 09:00 · once · @bernd:localhost: Raum buchen",
        "• No. 1 · Mon, 15 Mar 2027, 09:00 · every Monday at 09:00 · @anna:localhost: "
        "Wochenplanung",
    ]
    assert "no reminders in this room" in await desk.ask("!reminders", room_id="!other:x")


async def test_delete_by_number_is_a_command_not_a_reminder_text(
    desk: Desk, database: Database
) -> None:
    """!erinnerung löschen 1 deletes reminder 1 and stops its entry; it is no new reminder."""
    await desk.ask("!remind every monday 9am: Wochenplanung")
    answer = await desk.ask("!erinnerung löschen 1")
    assert answer == "Reminder No. 1 is deleted."
    [reminder] = await reminders(database)
    assert not reminder.active
    scheduled = await schedule_entry(database, "reminder:1")
    assert scheduled is not None and not scheduled.active
    assert "There is no reminder No. 1 in this room." in await desk.ask("!remind delete 1")


async def test_a_member_may_not_delete_someone_elses_reminder_but_an_organiser_may(
    desk: Desk,
) -> None:
    """Deleting is for the creator, an organiser (Clara) or the team; a member (Bernd) is told
    who may."""
    await desk.ask("!remind every monday 9am: Wochenplanung", room_id=BEIRAT_ROOM)
    refused = await bernd_in(desk, "!remind delete 1")
    assert "Only @anna:localhost, who set reminder No. 1, an organiser or the team" in refused
    assert "No. 1" in await desk.ask("!reminders", room_id=BEIRAT_ROOM)
    done = await desk.ask(
        "!remind delete 1", Role.ORGANIZER, RoomKind.GROUP, CLARA, room_id=BEIRAT_ROOM
    )
    assert done == "Reminder No. 1 is deleted."


async def test_a_member_may_delete_their_own_reminder(desk: Desk) -> None:
    """The creator deletes without any special role."""
    await bernd_in(desk, "!remind tomorrow 9am: Raum buchen", AG_ROOM)
    assert await bernd_in(desk, "!remind delete 1", AG_ROOM) == "Reminder No. 1 is deleted."


async def test_a_reminder_of_another_room_cannot_be_deleted_from_here(desk: Desk) -> None:
    """Numbers are only found in their own room: no deleting across rooms."""
    await desk.ask("!remind tomorrow 9am: AG-Sache", room_id=AG_ROOM)
    answer = await desk.ask("!remind delete 1", room_id=BEIRAT_ROOM)
    assert "There is no reminder No. 1 in this room. `!reminders` lists them." in answer


async def test_a_personal_reminder_is_for_the_creator_alone(
    desk: Desk, database: Database
) -> None:
    """!remind me … goes by direct chat; its text is listed only in a direct chat, to its
    creator, and nobody else can find it to delete it."""
    answer = await bernd_in(desk, "!remind me tomorrow 8am: Unterlagen mitnehmen")
    assert "You will get it in a direct chat with me." in answer
    [reminder] = await reminders(database)
    assert reminder.to_creator_only and reminder.creator == BERND
    in_room = await bernd_in(desk, "!reminders")
    assert "Unterlagen" not in in_room
    note = "You also have 1 personal reminder; `!reminders` in a direct chat with me lists it."
    assert note in in_room
    direct = await bernd_directly(desk, "!reminders")
    assert "No. 1 · Tue, 9 Mar 2027, 08:00 · once · @bernd:localhost · only for you" in direct
    refused = await desk.ask("!remind delete 1", room_id=BEIRAT_ROOM)  # Anna, of the team
    assert "There is no reminder No. 1 in this room." in refused
    assert await bernd_directly(desk, "!remind delete 1") == "Reminder No. 1 is deleted."


async def test_create_and_delete_are_audited_without_the_text(desk: Desk) -> None:
    """The audit log names the reminder and its rhythm, never what it says."""
    await desk.ask("!remind every monday 9am: Geheimes Thema")
    await desk.ask("!remind me tomorrow 8am: Arzttermin")
    await desk.ask("!remind delete 1")
    entries = [
        (e.actor, e.action, e.object_type, e.object_id, e.detail) for e in await desk.audit()
    ]
    assert entries[-3:] == [
        (ANNA, "create", "reminder", "1", "FREQ=WEEKLY;BYDAY=MO"),
        (ANNA, "create", "reminder", "2", "personal once"),
        (ANNA, "delete", "reminder", "1", ""),
    ]
    assert not any("Geheim" in e.detail or "Arzt" in e.detail for e in await desk.audit())


# Help comes from the registry, not from the database.
@pytest.mark.backend_neutral
async def test_help_shows_the_reminder_commands_to_a_room_member(desk: Desk) -> None:
    """Members of a committee room may set, list and delete (their own) reminders: the short
    help names them in its reminders line, and !help reminders gives their usage."""
    short = await desk.ask("!help", role=Role.MEMBER, room=RoomKind.GROUP)
    assert "• Reminders: `!remind`, `!remind me`, `!reminders`, `!remind delete`" in short
    answer = await desk.ask("!help reminders", role=Role.MEMBER, room=RoomKind.GROUP)
    for usage in (
        "!remind <when: text…>",
        "!remind me <when: text…>",
        "!reminders [seite=…]",
        "!remind delete <number>",
    ):
        assert usage in answer
