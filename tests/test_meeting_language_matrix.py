"""Meetings written the way people write them, through the real Synapse with a frozen clock:
each example of the issue, a refused past date, a monthly series across the change to summer
time, and the invitation with and without the notice period met."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.support.matrix import Office, frozen_at

pytestmark = pytest.mark.synapse

# The bot believes it is Monday, 9 March 2026, 09:00 in Berlin. An offset into the past keeps
# the people's real message timestamps from looking stale to it.
MONDAY = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


EXAMPLES = [
    ("12.03.2027 14 Uhr", "Fri, 12 Mar 2027, 14:00–16:00"),
    ("nächsten Dienstag 10:00", "Tue, 10 Mar 2026, 10:00–12:00"),
    ("morgen um 9", "Tue, 10 Mar 2026, 09:00–11:00"),
    ("in zwei Wochen 16:30", "Mon, 23 Mar 2026, 16:30–18:30"),
    ("next friday 3pm", "Fri, 13 Mar 2026, 15:00–17:00"),
]


async def test_the_committee_plans_its_meetings_in_plain_words(office: Office) -> None:
    """Every example books the meeting the reader means; the past is refused; a monthly
    series keeps 14:00 across 29 March, and one occurrence is cancelled and another moved
    without touching the rest; the invitation warns only when it is too late."""
    anna = office.anna
    await office.bot.restart(frozen_at(MONDAY))
    room = await office.room_with_bot(anna, "Bildungsbeirat")
    bound = await anna.ask(room, '!committee new "Bildungsbeirat" kurz=BB')
    assert "Bildungsbeirat" in bound.body

    numbers = {}
    for when, echo in EXAMPLES:
        reply = await anna.ask(room, f"!meeting new {when}")
        assert echo in reply.body, (when, reply.body)
        numbers[when] = int(re.search(r"No\. (\d+)", reply.body).group(1))  # type: ignore[union-attr]

    past = await anna.ask(room, "!meeting new 01.03.2026 14:00")
    assert "is in the past" in past.body

    series = await anna.ask(room, "!meeting new 11.03.2026 14:00 repeat=monthly count=3")
    assert "monthly on the 2nd Wednesday, 14:00–16:00" in series.body
    listing = await anna.ask(room, "!meetings")
    for day in ("Wed, 11 Mar 2026, 14:00", "Wed, 8 Apr 2026, 14:00", "Wed, 13 May 2026, 14:00"):
        assert day in listing.body, listing.body

    def number_on(day: str, text: str) -> int:
        match = re.search(rf"No\. (\d+) · {re.escape(day)}", text)
        assert match, (day, text)
        return int(match.group(1))

    april = number_on("Wed, 8 Apr 2026", listing.body)
    may = number_on("Wed, 13 May 2026", listing.body)
    cancelled = await anna.ask(room, f'!meeting cancel {april} reason="Osterferien"')
    assert "cancelled" in cancelled.body.lower()
    moved = await anna.ask(room, f"!meeting move {may} 20.05.2026 14:00")
    assert "Wed, 20 May 2026" in moved.body
    after = await anna.ask(room, "!meetings")
    assert "Wed, 8 Apr 2026" not in after.body and "Wed, 13 May 2026" not in after.body
    assert "Wed, 11 Mar 2026, 14:00" in after.body and "Wed, 20 May 2026, 14:00" in after.body

    late = await anna.ask(room, f"!invitation {numbers['next friday 3pm']}")
    assert "notice period of 14 days is not met" in late.body
    in_time = await anna.ask(room, f"!invitation {numbers['12.03.2027 14 Uhr']}")
    assert "Invitation to the meeting of Bildungsbeirat" in in_time.body
    assert "notice period" not in in_time.body
