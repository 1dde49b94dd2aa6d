"""The ``kuemmerer`` command as an admin runs it: a config file as an office writes it, the bot
started as a process of its own, and the Bildungsbüro that such a process serves."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bot.cli import main
from bot.devtools.chat_client import ChatClient
from bot.devtools.homeserver import LocalSynapse, RegisteredUser
from tests.support.matrix import People
from tests.support.names import PROJECT

ENVIRONMENT = (
    "KUEMMERER_CONFIG",
    "KUEMMERER_MATRIX_PASSWORD",
    "KUEMMERER_MATRIX_ACCESS_TOKEN",
    "KUEMMERER_STORAGE_URL",
)
PASSWORD = "Rathaus-Geheim-2026"
TOKEN = "syt_a3VlbW1lcmVy_GeheimesToken_0815"


def toml_string(value: str) -> str:
    """``value`` as a TOML string."""
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def write_config(
    directory: Path,
    *,
    homeserver: str = "https://matrix.stadt.example",
    user_id: str = "@kuemmerer:stadt.example",
    password: str = PASSWORD,
    access_token: str = "",
    team_room: str = "#bildungsbuero:stadt.example",
    allowed_server: str = "stadt.example",
    extra_bot: str = "",
) -> Path:
    """A config.toml as an office would write it, with store and database beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [
        "[matrix]",
        f"homeserver = {toml_string(homeserver)}",
        f"user_id = {toml_string(user_id)}",
        f"password = {toml_string(password)}" if password else "",
        f"access_token = {toml_string(access_token)}" if access_token else "",
        'store_path = "store"',
        "sync_timeout_ms = 1000",
        "[bot]",
        f"team_room = {toml_string(team_room)}",
        'language = "en"',
        f"allowed_servers = [{toml_string(allowed_server)}]",
        extra_bot,
        "[storage]",
        f"url = {toml_string(database_url(directory))}",
    ]
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def database_url(directory: Path) -> str:
    """The database URL that :func:`write_config` writes for ``directory``."""
    return f"sqlite+aiosqlite:///{directory / 'data' / 'kuemmerer.db'}"


def database_file(directory: Path) -> Path:
    """The SQLite file behind :func:`database_url`."""
    return directory / "data" / "kuemmerer.db"


def write_minimal_config(directory: Path, database_url: str, language: str = "") -> Path:
    """A config.toml with no more than the command line needs (and ``language`` if given),
    its data in ``database_url``."""
    lines = [
        "[matrix]",
        'homeserver = "https://matrix.stadt.example"',
        'user_id = "@kuemmerer:stadt.example"',
        'password = "geheim"',
        "[bot]",
        'team_room = "#team:stadt.example"',
        *([f"language = {toml_string(language)}"] if language else []),
        "[storage]",
        f"url = {toml_string(database_url)}",
    ]
    path = directory / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class BotProcess:
    """`kuemmerer run --config FILE` as a service manager starts it; its log goes to a file."""

    def __init__(self, config: Path, log: Path) -> None:
        self.log = log
        environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
                cwd=PROJECT,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        """What the process has logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def wait(self, timeout: float) -> int | None:
        """The exit status, or None if the process still runs after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.process.poll()

    def kill(self) -> None:
        """SIGKILL the process if it still runs, and reap it."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


async def first_answer(anna: ChatClient, room: str, bot: BotProcess, timeout: float = 60) -> str:
    """Ask `!help` until the bot answers (a command sent before its first sync is history)."""
    deadline = time.monotonic() + timeout
    while True:
        assert bot.process.poll() is None, f"the bot exited early:\n{bot.output()}"
        try:
            reply = await anna.ask(room, "!help", timeout=2)
        except TimeoutError:
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer to !help:\n{bot.output()}") from None
            continue
        return reply.body


async def office_for_process(
    people: People, synapse: LocalSynapse, tmp_path: Path
) -> tuple[ChatClient, RegisteredUser, str, Path]:
    """Anna, the bot's account, the team room she invited it to, and a config file for it."""
    anna = await people.person("anna")
    bot_user = await people.register("kuemmerer")
    team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
    config = write_config(
        tmp_path / "kuemmerer",
        homeserver=synapse.url,
        user_id=bot_user.user_id,
        password=bot_user.password,
        team_room=team_room,
        allowed_server=synapse.server_name,
    )
    return anna, bot_user, team_room, config


async def run_cli(*argv: str) -> int:
    """The ``kuemmerer`` command, run in a thread because it starts its own event loop."""
    return await asyncio.to_thread(main, list(argv))
