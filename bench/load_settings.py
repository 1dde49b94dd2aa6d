"""What the Matrix load benchmark measures, and how much of it in a full, a quick and a
smoke run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
# The command both bots get: Kümmerer's lightest (one role look-up), echoed as-is by the floor.
COMMAND = "!ich"
GOALS = {"idle_p50_ratio": 1.05, "idle_p95_ratio": 1.10, "reminder_p99_s": 1.0}


MARKER = re.compile(r"\[r(\d{4})\]")


@dataclass(frozen=True)
class Settings:
    """How much of each measurement to run."""

    idle_rounds: int = 100
    warmup_rounds: int = 3
    burst_commands: int = 500
    burst_people: int = 10
    burst_rooms: int = 3
    reminders: int = 200  # half due at the same moment, half spread over the window
    reminder_rooms: int = 20
    reminder_window_s: int = 60
    # The reminders are set this long before the first falls due, at least (longer when the
    # idle replies were slow); with ``align_to_minute`` the first falls due at the next full
    # minute after that.
    reminder_lead_s: float = 40.0
    align_to_minute: bool = True
    settle_s: float = 2.0  # how long a doubled answer is given to show up
    answer_timeout_s: float = 300.0


FULL = Settings()
QUICK = Settings(
    idle_rounds=15,
    burst_commands=90,
    reminders=40,
    reminder_rooms=4,
    reminder_window_s=10,
    reminder_lead_s=10.0,
    align_to_minute=False,
    answer_timeout_s=120.0,
)
SMOKE = Settings(
    idle_rounds=2,
    warmup_rounds=1,
    burst_commands=12,
    burst_people=2,
    burst_rooms=2,
    reminders=4,
    reminder_rooms=2,
    reminder_window_s=2,
    reminder_lead_s=2.0,
    align_to_minute=False,
    settle_s=0.5,
    answer_timeout_s=60.0,
)
