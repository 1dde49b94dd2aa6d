"""The `kuemmerer` command as an admin uses it: check-config, migrate, audit and run."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from alembic.script import ScriptDirectory

from bot.app import create_bot
from bot.cli import main
from bot.config import load_config
from bot.devtools.homeserver import LocalSynapse, RegisteredUser
from bot.matrix import CREDENTIALS_FILE
from storage.database import Database, alembic_config
from storage.repositories import Store
from tests.support.cli import (
    ENVIRONMENT,
    PASSWORD,
    TOKEN,
    BotProcess,
    database_file,
    database_url,
    first_answer,
    office_for_process,
    write_config,
)
from tests.support.matrix import People


@pytest.fixture(autouse=True)
def no_secrets_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin's shell may export overrides; these tests spell out the whole configuration."""
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)


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


@pytest.mark.synapse
async def test_run_answers_stops_cleanly_and_restarts_as_the_same_device(
    people: People,
    synapse: LocalSynapse,
    tmp_path: Path,
    bot_processes: list[BotProcess],
) -> None:
    """kuemmerer run answers, exits 0 on SIGTERM and SIGINT, and keeps its device on restart."""
    anna, bot_user, team_room, config = await office_for_process(people, synapse, tmp_path)
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
