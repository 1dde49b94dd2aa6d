"""The one back-off policy of the bot's retry loops, and the import file's delimiter guess."""

from __future__ import annotations

import pytest

from bot.backoff import MAX_RETRY_SECONDS, Backoff
from commands.contacts.files.decoding import sniff_delimiter


def test_the_wait_doubles_up_to_the_cap_and_starts_over_after_a_success() -> None:
    """Failures wait 1, 2, 4 … seconds but never longer than the cap; a success resets."""
    backoff = Backoff()
    waits = [backoff.failed() for _ in range(8)]
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, MAX_RETRY_SECONDS, MAX_RETRY_SECONDS, 30.0]
    backoff.succeeded()
    assert backoff.failed() == 1.0
    short = Backoff(first=0.5, cap=1.5)
    assert [short.failed() for _ in range(4)] == [0.5, 1.0, 1.5, 1.5]


def test_a_back_off_without_a_positive_first_wait_below_the_cap_is_refused() -> None:
    """A zero first wait would retry in a busy loop; a cap below it makes no sense."""
    with pytest.raises(ValueError):
        Backoff(first=0)
    with pytest.raises(ValueError):
        Backoff(first=10, cap=5)


def test_the_delimiter_is_the_one_that_splits_every_row_alike() -> None:
    """Commas inside the values of a semicolon file, quoted separators and tabs are told apart
    from the separator itself."""
    rows = "".join(f"Müller, Anna {n};anna{n}@example.org;Ganztag\n" for n in range(20))
    assert sniff_delimiter("Name;E-Mail;Felder\n" + rows) == ";"
    assert sniff_delimiter('Name,Notiz\n"Keller; Bernd","a; b"\nSchulz,c\n') == ","
    assert sniff_delimiter("Name\tE-Mail\nAnna\ta@example.org\n") == "\t"


def test_without_a_consistent_separator_the_header_decides() -> None:
    """Ragged rows or a one-column file fall back to the header's count, ``;`` on a tie."""
    assert sniff_delimiter("Name,E-Mail\nA;B;C;D\nE\n") == ","
    assert sniff_delimiter("Name\nMüller, Anna\n") == ";"
    # Every row splits alike at its comma, but the header has none: a comma of the values.
    assert sniff_delimiter("Name\n" + "Müller, Anna\n" * 30) == ";"
    assert sniff_delimiter("") == ";"
