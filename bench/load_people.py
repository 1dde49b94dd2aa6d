"""The people of the Matrix load benchmark: the observer who asks and watches, and the
writers of a burst."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    MegolmEvent,
)
from nio.events import Event

from bench.echo_bot import SYNC_FILTER
from bot.devtools.homeserver import RegisteredUser
from bot.devtools.syncing_client import SyncingClient


@dataclass(frozen=True)
class Seen:
    """A message as the observing person's sync delivered it."""

    room_id: str
    event_id: str
    sender: str
    body: str
    in_reply_to: str | None
    server_ts: int  # origin_server_ts, milliseconds
    arrived: float  # time.monotonic() when the sync brought it


class Observer(SyncingClient):
    """A person who writes and watches: an E2EE client that keeps every message of every
    room in the order the homeserver delivered them, with server timestamps."""

    sync_filter = SYNC_FILTER
    retry_seconds = 0.2
    # A burst's timeline arrives cut off; what it left out is fetched, as a client shows it.
    fill_gaps = True

    def __init__(self, homeserver: str, user: RegisteredUser, store: Path) -> None:
        super().__init__(homeserver, user.user_id, user.device_id, user.access_token, store)
        self.timeline: dict[str, list[Seen]] = defaultdict(list)
        self.answers: dict[str, list[Seen]] = defaultdict(list)
        self.stamps: dict[str, int] = {}  # event id -> origin_server_ts, every event
        self.undecryptable = 0

    async def on_timeline(self, room_id: str, events: list[Event], arrived: float) -> None:
        """Keep the messages among ``events`` with the moment their sync arrived."""
        for event in events:
            self._remember(room_id, event, arrived)

    def _remember(self, room_id: str, event: Any, arrived: float) -> None:
        if event.event_id in self.stamps:  # a gap's page and a timeline may overlap
            return
        source: dict[str, Any] = event.source
        self.stamps[event.event_id] = int(source.get("origin_server_ts", 0))
        if isinstance(event, MegolmEvent):  # still encrypted: no key for it
            self.undecryptable += 1
            return
        body = getattr(event, "body", None)
        if body is None:
            if source.get("type") != "m.room.message":
                return
            body = str(source.get("content", {}).get("body", ""))
        # A decrypted event keeps the relation in its decrypted source's content.
        content = source.get("content", {})
        relation = content.get("m.relates_to") or {}
        reply_to = (relation.get("m.in_reply_to") or {}).get("event_id")
        stamp = self.stamps[event.event_id]
        seen = Seen(room_id, event.event_id, event.sender, str(body), reply_to, stamp, arrived)
        self.timeline[room_id].append(seen)
        if reply_to:
            self.answers[reply_to].append(seen)

    def answered(self, event_id: str) -> Callable[[], bool]:
        """A predicate: an answer to ``event_id`` has arrived, and the command itself."""
        return lambda: bool(self.answers[event_id]) and event_id in self.stamps


def sender_client(homeserver: str, user: RegisteredUser) -> AsyncClient:
    """A person who only writes into plain rooms: no sync, no E2EE store."""
    client = AsyncClient(
        homeserver,
        user.user_id,
        device_id=user.device_id,
        config=AsyncClientConfig(encryption_enabled=False),
    )
    client.restore_login(user.user_id, user.device_id, user.access_token)
    return client
