"""The floor for Kümmerer's reply times: a minimal matrix-nio echo bot.

It logs in with a stored access token, keeps an E2EE store (so it answers in encrypted rooms as
Kümmerer does), joins every room it is invited to, and answers every text message of someone
else with the same text as a notice that replies to it, one after the other in the order the
homeserver delivered them. Nothing more: no database, no commands, no queue — whatever Kümmerer
takes beyond this is its own cost.

The one thing it cannot leave out to be a fair floor: Synapse sends at most 100 events per room
in one sync whatever the filter asks for, and marks the rest as a ``limited`` timeline. Without
fetching that gap a bot silently drops most of a burst (seen here: 153 of 500).

Run as its own process by the benchmark:
``ECHO_BOT_ACCESS_TOKEN=… python -m bench.echo_bot --homeserver URL --user-id @echo:localhost
--device-id DEVICE --store DIRECTORY``. It prints ``echo bot ready`` once it listens and stops
cleanly on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Any

from nio import ErrorResponse, RoomMessageText
from nio.events import Event

from bot.devtools.syncing_client import SyncingClient

TOKEN_VARIABLE = "ECHO_BOT_ACCESS_TOKEN"
# As many events per room and sync as Synapse gives (it caps the filter's limit at 100).
SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 100}, "state": {"lazy_load_members": False}},
    "presence": {"types": []},
}
# What a production bot's long poll would use; events end the poll at once anyway.
SYNC_TIMEOUT_MS = 30_000


class EchoBot(SyncingClient):
    """One account that echoes text back into the room it came from."""

    sync_filter = SYNC_FILTER
    sync_timeout_ms = SYNC_TIMEOUT_MS
    retry_seconds = 1.0
    # Without the gap of a limited timeline a bot silently drops most of a burst.
    fill_gaps = True
    join_invites = True
    # What happened before the start is not ours to answer (a room's first timeline after
    # the join is limited too, and its history is skipped with it).
    skip_history = True

    async def on_timeline(self, room_id: str, events: list[Event], arrived: float) -> None:
        """Echo every text message of someone else, one after the other."""
        for event in events:
            if isinstance(event, RoomMessageText) and event.sender != self.client.user_id:
                await self.echo(room_id, event)

    async def echo(self, room_id: str, event: RoomMessageText) -> None:
        """Send ``event``'s text back as a notice that replies to it."""
        content = {
            "msgtype": "m.notice",
            "body": event.body,
            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
        }
        response = await self.client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        if isinstance(response, ErrorResponse):
            print(f"echo failed in {room_id}: {response.status_code}", file=sys.stderr)

    async def run(self) -> None:
        """Skip what happened before the start, then echo until cancelled."""
        await self.start()
        print("echo bot ready", flush=True)
        await self.syncing()


async def serve(arguments: argparse.Namespace) -> None:
    bot = EchoBot(
        arguments.homeserver,
        arguments.user_id,
        arguments.device_id,
        os.environ[TOKEN_VARIABLE],
        arguments.store,
    )
    running = asyncio.create_task(bot.run())
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, running.cancel)
    loop.add_signal_handler(signal.SIGINT, running.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await running
    await bot.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="A minimal matrix-nio echo bot.")
    parser.add_argument("--homeserver", required=True)
    parser.add_argument("--user-id", required=True)
    parser.add_argument("--device-id", required=True)
    parser.add_argument("--store", type=Path, required=True)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
