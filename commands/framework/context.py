"""What a handler gets: who asks, where, with which role, and the tools to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from commands.framework.clock import Clock
from commands.framework.i18n import Translator
from commands.framework.registry import (
    Event,
    Handler,
    Registry,
    Role,
    RoomKind,
    Subject,
    declaration_of,
)
from commands.framework.reply import Reply, Text, fmt
from storage.repositories import Store


@dataclass(frozen=True)
class CalendarConfig:
    """Defaults for new committees; each committee can change its own."""

    notice_days: int = 14  # Ladungsfrist
    item_deadline_days: int = 7  # Frist für TOP-Anmeldungen
    meeting_duration: timedelta = timedelta(hours=2)
    meeting_reminders: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1))
    invitation_reminder: bool = True
    # The committee room is asked for agenda items this many days before their deadline
    # (0: no call).
    item_call_days: int = 7


@dataclass(frozen=True)
class RepliedEvent:
    """The message a command replies to, as the bot could read it from the homeserver."""

    event_id: str
    room_id: str
    sender: str
    file_name: str | None  # None: the message carries no file


# Reads the message the command replies to (from the homeserver, only when a command asks).
ReplyLookup = Callable[[], Awaitable[RepliedEvent | None]]


@dataclass
class Context:
    """One command invocation. Built by the dispatcher; handlers only read it."""

    sender: str
    room_id: str
    room_kind: RoomKind
    role: Role
    t: Translator
    clock: Clock
    store: Store
    registry: Registry
    prefix: str
    bot_user_id: str
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    feed_base_url: str = ""  # where subscribed calendars reach the feed; empty: feed is off
    # What converters say about how they read the input (a moved time, a chosen meaning);
    # the dispatcher adds them to the reply, so nothing is read differently without a word.
    notes: list[Text] = field(default_factory=list)
    name_of: Callable[[str], str | None] = field(default=lambda _user_id: None, compare=False)
    room_name_of: Callable[[str], str | None] = field(default=lambda _room_id: None, compare=False)
    # The message the command replies to; None when the command is no reply.
    replied_to: ReplyLookup | None = field(default=None, compare=False)

    def person(self, user_id: str) -> str:
        """How to show the Matrix user ``user_id``: by display name, the id only without one."""
        return self.name_of(user_id) or user_id

    def note(self, text: Text) -> None:
        """Add a sentence on how the input was read to the reply."""
        self.notes.append(text)

    def _(self, message: str) -> str:
        """Translate ``message`` into the configured language."""
        return self.t.gettext(message)

    def say(self, message: str, **values: Text | str | int) -> Text:
        """``message`` (an English msgid) in the reader's language with its ``{name}``
        placeholders filled, every value escaped: ``ctx.say("Meeting No. {number}", number=4)``.
        Babel extracts its first argument as a msgid (``--keywords say``)."""
        return fmt(self._(message), **values)

    def command_ref(self, command: Handler | str, rest: str = "") -> str:
        """How the reader types ``command`` (a declared handler, or the German name of one in
        another module) with ``rest``: ``!sitzung neu …`` / ``!meeting new …``."""
        declaration = (
            self.registry.named(command) if isinstance(command, str) else declaration_of(command)
        )
        return declaration.ref(self.t.language, self.prefix, rest)

    async def announce(self, event: Event[Subject], subject: Subject) -> None:
        """Let every feature that reacts to ``event`` do so now, in this command's unit of
        work."""
        for listener in self.registry.listeners_of(event):
            await listener(self, subject)

    @property
    def may_see_contact_data(self) -> bool:
        """Personal contact data (e-mail, phone, notes) only for the team, in the team room or
        in a direct chat with the bot — never in a committee room."""
        return self.role >= Role.TEAM and self.room_kind in (RoomKind.TEAM, RoomKind.DIRECT)


@dataclass(frozen=True)
class Post:
    """A message a scheduled job posts into a room (not in reply to anything)."""

    room_id: str
    reply: Reply


# The bot's direct chat with a person, by Matrix id: an existing one, else a new one (which
# waits for the homeserver, so a job asks before it writes anything).
DirectRoom = Callable[[str], Awaitable[str]]
# How a room names one of its members (room id, Matrix id): None where it knows no name.
MemberName = Callable[[str, str], str | None]


@dataclass
class JobContext:
    """One occurrence of a scheduled job. Built by the bot; the job reads the database through
    ``store`` (its own unit of work, committed with the posts it returns) and decides."""

    entry_id: str
    occurrence: datetime  # the moment the entry was due
    now: datetime  # the bot's time as the job runs (later than ``occurrence`` after downtime)
    t: Translator
    store: Store
    registry: Registry
    prefix: str
    team_room_id: str | None
    direct_room: DirectRoom
    member_name: MemberName = field(default=lambda _room_id, _user_id: None, compare=False)

    def names_in(self, room_id: str) -> Callable[[str], str]:
        """How people are named in ``room_id``: their display name there, else their id."""
        return lambda user_id: self.member_name(room_id, user_id) or user_id
