"""The people, rooms, time zone and day that the tests share."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT = Path(__file__).resolve().parent.parent.parent
"""The project's checkout: the directory of pyproject.toml."""

BERLIN = ZoneInfo("Europe/Berlin")
ANNA = "@anna:localhost"
BERND = "@bernd:localhost"
CLARA = "@clara:localhost"
TEAM_ROOM = "!team:localhost"
BEIRAT_ROOM = "!beirat:localhost"
STEUERUNG_ROOM = "!steuerung:localhost"
MONDAY = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
"""The desk's day: Monday 8 March 2027, 10:00 in Berlin."""
FURTHER_MEMBERS = (
    "Ina Roth, Jan Uhl, Kai Vogt, Lea Wolf, Max Zorn, Nina Abel, Olaf Brand, Paul Cramer"
)
"""Eight more members without accounts, so that a meeting has enough present to count 7–1–2."""
