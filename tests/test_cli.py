"""The `kuemmerer` command as an admin uses it: check-config, migrate, audit and run."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from alembic.script import ScriptDirectory

from bot.app import create_bot
from bot.cli import main
from bot.config import load_config
from bot.devtools.chat_client import ChatClient
from bot.devtools.homeserver import LocalSynapse, RegisteredUser
from bot.matrix import CREDENTIALS_FILE
from storage.database import Database, alembic_config
from storage.repositories import Store
from tests.conftest import People

PROJECT = Path(__file__).resolve().parent.parent
ENVIRONMENT = (
    "KUEMMERER_CONFIG",
    "KUEMMERER_MATRIX_PASSWORD",
    "KUEMMERER_MATRIX_ACCESS_TOKEN",
    "KUEMMERER_STORAGE_URL",
)
PASSWORD = "Rathaus-Geheim-2026"
TOKEN = "syt_a3VlbW1lcmVy_GeheimesToken_0815"


@pytest.fixture(autouse=True)
def no_secrets_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin's shell may export overrides; these tests spell out the whole configuration."""
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)


def toml_string(value: str) -> str:
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
    return f"sqlite+aiosqlite:///{directory / 'data' / 'kuemmerer.db'}"


def database_file(directory: Path) -> Path:
    return directory / "data" / "kuemmerer.db"


# -- check-config ----------------------------------------------------------------------------


def test_check_config_accepts_a_valid_file_and_shows_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """check-config says the file is valid and summarises it without password or token."""
    path = write_config(tmp_path, access_token=TOKEN)
    assert main(["check-config", "--config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Configuration is valid")
    assert "@kuemmerer:stadt.example" in out and "#bildungsbuero:stadt.example" in out
    assert PASSWORD not in out + err
    assert TOKEN not in out + err


def test_check_config_hides_the_database_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PostgreSQL URL with a password is shown without its credentials."""
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        database_url(tmp_path), "postgresql+asyncpg://kuemmerer:Db-Geheim@db.stadt.example/k"
    )
    path.write_text(text, encoding="utf-8")
    assert main(["check-config", "--config", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert "db.stadt.example/k" in out
    assert "Db-Geheim" not in out


def test_check_config_takes_the_password_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the password only in KUEMMERER_MATRIX_PASSWORD the file is valid, and stays secret."""
    path = write_config(tmp_path, password="")
    monkeypatch.setenv("KUEMMERER_MATRIX_PASSWORD", PASSWORD)
    assert main(["check-config", "--config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "Configuration is valid" in out
    assert PASSWORD not in out + err


def test_check_config_uses_kuemmerer_config_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --config, config.toml in the current directory is checked."""
    write_config(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check-config"]) == 0
    assert "Configuration is valid" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("broken", "key"),
    [
        ('language = "fr"', "bot.language"),
        ('stale_command_after = "ten minutes"', "bot.stale_command_after"),
        ('admins = "@anna:stadt.example"', "bot.admins"),
    ],
)
def test_check_config_refuses_a_broken_file_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str, key: str
) -> None:
    """A wrong value exits with status 2 and a one-line error on stderr that names the key."""
    path = write_config(tmp_path, extra_bot=broken)
    text = path.read_text(encoding="utf-8").replace('language = "en"\n', "")
    path.write_text(text, encoding="utf-8")
    assert main(["check-config", "--config", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("Configuration error: ")
    assert key in err
    assert "Traceback" not in err
    assert PASSWORD not in err


def test_check_config_refuses_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong --config path exits with status 2 and names the path."""
    path = tmp_path / "konfig.toml"
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Configuration error: ") and str(path) in err


def test_run_with_a_broken_file_exits_2_before_connecting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kuemmerer run` validates first: an invalid file exits 2 without touching anything."""
    path = write_config(tmp_path, password="")
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Configuration error: " in err and "KUEMMERER_MATRIX_PASSWORD" in err
    assert not (tmp_path / "store").exists()
    assert not database_file(tmp_path).exists()


# -- migrate ---------------------------------------------------------------------------------


def alembic_head(directory: Path) -> str:
    head = ScriptDirectory.from_config(alembic_config(database_url(directory))).get_current_head()
    assert head is not None
    return head


def schema_of(path: Path) -> tuple[list[str], list[tuple[str]]]:
    """Table names and the alembic_version rows of the SQLite file at ``path``."""
    with sqlite3.connect(path) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    connection.close()
    return tables, versions


def test_migrate_creates_the_database_at_head_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """migrate creates the SQLite file (and directory) at the newest revision; again, a no-op."""
    path = write_config(tmp_path)
    assert not database_file(tmp_path).exists()
    assert main(["migrate", "--config", str(path)]) == 0
    assert "Database is up to date." in capsys.readouterr().out
    tables, versions = schema_of(database_file(tmp_path))
    assert versions == [(alembic_head(tmp_path),)]
    assert "audit_entry" in tables

    assert main(["migrate", "--config", str(path)]) == 0
    assert "Database is up to date." in capsys.readouterr().out
    assert schema_of(database_file(tmp_path)) == (tables, versions)


def test_migrate_keeps_existing_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Running migrate on a database in use (e.g. after an update) keeps its records."""
    path = write_config(tmp_path)
    assert main(["migrate", "--config", str(path)]) == 0
    asyncio.run(record_audit(tmp_path, [("@anna:stadt.example", "create", "event", 7, "")]))
    assert main(["migrate", "--config", str(path)]) == 0
    with sqlite3.connect(database_file(tmp_path)) as connection:
        count = connection.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    connection.close()
    assert count == 1


# -- audit -----------------------------------------------------------------------------------


async def record_audit(
    directory: Path, entries: list[tuple[str, str, str, int | str, str]]
) -> None:
    """Write entries as the bot does, one minute apart from 2026-03-02 09:00 UTC on."""
    database = Database(database_url(directory))
    try:
        await database.migrate()
        async with database.session() as session:
            store = Store(session)
            for minute, (actor, action, object_type, object_id, detail) in enumerate(entries):
                at = datetime(2026, 3, 2, 9, minute, tzinfo=UTC)
                await store.audit.record(at, actor, action, object_type, object_id, detail)
    finally:
        await database.dispose()


def test_audit_prints_the_entries_oldest_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """audit lists who did what to which record and when, one line each, in order."""
    path = write_config(tmp_path)
    asyncio.run(
        record_audit(
            tmp_path,
            [
                ("@anna:stadt.example", "join", "room", "!team:stadt.example", ""),
                ("@ben:stadt.example", "delete", "event", 12, "Bildungskonferenz"),
            ],
        )
    )
    assert main(["audit", "--config", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "2026-03-02T09:00:00+00:00  @anna:stadt.example  join  room:!team:stadt.example",
        "2026-03-02T09:01:00+00:00  @ben:stadt.example  delete  event:12  Bildungskonferenz",
    ]


def test_audit_limit_shows_only_the_newest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--limit N prints the N newest entries, still oldest first."""
    path = write_config(tmp_path)
    entries: list[tuple[str, str, str, int | str, str]] = [
        ("@anna:stadt.example", "update", "event", number, "") for number in range(5)
    ]
    asyncio.run(record_audit(tmp_path, entries))
    assert main(["audit", "--config", str(path), "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[3] for line in lines] == ["event:3", "event:4"]


def test_audit_of_an_empty_log_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A fresh installation's audit log is reported as empty, not as nothing at all."""
    path = write_config(tmp_path)
    assert main(["migrate", "--config", str(path)]) == 0
    capsys.readouterr()
    assert main(["audit", "--config", str(path)]) == 0
    assert capsys.readouterr().out == "The audit log is empty.\n"


# -- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "options"),
    [
        ([], ["run", "check-config", "migrate", "audit", "demo", "--log-level"]),
        (["run"], ["--config", "SIGTERM", "--log-level"]),
        (["check-config"], ["--config"]),
        (["migrate"], ["--config"]),
        (["audit"], ["--config", "--limit"]),
        (["demo"], ["--script", "--dir", "--keep"]),
        (["backup"], ["--config", "--pg-bin", "FILE", "0600"]),
        (["restore"], ["--config", "--force", "--pg-bin", "config/config.toml"]),
    ],
)
def test_help_lists_the_options(
    capsys: pytest.CaptureFixture[str], arguments: list[str], options: list[str]
) -> None:
    """`kuemmerer [COMMAND] --help` exits 0 and lists the options of that command."""
    with pytest.raises(SystemExit) as exit_:
        main([*arguments, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kuemmerer")
    for option in options:
        assert option in out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Plain `kuemmerer` exits 2 with the usage on stderr."""
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 2
    assert "usage: kuemmerer" in capsys.readouterr().err


# -- run, against the real homeserver --------------------------------------------------------


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
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def wait(self, timeout: float) -> int | None:
        """The exit status, or None if the process still runs after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.process.poll()

    def kill(self) -> None:
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


async def devices_of(synapse: LocalSynapse, access_token: str) -> set[str]:
    """The device ids the homeserver lists for the owner of ``access_token``."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            synapse.url + "/_matrix/client/v3/devices",
            headers={"Authorization": f"Bearer {access_token}"},
        ) as response,
    ):
        assert response.status == 200
        body = await response.json()
    return {device["device_id"] for device in body["devices"]}


def credentials(directory: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads(
        (directory / "store" / CREDENTIALS_FILE).read_text(encoding="utf-8")
    )
    return data


async def office_on(
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


@pytest.fixture
def bot_processes() -> Iterator[list[BotProcess]]:
    """Bot processes a test started; any still running afterwards are killed."""
    started: list[BotProcess] = []
    yield started
    for bot in started:
        bot.kill()


@pytest.mark.synapse
async def test_run_answers_stops_cleanly_and_restarts_as_the_same_device(
    people: People,
    synapse: LocalSynapse,
    tmp_path: Path,
    bot_processes: list[BotProcess],
) -> None:
    """kuemmerer run answers, exits 0 on SIGTERM and SIGINT, and keeps its device on restart."""
    anna, bot_user, team_room, config = await office_on(people, synapse, tmp_path)
    directory = config.parent

    first = BotProcess(config, directory / "first.log")
    bot_processes.append(first)
    assert "What you can do here" in await first_answer(anna, team_room, first)
    assert anna.is_joined(team_room, bot_user.user_id)
    first.process.send_signal(signal.SIGTERM)
    assert await first.wait(20) == 0, first.output()
    assert "stopped cleanly" in first.output()

    saved = credentials(directory)
    assert saved["user_id"] == bot_user.user_id
    devices = await devices_of(synapse, saved["access_token"])
    assert saved["device_id"] in devices

    second = BotProcess(config, directory / "second.log")
    bot_processes.append(second)
    assert "What you can do here" in await first_answer(anna, team_room, second)
    assert credentials(directory) == saved
    assert await devices_of(synapse, saved["access_token"]) == devices
    second.process.send_signal(signal.SIGINT)
    assert await second.wait(20) == 0, second.output()
    assert "stopped cleanly" in second.output()

    for bot in (first, second):
        log = bot.output()
        assert bot_user.password not in log
        assert saved["access_token"] not in log
        assert "Traceback" not in log


@pytest.mark.synapse
async def test_run_with_an_access_token_keeps_that_device(
    people: People, synapse: LocalSynapse, tmp_path: Path
) -> None:
    """With only access_token configured, the bot answers as the token's device."""
    anna = await people.person("anna")
    bot_user: RegisteredUser = await people.register("kuemmerer")
    team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
    directory = tmp_path / "kuemmerer-sso"
    path = write_config(
        directory,
        homeserver=synapse.url,
        user_id=bot_user.user_id,
        password="",
        access_token=bot_user.access_token,
        team_room=team_room,
        allowed_server=synapse.server_name,
    )
    assert "password" not in path.read_text(encoding="utf-8")
    config = load_config(path, environ={})
    bot = await create_bot(config)
    task = asyncio.create_task(bot.run())
    try:
        await asyncio.wait_for(bot.ready.wait(), 30)
        reply = await anna.ask(team_room, "!help")
        assert reply.sender == bot_user.user_id
        assert "What you can do here" in reply.body
    finally:
        bot.stop()
        await asyncio.wait_for(task, 30)

    saved = credentials(directory)
    assert saved["device_id"] == bot_user.device_id
    assert saved["access_token"] == bot_user.access_token
    assert await devices_of(synapse, bot_user.access_token) == {bot_user.device_id}
