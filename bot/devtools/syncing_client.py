"""A Matrix account that syncs in the background: the base of the developer tools' clients.

The demo's and the tests' :class:`bot.devtools.chat_client.ChatClient`, the benchmark's
observing person and its echo bot all log in with a stored token, keep an E2EE store, sync in a
task of their own and keep the E2EE keys current between syncs. What each does with a sync's
timeline is its own (:meth:`SyncingClient.on_timeline`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from nio import (
    AsyncClient,
    AsyncClientConfig,
    RoomCreateResponse,
    RoomMessagesResponse,
    RoomSendResponse,
    SyncResponse,
)
from nio.events import Event

from bot.matrix import exchange_keys


class SyncingClient:
    """One account on the homeserver with its own device and E2EE store, syncing until closed.

    Subclasses set how they sync (the class variables) and handle each room's new events in
    :meth:`on_timeline`; :meth:`wait_until` wakes after every sync.
    """

    # The long poll of every sync after the first, which returns at once with what it has.
    sync_timeout_ms: ClassVar[int] = 1000
    sync_filter: ClassVar[dict[str, Any] | None] = None
    # How long to wait after a sync the homeserver did not answer well.
    retry_seconds: ClassVar[float] = 0.5
    # Whether a cut-off (``limited``) timeline of a known room is completed from /messages.
    fill_gaps: ClassVar[bool] = False
    # Whether every invitation is taken at once, as a bot does.
    join_invites: ClassVar[bool] = False
    # Whether the first sync's timelines (what happened before the start) are handed over.
    skip_history: ClassVar[bool] = False

    def __init__(
        self, homeserver: str, user_id: str, device_id: str, token: str, store: Path
    ) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(
            homeserver,
            user_id,
            device_id=device_id,
            store_path=str(store),
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
        )
        self.client.restore_login(user_id, device_id, token)
        self.gaps_filled = 0  # timelines that arrived cut off, completed from /messages
        self._changed = asyncio.Condition()
        self._first_sync = asyncio.Event()
        self._syncer: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        return str(self.client.user_id)

    async def start(self, timeout: float = 30) -> None:
        """Sync in the background; returns after the first sync."""
        self._syncer = asyncio.create_task(self._sync_forever())
        await asyncio.wait_for(self._first_sync.wait(), timeout)

    async def syncing(self) -> None:
        """Wait while the background sync runs (until it is cancelled or fails)."""
        if self._syncer is not None:
            await self._syncer

    async def close(self) -> None:
        """Stop syncing and close the connection."""
        if self._syncer is not None:
            self._syncer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._syncer
        await self.client.close()

    async def on_timeline(self, room_id: str, events: list[Event], arrived: float) -> None:
        """Handle the new events of one joined room, oldest first; ``arrived`` is the
        :func:`time.monotonic` moment their sync came back."""

    async def _sync_forever(self) -> None:
        client = self.client
        since: str | None = None
        known: set[str] = set()  # rooms joined before this sync: their gaps are ours to fill
        while True:
            response = await client.sync(
                timeout=self.sync_timeout_ms if since is not None else 0,
                full_state=since is None,
                sync_filter=self.sync_filter,
                since=since,
            )
            if not isinstance(response, SyncResponse):
                await asyncio.sleep(self.retry_seconds)
                continue
            arrived = time.monotonic()
            await exchange_keys(client)
            if self.join_invites:
                for room_id in response.rooms.invite:
                    await client.join(room_id)
            if since is not None or not self.skip_history:
                for room_id, info in response.rooms.join.items():
                    events = info.timeline.events
                    if self.fill_gaps and info.timeline.limited and room_id in known:
                        assert since is not None  # a room is known only after a first sync
                        gap = await events_before(client, room_id, info.timeline.prev_batch, since)
                        events = gap + events
                        self.gaps_filled += 1
                    await self.on_timeline(room_id, events, arrived)
            known.update(response.rooms.join)
            since = response.next_batch
            async with self._changed:
                self._changed.notify_all()
            self._first_sync.set()

    async def wait_until(self, predicate: Callable[..., object], timeout: float = 20) -> None:
        """Wait until ``predicate()`` is true, re-checked after every sync (a predicate may
        bind loop values as defaults, hence the open parameter list)."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    def is_joined(self, room_id: str, user_id: str) -> bool:
        """Whether this client sees ``user_id`` joined (not only invited) in ``room_id``."""
        room = self.client.rooms.get(room_id)
        return room is not None and user_id in room.users and user_id not in room.invited_users

    async def create_room(
        self,
        name: str,
        invite: Sequence[str] = (),
        encrypted: bool = False,
        direct: bool = False,
    ) -> str:
        """Create a room (encrypted with Megolm if asked), inviting ``invite``; its id."""
        initial_state = []
        if encrypted:
            initial_state.append(
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            )
        response = await self.client.room_create(
            name=name, invite=list(invite), initial_state=initial_state, is_direct=direct
        )
        if not isinstance(response, RoomCreateResponse):
            raise RuntimeError(f"room creation failed: {response}")
        return str(response.room_id)

    async def say(self, room_id: str, body: str, content: dict[str, Any] | None = None) -> str:
        """Send a text message (encrypted if the room is); returns its event id."""
        message = {"msgtype": "m.text", "body": body, **(content or {})}
        response = await self.client.room_send(
            room_id, "m.room.message", message, ignore_unverified_devices=True
        )
        if not isinstance(response, RoomSendResponse):
            raise RuntimeError(f"sending failed: {response}")
        return str(response.event_id)


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
