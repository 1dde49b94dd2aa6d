"""``kuemmerer demo``: a throwaway homeserver, two people and the bot, chatting in the terminal.

``kuemmerer demo`` (or ``make demo``) starts a local Synapse on loopback, registers the bot,
Anna Schulz of the Bildungsbüro (team member and admin) and Bernd Keller (member of the
Bildungsbeirat), creates the team room and the encrypted committee room, seeds the sample data
and runs the bot in this process. You then chat as Anna or Bernd in the terminal; any Matrix
client (e.g. Element) can log in with the printed credentials instead.

``kuemmerer demo --script bot/devtools/demo_script.txt`` sends the lines of a script instead
and prints the transcript. The shipped sample script asks for help in both rooms, as Anna and
as Bernd, and sends a misspelt command. Script lines: ``#`` starts a comment,
``/raum``/``/room`` and ``/als``/``/as`` switch room and person, every other non-empty line
is sent as a message.

Everything lives in ``--dir`` (default ``.demo``). The demo is throwaway: each run deletes what
an earlier one left there and starts from scratch; ``--keep`` reuses it instead (users, rooms and
data, and a faster start). Files the bot sends (chart, ``.ics``, vCard) are saved in
``downloads/`` and their place is printed; what the bot posts into another room or a direct chat
is printed as a line naming that room::

    homeserver/    the LocalSynapse: config, database, log
    people/NAME/   the encryption stores of Anna's and Bernd's terminal clients
    bot/           the bot's encryption store and its SQLite database
    demo.json      the people's logins and the room ids
    config.toml    the bot's configuration
    downloads/     the files the bot sent

The homeserver stops with the demo. To run the bot as a service against it instead, start
Synapse alone (``python -m synapse.app.homeserver -c .demo/homeserver/homeserver.yaml``) and
then ``kuemmerer run --config .demo/config.toml`` — not while the demo itself runs, because both
would use the same device and database.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import io
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import timedelta
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Final, TypeVar

import tomli_w
from nio import AsyncClient, ProfileGetDisplayNameResponse, UploadResponse, WhoamiResponse
from nio.crypto import decrypt_attachment

from bot.app import create_bot
from bot.config import BotConfig, Config, MatrixConfig, StorageConfig
from bot.core import Kuemmerer
from bot.devtools.chat_client import ChatClient, Message
from bot.devtools.homeserver import HomeserverError, LocalSynapse, RegisteredUser
from bot.devtools.sample_data import (
    SeedFailed,
    seed_committees,
    seed_contact_network,
    seed_tasks,
)
from bot.matrix import LoginFailed
from bot.message_text import addressed_part
from commands.framework.clock import Clock, SystemClock
from commands.framework.context import RepliedEvent, ReplyLookup
from storage.folding import fold_text
from storage.repositories import Store

log = logging.getLogger(__name__)

BOT_LOCALPART: Final = "kuemmerer"
BOT_NAME: Final = "Kümmerer"
STATE_FILE: Final = "demo.json"
CONFIG_FILE: Final = "config.toml"
DOWNLOADS: Final = "downloads"
ANSWER_TIMEOUT: Final = 15.0
# Long answers arrive as several events; the answer counts as complete after this much quiet.
ANSWER_SETTLE: Final = 0.6
SETUP_TIMEOUT: Final = 60.0
EXIT_INTERRUPTED: Final = 130


@dataclass(frozen=True)
class PersonSpec:
    """One of the demo's people."""

    key: str
    localpart: str
    display_name: str
    role: str


@dataclass(frozen=True)
class RoomSpec:
    """One of the demo's rooms; Anna creates it, the bot and ``members`` join."""

    key: str
    name: str
    aliases: tuple[str, ...]
    encrypted: bool
    members: tuple[str, ...]


ANNA: Final = PersonSpec("anna", "anna.schulz", "Anna Schulz", "Bildungsbüro (Team), Admin")
BERND: Final = PersonSpec("bernd", "bernd.keller", "Bernd Keller", "Mitglied im Bildungsbeirat")
PEOPLE: Final = (ANNA, BERND)
TEAM: Final = RoomSpec("team", "Bildungsbüro (Team)", ("team",), encrypted=False, members=())
BEIRAT: Final = RoomSpec(
    "beirat",
    "Bildungsbeirat",
    ("beirat", "gremium", "committee"),
    # Committee rooms on public-sector homeservers are encrypted: the demo shows that works.
    encrypted=True,
    members=(BERND.key,),
)
STEUERUNG: Final = RoomSpec(
    "steuerung", "Steuerungsgruppe Bildung", ("steuerung", "sg"), encrypted=False, members=()
)
AG_USB: Final = RoomSpec(
    "ag", "AG Übergang Schule–Beruf", ("ag", "uesb", "schule-beruf"), encrypted=False, members=()
)
ROOMS: Final = (TEAM, BEIRAT, STEUERUNG, AG_USB)

HELP_TEXT: Final = """\
Im Terminal (in the terminal):
  Nachricht eintippen + Enter    sendet sie als aktuelle Person in den aktuellen Raum
                                 (type a message to send it), z. B. !hilfe
  /raum team | beirat | sg | ag  wechselt den Raum (/room; Anfang des Namens genügt)
  /als anna | bernd              wechselt die Person (/as)
  /hilfe                         zeigt diese Hilfe (/help)
  /beenden                       beendet alles (/quit, Strg-D, Strg-C)"""


class DemoError(Exception):
    """The demo could not be set up; the message says what failed."""


# ----------------------------------------------------------------------------- sample data


# The paper Bernd posts into the Bildungsbeirat's room for the first agenda item.
PAPER_NAME: Final = "Bildungsbericht-2027-Entwurf.md"
PAPER_TEXT: Final = """\
# Bildungsbericht 2027 – Entwurf

Erste Ergebnisse für den Landkreis Musterland (fiktive Beispieldaten der Demo).
"""


async def post_paper(client: ChatClient, room_id: str) -> RepliedEvent:
    """Upload the demo's paper as ``client`` into ``room_id`` (encrypted) and post it."""
    data = PAPER_TEXT.encode("utf-8")
    response, keys = await client.client.upload(
        io.BytesIO(data),
        content_type="text/markdown",
        filename=PAPER_NAME,
        encrypt=True,
        filesize=len(data),
    )
    if not isinstance(response, UploadResponse) or keys is None:
        raise DemoError(f"Anlage nicht hochgeladen (paper not uploaded): {response}")
    content = {
        "msgtype": "m.file",
        "filename": PAPER_NAME,
        "info": {"mimetype": "text/markdown", "size": len(data)},
        "file": {**keys, "url": response.content_uri},
    }
    event_id = await client.say(room_id, PAPER_NAME, content)
    return RepliedEvent(event_id, room_id, client.user_id, PAPER_NAME)


async def seed_sample_data(
    bot: Kuemmerer, clock: Clock, rooms: Mapping[str, str], paper: ReplyLookup | None = None
) -> None:
    """Fill a new demo database with the sample data set; runs once per demo database.

    The fictional network of Landkreis Musterland (organisations, persons, offers) and its
    committees, bound to the demo's rooms, with their meetings, a first agenda whose item has
    the file ``paper`` posts, a past meeting's decisions and the open tasks (see
    :mod:`bot.devtools.sample_data`);
    plus an audit entry ``demo.seed``. This function stays the single place that seeds.
    """
    counts = await seed_contact_network(bot.database, clock)
    organiser, member = (f"@{person.localpart}:localhost" for person in (ANNA, BERND))
    try:
        names = {organiser: ANNA.display_name, member: BERND.display_name}
        counts |= await seed_committees(bot.dispatcher, rooms, organiser, member, paper, names)
        counts |= await seed_tasks(bot.database, clock, rooms, organiser, member)
    except SeedFailed as error:
        raise DemoError(f"Beispieldaten (sample data): {error}") from None
    async with bot.database.session() as session:
        await Store(session).audit.record(
            clock.now(), "demo", "demo.seed", "demo", "sample-data", f"counts={counts}"
        )


# ----------------------------------------------------------------------------- entry point


async def run_demo(directory: Path, script: Path | None, keep: bool = False) -> int:
    """Run the demo in ``directory``: interactive, or the lines of ``script``; an exit code.

    0 when the chat ends or every scripted command was answered; 1 when a scripted command got
    no answer or the setup failed; 2 when the script cannot be read; 130 when a script run is
    interrupted (Ctrl-C ends the interactive chat normally, with 0).
    """
    restore_logging = _quiet_logging()
    loop = asyncio.get_running_loop()
    body = asyncio.create_task(_run(directory, script, keep), name="demo")
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        interrupted = True
        body.cancel()  # the cleanup in _run stops bot, clients and homeserver in order

    handled: list[signal.Signals] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on every platform
            loop.add_signal_handler(signum, interrupt)
            handled.append(signum)
    try:
        return await body
    except asyncio.CancelledError:
        if not interrupted:
            raise
        print("\nDemo beendet (stopped).", flush=True)
        return 0 if script is None else EXIT_INTERRUPTED
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
        restore_logging()


def _quiet_logging() -> Callable[[], None]:
    """Keep the terminal for the chat: warnings only, nio only errors (unless DEBUG)."""
    root, nio = logging.getLogger(), logging.getLogger("nio")
    levels = (root.level, nio.level)
    if root.getEffectiveLevel() > logging.DEBUG:
        root.setLevel(logging.WARNING)
        # nio warns about every unverified device in the encrypted room; nothing to act on here.
        nio.setLevel(logging.ERROR)

    def restore() -> None:
        root.setLevel(levels[0])
        nio.setLevel(levels[1])

    return restore


async def _run(directory: Path, script: Path | None, keep: bool) -> int:
    started = time.monotonic()
    lines: list[str] | None = None
    if script is not None:
        try:
            lines = script.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            print(f"Skript nicht lesbar (cannot read script): {error}", file=sys.stderr)
            return 2
    if not keep and not start_afresh(directory):
        print(
            f"{directory} sieht nicht nach einer Demo aus und wird nicht gelöscht; wählen Sie "
            "ein anderes --dir (not a demo directory, not deleted)",
            file=sys.stderr,
        )
        return 2
    directory.mkdir(parents=True, exist_ok=True)
    synapse = LocalSynapse(directory / "homeserver")
    async with contextlib.AsyncExitStack() as stack:
        try:
            print(f"Starte den lokalen Homeserver in {directory} … (starting)", flush=True)
            await synapse.start()
            stack.push_async_callback(synapse.stop)
            demo = await _set_up(directory, synapse, stack)
        except (DemoError, HomeserverError, LoginFailed, TimeoutError) as error:
            message = str(error) or type(error).__name__
            print(f"Die Demo konnte nicht starten (setup failed): {message}", file=sys.stderr)
            print(
                f"Neu beginnen (start over): kuemmerer demo --dir {directory}",
                file=sys.stderr,
            )
            return 1
        _print_welcome(demo, synapse, directory, time.monotonic() - started)
        if lines is None:
            await _chat(demo.conversation)
            code = 0
        else:
            code = await _play(demo.conversation, lines)
    print("Demo beendet (stopped).", flush=True)
    return code


def start_afresh(directory: Path) -> bool:
    """Delete what an earlier demo left in ``directory``; False if it is no demo directory."""
    if not _is_demo_directory(directory):
        return False
    shutil.rmtree(directory, ignore_errors=True)
    return True


def _is_demo_directory(directory: Path) -> bool:
    """Whether the demo may delete ``directory``: absent, empty, or made by the demo.

    A mistyped ``--dir ~`` must not wipe a home directory.
    """
    if not directory.exists():
        return True
    if not directory.is_dir():
        return False
    return not any(directory.iterdir()) or (directory / "homeserver").is_dir()


# ----------------------------------------------------------------------------- setup


@dataclass
class DemoState:
    """What ``demo.json`` remembers between runs."""

    people: dict[str, RegisteredUser] = field(default_factory=dict)
    bot_password: str | None = None
    rooms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> DemoState:
        """The saved state, or an empty one when there is none or it is unreadable."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            password = raw.get("bot_password")
            return cls(
                people={name: RegisteredUser(**user) for name, user in raw["people"].items()},
                bot_password=password if isinstance(password, str) else None,
                rooms={str(key): str(value) for key, value in raw["rooms"].items()},
            )
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            print(f"{path} ist unbrauchbar und wird ersetzt (unusable, replaced): {error}")
            return cls()

    def save(self, path: Path) -> None:
        """Write the state, readable only by its owner: it holds passwords and tokens."""
        data = {
            "people": {name: user.__dict__ for name, user in self.people.items()},
            "bot_password": self.bot_password,
            "rooms": self.rooms,
        }
        _write_private(path, json.dumps(data, indent=2))


@dataclass
class Demo:
    """The running demo: homeserver users, rooms, the bot and the terminal's conversation."""

    state: DemoState
    config: Config
    bot: Kuemmerer
    conversation: Conversation


async def _set_up(
    directory: Path, synapse: LocalSynapse, stack: contextlib.AsyncExitStack
) -> Demo:
    """Users, clients, rooms, config and the running bot; cleanup is pushed onto ``stack``."""
    state_path = directory / STATE_FILE
    state = DemoState.load(state_path)
    if not await _belongs_to(state, synapse):
        if state.people:
            print("Der Homeserver kennt die Demo-Nutzer nicht mehr; die Demo beginnt neu.")
        # Stores and database of an unrecorded or vanished setup would only confuse the bot.
        for leftover in ("bot", "people"):
            shutil.rmtree(directory / leftover, ignore_errors=True)
        state = DemoState()
    for spec in PEOPLE:
        state.people[spec.localpart] = await _sign_in(
            synapse, spec.localpart, state.people.get(spec.localpart)
        )
    if state.bot_password is None:
        registered = await synapse.register(BOT_LOCALPART)
        # The bot logs in with its own device; the registration's device would only linger.
        await _log_out(synapse.url, registered)
        state.bot_password = registered.password
    state.save(state_path)
    bot_id = f"@{BOT_LOCALPART}:{synapse.server_name}"

    clients: dict[str, ChatClient] = {}
    for spec in PEOPLE:
        user = state.people[spec.localpart]
        client = ChatClient(
            synapse.url,
            user.user_id,
            user.device_id,
            user.access_token,
            directory / "people" / spec.key,
        )
        stack.push_async_callback(client.close)
        await client.start()
        await _ensure_display_name(client.client, spec.display_name)
        clients[spec.key] = client

    await _ensure_rooms(state, clients, bot_id)
    state.save(state_path)

    config = demo_config(synapse, state.bot_password, state.rooms[TEAM.key], directory / "bot")
    write_config(config, directory / CONFIG_FILE)
    paper = partial(post_paper, clients[BERND.key], state.rooms[BEIRAT.key])
    bot = await _start_bot(config, directory / "bot" / "kuemmerer.db", state.rooms, stack, paper)
    await _ensure_display_name(bot.gateway.client, BOT_NAME)
    await _wait_for_members(state, clients, bot_id)

    names = {bot_id: BOT_NAME}
    for spec in PEOPLE:
        names[clients[spec.key].user_id] = spec.display_name
    conversation = Conversation(
        clients, dict(state.rooms), bot_id, names, bot.dispatcher.is_command, directory / DOWNLOADS
    )
    return Demo(state, config, bot, conversation)


async def _belongs_to(state: DemoState, synapse: LocalSynapse) -> bool:
    """Whether the recorded people still exist on this homeserver (it may have been reset).

    A recorded login that no longer works is replaced here when the account still exists,
    e.g. after someone logged the demo's device out in Element.
    """
    if not state.people:
        return False
    localpart, user = next(iter(state.people.items()))
    if await _token_works(synapse.url, user):
        return True
    try:
        state.people[localpart] = await synapse.login(localpart, user.password)
    except HomeserverError as error:
        if error.errcode == "M_FORBIDDEN":  # no such user (or another password): not ours
            return False
        raise
    return True


async def _sign_in(
    synapse: LocalSynapse, localpart: str, saved: RegisteredUser | None
) -> RegisteredUser:
    """The saved login if its token still works, else a new login (registering if needed)."""
    if saved is not None and await _token_works(synapse.url, saved):
        return saved
    return await synapse.register(localpart)


async def _token_works(homeserver: str, user: RegisteredUser) -> bool:
    client = AsyncClient(homeserver, user.user_id)
    client.access_token = user.access_token
    try:
        response = await client.whoami()
    finally:
        await client.close()
    return isinstance(response, WhoamiResponse) and response.device_id == user.device_id


async def _log_out(homeserver: str, user: RegisteredUser) -> None:
    client = AsyncClient(homeserver, user.user_id)
    client.access_token = user.access_token
    try:
        await client.logout()
    finally:
        await client.close()


async def _ensure_display_name(client: AsyncClient, name: str) -> None:
    # Only when it differs: every change is a new member event in each of the user's rooms.
    current = await client.get_displayname()
    if not isinstance(current, ProfileGetDisplayNameResponse) or current.displayname != name:
        await client.set_displayname(name)


async def _ensure_rooms(state: DemoState, clients: dict[str, ChatClient], bot_id: str) -> None:
    """Create the rooms that are missing, then make sure everybody is invited or joined."""
    anna = clients[ANNA.key]
    for spec in ROOMS:
        members = [clients[key] for key in spec.members]
        guests = [bot_id, *(member.user_id for member in members)]
        room_id = state.rooms.get(spec.key)
        if room_id is None or not anna.is_joined(room_id, anna.user_id):
            room_id = await anna.create_room(spec.name, invite=guests, encrypted=spec.encrypted)
            state.rooms[spec.key] = room_id
        else:
            room = anna.client.rooms[room_id]
            for guest in guests:
                if guest not in room.users:  # left or was never invited
                    await anna.invite(room_id, guest)
        for member in members:
            if not member.is_joined(room_id, member.user_id):
                await member.join(room_id)


async def _start_bot(
    config: Config,
    database_path: Path,
    rooms: Mapping[str, str],
    stack: contextlib.AsyncExitStack,
    paper: ReplyLookup | None = None,
) -> Kuemmerer:
    clock = SystemClock()
    new_database = not database_path.exists()
    bot = await create_bot(config, clock)
    if new_database:
        try:
            await seed_sample_data(bot, clock, rooms, paper)
        except BaseException:
            await bot.gateway.close()
            await bot.database.dispose()
            raise
    task = asyncio.create_task(bot.run(), name="kuemmerer")
    stack.push_async_callback(_stop_bot, bot, task)
    ready = asyncio.ensure_future(bot.ready.wait())
    try:
        done, _ = await asyncio.wait(
            {ready, task}, timeout=SETUP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        ready.cancel()
    if ready not in done:
        if task in done:
            task.result()  # raises what ended the bot
            raise DemoError("der Bot hat sich beendet (the bot stopped)")
        raise DemoError(f"der Bot synchronisiert nicht (no sync within {SETUP_TIMEOUT:g} s)")
    return bot


async def _stop_bot(bot: Kuemmerer, task: asyncio.Task[None]) -> None:
    bot.stop()
    try:
        await asyncio.wait_for(task, 30)
    except Exception:
        log.exception("the bot did not stop cleanly")


async def _wait_for_members(state: DemoState, clients: dict[str, ChatClient], bot_id: str) -> None:
    """Until each person's client sees everyone joined in each of their rooms.

    Only then does a client know every device it must share the room key with, so the first
    message in the encrypted room is readable for the bot.
    """
    for spec in ROOMS:
        room_id = state.rooms[spec.key]
        present = [clients[ANNA.key], *(clients[key] for key in spec.members)]
        everyone = [bot_id, *(client.user_id for client in present)]
        for client in present:
            try:
                await client.wait_until(
                    partial(_all_joined, client, room_id, tuple(everyone)), SETUP_TIMEOUT
                )
            except TimeoutError:
                raise DemoError(
                    f"nicht alle sind im Raum „{spec.name}“ (not everyone joined {room_id})"
                ) from None


def _all_joined(client: ChatClient, room_id: str, users: tuple[str, ...]) -> bool:
    return all(client.is_joined(room_id, user) for user in users)


# ----------------------------------------------------------------------------- configuration


def demo_config(
    synapse: LocalSynapse, bot_password: str, team_room: str, directory: Path
) -> Config:
    """The bot's configuration for the demo: German, Berlin time, Anna is admin."""
    directory = directory.resolve()
    return Config(
        matrix=MatrixConfig(
            homeserver=synapse.url,
            user_id=f"@{BOT_LOCALPART}:{synapse.server_name}",
            password=bot_password,
            device_name=f"{BOT_NAME} (Demo)",
            store_path=directory / "store",
            # A restarted bot is ready after its first sync, which long-polls this long when
            # nothing happens: with the default 30 s every second start of the demo waited so.
            sync_timeout_ms=1000,
        ),
        bot=BotConfig(
            team_room=team_room,
            language="de",
            timezone="Europe/Berlin",
            admins=(f"@{ANNA.localpart}:{synapse.server_name}",),
            allowed_servers=(synapse.server_name,),
        ),
        storage=StorageConfig(url=f"sqlite+aiosqlite:///{directory / 'kuemmerer.db'}"),
    )


def config_toml(config: Config) -> str:
    """``config`` as TOML that :func:`bot.config.load_config` reads back to an equal object."""
    header = (
        "# Written by `kuemmerer demo` for its throwaway homeserver; rewritten on every start.\n"
        "# kuemmerer run --config <this file> runs the same bot (see bot/devtools/demo.py).\n\n"
    )
    document = {
        section.name: {
            key.name: _toml_value(getattr(getattr(config, section.name), key.name))
            for key in fields(getattr(config, section.name))
        }
        for section in fields(config)
    }
    return header + tomli_w.dumps(document)


def _toml_value(value: object) -> object:
    """``value`` in the form the config file spells it: durations as ``"10m"``, paths as text."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, tuple | list):
        return [_toml_value(item) for item in value]
    return value


def _duration(value: timedelta) -> str:
    """The shortest spelling :func:`bot.config.parse_duration` reads, e.g. ``"10m"``."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def write_config(config: Config, path: Path) -> None:
    """Write ``config`` as TOML, private to the owner: it holds the bot's password."""
    _write_private(path, config_toml(config))


def _write_private(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


# ----------------------------------------------------------------------------- conversation

T = TypeVar("T")


def choose(choices: Sequence[T], word: str, names: Callable[[T], Sequence[str]]) -> T | None:
    """The choice one of whose names is ``word``, or the only one a name of which starts so."""
    wanted = fold_text(word.strip())
    if not wanted:
        return None
    for choice in choices:
        if wanted in (fold_text(name) for name in names(choice)):
            return choice
    starting = [c for c in choices if any(fold_text(n).startswith(wanted) for n in names(c))]
    return starting[0] if len(starting) == 1 else None


def room_names(spec: RoomSpec) -> tuple[str, ...]:
    """What ``/raum`` accepts for a room (prefixes of these, too)."""
    return (spec.key, spec.name, *spec.aliases)


def person_names(spec: PersonSpec) -> tuple[str, ...]:
    """What ``/als`` accepts for a person (prefixes of these, too)."""
    first = spec.display_name.split()[0]
    return (spec.key, first, spec.display_name, spec.localpart, f"@{spec.localpart}")


# Messages that carry a file the terminal cannot show: saved to disk instead.
FILE_MSGTYPES: Final = frozenset({"m.file", "m.image"})


class Outcome(Enum):
    """What a terminal directive (``/raum`` …) did."""

    DONE = "done"
    FAILED = "failed"
    QUIT = "quit"


def _free_path(directory: Path, name: str) -> Path:
    """``directory/name``, or ``name-2.ext``, ``name-3.ext`` … if that file exists already."""
    target = directory / name
    number = 2
    while target.exists():
        target = directory / f"{Path(name).stem}-{number}{Path(name).suffix}"
        number += 1
    return target


def _shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def indent_message(name: str, body: str) -> str:
    """A message under the line that caused it: ``  Name: first line``, the rest deeper."""
    first, *rest = body.splitlines() or [""]
    return "\n".join([f"  {name}: {first}", *(f"    {line}" if line else "" for line in rest)])


class Conversation:
    """Who speaks in which room, and which messages the terminal has already shown."""

    def __init__(
        self,
        clients: dict[str, ChatClient],
        rooms: dict[str, str],
        bot_id: str,
        names: dict[str, str],
        is_command: Callable[[str], bool],
        downloads: Path,
    ) -> None:
        self.clients = clients
        self.downloads = downloads
        self.rooms = rooms
        self.bot_id = bot_id
        self.names = names
        self.is_command = is_command  # the bot's own rule, so the demo waits for every answer
        self.person = ANNA
        self.room = TEAM
        self.busy = False  # a message is out and its answer awaited; the answer prints then
        self.prompt_visible = False
        self._shown: set[str] = set()
        self._cursors: dict[str, int] = {}
        self.skip_history()

    @property
    def client(self) -> ChatClient:
        return self.clients[self.person.key]

    @property
    def room_id(self) -> str:
        return self.rooms[self.room.key]

    @property
    def prompt(self) -> str:
        return f"[{self.room.name}] {self.person.display_name}> "

    def skip_history(self) -> None:
        """Show only what arrives from now on (after a switch: no replay of the room)."""
        for key, client in self.clients.items():
            self._cursors[key] = len(client.messages)

    def unseen(self) -> list[Message]:
        """New messages of others, in any room, as the current person received them."""
        client = self.client
        return [
            message
            for message in client.messages[self._cursors[self.person.key] :]
            if message.sender != client.user_id and message.event_id not in self._shown
        ]

    async def show_new(self) -> None:
        """Print what :meth:`unseen` returns, each message once; a message in another room
        than the current one names its room, and a file is saved and its place printed."""
        await self.accept_invites()
        messages = self.unseen()
        if not messages:
            return
        if self.prompt_visible:
            print()  # the prompt line stays as it was; the messages start below it
        for message in messages:
            self._shown.add(message.event_id)
            name = self.name_of(message.sender)
            if message.room_id != self.room_id:
                name = f"[{self.room_name(message.room_id)}] {name}"
            print(indent_message(name, message.body))
            if message.msgtype in FILE_MSGTYPES:
                print(f"    ↳ {await self.save_file(message)}")
        self._cursors[self.person.key] = len(self.client.messages)
        if self.prompt_visible:
            self.show_prompt()
        sys.stdout.flush()

    def room_name(self, room_id: str) -> str:
        """The demo's name of ``room_id``, or "Direktchat" for a chat the bot opened."""
        for spec in ROOMS:
            if self.rooms.get(spec.key) == room_id:
                return spec.name
        return "Direktchat (direct chat)"

    async def accept_invites(self) -> None:
        """Join the direct chats the bot opens (``!erinnerung mich`` …), as a client would."""
        client = self.client.client
        for room_id, room in list(client.invited_rooms.items()):
            if room.inviter == self.bot_id or self.bot_id in room.users:
                await client.join(room_id)

    async def save_file(self, message: Message) -> str:
        """Download (and decrypt) the file of ``message`` into the downloads directory."""
        content = message.content
        encrypted = content.get("file")
        url = encrypted["url"] if encrypted else content.get("url", "")
        response = await self.client.client.download(mxc=url)
        data = getattr(response, "body", None)
        if not isinstance(data, bytes):
            return f"Datei nicht geladen (file not downloaded): {response}"
        if encrypted:
            data = decrypt_attachment(
                data, encrypted["key"]["k"], encrypted["hashes"]["sha256"], encrypted["iv"]
            )
        self.downloads.mkdir(parents=True, exist_ok=True)
        target = _free_path(self.downloads, Path(message.body).name or "datei")
        target.write_bytes(data)
        return f"gespeichert (saved): {_shown_path(target)}"

    def show_prompt(self) -> None:
        print(self.prompt, end="", flush=True)
        self.prompt_visible = True

    def name_of(self, user_id: str) -> str:
        if user_id in self.names:
            return self.names[user_id]
        room = self.client.client.rooms.get(self.room_id)
        if room is None:
            return user_id
        return room.user_name(user_id) or user_id

    def expects_answer(self, text: str) -> bool:
        """Whether the bot treats ``text`` as a command (addressed by prefix or by name)."""
        if addressed_part(text, self.bot_id, (BOT_NAME, BOT_LOCALPART)) is not None:
            return True
        return self.is_command(text)

    async def send(self, text: str, echo: bool) -> bool:
        """Send ``text`` as the current person; for a command, print the bot's answer.

        False when a command got no answer within the timeout or the message could not be
        sent; the reason is printed.
        """
        client, spec = self.client, self.room
        if echo:
            print(f"[{spec.name}] {self.person.display_name}: {text}", flush=True)
        if not client.is_joined(self.room_id, client.user_id):
            print(
                f"  ({self.person.display_name} ist nicht im Raum „{spec.name}“ – "
                "/raum wechselt den Raum; not a member of this room)",
                flush=True,
            )
            return False
        self.busy = True
        try:
            try:
                event_id = await client.say(self.room_id, text)
            except RuntimeError as error:
                print(f"  (nicht gesendet – not sent: {error})", flush=True)
                return False
            self._shown.add(event_id)
            if not self.expects_answer(text):
                return True
            try:
                await client.wait_until(lambda: bool(client.answers_to(event_id)), ANSWER_TIMEOUT)
            except TimeoutError:
                print(f"  (keine Antwort nach {ANSWER_TIMEOUT:g} s – no answer)", flush=True)
                return False
            await self._settle(client, event_id)
            return True
        finally:
            self.busy = False
            await self.show_new()

    async def _settle(self, client: ChatClient, event_id: str) -> None:
        """Wait until no further part of the answer arrives for a moment."""
        while True:
            count = len(client.answers_to(event_id))
            try:
                await client.wait_until(
                    lambda count=count: len(client.answers_to(event_id)) > count, ANSWER_SETTLE
                )
            except TimeoutError:
                return

    def directive(self, line: str) -> Outcome:
        """Carry out ``/raum``, ``/als``, ``/hilfe`` or ``/beenden`` and print what happened."""
        word, _, argument = line.strip().removeprefix("/").partition(" ")
        word = fold_text(word)
        if word in ("beenden", "quit", "exit", "q"):
            return Outcome.QUIT
        if word in ("hilfe", "help", "?"):
            print(HELP_TEXT)
            return Outcome.DONE
        if word in ("raum", "room"):
            room = choose(ROOMS, argument, room_names)
            if room is None:
                options = ", ".join(spec.key for spec in ROOMS)
                print(f"  (Raum? – which room? {options})")
                return Outcome.FAILED
            self.room = room
        elif word in ("als", "as"):
            person = choose(PEOPLE, argument, person_names)
            if person is None:
                options = ", ".join(spec.key for spec in PEOPLE)
                print(f"  (Wer? – who? {options})")
                return Outcome.FAILED
            self.person = person
            if not self.is_member(self.room):
                # Bernd is not in the team room: follow him to his room rather than fail later.
                self.room = next(spec for spec in ROOMS if self.is_member(spec))
        else:
            print(f"  (unbekannt – unknown: /{word}; /hilfe zeigt die Befehle)")
            return Outcome.FAILED
        self.skip_history()
        print(f"  → {self.person.display_name} im Raum „{self.room.name}“", flush=True)
        if not self.is_member(self.room):
            print(f"  ({self.person.display_name} ist hier nicht Mitglied – not a member here)")
        return Outcome.DONE

    def is_member(self, room: RoomSpec) -> bool:
        """Whether the current person belongs to ``room`` in the demo's setup."""
        return self.person.key == ANNA.key or self.person.key in room.members


# ----------------------------------------------------------------------------- modes


async def _play(conversation: Conversation, lines: list[str]) -> int:
    """The script: a transcript on stdout; 1 if a command got no answer or a line failed."""
    failures: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"Zeile {number}: [{conversation.room.name}] {conversation.person.display_name}"
        if line.startswith("/"):
            outcome = conversation.directive(line)
            if outcome is Outcome.QUIT:
                break
            if outcome is Outcome.FAILED:
                failures.append(f"{where}: {line}")
            continue
        if not await conversation.send(line, echo=True):
            failures.append(f"{where}: {line}")
    if failures:
        print("\nOhne Antwort oder fehlgeschlagen (unanswered or failed):")
        for failure in failures:
            print(f"  {failure}")
        return 1
    return 0


async def _chat(conversation: Conversation) -> None:
    """The interactive chat until /beenden or end of input."""
    print(HELP_TEXT)
    # Typed lines are on the screen already; piped ones are echoed like a script's.
    typed = sys.stdin.isatty()
    lines = StdinLines(asyncio.get_running_loop())
    watcher = asyncio.create_task(_watch(conversation), name="watch")
    try:
        while True:
            if typed:
                conversation.show_prompt()
            line = await lines.next()
            conversation.prompt_visible = False
            if line is None:
                print()
                return
            line = line.strip()
            if not line:
                continue
            if line.startswith("/"):
                if not typed:
                    print(f"[{conversation.room.name}] {conversation.person.display_name}: {line}")
                if conversation.directive(line) is Outcome.QUIT:
                    return
                continue
            await conversation.send(line, echo=not typed)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _watch(conversation: Conversation) -> None:
    """Print messages that arrive on their own (reminders, other people) while idle."""
    while True:
        client = conversation.client

        def pending() -> bool:
            return not conversation.busy and bool(conversation.unseen())

        with contextlib.suppress(TimeoutError):
            # Bounded, so that a switch of person is noticed even without new messages.
            await client.wait_until(pending, 1.0)
        if pending():
            await conversation.show_new()


class StdinLines:
    """Lines typed on standard input, read by a daemon thread.

    ``os.read`` in a daemon thread never blocks the event loop, holds no lock of ``sys.stdin``
    and does not keep the process alive when the demo ends while a read is pending (a worker of
    ``asyncio.to_thread`` would, until the next Enter). Without the readline module the
    terminal's own line editing applies and its settings are never changed.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int = 0) -> None:
        self._loop = loop
        self._fd = fd
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=self._read, name="stdin", daemon=True).start()

    async def next(self) -> str | None:
        """The next line without its line break; None at the end of input."""
        return await self._queue.get()

    def _read(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        while True:
            try:
                chunk = os.read(self._fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                rest = pending + decoder.decode(b"", final=True)
                if rest:
                    self._post(rest)
                self._post(None)
                return
            pending += decoder.decode(chunk)
            *complete, pending = pending.split("\n")
            for line in complete:
                if not self._post(line.rstrip("\r")):
                    return

    def _post(self, line: str | None) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
        except RuntimeError:  # the loop is closed: the demo has ended
            return False
        return True


# ----------------------------------------------------------------------------- output


def _print_welcome(demo: Demo, synapse: LocalSynapse, directory: Path, seconds: float) -> None:
    print(f"\nKümmerer-Demo bereit nach {seconds:.1f} s (ready).")
    print(f"  Homeserver:     {synapse.url}  (nur lokal – loopback only)")
    for spec in PEOPLE:
        user = demo.state.people[spec.localpart]
        print(f"  {spec.display_name:<14}  {user.user_id}  ({spec.role})")
        print(f"  {'':<14}  Passwort (password): {user.password}")
    print(f"  Bot:            {demo.config.matrix.user_id} ({BOT_NAME})")
    rooms = ", ".join(f"{spec.name} ({spec.key})" for spec in ROOMS)
    print(f"  Räume (rooms):  {rooms}; der Beirat ist verschlüsselt (encrypted)")
    print(f"  Konfiguration:  {directory / CONFIG_FILE}\n", flush=True)
