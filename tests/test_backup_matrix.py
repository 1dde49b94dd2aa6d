"""A backup moves the bot to a new server as the same Matrix device: after restore into a fresh
directory it still reads and answers commands in an encrypted room."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.matrix import CREDENTIALS_FILE
from tests.support.cli import run_cli
from tests.support.matrix import Office, RunningBot

pytestmark = pytest.mark.synapse


def write_config_file(config: Config, directory: Path) -> Path:
    """The running bot's configuration as the TOML file an admin would keep, with its store
    and database inside ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    matrix, bot = config.matrix, config.bot

    def text(value: str) -> str:
        return json.dumps(value)  # a JSON string is a valid TOML basic string

    lines = [
        "[matrix]",
        f"homeserver = {text(matrix.homeserver)}",
        f"user_id = {text(matrix.user_id)}",
        f"password = {text(matrix.password)}",
        'store_path = "store"',
        f"sync_timeout_ms = {matrix.sync_timeout_ms}",
        "[bot]",
        f"team_room = {text(bot.team_room)}",
        f"language = {text(bot.language)}",
        f"allowed_servers = {json.dumps(list(bot.allowed_servers))}",
        "[storage]",
        'url = "sqlite+aiosqlite:///kuemmerer.db"',
    ]
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def device_of(config: Config) -> str:
    saved = json.loads((config.matrix.store_path / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    return str(saved["device_id"])


async def test_restored_bot_is_the_same_device_in_an_encrypted_room(
    office: Office, tmp_path: Path
) -> None:
    """Backup of a stopped bot, restore into a new directory: the bot starts as the same device
    and answers a new command in the encrypted room, encrypted."""
    anna = office.anna
    # The office fixture's bot runs from a Config object; move it onto a config file first.
    await office.bot.stop()
    old_file = write_config_file(office.bot.config, tmp_path / "old")
    office.bot.config = load_config(old_file)
    await office.bot.start()
    room = await office.room_with_bot(anna, "Steuerungsgruppe", encrypted=True)
    first = await anna.ask(room, "!help")
    assert first.encrypted and "What you can do here" in first.body
    device = office.bot.bot.gateway.client.device_id if office.bot.bot else None
    await office.bot.stop()

    archive = tmp_path / "kuemmerer-backup.tar.gz"
    assert await run_cli("backup", str(archive), "--config", str(old_file)) == 0
    new_file = write_config_file(office.bot.config, tmp_path / "new")
    assert await run_cli("restore", str(archive), "--config", str(new_file)) == 0

    restored = RunningBot(load_config(new_file), office.bot.clock)
    assert device_of(restored.config) == device
    await restored.start()
    try:
        assert restored.bot is not None
        assert restored.bot.gateway.client.device_id == device
        answer = await anna.ask(room, "!help")
        assert answer.encrypted and answer.msgtype == "m.notice"
        assert "What you can do here" in answer.body
        command = next(m for m in anna.messages if m.event_id == answer.in_reply_to)
        assert command.encrypted and command.body == "!help"
    finally:
        await restored.stop()
