"""One reading of a length of time, shared by chat commands and the configuration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import parse_duration
from commands.framework.converters import read_duration

NINETY_MINUTES = ["90", "90min", "90 Minuten", "1,5h", "1.5 h", "1,5 Std.", "1h30", "1:30"]


@pytest.mark.parametrize("written", NINETY_MINUTES)
def test_every_spelling_of_ninety_minutes_means_the_same(written: str) -> None:
    """90, 90min, 1,5h, 1h30 and 1:30 all read as ninety minutes."""
    assert read_duration(written) == timedelta(minutes=90)


@pytest.mark.parametrize("written", NINETY_MINUTES)
def test_the_configuration_reads_durations_as_the_chat_does(written: str) -> None:
    """A duration in the configuration file means what it means in a command."""
    assert parse_duration(written, "calendar.meeting_duration") == read_duration(written)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("1 Woche", timedelta(weeks=1)),
        ("2w", timedelta(weeks=2)),
        ("3 Tage", timedelta(days=3)),
        ("30s", timedelta(seconds=30)),
        ("2 hours 15 minutes", timedelta(hours=2, minutes=15)),
    ],
)
def test_days_weeks_and_seconds_are_read_in_both_languages(
    written: str, expected: timedelta
) -> None:
    """Units are German or English, written out or abbreviated."""
    assert read_duration(written) == expected


def test_a_bare_number_counts_in_the_unit_the_setting_is_about() -> None:
    """A bare number is minutes, unless the caller reads a number of days."""
    assert read_duration("14") == timedelta(minutes=14)
    assert read_duration("14", bare_unit=timedelta(days=1)) == timedelta(days=14)


@pytest.mark.parametrize("written", ["", "lang", "-5m", "90 Birnen", "1:3", "h"])
def test_text_that_is_no_duration_reads_as_none(written: str) -> None:
    """Words, negative lengths and unknown units are no duration."""
    assert read_duration(written) is None
