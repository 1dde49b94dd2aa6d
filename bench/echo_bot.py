"""The floor for Kümmerer's reply times: a minimal matrix-nio echo bot.

It logs in with a stored access token, keeps an E2EE store (so it answers in encrypted rooms as
Kümmerer does), joins every room it is invited to, and answers every text message of someone
else with the same text as a notice that replies to it. Nothing more: no database, no commands,
no queue — whatever Kümmerer takes beyond this is its own cost.

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

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    InviteMemberEvent,
    MatrixRoom,
    RoomMessageText,
    SyncResponse,
)

TOKEN_VARIABLE = "ECHO_BOT_ACCESS_TOKEN"
# Large enough that a burst between two syncs never arrives as a `limited` timeline, which a
# minimal bot would silently lose (Synapse's default is 10 events per room).
SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 1000}, "state": {"lazy_load_members": False}},
    "presence": {"types": []},
}
# What a production bot's long poll would use; events end the poll at once anyway.
SYNC_TIMEOUT_MS = 30_000


class EchoBot:
    """One account that echoes text back into the room it came from."""

    def __init__(self, homeserver: str, user_id: str, device_id: str, token: str, store: Path):
        store.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(
            homeserver,
            user_id,
            device_id=device_id,
            store_path=str(store),
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
        )
        self.client.restore_login(user_id, device_id, token)

    async def on_text(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id:
            return
        content = {
            "msgtype": "m.notice",
            "body": event.body,
            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
        }
        response = await self.client.room_send(
            room.room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        if isinstance(response, ErrorResponse):
            print(f"echo failed in {room.room_id}: {response.status_code}", file=sys.stderr)

    async def on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == self.client.user_id and event.membership == "invite":
            await self.client.join(room.room_id)

    async def run(self) -> None:
        """Skip what happened before the start, then echo until cancelled."""
        client = self.client
        first = await client.sync(timeout=0, full_state=True, sync_filter=SYNC_FILTER)
        if not isinstance(first, SyncResponse):
            raise SystemExit(f"first sync failed: {first}")
        for room_id in first.rooms.invite:
            await client.join(room_id)
        client.add_event_callback(self.on_text, RoomMessageText)
        client.add_event_callback(self.on_invite, InviteMemberEvent)
        print("echo bot ready", flush=True)
        await client.sync_forever(
            timeout=SYNC_TIMEOUT_MS, sync_filter=SYNC_FILTER, since=first.next_batch
        )


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
    await bot.client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="A minimal matrix-nio echo bot.")
    parser.add_argument("--homeserver", required=True)
    parser.add_argument("--user-id", required=True)
    parser.add_argument("--device-id", required=True)
    parser.add_argument("--store", type=Path, required=True)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
