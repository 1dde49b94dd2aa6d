"""Runs one command: find it, check the permission, bind arguments, call the handler.

This is the one place that turns failures into answers: a ``UserError`` becomes its sentence
plus the usage line; anything else is a bug, logged with a traceback and a reference id. A
command that fails is rolled back here. The unit of work around it is the bot's: it opens the
store, owes the reply, records the event as handled, commits and re-arms the timers.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from commands.framework.clock import Clock
from commands.framework.context import CalendarConfig, Context, ReplyLookup
from commands.framework.errors import NotAllowed, UserError
from commands.framework.i18n import N_, Translator
from commands.framework.parsing import bind, split_command
from commands.framework.registry import Command, Registry, Role, RoomKind
from commands.framework.reply import Reply, Text, code, fmt, join, strong
from storage.repositories import Store

log = logging.getLogger(__name__)

ROLE_LABELS = {
    Role.GUEST: N_("everyone"),
    Role.MEMBER: N_("room members"),
    Role.ORGANIZER: N_("organisers"),
    Role.TEAM: N_("the team"),
    Role.ADMIN: N_("administrators"),
}
ROOM_LABELS = {
    RoomKind.TEAM: N_("the team room"),
    RoomKind.GROUP: N_("committee rooms"),
    RoomKind.DIRECT: N_("a direct chat with the bot"),
}


@dataclass(frozen=True)
class Request:
    """A command message as the bot layer saw it, already reduced to text."""

    sender: str
    room_id: str
    room_kind: RoomKind
    role: Role
    text: str
    # Put to the bot by name or mention ("Kümmerer, wer ist …?"): a question, not only a command.
    addressed: bool = False
    # The display name a room member chose, by Matrix id (None if unknown): people are shown
    # by name, not by their Matrix id.
    name_of: Callable[[str], str | None] = field(default=lambda _user_id: None, compare=False)
    # The name a room the bot is in shows, by room id (None if unknown).
    room_name_of: Callable[[str], str | None] = field(default=lambda _room_id: None, compare=False)
    # The chat event that carried the command, if any: the bot records it as handled in the
    # same transaction as the command's work.
    event_id: str = ""
    # Reads the message the command replies to, if it is a reply (``!anlage``).
    replied_to: ReplyLookup | None = field(default=None, compare=False)


def usage(declaration: Command, t: Translator, prefix: str) -> str:
    """The usage line, e.g. ``!hilfe [befehl]``, with labels in the reader's language."""
    parts = [declaration.ref(t.language, prefix)]
    for param in declaration.params:
        label = t.gettext(param.label) + ("…" if param.greedy else "")
        parts.append(f"[{label}]" if param.optional else f"<{label}>")
    for option in declaration.options:
        parts.append(f"{option.key}=…" if option.required else f"[{option.key}=…]")
    return " ".join(parts)


# What "!" alone runs: the short help.
HELP_COMMAND = "hilfe"


def new_reference() -> str:
    """A short id that a user can quote and an admin can find in the log."""
    return secrets.token_hex(2).upper()


class Dispatcher:
    """Turns a :class:`Request` into a :class:`Reply`; never raises for a handler's sake."""

    def __init__(
        self,
        registry: Registry,
        translator: Translator,
        clock: Clock,
        prefix: str,
        bot_user_id: str,
        calendar: CalendarConfig | None = None,
        feed_base_url: str = "",
    ) -> None:
        self.calendar = calendar or CalendarConfig()
        self.feed_base_url = feed_base_url
        self.registry = registry
        self.t = translator
        self.clock = clock
        self.prefix = prefix
        self.bot_user_id = bot_user_id

    def is_command(self, text: str) -> bool:
        return split_command(self._tidied(text), self.prefix) is not None

    def _tidied(self, text: str) -> str:
        """``!`` alone asks for the short help; ``! hilfe`` means ``!hilfe``."""
        stripped = text.strip()
        if stripped == self.prefix:
            return self.prefix + HELP_COMMAND
        rest = stripped[len(self.prefix) :]
        spaced = stripped.startswith(self.prefix) and rest[:1].isspace()
        if spaced and self.registry.find(rest.split()) is not None:
            return self.prefix + rest.lstrip()
        return text

    def _line_for(self, request: Request) -> str | Reply:
        """The command line to run: what was typed, or what a question put by name asks."""
        text = self._tidied(request.text)
        if not request.addressed or text.lstrip().startswith(self.prefix):
            return text
        reader = self.registry.questions
        understood = reader.understand(text) if reader is not None else None
        if understood is not None:
            log.info("question of kind %s read as %s", understood.kind, understood.line.split()[0])
            return self.prefix + understood.line
        if self.registry.find(text.split()) is not None:
            return self.prefix + text.strip()  # "Kümmerer: hilfe" is the command itself
        return self._not_understood(request, text)

    async def answer(self, request: Request, store: Store) -> Reply | None:
        """The answer to ``request``, worked out in the unit of work of ``store``; None when
        the text is not a command at all.

        A command that fails is rolled back, so that only its answer (an explanation or
        "Internal error") is left for the caller to owe; the caller commits.
        """
        line = self._line_for(request)
        if isinstance(line, Reply):
            return line
        split = split_command(line, self.prefix)
        if split is None:
            return None
        words, rest = split
        found = self.registry.find(words)
        if found is None:
            return self._unknown(words[0])
        declaration, used = found
        line = rest.split(None, used)[used] if len(rest.split(None, used)) > used else ""
        try:
            return await self._run(declaration, line, request, store)
        except UserError as error:
            await store.rollback()
            return self._explain(error.message, declaration)
        except Exception:
            await store.rollback()
            return self._internal_error(declaration)

    async def _run(self, declaration: Command, line: str, request: Request, store: Store) -> Reply:
        ctx = Context(
            sender=request.sender,
            room_id=request.room_id,
            room_kind=request.room_kind,
            role=request.role,
            t=self.t,
            clock=self.clock,
            store=store,
            registry=self.registry,
            prefix=self.prefix,
            bot_user_id=self.bot_user_id,
            calendar=self.calendar,
            feed_base_url=self.feed_base_url,
            name_of=request.name_of,
            room_name_of=request.room_name_of,
            replied_to=request.replied_to,
        )
        self._check_allowed(declaration, request)
        arguments = await bind(ctx, declaration, line)
        reply = await declaration.handler(ctx, **arguments)
        for note in ctx.notes:
            reply.add(note)
        return reply

    def _internal_error(self, declaration: Command) -> Reply:
        return self.internal_error(declaration.name)

    def internal_error(self, name: str) -> Reply:
        """Log the exception being handled as a bug in command ``name`` with a new reference,
        and the answer that quotes it."""
        reference = new_reference()
        log.exception("command %s failed (ref %s)", name, reference)
        message = self.t.gettext(N_("Internal error (ref. {reference}) – please tell the team."))
        reply = Reply.of(fmt(message, reference=reference))
        reply.is_error = True
        return reply

    def _check_allowed(self, declaration: Command, request: Request) -> None:
        name = code(declaration.ref(self.t.language, self.prefix))
        if request.room_kind not in declaration.rooms:
            places = join(
                self.t.gettext(N_(" or ")),
                [
                    self.t.gettext(ROOM_LABELS[kind])
                    for kind in RoomKind
                    if kind in declaration.rooms
                ],
            )
            raise NotAllowed(
                fmt(
                    self.t.gettext(N_("{name} is not allowed here; use it in {places}.")),
                    name=name,
                    places=places,
                )
            )
        if request.role < declaration.min_role:
            raise NotAllowed(
                fmt(
                    self.t.gettext(N_("{name} is only for {who}; you are not allowed to use it.")),
                    name=name,
                    who=self.t.gettext(ROLE_LABELS[declaration.min_role]),
                )
            )

    def _explain(self, message: Text, declaration: Command) -> Reply:
        reply = Reply.of(message)
        reply.add(
            fmt(
                self.t.gettext(N_("Usage: {usage}")),
                usage=code(usage(declaration, self.t, self.prefix)),
            )
        )
        reply.is_error = True
        return reply

    def _not_understood(self, request: Request, question: str) -> Reply:
        """A short answer to a question no pattern fits, with the closest commands to try."""
        visible = self.registry.visible(request.role, request.room_kind)
        reader = self.registry.questions
        suggestions = reader.closest_commands(question, visible, self.t) if reader else []
        reply = Reply.of(
            self.t.gettext(
                N_("I did not understand that question. One of these commands may help:")
            )
        )
        reply.bullets(
            fmt(
                "{usage} – {help}",
                usage=code(usage(declaration, self.t, self.prefix)),
                help=self.t.gettext(declaration.help),
            )
            for declaration in suggestions
        )
        reply.add(
            fmt(
                self.t.gettext(N_("{help} lists everything you can use here.")),
                help=code(self._help_ref()),
            )
        )
        return reply

    def _help_ref(self) -> str:
        """``!hilfe`` / ``!help``, as the reader types it."""
        return self.registry.named(HELP_COMMAND).ref(self.t.language, self.prefix)

    def _unknown(self, word: str) -> Reply:
        name = code(self.prefix + word)
        closest = self.registry.closest(word)
        help_command = code(self._help_ref())
        if closest is not None:
            message = fmt(
                self.t.gettext(
                    N_(
                        "Unknown command {name}. Did you mean {suggestion}? "
                        "{help} lists all commands."
                    )
                ),
                name=name,
                suggestion=strong(closest.ref(self.t.language, self.prefix)),
                help=help_command,
            )
        else:
            message = fmt(
                self.t.gettext(N_("Unknown command {name}. {help} lists all commands.")),
                name=name,
                help=help_command,
            )
        reply = Reply.of(message)
        reply.is_error = True
        return reply
