"""The running bot: supervises the sync loop, handles each batch, answers commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from nio import (
    MatrixRoom,
    MegolmEvent,
    RoomMessageNotice,
    RoomMessageText,
    SyncResponse,
)
from nio.events import Event

from bot.config import Config
from bot.matrix import (
    UNANSWERED,
    MatrixGateway,
    RoomBatch,
    SyncBatch,
    event_time,
    is_joined,
    sent_transaction,
    server_of,
    server_trouble,
    unanswered,
)
from bot.message_text import addressed_part, command_text
from bot.outbox import OutboxSender
from bot.render import Target, notice_contents
from bot.scheduler import SchedulerService
from commands.framework.clock import Clock
from commands.framework.context import ReplyLookup
from commands.framework.dispatch import Dispatcher, Request
from commands.framework.i18n import N_, Translator
from commands.framework.registry import Registry, Role, RoomKind
from commands.framework.reply import Reply, code, fmt
from storage.database import Database
from storage.models import LEADING_SEAT_ROLES, OutboxMessage
from storage.outbox import OutboxFile
from storage.repositories import Store

log = logging.getLogger(__name__)

_Answered = TypeVar("_Answered")

ORGANIZER_POWER_LEVEL = 50
# The sync loop is what notices that an unreachable homeserver answers again (senders wait for
# it), so it asks at least this often during an outage.
MAX_BACKOFF_SECONDS = 10.0
OUTBOX_DRAIN_SECONDS = 5.0


@dataclass(frozen=True)
class Skipped:
    """A command that was too old to run when the bot saw it."""

    sender: str
    name: str
    sent_at: datetime
    event_id: str


class BackgroundService(Protocol):
    """Something that runs beside the sync loop, e.g. the calendar feed's web server."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class BotState:
    """What the running bot learnt at start-up and keeps for its lifetime."""

    team_room_id: str | None = None
    synced_once: bool = False
    last_sync: datetime | None = None  # of the last successful sync, for the health check
    # When this installation first started: nothing sent before was addressed to it. Compared
    # with the homeserver's timestamps, like the staleness of commands. None for installations
    # from before it was recorded.
    installed_at: datetime | None = None
    undecryptable_noticed: set[tuple[str, str]] = field(default_factory=set)


class Kuemmerer:
    """One bot process: Matrix gateway, dispatcher, database and scheduler wired together."""

    def __init__(
        self,
        config: Config,
        gateway: MatrixGateway,
        database: Database,
        registry: Registry,
        clock: Clock,
        scheduler: SchedulerService | None = None,
    ) -> None:
        self.config = config
        self.gateway = gateway
        self.database = database
        self.clock = clock
        self.scheduler = scheduler
        self.services: list[BackgroundService] = []
        self.t = Translator(config.bot.language, config.bot.zone)
        self.dispatcher = Dispatcher(
            registry,
            self.t,
            clock,
            self._open_store,
            config.bot.prefix,
            gateway.user_id,
            after_schedule_change=self._rearm_scheduler,
            calendar=config.calendar,
            feed_base_url=config.http.public_url.rstrip("/") if config.http.enabled else "",
        )
        self.registry = registry
        self.outbox = OutboxSender(
            database, gateway, clock, reachability=gateway.reachability, translator=self.t
        )
        self.state = BotState()
        self._stopping = asyncio.Event()
        # Each room's events run in order on a chain of tasks; rooms run side by side, so a slow
        # command in one room delays neither the sync loop nor other rooms.
        self._room_tails: dict[str, asyncio.Task[None]] = {}
        # Joins and declines run beside the sync loop: nio waits out a 429 inside a join, and
        # commands in other rooms are answered meanwhile. One task per room.
        self._invite_tasks: dict[str, asyncio.Task[None]] = {}
        # The rooms whose join or decline the homeserver has not answered yet: only these are
        # cut short by a stop (an answered one just records itself, which must not be lost).
        self._unanswered_invites: set[str] = set()
        # Sync tokens in arrival order, each with the room tasks it must wait for before it is
        # stored: a token is saved only when everything of its batch (and before) was handled.
        # Its invites' tasks too: an invite comes only once, so a restart before its join ends
        # must see it again.
        self._tokens: asyncio.Queue[_TokenItem | None] = asyncio.Queue()
        self.ready = asyncio.Event()  # set after the first successful sync is handled

    @asynccontextmanager
    async def _open_store(self) -> AsyncIterator[Store]:
        async with self.database.session() as session:
            yield Store(session)

    # ----------------------------------------------------------------- lifecycle

    async def run(self) -> None:
        """Run until :meth:`stop`; then shut everything down in order."""
        since = await self._sync_position()
        self.state.team_room_id = await self.gateway.resolve_room(self.config.bot.team_room)
        if self.state.team_room_id is None:
            log.warning(
                "team room %s cannot be resolved; nobody is team", self.config.bot.team_room
            )
        else:
            team_room_id = self.state.team_room_id
            self._invite_task(team_room_id, self._until_answered(team_room_id, self.gateway.join))
        for service in self.services:
            await service.start()
        token_keeper = asyncio.create_task(self._store_tokens(), name="tokens")
        syncer = asyncio.create_task(self._sync_forever(since), name="sync")
        scheduler_start = asyncio.create_task(self._start_scheduler_when_ready(), name="schedule")
        await self._stopping.wait()
        for task in (scheduler_start, syncer):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for room_id, task in list(self._invite_tasks.items()):
            if room_id in self._unanswered_invites:
                task.cancel()  # an unfinished join's invite comes again: its token is not stored
        await self._tokens.put(None)  # let the commands in hand finish, then stop
        await token_keeper
        # What is left after this is sent at the next start; a clean stop tries to leave none.
        await self.outbox.drain(OUTBOX_DRAIN_SECONDS)
        await self.outbox.stop()
        for service in self.services:
            await service.stop()
        if self.scheduler is not None:
            await self.scheduler.shutdown()
        await self.gateway.close()
        await self.database.dispose()
        log.info("stopped cleanly")

    async def _start_scheduler_when_ready(self) -> None:
        # Posts that fell due while the bot was down are sent at start-up; nio can send into a
        # room only once a sync has told it about the room, so the scheduler waits for that.
        await self.ready.wait()
        # Its own events of that sync have confirmed what was sent before a crash by now.
        self.outbox.start()
        if self.scheduler is not None:
            await self.scheduler.start()

    async def _rearm_scheduler(self, entry_ids: frozenset[str]) -> None:
        if self.scheduler is not None:
            await self.scheduler.rearm(entry_ids)

    def stop(self) -> None:
        self._stopping.set()

    # ----------------------------------------------------------------- sync

    async def _sync_position(self) -> str | None:
        """The stored sync token, and when this installation first started (now, if it is
        starting for the first time: taken before it joins the team room, so that a command
        sent in reply to its joining counts as new)."""
        async with self._open_store() as store:
            since = await store.sync.token()
            self.state.installed_at = await store.sync.installed_at()
            if since is None and self.state.installed_at is None:
                self.state.installed_at = self.clock.now()
                # Kept even if this first start ends before its first token is stored.
                await store.sync.save_installed_at(self.state.installed_at)
        return since

    async def _sync_forever(self, since: str | None) -> None:
        """Sync, queue the batch, repeat; a failure waits with backoff and never ends the loop.
        An unreachable homeserver is logged once per outage, and so is its return."""
        backoff = 1.0
        reachability = self.gateway.reachability
        while not self._stopping.is_set():
            try:
                started = reachability.sync_started()
                # While the homeserver seems away, no long poll: its answer is what senders
                # wait for.
                wait_ms = 0 if reachability.down else self.config.matrix.sync_timeout_ms
                try:
                    response = await self.gateway.sync(since, wait_ms)
                except UNANSWERED as error:
                    response = None
                    reachability.unreachable(unanswered(error))
                if response is not None and server_trouble(response):
                    reachability.unreachable(response)
                    response = None
                if response is None:
                    await self._pause(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                    continue
                if not isinstance(response, SyncResponse):
                    raise ConnectionError(f"sync failed: {response}")
                batch = self.gateway.batch_of(response)
                if since is None:
                    # A fresh installation's history is dropped by _before_installation.
                    log.info("first sync of this installation: earlier history is not run")
                else:
                    await self.gateway.fill_gaps(response, batch, since)
                await self._confirm_sent(batch)
                # Senders waiting out an outage may go on: what got through is confirmed.
                reachability.synced(started)
                invites = self._handle_invites(batch)
                await self._start_batch(batch, invites)
                since = response.next_batch
                self.state.last_sync = self.clock.now()
                backoff = 1.0
            except asyncio.CancelledError:
                raise
            except UNANSWERED as error:
                # Lost in the middle of a good sync (fetching a gap, exchanging keys).
                reachability.unreachable(unanswered(error))
                await self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            except Exception:
                log.exception("sync failed; retrying in %.0f s", backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less when the bot is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _confirm_sent(self, batch: SyncBatch) -> None:
        """Mark what came back in sync as sent: a crash after the send but before the mark
        must not send it again once the homeserver has forgotten its transaction id."""
        sent = {
            txn_id: event.event_id
            for room_batch in batch.rooms
            for event in room_batch.events
            if (txn_id := sent_transaction(event, self.gateway.user_id)) is not None
        }
        if sent:
            async with self._open_store() as store:
                await store.outbox.confirm(sent, self.clock.now())

    async def _start_batch(
        self, batch: SyncBatch, invites: list[asyncio.Task[None]] | None = None
    ) -> None:
        tasks = []
        for room_batch in batch.rooms:
            room_id = room_batch.room.room_id
            previous = self._room_tails.get(room_id)
            task = asyncio.create_task(self._handle_room_after(previous, room_batch))
            self._room_tails[room_id] = task
            tasks.append(task)
        await self._tokens.put(_TokenItem(batch.next_batch, tasks, invites or []))

    async def _handle_room_after(
        self, previous: asyncio.Task[None] | None, room_batch: RoomBatch
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await self._handle_room(room_batch)
        except Exception:
            log.exception("events in %s could not be handled", room_batch.room.room_id)

    async def _store_tokens(self) -> None:
        cut_short = False
        while (item := await self._tokens.get()) is not None:
            if item.rooms:
                await asyncio.wait(item.rooms)
            # Ready once the first batch's commands are handled, not once its joins are done:
            # a join may wait minutes for a rate limit, and the replies must go out meanwhile.
            self.ready.set()
            if item.invites:
                await asyncio.wait(item.invites)
            # A join that a stop cut short: its invite must come again after the restart, so
            # neither this token nor a later one is stored.
            cut_short = cut_short or any(task.cancelled() for task in item.invites)
            if cut_short:
                continue
            try:
                async with self._open_store() as store:
                    await store.sync.save_token(item.token)
            except Exception:
                # The token stays where it was: the batch comes again and dedup keeps it safe.
                log.exception("the sync token could not be stored")

    # ----------------------------------------------------------------- invites

    def _handle_invites(self, batch: SyncBatch) -> list[asyncio.Task[None]]:
        """Start joining or declining each invite of ``batch``; the tasks are returned."""
        return [
            self._invite_task(room_id, self._answer_invite(room_id, invite.sender))
            for room_id, invite in batch.invites
        ]

    def _invite_task(self, room_id: str, work: Coroutine[Any, Any, object]) -> asyncio.Task[None]:
        """Run ``work`` (a join or decline of ``room_id``) beside the sync loop; a room whose
        invite is being answered already keeps that task."""
        running = self._invite_tasks.get(room_id)
        if running is not None and not running.done():
            work.close()
            return running

        async def answer() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the invite to %s could not be answered", room_id)
            finally:
                if self._invite_tasks.get(room_id) is task:
                    del self._invite_tasks[room_id]

        task = asyncio.create_task(answer(), name=f"invite {room_id}")
        self._invite_tasks[room_id] = task
        return task

    async def _answer_invite(self, room_id: str, inviter: str) -> None:
        """Join when the inviter may invite the bot, else decline; as long as it takes (a rate
        limit, an outage), and only a refusal for good ends a join without the bot inside."""
        if self._may_invite(inviter):
            joined = await self._until_answered(room_id, self.gateway.join)
            action = "join" if joined else "join_failed"
        else:
            await self._until_answered(room_id, self.gateway.decline)
            action = "decline"
        log.info("invite to %s from server %s: %s", room_id, server_of(inviter), action)
        async with self._open_store() as store:
            await store.audit.record(self.clock.now(), inviter, action, "room", room_id)

    async def _until_answered(
        self, room_id: str, answer: Callable[[str], Awaitable[_Answered]]
    ) -> _Answered:
        """``answer(room_id)`` (a join or decline), marked as not yet answered meanwhile."""
        self._unanswered_invites.add(room_id)
        try:
            return await answer(room_id)
        finally:
            self._unanswered_invites.discard(room_id)

    def _may_invite(self, inviter: str) -> bool:
        servers = self.config.bot.allowed_servers or (self.config.matrix.server_name,)
        if server_of(inviter) not in servers:
            return False
        if self.config.bot.invites_only_from_team:
            return inviter in self.config.bot.admins or self._is_team(inviter)
        return True

    # ----------------------------------------------------------------- messages

    async def _handle_room(self, room_batch: RoomBatch) -> None:
        """The events of one room, in order (rooms run side by side)."""
        room = room_batch.room
        skipped: list[Skipped] = []
        for event in room_batch.events:
            try:
                await self._handle_event(room, event, skipped)
            except Exception:
                log.exception("event %s in %s could not be handled", event.event_id, room.room_id)
        if skipped:
            # Keyed by the newest skipped command: a batch handled again adds no second notice.
            key = f"skipped:{skipped[-1].event_id}"
            await self._queue(key, Target(room.room_id), self._skipped_notice(skipped))

    async def _handle_event(self, room: MatrixRoom, event: Event, skipped: list[Skipped]) -> None:
        if event.sender == self.gateway.user_id or isinstance(event, RoomMessageNotice):
            return
        if self._before_installation(event):
            return
        if isinstance(event, MegolmEvent):
            await self._undecryptable(room, event)
            return
        if not isinstance(event, RoomMessageText):
            return
        formatted = event.formatted_body if event.format == "org.matrix.custom.html" else None
        typed = command_text(event.body, formatted)
        said = addressed_part(typed, self.gateway.user_id, self._bot_names(room))
        text = typed if said is None else said
        addressed = said is not None
        if not (addressed or self.dispatcher.is_command(text)):
            return
        # One unit of work per command: whether it was handled before, the room's kind, the
        # command's work and the record that it is handled now share one session.
        async with self._open_store() as store:
            arrival = await store.arrival(event.event_id, room.room_id, event.sender)
            if arrival.handled:
                return
            if self.clock.now() - event_time(event) > self.config.bot.stale_command_after:
                skipped.append(
                    Skipped(event.sender, text.split()[0], event_time(event), event.event_id)
                )
                store.sync.record_handled(event.event_id, room.room_id, self.clock.now())
                return
            kind = self._room_kind(room, arrival.committee_room)
            role = self._role(room, event.sender, kind, arrival.seat_role)
            request = Request(
                event.sender,
                room.room_id,
                kind,
                role,
                text,
                addressed=addressed,
                event_id=event.event_id,
                name_of=partial(self._display_name, room),
                room_name_of=self._room_name,
                replied_to=self._reply_lookup(room.room_id, event),
            )
            target = Target(room.room_id, event.event_id, _thread_root(event), event.sender)
            owed: list[Reply] = []
            written: list[OutboxMessage] = []

            async def owe(store: Store, reply: Reply) -> None:
                # Into the command's own transaction: its work, its handled record and its
                # answer are kept together, or none of them. A command that fails is rolled
                # back and owes its error instead: only the last answer's rows are committed.
                written[:] = await self._owe(store, f"reply:{event.event_id}", target, reply)
                owed.append(reply)

            reply = await self.dispatcher.answer(request, store, owe)
        if reply is not None and reply not in owed:
            # Only an error after the command's commit (re-arming its timers) ends up here.
            await self._queue(f"late-reply:{event.event_id}", target, reply)
        self.outbox.wake(written)

    def _display_name(self, here: MatrixRoom, user_id: str) -> str | None:
        """The name ``user_id`` shows in this room, or else in another room the bot shares with
        them (a chair listed in the team room); ``None`` when the bot sees them nowhere."""
        rooms = [here, *(r for r in self.gateway.client.rooms.values() if r is not here)]
        return next((name for r in rooms if (name := r.user_name(user_id)) is not None), None)

    def _room_name(self, room_id: str) -> str | None:
        """The name a room the bot is in shows to its members; None for a room it left."""
        room = self.gateway.client.rooms.get(room_id)
        return room.display_name if room is not None else None

    def _reply_lookup(self, room_id: str, event: Event) -> ReplyLookup | None:
        """How a command that replies to a message reads that message (only if it asks)."""
        relation = event.source.get("content", {}).get("m.relates_to") or {}
        if relation.get("is_falling_back"):
            return None  # a plain message in a thread, not a reply
        replied = (relation.get("m.in_reply_to") or {}).get("event_id")
        if not isinstance(replied, str):
            return None
        return lambda: self.gateway.replied_event(room_id, replied)

    def _before_installation(self, event: Event) -> bool:
        """True for what was sent before this installation first started: the history of the
        first sync, of rooms whose invite was waiting or that the bot joins later, and of filled
        gaps. It is neither run nor listed as skipped; that notice is for down time."""
        installed_at = self.state.installed_at
        return installed_at is not None and event_time(event) < installed_at

    async def _undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        log.warning(
            "cannot decrypt %s from %s in %s (session %s)",
            event.event_id,
            event.sender,
            room.room_id,
            event.session_id,
        )
        await self.gateway.request_key(event)
        # One notice per sender and key session: a burst of unreadable messages gets one answer.
        key = (event.sender, event.session_id)
        if key in self.state.undecryptable_noticed:
            return
        stale = self.clock.now() - event_time(event) > self.config.bot.stale_command_after
        message = self.t.gettext(
            N_(
                "I could not decrypt your message. If it was a command, please send it again; "
                "if this keeps happening, leave and rejoin the room or tell the team."
            )
        )
        target = Target(room.room_id, event.event_id, None, event.sender)
        async with self._open_store() as store:
            if not await store.sync.mark_handled(event.event_id, room.room_id, self.clock.now()):
                return
            self.state.undecryptable_noticed.add(key)
            written = []
            if not stale:
                notice = Reply.of(message)
                written = await self._owe(store, f"undecryptable:{event.event_id}", target, notice)
        self.outbox.wake(written)

    def _skipped_notice(self, skipped: list[Skipped]) -> Reply:
        limit = self.config.bot.stale_command_after
        minutes = max(1, int(limit.total_seconds() // 60))
        intro = self.t.ngettext(
            "These commands are older than {minutes} minute and were not run:",
            "These commands are older than {minutes} minutes and were not run:",
            minutes,
        )
        reply = Reply.of(fmt(intro, minutes=minutes))
        reply.bullets(
            fmt(
                "{command} · {sender} · {when}",
                command=code(item.name),
                sender=item.sender,
                when=self.t.datetime(item.sent_at),
            )
            for item in skipped
        )
        return reply.add(self.t.gettext(N_("Please send them again if they are still needed.")))

    # ----------------------------------------------------------------- rooms and roles

    def _bot_names(self, room: MatrixRoom) -> tuple[str, ...]:
        own = room.users.get(self.gateway.user_id)
        names = [self.gateway.user_id.split(":")[0].lstrip("@")]
        if own is not None and own.display_name:
            names.insert(0, own.display_name)
        return tuple(names)

    def _is_team(self, user_id: str) -> bool:
        team_room = self.gateway.room(self.state.team_room_id or "")
        return team_room is not None and is_joined(team_room, user_id)

    def _room_kind(self, room: MatrixRoom, committee_room: bool) -> RoomKind:
        if room.room_id == self.state.team_room_id:
            return RoomKind.TEAM
        # Invited people count: they can read the room's history once they join.
        if len(room.users) > 2:
            return RoomKind.GROUP
        # A committee room may hold only the bot and one organiser; binding makes it a group.
        return RoomKind.GROUP if committee_room else RoomKind.DIRECT

    def _role(
        self, room: MatrixRoom, sender: str, kind: RoomKind, seat_role: str | None = None
    ) -> Role:
        """The sender's role from cached room state and their seat in the room's committee:
        the chair, the deputy chair and the secretary organise it like a room moderator."""
        if sender in self.config.bot.admins:
            return Role.ADMIN
        if self._is_team(sender):
            return Role.TEAM
        if kind is RoomKind.GROUP and is_joined(room, sender):
            if room.power_levels.get_user_level(sender) >= ORGANIZER_POWER_LEVEL:
                return Role.ORGANIZER
            if seat_role in LEADING_SEAT_ROLES:
                return Role.ORGANIZER
            return Role.MEMBER
        return Role.GUEST

    # ----------------------------------------------------------------- sending

    async def _owe(
        self,
        store: Store,
        key: str,
        target: Target,
        reply: Reply,
        due_at: datetime | None = None,
    ) -> list[OutboxMessage]:
        """Write ``reply`` (its notices, files and posts into other rooms) into the outbox of
        ``store``'s unit of work, each message under ``key`` and its place: when the work that
        caused it runs again after a crash, nothing is owed twice. With ``due_at``, the last
        text of ``reply`` itself says so if it is delivered well after that moment. Returns
        the rows written (none for what was owed already), to be handed to the sender once
        the unit of work is committed."""
        now = self.clock.now()
        place = 0
        written: list[OutboxMessage] = []

        async def add(
            room_id: str,
            content: dict[str, Any],
            file: OutboxFile | None,
            due: datetime | None = None,
        ) -> None:
            nonlocal place
            message = await store.outbox.add(f"{key}#{place}", room_id, content, now, file, due)
            if message is not None:
                written.append(message)
            place += 1

        pending: list[tuple[Target, Reply]] = [(target, reply)]
        while pending:
            where, what = pending.pop(0)
            contents = notice_contents(what, where)
            for number, content in enumerate(contents, start=1):
                last = what is reply and number == len(contents)
                await add(where.room_id, content, None, due_at if last else None)
            for attachment in what.attachments:
                file = OutboxFile(attachment.filename, attachment.mimetype, attachment.data)
                await add(where.room_id, {}, file)
            pending.extend((Target(room_id), post) for room_id, post in what.posts)
        return written

    async def _queue(
        self, key: str, target: Target, reply: Reply, due_at: datetime | None = None
    ) -> None:
        """Owe ``reply`` in a unit of work of its own and have it sent."""
        async with self._open_store() as store:
            written = await self._owe(store, key, target, reply, due_at)
        self.outbox.wake(written)

    async def post(
        self,
        room_id: str,
        reply: Reply,
        key: str | None = None,
        due_at: datetime | None = None,
    ) -> None:
        """Post ``reply`` into a room without replying to anything (reminders, notices).

        A scheduled post passes its occurrence as ``key``: run again after a crash, it adds
        nothing that is owed or sent already. Without a key every call posts. A post is due
        at ``due_at`` (by default now, when its handler runs): delivered much later, because
        the homeserver was unreachable, it carries a note that it is late.
        """
        due = due_at or self.clock.now()
        await self._queue(key or f"post:{uuid.uuid4().hex}", Target(room_id), reply, due)

    async def owe(
        self, store: Store, room_id: str, reply: Reply, key: str
    ) -> Sequence[OutboxMessage]:
        """Owe ``reply`` to ``room_id`` in the unit of work of ``store``, which the caller
        commits together with what the post reports (a scheduled job's effects): both are kept,
        or neither. Due now, as a :meth:`post` is. Once committed, hand what this returns to
        :meth:`send_owed`."""
        return await self._owe(store, key, Target(room_id), reply, self.clock.now())

    def send_owed(self, written: Sequence[OutboxMessage]) -> None:
        """Have the committed rows ``written`` sent now, not at the sender's next look."""
        self.outbox.wake(written)


@dataclass(frozen=True)
class _TokenItem:
    """A sync token and the work of its batch that must end before the token is stored."""

    token: str
    rooms: list[asyncio.Task[None]]
    invites: list[asyncio.Task[None]]


def _thread_root(event: Event) -> str | None:
    relation = event.source.get("content", {}).get("m.relates_to") or {}
    if relation.get("rel_type") == "m.thread":
        root = relation.get("event_id")
        return root if isinstance(root, str) else None
    return None
