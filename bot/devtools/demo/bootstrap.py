"""Setting the demo up: its directory, the users and their clients, the rooms, the
configuration and the running bot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Final

from nio import AsyncClient, ProfileGetDisplayNameResponse, WhoamiResponse

from bot.app import create_bot
from bot.config import Config
from bot.core import Kuemmerer
from bot.devtools.chat_client import ChatClient
from bot.devtools.demo.cast import (
    ANNA,
    BEIRAT,
    BERND,
    BOT_LOCALPART,
    BOT_NAME,
    PEOPLE,
    ROOMS,
    TEAM,
    DemoError,
)
from bot.devtools.demo.configuration import demo_config, write_config, write_private
from bot.devtools.demo.conversation import Conversation
from bot.devtools.demo.seeding import post_paper, seed_sample_data
from bot.devtools.homeserver import HomeserverError, LocalSynapse, RegisteredUser
from commands.framework.clock import SystemClock
from commands.framework.context import ReplyLookup

log = logging.getLogger(__name__)


STATE_FILE: Final = "demo.json"
CONFIG_FILE: Final = "config.toml"
DOWNLOADS: Final = "downloads"


SETUP_TIMEOUT: Final = 60.0


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
        write_private(path, json.dumps(data, indent=2))


@dataclass
class Demo:
    """The running demo: homeserver users, rooms, the bot and the terminal's conversation."""

    state: DemoState
    config: Config
    bot: Kuemmerer
    conversation: Conversation


async def set_up(directory: Path, synapse: LocalSynapse, stack: contextlib.AsyncExitStack) -> Demo:
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
