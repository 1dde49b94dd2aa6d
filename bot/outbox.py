"""The outbox sender: delivers what the database says the bot owes, exactly once.

Rows are written by the unit of work that decided them (see ``storage/outbox.py``). This task
sends every pending row with the transaction id stored in it, then marks it sent. A crash
between the send and the mark leaves the row pending; after the restart it is sent again with
the same transaction id, which Synapse answers with the first event instead of a second one,
and the bot's own event coming back in sync with that id marks it sent before that. Rooms are
served side by side, each room's messages in the order they were written.

Nothing is given up after a number of attempts: a passing failure is tried again with backoff,
and while the homeserver is unreachable the sender waits for the sync loop to reach it again
(the outage is logged once, by :class:`bot.matrix.Reachability`). Only a refusal for good (room
gone, bot kicked, M_FORBIDDEN) ends a send, and that is logged. A post that had a due moment
and is delivered well after it says so, once (:func:`late_note`): this is the one place that
adds such a note.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.backoff import FIRST_RETRY_SECONDS, Backoff
from bot.matrix import HomeserverUnreachable, Reachability, SendRefused
from bot.render import with_paragraph
from commands.framework.clock import Clock
from commands.framework.i18n import N_, Translator
from commands.framework.reply import Text, fmt
from storage.database import Database
from storage.models import OutboxMessage
from storage.outbox import OutboxRepository, OutboxState

log = logging.getLogger(__name__)

# After the homeserver did not answer, the next try also waits for a good sync (up to this
# long): the bot's own events in it confirm a send whose answer was lost, which a restarted
# homeserver, having forgotten the transaction id, would otherwise take a second time.
SYNC_WAIT_SECONDS = 300.0
# Pending rows are looked for at least this often, should a wake-up ever be missed.
POLL_SECONDS = 30.0
# A post delivered this much later than it was due carries a note that it is late.
LATE_AFTER = timedelta(seconds=30)
# A post written this much later than it was due was held up by the bot itself (down at the
# time); the scheduler counts a run this late as late, too.
WRITTEN_LATE_AFTER = timedelta(minutes=1)


def late_note(
    t: Translator, due_at: datetime, written_at: datetime, delivered_at: datetime
) -> Text | None:
    """The one note a late post carries, None for one on time: ``(Sent late after an
    interruption; planned for …)`` when it was written late (the bot was down at the time),
    else ``(Delivered late; planned for …)`` when its delivery was held up (the homeserver was
    unreachable)."""
    if written_at - due_at > WRITTEN_LATE_AFTER:
        message = N_("(Sent late after an interruption; planned for {when}.)")
    elif delivered_at - max(due_at, written_at) > LATE_AFTER:
        message = N_("(Delivered late; planned for {when}.)")
    else:
        return None
    return fmt(t.gettext(message), when=t.datetime(due_at))


class Sending(Protocol):
    """The part of :class:`bot.matrix.MatrixGateway` the sender uses."""

    async def send(
        self, room_id: str, content: dict[str, Any], txn_id: str | None = None
    ) -> str: ...

    async def upload(
        self, room_id: str, filename: str, mimetype: str, data: bytes
    ) -> dict[str, Any]: ...


class OutboxSender:
    """Sends pending outbox rows: concurrently across rooms, in order within a room."""

    def __init__(
        self,
        database: Database,
        gateway: Sending,
        clock: Clock,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        reachability: Reachability | None = None,
        translator: Translator | None = None,
    ) -> None:
        """``translator`` writes the note on a late post; without one (tests of delivery
        alone) posts go out as they were written."""
        self.database = database
        self.gateway = gateway
        self.clock = clock
        self._sleep = sleep
        self.reachability = reachability or Reachability()
        self.t = translator
        self._wake = asyncio.Event()
        self._rooms: dict[str, asyncio.Task[None]] = {}
        self._runner: asyncio.Task[None] | None = None
        # Set once a pass over the outbox has found every room owed something since the
        # start: from then on a room without a task of its own is owed nothing older.
        self._surveyed = False
        # Set whenever no room has anything left to send (tests and shutdown wait on it).
        self.idle = asyncio.Event()

    def wake(self, written: Sequence[OutboxMessage] = ()) -> None:
        """Something was written to the outbox: look for it now.

        ``written`` are the rows a unit of work has just committed. A room that is owed
        nothing else gets them handed over at once, without reading them back: a reply then
        goes out one database round trip sooner. A room that is still being served finds them
        in the database after what it was owed before, so the order holds either way.
        """
        self.idle.clear()
        self._wake.set()
        if self._runner is None or not self._surveyed:
            return
        by_room: dict[str, list[OutboxMessage]] = {}
        for message in written:
            by_room.setdefault(message.room_id, []).append(message)
        for room_id, messages in by_room.items():
            if room_id not in self._rooms:
                self._rooms[room_id] = asyncio.create_task(self._serve(room_id, messages))

    def start(self) -> None:
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="outbox")
            self.wake()

    async def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until nothing is left to send (a clean stop sends
        what its last commands owe); False when something is still pending then."""
        if self._runner is None:
            return False
        self.wake()
        try:
            async with asyncio.timeout(timeout):
                await self.idle.wait()
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """Stop sending; whatever is still pending is sent after the next start."""
        tasks = [task for task in (self._runner, *self._rooms.values()) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._runner = None
        self._surveyed = False
        self._rooms.clear()

    async def _run(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow the cancel
            # that stop() sends when the wake-up happens at the same moment.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()
            self._wake.clear()
            try:
                async with self.database.session() as session:
                    rooms = await OutboxRepository(session).rooms_with_pending()
            except Exception:
                log.exception("the outbox could not be read; trying again")
                await self._sleep(FIRST_RETRY_SECONDS)
                self._wake.set()
                continue
            for room_id in rooms:
                if room_id not in self._rooms:
                    self._rooms[room_id] = asyncio.create_task(self._serve(room_id))
            self._surveyed = True
            # Idle only if no wake-up came during this pass: its rows may not have been seen.
            if not self._rooms and not self._wake.is_set():
                self.idle.set()

    async def _serve(self, room_id: str, handed: Sequence[OutboxMessage] = ()) -> None:
        """Send ``room_id``'s pending messages one after the other until none is left; the
        ``handed`` ones first, as they are all the room is owed when it gets them."""
        ahead = deque(handed)
        try:
            # A send that failed for a passing reason (network, server error) waits, doubling.
            backoff = Backoff()
            attempts = 0
            while True:
                if ahead:
                    message: OutboxMessage | None = ahead.popleft()
                else:
                    async with self.database.session() as session:
                        message = await OutboxRepository(session).next_pending(room_id)
                if message is None:
                    return
                if await self._deliver(message, attempts):
                    backoff.succeeded()
                    attempts = 0
                    continue
                attempts += 1
                # The failed message and those behind it are read back in order from now on.
                ahead.clear()
                # Later messages of this room wait too: their order is part of the answer.
                # While the homeserver is away, the sync loop finds out when it is back.
                await self._sleep(backoff.failed())
                await self.reachability.wait_for_sync(SYNC_WAIT_SECONDS)
        finally:
            self._rooms.pop(room_id, None)
            self._wake.set()  # a row written while this room was finishing is picked up

    async def _deliver(self, message: OutboxMessage, failed_before: int) -> bool:
        """Send one message; False when it should be tried again later."""
        try:
            content = dict(message.content)
            if message.file_data is not None:
                content = await self.gateway.upload(
                    message.room_id,
                    message.file_name or "file",
                    message.file_mimetype or "application/octet-stream",
                    message.file_data,
                )
            elif (note := self._late_note(message)) is not None:
                content = with_paragraph(content, note)
            event_id = await self.gateway.send(message.room_id, content, message.txn_id)
        except SendRefused as refusal:
            log.error(
                "message %d to %s refused for good: %s", message.id, message.room_id, refusal
            )
            await self._finish(message, OutboxState.FAILED, None)
            return True
        except asyncio.CancelledError:
            raise
        except HomeserverUnreachable as error:
            self.reachability.unreachable(error)  # logged once for the whole outage
            return False
        except Exception as error:
            # Once per message, not per attempt: it is retried until it goes or is refused.
            # During an outage that Reachability has logged already, not even once.
            first = failed_before == 0 and not self.reachability.down
            level = logging.WARNING if first else logging.DEBUG
            log.log(level, "message %d to %s not sent yet: %s", message.id, message.room_id, error)
            return False
        if failed_before:
            log.info(
                "message %d to %s sent after %d failed tries",
                message.id,
                message.room_id,
                failed_before,
            )
        await self._finish(message, OutboxState.SENT, event_id)
        return True

    def _late_note(self, message: OutboxMessage) -> Text | None:
        """The note for a post delivered or written well after its due moment, if any."""
        if self.t is None or message.due_at is None:
            return None
        return late_note(self.t, message.due_at, message.created_at, self.clock.now())

    async def _finish(self, message: OutboxMessage, state: OutboxState, event: str | None) -> None:
        async with self.database.session() as session:
            await OutboxRepository(session).finish(message.id, state, self.clock.now(), event)
