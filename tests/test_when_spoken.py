"""Dates as office staff say them, and every reading that was not the only one is stated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commands.dates.when import Reading, parse_when
from storage.database import Database
from tests.support.desk import Desk
from tests.support.names import BERLIN

WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN)  # Wednesday 2 December 2026, 10:00


def read(raw: str, now: datetime = WEDNESDAY) -> tuple[str, tuple[Reading, ...]] | None:
    """The local wall time ``raw`` was read as, and the readings the reply must state."""
    parsed = parse_when(raw, now=now.astimezone(UTC), zone=BERLIN)
    if parsed is None:
        return None
    return parsed.at.astimezone(BERLIN).strftime("%a %Y-%m-%d %H:%M"), parsed.readings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("übermorgen um halb drei", ("Fri 2026-12-04 14:30", (Reading.AFTERNOON,))),
        ("uebermorgen um halb drei", ("Fri 2026-12-04 14:30", (Reading.AFTERNOON,))),
        ("morgen viertel nach zehn", ("Thu 2026-12-03 10:15", (Reading.MORNING,))),
        ("morgen um viertel vor neun", ("Thu 2026-12-03 08:45", (Reading.MORNING,))),
        ("Freitag dreiviertel drei", ("Fri 2026-12-04 14:45", (Reading.AFTERNOON,))),
        ("morgen um drei Uhr nachmittags", ("Thu 2026-12-03 15:00", ())),
        ("morgen früh um 9", ("Thu 2026-12-03 09:00", ())),
        ("morgen um 8 abends", ("Thu 2026-12-03 20:00", ())),
        ("halb drei morgens", ("Thu 2026-12-03 02:30", ())),
        ("morgen um zwölf", ("Thu 2026-12-03 12:00", ())),
        ("Donnerstag in zwei Wochen", ("Thu 2026-12-17 00:00", ())),
        ("Donnerstag in zwei Wochen um 14 Uhr", ("Thu 2026-12-17 14:00", ())),
        ("in 2 Wochen am Donnerstag", ("Thu 2026-12-17 00:00", ())),
        ("thursday in two weeks", ("Thu 2026-12-17 00:00", ())),
    ],
)
def test_spoken_phrasings_are_understood(
    raw: str, expected: tuple[str, tuple[Reading, ...]]
) -> None:
    """Spoken times and "weekday in N weeks", said on a Wednesday, mean what an office means."""
    assert read(raw) == expected


@pytest.mark.parametrize("raw", ["morgen halb 14", "morgen 14 Uhr morgens", "halb drei halb vier"])
def test_impossible_spoken_times_are_refused(raw: str) -> None:
    """A spoken time that cannot be meant is not read at all rather than guessed."""
    assert read(raw) is None


def test_next_thursday_on_a_wednesday_is_stated_not_silent() -> None:
    """ "nächsten Donnerstag" on a Wednesday is tomorrow, and the reply must say so."""
    assert read("nächsten Donnerstag") == ("Thu 2026-12-03 00:00", (Reading.THIS_WEEK,))
    assert read("Donnerstag nächste Woche") == ("Thu 2026-12-10 00:00", ())
    assert read("nächsten Montag") == ("Mon 2026-12-07 00:00", ())


def test_a_time_in_the_spring_gap_is_moved_and_marked() -> None:
    """02:30 on the night clocks go forward does not exist: it becomes 03:30, marked as moved."""
    assert read("28.03.2027 02:30") == ("Sun 2027-03-28 03:30", (Reading.SKIPPED_HOUR,))


def test_a_repeated_time_in_autumn_says_which_of_the_two_it_took() -> None:
    """02:30 on the night clocks go back is the first (summer time) unless winter time is said."""
    first = parse_when("31.10.2027 02:30", now=WEDNESDAY.astimezone(UTC), zone=BERLIN)
    second = parse_when("31.10.2027 02:30 Winterzeit", now=WEDNESDAY.astimezone(UTC), zone=BERLIN)
    assert first is not None and second is not None
    assert first.readings == (Reading.REPEATED_HOUR,)
    assert second.readings == (Reading.REPEATED_HOUR_SECOND,)
    assert first.at.astimezone(UTC).strftime("%H:%M") == "00:30"
    assert second.at.astimezone(UTC).strftime("%H:%M") == "01:30"


# The echo is made from the parsed time; storing reminders is covered in test_reminders.
@pytest.mark.backend_neutral
async def test_a_reminder_echoes_how_a_spoken_time_was_read(database: Database) -> None:
    """!erinnerung übermorgen um halb drei: … says it took the afternoon and how to write 02:30."""
    desk = Desk(database, language="de", now=WEDNESDAY.astimezone(UTC))
    answer = await desk.ask("!erinnerung übermorgen um halb drei: Protokoll verschicken")
    assert "Fr, 04.12.2026, 14:30 Uhr" in answer
    assert "Als Nachmittag verstanden: Fr, 04.12.2026, 14:30 Uhr (übermorgen)." in answer
    assert "schreiben Sie „morgens“ dazu" in answer


# The echo is made from the parsed time; storing reminders is covered in test_reminders.
@pytest.mark.backend_neutral
async def test_a_reminder_in_the_spring_gap_says_the_time_was_moved(database: Database) -> None:
    """A reminder at 02:30 on the spring-forward night says that 02:30 does not exist then."""
    desk = Desk(database, now=WEDNESDAY.astimezone(UTC))
    answer = await desk.ask("!remind 28.03.2027 02:30: check the heating")
    assert "02:30 does not exist on 28 Mar 2027" in answer
    assert "Taken as Sun, 28 Mar 2027, 03:30 (in 116 days)." in answer


# The echo is made from the parsed time; storing reminders is covered in test_reminders.
@pytest.mark.backend_neutral
async def test_next_thursday_in_a_reminder_names_the_day_and_the_other_choice(
    database: Database,
) -> None:
    """!erinnerung nächsten Donnerstag … on a Wednesday says it means tomorrow."""
    desk = Desk(database, language="de", now=WEDNESDAY.astimezone(UTC))
    answer = await desk.ask("!erinnerung nächsten Donnerstag 9 Uhr: Raum buchen")
    assert "Als Tag dieser Woche verstanden: Do, 03.12.2026, 09:00 Uhr (morgen)." in answer
    assert "„nächste Woche“" in answer


async def test_the_echo_of_a_date_names_the_relative_day(database: Database) -> None:
    """A reminder eight days ahead is echoed with "(in 8 days)", one for tomorrow "(morgen)"."""
    english = Desk(database, now=WEDNESDAY.astimezone(UTC))
    answer = await english.ask("!remind 10.12.2026 9am: book the room")
    assert "When: Thu, 10 Dec 2026, 09:00 (in 8 days)" in answer
    german = Desk(database, language="de", now=WEDNESDAY.astimezone(UTC))
    answer = await german.ask("!erinnerung morgen 9 Uhr: Protokoll")
    assert "Wann: Do, 03.12.2026, 09:00 Uhr (morgen)" in answer
