"""The bot's configuration for the demo and the TOML file it is written to."""

from __future__ import annotations

import os
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import tomli_w

from bot.config import BotConfig, Config, MatrixConfig, StorageConfig
from bot.devtools.demo.cast import ANNA, BOT_LOCALPART, BOT_NAME
from bot.devtools.homeserver import LocalSynapse


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
        "# kuemmerer run --config <this file> runs the same bot (see bot/devtools/demo/).\n\n"
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
    write_private(path, config_toml(config))


def write_private(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)
