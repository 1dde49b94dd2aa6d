"""One back-off policy for every retry loop of the bot: a delay that doubles up to a cap.

The loops that ask the homeserver again (the sync loop, the outbox sender, a request that must
happen in the end) wait with it after each failure and reset it after a success, so that an
outage is probed ever less often while the next one starts from a short wait again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The bot's usual numbers: a first retry after a second, no wait longer than half a minute.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0


@dataclass
class Backoff:
    """The wait before the next attempt: ``first`` after a success, doubled after every
    failure up to ``cap``."""

    first: float = FIRST_RETRY_SECONDS
    cap: float = MAX_RETRY_SECONDS
    current: float = field(init=False)

    def __post_init__(self) -> None:
        if not 0 < self.first <= self.cap:
            raise ValueError(f"back-off needs 0 < first <= cap, got {self.first}, {self.cap}")
        self.current = self.first

    def failed(self) -> float:
        """The wait after a failure; the one after the next failure is twice as long."""
        wait = self.current
        self.current = min(self.current * 2, self.cap)
        return wait

    def succeeded(self) -> None:
        """Start from the first wait again."""
        self.current = self.first
