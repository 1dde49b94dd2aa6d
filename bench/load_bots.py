"""The two bots the Matrix load benchmark compares, each as a process of its own:
Kümmerer and the echo bot."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from bench.common import (
    PROJECT,
)
from bench.echo_bot import TOKEN_VARIABLE
from bench.load_people import Observer
from bot.devtools.homeserver import LocalSynapse, RegisteredUser

# Environment variables the bot would read instead of its config file.
BOT_ENVIRONMENT = (
    "KUEMMERER_CONFIG",
    "KUEMMERER_MATRIX_PASSWORD",
    "KUEMMERER_MATRIX_ACCESS_TOKEN",
    "KUEMMERER_STORAGE_URL",
)


@dataclass
class BotProcess:
    """One bot under test, running as its own process with its output in a file."""

    name: str
    user: RegisteredUser
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far (Linux ``/proc``)."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text(encoding="ascii")
        # The command name in parentheses may hold spaces; the fields after it are fixed.
        fields = stat.rsplit(")", 1)[1].split()
        user_ticks, system_ticks = int(fields[11]), int(fields[12])
        return (user_ticks + system_ticks) / os.sysconf("SC_CLK_TCK")

    def alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited:\n{self.output()[-3000:]}")

    async def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 20
            while self.process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def spawn(command: list[str], log: Path, environment: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            command,
            cwd=PROJECT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in BOT_ENVIRONMENT}


def kuemmerer_config(
    directory: Path, synapse: LocalSynapse, user: RegisteredUser, team_room: str
) -> Path:
    """A config as an office would write it, with the store and a fresh database beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "matrix": {
            "homeserver": synapse.url,
            "user_id": user.user_id,
            "password": user.password,
            "store_path": "store",
        },
        "bot": {
            "team_room": team_room,
            "language": "de",
            "allowed_servers": [synapse.server_name],
        },
        "storage": {"url": f"sqlite+aiosqlite:///{directory / 'kuemmerer.db'}"},
    }
    path = directory / "config.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    path.chmod(0o600)
    return path


def start_kuemmerer(
    directory: Path, synapse: LocalSynapse, user: RegisteredUser, team_room: str
) -> BotProcess:
    config = kuemmerer_config(directory, synapse, user, team_room)
    command = [sys.executable, "-m", "bot.cli", "run", "--config", str(config)]
    log = directory / "bot.log"
    return BotProcess("kuemmerer", user, spawn(command, log, clean_environment()), log)


def start_echo(directory: Path, synapse: LocalSynapse, user: RegisteredUser) -> BotProcess:
    directory.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "bench.echo_bot", "--homeserver", synapse.url,
        "--user-id", user.user_id, "--device-id", user.device_id,
        "--store", str(directory / "store"),
    ]  # fmt: skip
    environment = clean_environment() | {TOKEN_VARIABLE: user.access_token}
    log = directory / "bot.log"
    return BotProcess("echo", user, spawn(command, log, environment), log)


async def wait_for_output(bot: BotProcess, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in bot.output():
        bot.alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"{bot.name} never printed {text!r}:\n{bot.output()[-3000:]}")
        await asyncio.sleep(0.1)


async def first_answer(anna: Observer, room: str, bot: BotProcess, timeout: float = 90) -> None:
    """Ask until the bot answers: a command sent before its first sync is history to it."""
    await wait_for_output(bot, " runs as ", timeout)
    deadline = time.monotonic() + timeout
    while True:
        bot.alive()
        event = await anna.say(room, "!hilfe")
        with contextlib.suppress(TimeoutError):
            await anna.wait_until(anna.answered(event), 1)
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{bot.name} never answered:\n{bot.output()[-3000:]}")


async def rooms_with(
    anna: Observer,
    bot: BotProcess,
    names: Sequence[str],
    encrypted: bool,
    invite: Sequence[str] = (),
) -> list[str]:
    """Rooms of Anna's with ``bot`` in them (and anyone else invited)."""
    everyone = [bot.user.user_id, *invite]
    rooms = await asyncio.gather(*(anna.create_room(name, everyone, encrypted) for name in names))
    await anna.wait_until(
        lambda: all(anna.is_joined(room, bot.user.user_id) for room in rooms), 120
    )
    return rooms
