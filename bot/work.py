"""The unit of work around one command, owned here: open, answer, owe, record, commit, re-arm.

The dispatcher turns a request and a store into a reply (rolling back a command that fails).
Everything around it is the bot's: the reply is owed to the outbox in the command's own
transaction, the event is recorded as handled in it, and both are committed together with the
command's work, or none of them. Only then are the timers of the entries the command changed
re-armed: that can fail without undoing anything, so such a failure is logged with a reference
and never shown as a failure of the command, which did succeed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.render import Target, notice_contents
from commands.framework.clock import Clock
from commands.framework.dispatch import Dispatcher, Request, new_reference
from commands.framework.i18n import N_, Translator
from commands.framework.registry import Registry
from commands.framework.reply import Reply, code, fmt
from storage.models import OutboxMessage
from storage.outbox import OutboxFile
from storage.repositories import Store

log = logging.getLogger(__name__)

StoreFactory = Callable[[], AbstractAsyncContextManager[Store]]
# Writes a command's reply into the command's own unit of work before it commits.
OweReply = Callable[[Store, Reply], Awaitable[None]]
Rearm = Callable[[frozenset[str]], Awaitable[object]]


@dataclass(frozen=True)
class Skipped:
    """A command that was too old to run when the bot saw it."""

    sender: str
    name: str
    sent_at: datetime
    event_id: str


def skipped_notice(t: Translator, limit: timedelta, skipped: list[Skipped]) -> Reply:
    """The one notice for the commands of a batch that were older than ``limit``: none of
    them ran, and each is listed with who sent it when."""
    minutes = max(1, int(limit.total_seconds() // 60))
    intro = t.ngettext(
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
            when=t.datetime(item.sent_at),
        )
        for item in skipped
    )
    return reply.add(t.gettext(N_("Please send them again if they are still needed.")))


async def owe_reply(
    store: Store,
    key: str,
    target: Target,
    reply: Reply,
    now: datetime,
    due_at: datetime | None = None,
) -> list[OutboxMessage]:
    """Write ``reply`` (its notices, files and posts into other rooms) into the outbox of
    ``store``'s unit of work, each message under ``key`` and its place: when the work that
    caused it runs again after a crash, nothing is owed twice. With ``due_at``, the last text
    of ``reply`` itself says so if it is delivered well after that moment. Returns the rows
    written (none for what was owed already), to be handed to the sender once the unit of work
    is committed."""
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


class CommandWork:
    """Runs each command in a unit of work of its own, around the :class:`Dispatcher`."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        open_store: StoreFactory,
        clock: Clock,
        rearm: Rearm | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.open_store = open_store
        self.clock = clock
        # After a commit that changed schedule entries: their timers (the scheduler's rearm).
        self.rearm = rearm

    @property
    def registry(self) -> Registry:
        """The commands the dispatcher knows."""
        return self.dispatcher.registry

    @property
    def t(self) -> Translator:
        """The language and zone the commands answer in."""
        return self.dispatcher.t

    def is_command(self, text: str) -> bool:
        """Whether ``text`` starts like a command (one typed without addressing the bot)."""
        return self.dispatcher.is_command(text)

    async def respond(self, request: Request, owe: OweReply | None = None) -> Reply | None:
        """The answer to ``request`` in a unit of work of its own; None when the text is not a
        command, or when its event was handled before."""
        async with self.open_store() as store:
            if request.event_id and await store.sync.was_handled(request.event_id):
                return None
            return await self.answer(request, store, owe)

    async def answer(
        self, request: Request, store: Store, owe: OweReply | None = None
    ) -> Reply | None:
        """The answer to ``request`` in the unit of work of ``store``, committed here.

        The command's changes, its reply (through ``owe``) and the record that its event was
        handled are one transaction: a crash before the commit leaves none of them, so the
        event is run again after a restart, and never twice. None when the text is not a
        command at all.
        """
        reply = await self.dispatcher.answer(request, store)
        if reply is None:
            return None
        try:
            changed = await self._close(request, store, reply, owe)
        except Exception:
            # The work itself could not be committed (a lost connection, a constraint): it is
            # undone, and what is kept is the answer that says so.
            await store.rollback()
            reply = self.dispatcher.internal_error(request.text.split(maxsplit=1)[0])
            changed = await self._close(request, store, reply, owe)
        await self._rearm(request, changed)
        return reply

    async def _close(
        self, request: Request, store: Store, reply: Reply, owe: OweReply | None
    ) -> frozenset[str]:
        """Owe the reply, record the event as handled and commit; returns the schedule entries
        the command changed."""
        if owe is not None:
            await owe(store, reply)
        if request.event_id:
            store.sync.record_handled(request.event_id, request.room_id, self.clock.now())
        changed = frozenset(store.schedule.changed_ids)
        await store.commit()
        return changed

    async def _rearm(self, request: Request, changed: frozenset[str]) -> None:
        """Re-arm the timers of ``changed``; a failure is only logged: the command's work is
        committed, and the timers follow at the next change or start."""
        if not changed or self.rearm is None:
            return
        try:
            await self.rearm(changed)
        except Exception:
            reference = new_reference()
            log.exception(
                "re-arming %d schedule entries after event %s failed (ref %s); they are "
                "re-armed at the next change or start",
                len(changed),
                request.event_id or "-",
                reference,
            )
