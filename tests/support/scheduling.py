"""The scheduler without Matrix: a recording job handler, and a recording stand-in for the bot
that the features' scheduled jobs are delivered through.

The stand-in (:class:`PostBox`) has what ``bot/posting.py`` uses of the running bot —
``database``, ``t``, ``config``, ``state.team_room_id``, ``gateway`` (for direct chats and
names) and ``owe_post(store, post)`` — and records the posts instead of sending them to Matrix;
their text is what the outbox would deliver at once, its late note included. Everything else
(jobs, entries, ledger, timing, rules) is the production code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from nio import MatrixRoom

from bot.config import BotConfig, Config, MatrixConfig
from bot.outbox import late_note
from bot.posting import ScheduledPost, job_handlers
from bot.render import split_reply
from bot.scheduler import ScheduledRun, SchedulerService
from commands.catalog.modules import build_registry
from commands.framework.clock import ManualClock
from commands.framework.i18n import Translator
from commands.framework.registry import Registry
from commands.framework.reply import Reply
from storage.database import Database
from storage.models import OutboxMessage
from storage.repositories import Store
from tests.support.names import BERLIN, TEAM_ROOM

BOT = "@kuemmerer:localhost"
POST = "test.post"
GRACE = timedelta(hours=1)
START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin


class Recorder:
    """A handler that remembers every run it was given."""

    def __init__(self) -> None:
        self.runs: list[ScheduledRun] = []

    async def __call__(self, run: ScheduledRun) -> None:
        self.runs.append(run)


@dataclass
class State:
    """What the scheduled posts read of the bot's state: the team room's id."""

    team_room_id: str | None = TEAM_ROOM


class Client:
    """The rooms the nio client knows."""

    def __init__(self) -> None:
        self.rooms: dict[str, MatrixRoom] = {}


class Gateway:
    """Rooms the bot is in, and direct chats it opens (recorded, never sent)."""

    user_id = BOT

    def __init__(self) -> None:
        self.client = Client()
        self.opened: list[str] = []

    def add_room(self, room_id: str, *members: str, invited: tuple[str, ...] = ()) -> None:
        """The bot is in ``room_id`` with ``members`` joined and ``invited`` invited."""
        room = MatrixRoom(room_id, BOT)
        for member in (BOT, *members):
            room.add_member(member, None, None)
        for member in invited:
            room.add_member(member, None, None, invited=True)
        self.client.rooms[room_id] = room

    async def create_direct_room(self, user_id: str) -> str:
        """Open a direct chat with ``user_id``: recorded, and added as a room with the invite."""
        room_id = f"!dm-{len(self.opened) + 1}:localhost"
        self.opened.append(user_id)
        self.add_room(room_id, invited=(user_id,))
        return room_id


@dataclass
class PostBox:
    """The bot as the scheduled posts see it; ``posts`` is what it would have sent."""

    database: Database
    t: Translator = field(default_factory=lambda: Translator("en", BERLIN))
    config: Config = field(
        default_factory=lambda: Config(
            matrix=MatrixConfig(homeserver="http://localhost", user_id=BOT, password="x"),
            bot=BotConfig(team_room=TEAM_ROOM),
        )
    )
    state: State = field(default_factory=State)
    gateway: Gateway = field(default_factory=Gateway)
    registry: Registry = field(default_factory=build_registry)
    posts: list[tuple[str, Reply]] = field(default_factory=list)

    owed: list[ScheduledPost] = field(default_factory=list)

    async def owe_post(self, store: Store, post: ScheduledPost) -> Sequence[OutboxMessage]:
        """Record ``post`` as owed; nothing is written to the outbox."""
        self.posts.append((post.room_id, post.reply))
        self.owed.append(post)
        return ()

    def send_owed(self, written: Sequence[OutboxMessage]) -> None:
        """Nothing to send: :meth:`owe_post` has recorded the posts already."""

    def texts(self) -> list[tuple[str, str]]:
        """Each post's room and text as the outbox delivers it at once (late note included),
        in the order they were posted."""
        return [(post.room_id, self._delivered(post)) for post in self.owed]

    def _delivered(self, post: ScheduledPost) -> str:
        text = "\n".join(body for body, _ in split_reply(post.reply))
        note = late_note(self.t, post.due_at, post.written_at, post.written_at)
        return text if note is None else f"{text}\n{note.plain}"


def scheduler_for(database: Database, clock: ManualClock) -> tuple[PostBox, SchedulerService]:
    """A stand-in bot on ``database`` and a scheduler running the features' jobs for it."""
    box = PostBox(database)
    return box, SchedulerService(database, clock, GRACE, job_handlers(box))
