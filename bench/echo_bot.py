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

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    RoomMessagesResponse,
    RoomMessageText,
    SyncResponse,
)
from nio.events import Event

TOKEN_VARIABLE = "ECHO_BOT_ACCESS_TOKEN"
# As many events per room and sync as Synapse gives (it caps the filter's limit at 100).
SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 100}, "state": {"lazy_load_members": False}},
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

    async def echo(self, room_id: str, event: RoomMessageText) -> None:
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
        client = self.client
        first = await client.sync(timeout=0, full_state=True, sync_filter=SYNC_FILTER)
        if not isinstance(first, SyncResponse):
            raise SystemExit(f"first sync failed: {first}")
        since = first.next_batch
        # A room's first timeline after the join is limited too; its history is not ours.
        known = set(first.rooms.join)
        for room_id in first.rooms.invite:
            await client.join(room_id)
        print("echo bot ready", flush=True)
        while True:
            response = await client.sync(
                timeout=SYNC_TIMEOUT_MS, sync_filter=SYNC_FILTER, since=since
            )
            if not isinstance(response, SyncResponse):
                await asyncio.sleep(1)
                continue
            await exchange_keys(client)
            for room_id in response.rooms.invite:
                await client.join(room_id)
            for room_id, info in response.rooms.join.items():
                events = info.timeline.events
                if info.timeline.limited and room_id in known:
                    events = await events_before(client, room_id, info.timeline.prev_batch, since)
                    events += info.timeline.events
                for event in events:
                    if isinstance(event, RoomMessageText) and event.sender != client.user_id:
                        await self.echo(room_id, event)
            known.update(response.rooms.join)
            since = response.next_batch


async def exchange_keys(client: AsyncClient) -> None:
    """Keep the E2EE keys current between syncs, as nio's own sync loop does."""
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


async def events_before(client: AsyncClient, room_id: str, start: str, since: str) -> list[Event]:
    """The events a ``limited`` timeline left out between ``since`` and ``start``, oldest
    first (nio decrypts what it fetches)."""
    pages: list[Event] = []
    while start:
        page = await client.room_messages(room_id, start=start, end=since, limit=100)
        if not isinstance(page, RoomMessagesResponse) or not page.chunk:
            break
        pages.extend(page.chunk)
        if page.end in (None, start):
            break
        start = page.end
    return list(reversed(pages))


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
