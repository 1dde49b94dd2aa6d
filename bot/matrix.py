"""The Matrix side: login, the supervised sync loop, invites, sending with rate limits.

Restart safety: the sync token is stored in the database only after the handlers of its batch
finished, and every command event is recorded as handled in the transaction that commits the
command's work. A restart therefore neither repeats an old command nor loses one that arrived
while the bot was down.

Outage safety: a request the homeserver does not answer (connection refused, a gateway's 5xx)
is reported to :class:`Reachability`, which logs an outage once when it begins and once when
it ends. The sync loop probes with backoff; senders wait for its next good sync and then go on.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import ClientConnectionError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    InviteMemberEvent,
    JoinedRoomsResponse,
    JoinError,
    LocalProtocolError,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RoomCreateResponse,
    RoomGetEventResponse,
    RoomMessagesError,
    RoomMessagesResponse,
    RoomPreset,
    RoomResolveAliasResponse,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)
from nio.events import Event

from bot.backoff import Backoff
from bot.config import Config
from commands.framework.context import RepliedEvent
from storage.private_files import PRIVATE_DIRECTORY, make_private_directory

log = logging.getLogger(__name__)

# Messages that carry a file: what ``!anlage`` may attach to an agenda item.
FILE_MSGTYPES = frozenset({"m.file", "m.image", "m.video", "m.audio"})

CREDENTIALS_FILE = "credentials.json"
# Synapse answers a sync with at most this many events per room; more arrive as `limited`.
TIMELINE_LIMIT = 50
SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": TIMELINE_LIMIT}, "state": {"lazy_load_members": False}},
    "presence": {"types": []},
}


class LoginFailed(Exception):
    """Neither the stored session nor the configured credentials let the bot log in."""


class SendFailed(Exception):
    """A message did not reach the homeserver; it may get through later."""


class SendRefused(SendFailed):
    """The homeserver refuses a message for good: the room is gone, or the bot was kicked or
    may not post there. Trying again does not help."""


class HomeserverUnreachable(SendFailed):
    """Nothing answered the send: the homeserver is down, restarting or out of reach."""


# Answers that say the room will not take the bot's message, however long it waits.
PERMANENT_STATUSES = frozenset({403, 404})
PERMANENT_ERRCODES = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_ROOM"})
# What a request raises when nothing answers it. nio is told not to retry these itself (see
# ``login``): its retries would hold a send or a join for minutes and log every attempt.
UNANSWERED = (ClientConnectionError, TimeoutError)

Answer = TypeVar("Answer")


def unanswered(error: BaseException) -> str:
    """A short line for a request nothing answered (the exception's repr runs to pages)."""
    return f"{type(error).__name__}: {error}"


def server_trouble(response: object) -> bool:
    """True for an answer that came from a failing server rather than from Matrix: a 5xx, as a
    reverse proxy gives while Synapse restarts."""
    transport = getattr(response, "transport_response", None)
    status = getattr(transport, "status", None)
    return isinstance(response, ErrorResponse) and isinstance(status, int) and status >= 500


class Reachability:
    """Whether the homeserver answers, as the bot's parts find out.

    Everything that finds the homeserver unreachable reports it here, so an outage is logged
    once when it begins and once when it ends, however many requests fail meanwhile. The sync
    loop reports each good sync: once it has seen the bot's own events again (they confirm sends
    whose answer was lost in the outage), senders may go on.
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._down_since: float | None = None
        self._synced = asyncio.Event()
        self._synced.set()

    @property
    def down(self) -> bool:
        """True from a failed request until the next good sync."""
        return self._down_since is not None

    def unreachable(self, problem: object) -> None:
        """A request got no answer (or a server error) because of ``problem``."""
        self._synced.clear()
        if self._down_since is None:
            self._down_since = self._monotonic()
            log.warning("homeserver unreachable (%s); retrying until it answers", problem)

    def sync_started(self) -> float:
        """The moment a sync request starts, for :meth:`synced` once it has succeeded."""
        return self._monotonic()

    def synced(self, started: float) -> None:
        """A sync that began at ``started`` succeeded and its events were handled. One that
        began before the homeserver was found unreachable tells nothing about now: a homeserver
        that is shutting down still answers the long polls in hand."""
        if self._down_since is not None and started < self._down_since:
            return
        self._synced.set()
        if self._down_since is not None:
            log.info("homeserver answers again after %.0f s", self._monotonic() - self._down_since)
            self._down_since = None

    async def wait_for_sync(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a good sync after the last failure; False when
        none came."""
        try:
            async with asyncio.timeout(timeout):
                await self._synced.wait()
        except TimeoutError:
            return False
        return True

    async def patiently(self, request: Callable[[], Awaitable[Answer]]) -> Answer:
        """``request``'s answer once the homeserver gives one; while it does not answer (or
        answers with a server error), ask again with backoff. Any Matrix answer, an error
        included, is returned."""
        # Something that must happen in the end (a join, the team room's alias) is asked for
        # again with the bot's usual back-off while the homeserver does not answer.
        backoff = Backoff()
        while True:
            try:
                response = await request()
            except UNANSWERED as error:
                problem: object = unanswered(error)
            else:
                if not server_trouble(response):
                    return response
                problem = response
            self.unreachable(problem)
            await self.wait_for_sync(backoff.failed())


@dataclass(frozen=True)
class RoomBatch:
    """The new timeline events of one room in one sync, in order."""

    room: MatrixRoom
    events: list[Event]


@dataclass
class SyncBatch:
    """What one sync brought, to be handled before its token is stored."""

    next_batch: str
    rooms: list[RoomBatch] = field(default_factory=list)
    invites: list[tuple[str, InviteMemberEvent]] = field(default_factory=list)


async def login(config: Config) -> AsyncClient:
    """A logged-in client with its E2EE store; the same device on every start."""
    matrix = config.matrix
    store = Path(matrix.store_path)
    # The store holds the device's secret keys and the access token: the service account's only.
    make_private_directory(store)
    os.chmod(store, PRIVATE_DIRECTORY)
    client = AsyncClient(
        matrix.homeserver,
        matrix.user_id,
        store_path=str(store),
        config=AsyncClientConfig(
            encryption_enabled=True,
            store_sync_tokens=False,  # the database keeps the token, after handling
            # nio waits out every 429 for the time the server asks (retry_after_ms) and asks
            # again, with the same transaction id for a send: a rate limit delays what the bot
            # owes (a reply, a join) but never drops it after some number of attempts.
            max_limit_exceeded=None,
            # A request nothing answers raises at once: the sync loop, the outbox sender and
            # Reachability.patiently retry with their own backoff and log an outage once.
            max_timeouts=0,
        ),
    )
    credentials = store / CREDENTIALS_FILE
    if credentials.exists():
        saved = json.loads(credentials.read_text(encoding="utf-8"))
        if saved.get("user_id") == matrix.user_id:
            client.restore_login(saved["user_id"], saved["device_id"], saved["access_token"])
            log.info("restored session of device %s", saved["device_id"])
            return client
        log.warning("stored credentials belong to another user; logging in anew")
    # A first start while the homeserver is away waits for it, as a running bot does.
    reachability = Reachability()
    if matrix.access_token:
        client.access_token = matrix.access_token
        whoami = await reachability.patiently(client.whoami)
        if not isinstance(whoami, WhoamiResponse) or not whoami.device_id:
            await client.close()
            raise LoginFailed(f"the access token was not accepted: {whoami}")
        client.restore_login(matrix.user_id, whoami.device_id, matrix.access_token)
        device_id, token = whoami.device_id, matrix.access_token
    else:
        response = await reachability.patiently(
            lambda: client.login(matrix.password, device_name=matrix.device_name)
        )
        if not isinstance(response, LoginResponse):
            await client.close()
            raise LoginFailed(f"password login failed: {getattr(response, 'message', response)}")
        device_id, token = response.device_id, response.access_token
    _write_private(
        credentials,
        json.dumps({"user_id": matrix.user_id, "device_id": device_id, "access_token": token}),
    )
    log.info("logged in as device %s", device_id)
    return client


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


async def exchange_keys(client: AsyncClient) -> None:
    """What ``sync_forever`` does between syncs: keep our and our peers' E2EE keys current."""
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


def server_of(user_id: str) -> str:
    return user_id.split(":", 1)[1] if ":" in user_id else ""


def is_joined(room: MatrixRoom, user_id: str) -> bool:
    return user_id in room.users and user_id not in room.invited_users


def _status_number(status: object) -> int | None:
    # nio's error responses carry the errcode in ``status_code``; a transport error the number.
    try:
        return int(str(status))
    except ValueError:
        return None


def sent_transaction(event: Event, own_user_id: str) -> str | None:
    """The transaction id this device sent ``event`` with, when the event is ours and the
    homeserver tells us (it does so only to the sending device)."""
    if event.sender != own_user_id:
        return None
    unsigned = event.source.get("unsigned") or {}
    txn_id = unsigned.get("transaction_id")
    return txn_id if isinstance(txn_id, str) else None


def event_time(event: Event) -> datetime:
    return datetime.fromtimestamp(event.server_timestamp / 1000, UTC)


class MatrixGateway:
    """All traffic with the homeserver. The rest of the bot sees rooms, events and sends."""

    def __init__(self, client: AsyncClient, reachability: Reachability | None = None) -> None:
        self.client = client
        self.reachability = reachability or Reachability()
        # nio keeps room state only in memory: the first sync of every process asks for the
        # full state, or roles (team membership, power levels) would be unknown after a restart.
        self._state_loaded = False

    @property
    def user_id(self) -> str:
        return str(self.client.user_id)

    def room(self, room_id: str) -> MatrixRoom | None:
        return self.client.rooms.get(room_id)

    async def resolve_room(self, room: str) -> str | None:
        """A room id for a room id or alias."""
        if room.startswith("!"):
            return room
        response = await self.reachability.patiently(lambda: self.client.room_resolve_alias(room))
        return response.room_id if isinstance(response, RoomResolveAliasResponse) else None

    async def join(self, room_id: str) -> bool:
        """Join ``room_id``; True once joined. Waits as long as it takes: nio waits out rate
        limits, and an unreachable homeserver is asked again. False only when the homeserver
        refuses for good (the invite was withdrawn, the room is gone), which is logged."""
        response = await self.reachability.patiently(lambda: self.client.join(room_id))
        if isinstance(response, JoinError):
            log.warning("could not join %s: %s", room_id, response)
            return False
        return True

    async def decline(self, room_id: str) -> None:
        await self.reachability.patiently(lambda: self.client.room_leave(room_id))

    async def create_direct_room(self, user_id: str, timeout: float = 30.0) -> str:
        """A new encrypted direct chat with ``user_id`` (invited); returns its id once the
        sync loop knows the room, because nio sends (and encrypts) only into known rooms."""
        response = await self.reachability.patiently(
            lambda: self.client.room_create(
                is_direct=True,
                preset=RoomPreset.trusted_private_chat,
                invite=[user_id],
                initial_state=[
                    {
                        "type": "m.room.encryption",
                        "state_key": "",
                        "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                    }
                ],
            )
        )
        if not isinstance(response, RoomCreateResponse):
            raise SendFailed(f"no direct chat with {user_id}: {response}")
        room_id = str(response.room_id)

        def known() -> bool:
            room = self.client.rooms.get(room_id)
            return room is not None and room.encrypted and user_id in room.users

        try:
            async with asyncio.timeout(timeout):
                while not known():
                    await asyncio.sleep(0.1)
        except TimeoutError:
            log.warning("direct chat %s not seen in a sync after %.0f s", room_id, timeout)
        # The invited person's devices must be known before the first message, or its room
        # key is shared with nobody but the bot and the person can never read it.
        if self.client.should_query_keys:
            await self.reachability.patiently(self.client.keys_query)
        return room_id

    async def sync(self, since: str | None, timeout_ms: int) -> SyncResponse | ErrorResponse:
        response = await self.client.sync(
            # The first sync returns at once: start-up should not wait for a long poll.
            timeout=timeout_ms if self._state_loaded else 0,
            since=since,
            sync_filter=SYNC_FILTER,
            full_state=not self._state_loaded,
        )
        if isinstance(response, SyncResponse):
            self._state_loaded = True
            await exchange_keys(self.client)
        return response

    def batch_of(self, response: SyncResponse) -> SyncBatch:
        batch = SyncBatch(next_batch=response.next_batch)
        for room_id, info in response.rooms.invite.items():
            for event in info.invite_state:
                if (
                    isinstance(event, InviteMemberEvent)
                    and event.state_key == self.user_id
                    and event.membership == "invite"
                ):
                    batch.invites.append((room_id, event))
        for room_id, info in response.rooms.join.items():
            room = self.client.rooms.get(room_id)
            if room is not None and info.timeline.events:
                batch.rooms.append(RoomBatch(room, list(info.timeline.events)))
        return batch

    async def fill_gaps(self, response: SyncResponse, batch: SyncBatch, since: str) -> None:
        """Fetch the events a ``limited`` timeline left out, back to the previous sync."""
        by_room = {room_batch.room.room_id: room_batch for room_batch in batch.rooms}
        for room_id, info in response.rooms.join.items():
            if not info.timeline.limited or room_id not in by_room:
                continue
            missing: list[Event] = []
            start = info.timeline.prev_batch
            while start:
                page = await self.client.room_messages(
                    room_id, start=start, end=since, limit=100, message_filter=None
                )
                if isinstance(page, RoomMessagesError) or not isinstance(
                    page, RoomMessagesResponse
                ):
                    log.warning("could not fetch the gap in %s: %s", room_id, page)
                    break
                missing.extend(page.chunk)
                if not page.chunk or page.end in (None, start):
                    break
                start = page.end
            known = {event.event_id for event in by_room[room_id].events}
            # nio decrypts the pages it fetches; the server returns them newest first.
            earlier = [event for event in reversed(missing) if event.event_id not in known]
            by_room[room_id].events[:0] = earlier
            log.info("filled a gap of %d events in %s", len(earlier), room_id)

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str | None = None) -> str:
        """Send one event and return its id. nio waits out rate limits (see the client
        config); a repeat with the same ``txn_id`` from this device is the same event.

        Raises :class:`SendRefused` when the room will never take it,
        :class:`HomeserverUnreachable` when nothing answered, :class:`SendFailed` when it might
        take it later (a 5xx from a gateway in front of it, say).
        """
        try:
            response = await self.client.room_send(
                room_id,
                "m.room.message",
                content,
                tx_id=txn_id,
                ignore_unverified_devices=True,
            )
        except UNANSWERED as error:
            raise HomeserverUnreachable(unanswered(error)) from error
        except LocalProtocolError as error:
            # nio sends only into rooms a sync told it about: after a restart, a room the bot
            # was kicked from (or left) is unknown to it, and only the homeserver can say
            # whether that is for good.
            if await self._is_member(room_id):
                raise SendFailed(str(error)) from error
            raise SendRefused(f"not a member of the room: {error}") from error
        if isinstance(response, RoomSendResponse):
            return str(response.event_id)
        status = getattr(response, "status_code", None)
        http_status = getattr(getattr(response, "transport_response", None), "status", None)
        problem = f"{status or http_status or '?'}: {response}"
        if status in PERMANENT_ERRCODES or _status_number(status) in PERMANENT_STATUSES:
            raise SendRefused(problem)
        raise SendFailed(problem)

    async def _is_member(self, room_id: str) -> bool:
        """Whether the homeserver counts the bot as joined to ``room_id``."""
        try:
            response = await self.client.joined_rooms()
        except UNANSWERED as error:
            raise HomeserverUnreachable(unanswered(error)) from error
        if not isinstance(response, JoinedRoomsResponse):
            raise SendFailed(f"joined rooms unknown: {response}")
        return room_id in response.rooms

    async def upload(
        self, room_id: str, filename: str, mimetype: str, data: bytes
    ) -> dict[str, Any]:
        """Upload a file (encrypted in encrypted rooms) and return the ``m.file`` content."""
        room = self.client.rooms.get(room_id)
        encrypted = bool(room and room.encrypted)
        try:
            response, keys = await self.client.upload(
                io.BytesIO(data),
                content_type=mimetype,
                filename=filename,
                encrypt=encrypted,
                filesize=len(data),
            )
        except UNANSWERED as error:
            raise HomeserverUnreachable(unanswered(error)) from error
        if not isinstance(response, UploadResponse):
            raise SendFailed(f"upload failed: {response}")
        content: dict[str, Any] = {
            "msgtype": "m.file",
            "body": filename,
            "filename": filename,
            "info": {"mimetype": mimetype, "size": len(data)},
        }
        if encrypted and keys:
            content["file"] = {**keys, "url": response.content_uri}
        else:
            content["url"] = response.content_uri
        return content

    async def replied_event(self, room_id: str, event_id: str) -> RepliedEvent | None:
        """The message ``event_id`` in ``room_id`` as far as the bot can read it: None when
        the homeserver does not give it to the bot or it cannot be decrypted."""
        try:
            response = await self.client.room_get_event(room_id, event_id)
        except UNANSWERED as error:
            self.reachability.unreachable(unanswered(error))
            return None
        if not isinstance(response, RoomGetEventResponse):
            log.info("replied-to event %s not readable: %s", event_id, response)
            return None
        event = response.event
        if isinstance(event, MegolmEvent):
            try:
                event = self.client.decrypt_event(event)
            except Exception as error:  # no key for it: the bot cannot read it
                log.info("replied-to event %s not decrypted: %s", event_id, error)
                return None
        content = event.source.get("content", {})
        if isinstance(event, MegolmEvent) or event.source.get("type") not in (
            "m.room.message",
            "m.room.encrypted",
        ):
            return RepliedEvent(event_id, room_id, event.sender, None)
        is_file = content.get("msgtype") in FILE_MSGTYPES and (
            "url" in content or "file" in content
        )
        name = str(content.get("filename") or content.get("body") or "") if is_file else None
        return RepliedEvent(event_id, room_id, event.sender, name or None)

    async def request_key(self, event: MegolmEvent) -> None:
        try:
            await self.client.request_room_key(event)
        except Exception as error:  # a repeated request raises; there is nothing to do
            log.debug("room key request not sent: %s", error)

    async def close(self) -> None:
        await self.client.close()
