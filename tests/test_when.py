"""The shared date/time converter: German and English forms, DST, past and nonsense."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import cast

import pytest

from commands.dates.when import ParsedWhen, When, parse_when
from commands.framework.clock import ManualClock
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import Translator
from commands.framework.registry import Registry, Role, RoomKind
from storage.repositories import Store
from tests.support.names import BERLIN

NOW = datetime(2027, 3, 8, 10, 0, tzinfo=BERLIN)  # a Monday


def parse(raw: str, *, future: bool = True) -> ParsedWhen | None:
    return parse_when(raw, now=NOW.astimezone(UTC), zone=BERLIN, future=future)


def parsed_wall(parsed: ParsedWhen | None) -> tuple[str, bool] | None:
    """Local wall time as ``YYYY-MM-DD HH:MM`` and whether a time was written."""
    if parsed is None:
        return None
    return parsed.at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M"), parsed.has_time


def context(now: datetime = NOW) -> Context:
    return Context(
        sender="@anna:example.org",
        room_id="!room:example.org",
        room_kind=RoomKind.DIRECT,
        role=Role.MEMBER,
        t=Translator("en", BERLIN),
        clock=ManualClock(now),
        store=cast(Store, None),  # the converter never touches the database
        registry=Registry(),
        prefix="!",
        bot_user_id="@kuemmerer:example.org",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # times of day alone: today if still ahead, else tomorrow
        ("14 Uhr", "2027-03-08 14:00"),
        ("14:30 Uhr", "2027-03-08 14:30"),
        ("14.30 Uhr", "2027-03-08 14:30"),
        ("um 9", "2027-03-09 09:00"),
        ("um 9 Uhr", "2027-03-09 09:00"),
        ("9h", "2027-03-09 09:00"),
        ("9h30", "2027-03-09 09:30"),
        # weekdays: the next such day after today
        ("nächsten Dienstag 10:00", "2027-03-09 10:00"),
        ("Nächsten Dienstag 10:00", "2027-03-09 10:00"),
        ("Dienstag 10 Uhr", "2027-03-09 10:00"),
        ("am Freitag um 8:15 Uhr", "2027-03-12 08:15"),
        ("Dienstag nächste Woche 10 Uhr", "2027-03-16 10:00"),
        # relative days
        ("morgen um 9", "2027-03-09 09:00"),
        ("übermorgen 14 Uhr", "2027-03-10 14:00"),
        ("uebermorgen 14 Uhr", "2027-03-10 14:00"),
        ("heute 18 Uhr", "2027-03-08 18:00"),
        ("in zwei Wochen 16:30", "2027-03-22 16:30"),
        ("in elf Tagen 9 Uhr", "2027-03-19 09:00"),
        ("in einer Woche um 9", "2027-03-15 09:00"),
        # English
        ("next friday 3pm", "2027-03-12 15:00"),
        ("tomorrow at 9am", "2027-03-09 09:00"),
        ("in two weeks 4:30pm", "2027-03-22 16:30"),
        ("Wed, 10 Mar 2027, 14:00", "2027-03-10 14:00"),
        # numeric and written dates
        ("12.03.2027 14 Uhr", "2027-03-12 14:00"),
        ("12.3.2027 14:00", "2027-03-12 14:00"),
        ("12.03. 14 Uhr", "2027-03-12 14:00"),
        ("2027-03-12 14:00", "2027-03-12 14:00"),
        ("2027-03-12T14:00", "2027-03-12 14:00"),
        ("am 12.03.2027 um 14 Uhr", "2027-03-12 14:00"),
        ("12. März 2027 um 14:30", "2027-03-12 14:30"),
        ("Mi, 10.03.2027, 14:00 Uhr", "2027-03-10 14:00"),
        ("„morgen 9 Uhr“", "2027-03-09 09:00"),
    ],
)
def test_written_times_give_the_expected_wall_time(raw: str, expected: str) -> None:
    """Each German/English form with a time gives that local wall time and has_time."""
    assert parsed_wall(parse(raw)) == (expected, True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("naechsten dienstag", "2027-03-09"),
        ("kommenden Montag", "2027-03-15"),
        ("Montag", "2027-03-15"),
        ("morgen", "2027-03-09"),
        ("in 3 Tagen", "2027-03-11"),
        ("12.03.2027", "2027-03-12"),
        ("01.03.", "2028-03-01"),
        ("29.02.", "2028-02-29"),
        ("13/03/2027", "2027-03-13"),
    ],
)
def test_dates_without_time_are_midnight_without_has_time(raw: str, expected: str) -> None:
    """A bare date is local midnight with has_time False, never now's hour (dateparser's)."""
    assert parsed_wall(parse(raw)) == (f"{expected} 00:00", False)


def test_a_time_given_to_the_second_keeps_its_seconds() -> None:
    """'02.12.2027 18:25:13' is 18:25:13, not 18:25; an impossible second is refused."""
    parsed = parse("02.12.2027 18:25:13")
    assert parsed is not None
    assert parsed.at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S") == "2027-12-02 18:25:13"
    assert parse("02.12.2027 18:25:61") is None


def test_relative_hours_keep_their_time() -> None:
    """'in 2 Stunden' / 'in 30 min' are points in time relative to now."""
    assert parsed_wall(parse("in 2 Stunden")) == ("2027-03-08 12:00", True)
    assert parsed_wall(parse("in 30 min")) == ("2027-03-08 10:30", True)


@pytest.mark.parametrize(
    ("raw", "utc_hour"),
    [("12.07.2027 14 Uhr", 12), ("12.01.2027 14 Uhr", 13)],
)
def test_daylight_saving_time_decides_the_utc_offset(raw: str, utc_hour: int) -> None:
    """14:00 in Berlin is 12:00 UTC in summer and 13:00 UTC in winter."""
    parsed = parse(raw, future=False)
    assert parsed is not None
    assert parsed.at.tzinfo is UTC
    assert (parsed.at.hour, parsed.at.minute) == (utc_hour, 0)


def test_days_are_counted_in_the_zone_not_in_utc() -> None:
    """At 00:30 Berlin (still the previous day in UTC) "morgen" is the day after local today."""
    just_after_midnight = datetime(2027, 3, 8, 23, 30, tzinfo=UTC)  # Tue 09.03. 00:30 local
    parsed = parse_when("morgen 9 Uhr", now=just_after_midnight, zone=BERLIN)
    assert parsed_wall(parsed) == ("2027-03-10 09:00", True)


def test_a_bare_time_already_past_today_means_tomorrow_unless_future_is_off() -> None:
    """With future=False a bare time stays on today even when it has passed."""
    assert parsed_wall(parse("9 Uhr")) == ("2027-03-09 09:00", True)
    assert parsed_wall(parse("9 Uhr", future=False)) == ("2027-03-08 09:00", True)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "Bildungsbeirat",
        "Bildungsbeirat morgen",
        "31.02.2027",
        "03/04",
        "03/04/2027",
        "12",
        "12.",
        "2027",
        "12.03.2027 14",
        "morgen 14",
        "friday 3",
        "März 2027",
        "next week",
        "die",
        "a",
        "25 Uhr",
        "14 Uhr 15 Uhr",
        "in 2 Stunden 14 Uhr",
        "Do, 10.03.2027",
    ],
)
def test_non_dates_and_ambiguous_forms_are_rejected(raw: str) -> None:
    """Empty, date-free, impossible, ambiguous or contradictory text gives None."""
    assert parse(raw) is None


def test_converter_returns_the_parsed_moment() -> None:
    """When() reads the argument with the context's clock and zone."""
    assert parsed_wall(When()(context(), "morgen 9 Uhr")) == ("2027-03-09 09:00", True)


def test_converter_applies_the_default_time_to_a_bare_date() -> None:
    """A bare date gets default_time; has_time stays False."""
    parsed = When(default_time=time(9, 30))(context(), "morgen")
    assert parsed_wall(parsed) == ("2027-03-09 09:30", False)


def test_converter_rejects_a_past_moment_naming_it_in_the_house_format() -> None:
    """A past date/time raises BadArgument that shows it as ctx.t.datetime does."""
    ctx = context()
    with pytest.raises(BadArgument) as caught:
        When()(ctx, "01.03.2027 14 Uhr")
    past = datetime(2027, 3, 1, 14, 0, tzinfo=BERLIN)
    assert ctx.t.datetime(past) == "Mon, 1 Mar 2027, 14:00"
    assert "Mon, 1 Mar 2027, 14:00" in caught.value.message.plain
    assert "is in the past" in caught.value.message.plain


def test_converter_rejects_a_past_day_but_not_today() -> None:
    """A bare date is past only once its day is over."""
    ctx = context()
    with pytest.raises(BadArgument, match="1 Mar 2027 is in the past"):
        When()(ctx, "01.03.2027")
    assert parsed_wall(When()(ctx, "heute")) == ("2027-03-08 00:00", False)


def test_converter_accepts_the_past_when_future_is_off() -> None:
    """With future=False a past date is returned as it is."""
    parsed = When(future=False)(context(), "01.03.2027 14 Uhr")
    assert parsed_wall(parsed) == ("2027-03-01 14:00", True)


def test_converter_explains_nonsense_with_a_readable_example() -> None:
    """Unreadable text raises BadArgument quoting it (escaped) with an example that parses."""
    with pytest.raises(BadArgument) as caught:
        When()(context(), "<b>Bildungsbeirat</b>")
    message = caught.value.message
    assert message.plain == (
        'Could not read "<b>Bildungsbeirat</b>" as a date. '
        'Write it like 15 Mar 2027 14:00 or "next Tuesday 10:00".'
    )
    assert "&lt;b&gt;" in message.html
    assert parsed_wall(parse("15 Mar 2027 14:00")) == ("2027-03-15 14:00", True)
    assert parsed_wall(parse("next Tuesday 10:00")) == ("2027-03-09 10:00", True)
