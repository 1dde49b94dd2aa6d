"""What the outbox tests share: the moment their messages are owed, two rooms, and a sleep that
does not wait."""

from __future__ import annotations

import asyncio

from tests.support.names import MONDAY

NOW = MONDAY
ROOM_A = "!a:localhost"
ROOM_B = "!b:localhost"


async def no_wait(seconds: float) -> None:
    """The sender's back-off sleep, made instant: the test lets other tasks run, not time."""
    await asyncio.sleep(0)
