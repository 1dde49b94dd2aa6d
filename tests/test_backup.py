"""``kuemmerer backup`` and ``kuemmerer restore`` on real SQLite and a real PostgreSQL server:
one private archive, secrets out of the config, no silent overwrite, data back after restore."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.backup import PLACEHOLDER, redact_config
from bot.cli import main
from bot.config import load_config
from storage.database import Database
from storage.repositories import Store
from tests.support.cli import (
    PASSWORD,
    TOKEN,
    database_file,
    database_url,
    run_cli,
    toml_string,
    write_config,
)
from tests.support.postgres import PostgresServer

WHEN = datetime(2027, 3, 8, 9, 30, tzinfo=UTC)


def pg_bin() -> Path:
    """The PostgreSQL client tools that ship with the test server, so versions always match
    (found without importing pgserver, which warns at import time)."""
    spec = importlib.util.find_spec("pgserver")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "pginstall" / "bin"


async def audit_entries(url: str) -> list[str]:
    database = Database(url)
    try:
        async with database.session() as session:
            return [entry.detail for entry in await Store(session).audit.latest()]
    finally:
        await database.dispose()


async def office_with_data(directory: Path, url: str | None = None) -> Path:
    """A configured installation: migrated database with one audit entry, and an E2EE store."""
    path = (
        write_config(directory, password=PASSWORD) if url is None else config_with(directory, url)
    )
    config = load_config(path)
    database = Database(config.storage.url)
    await database.migrate()
    async with database.session() as session:
        await Store(session).audit.record(WHEN, "@anna:stadt.example", "note", "room", "!r", "A1")
    await database.dispose()
    store = config.matrix.store_path
    store.mkdir(parents=True)
    (store / "credentials.json").write_text('{"device_id": "KUEMMERERDEV"}', encoding="utf-8")
    return path


def database_url_of(config_path: Path) -> str:
    return load_config(config_path).storage.url


def members(archive: Path) -> dict[str, int]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: stat.S_IMODE(member.mode) for member in tar}


def test_secret_keys_and_url_passwords_are_replaced() -> None:
    """Password, access token, any *secret*/*token* key and a URL's password are replaced;
    comments and ordinary keys stay, and an empty secret stays empty."""
    text = "\n".join(
        [
            "# the bot's login",
            f'password = "{PASSWORD}"',
            f"access_token = '{TOKEN}'",
            'feed_secret = "x1"',
            'api_key="k"',
            'user_id = "@kuemmerer:stadt.example"',
            'url = "postgresql+asyncpg://kuemmerer:Db-Geheim@db.stadt.example/k"',
            'other_token = ""',
        ]
    )
    redacted = redact_config(text)
    for secret in (PASSWORD, TOKEN, "x1", '"k"', "Db-Geheim"):
        assert secret not in redacted
    assert f'password = "{PLACEHOLDER}"' in redacted
    assert f"kuemmerer:{PLACEHOLDER}@db.stadt.example/k" in redacted
    assert 'user_id = "@kuemmerer:stadt.example"' in redacted
    assert "# the bot's login" in redacted and 'other_token = ""' in redacted
    assert redacted.startswith("# Secrets of this file were replaced")


async def test_sqlite_backup_and_restore_into_a_new_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The archive is private, holds manifest, database, store and the redacted config, and a
    restore elsewhere brings the data and the device's store back."""
    config = await office_with_data(tmp_path / "old")
    archive = tmp_path / "kuemmerer.tar.gz"
    assert await run_cli("backup", str(archive), "--config", str(config)) == 0
    assert "Backup written" in capsys.readouterr().out

    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    contents = members(archive)
    assert {"manifest.json", "database/kuemmerer.db", "store/credentials.json"} <= set(contents)
    assert contents["store"] == 0o700
    assert all(mode == 0o600 for name, mode in contents.items() if name != "store")
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        config_text = tar.extractfile("config/config.toml").read().decode()  # type: ignore[union-attr]
    assert manifest["database"] == "sqlite" and manifest["format"] == 1
    assert manifest["revision"]
    assert PASSWORD not in config_text and PLACEHOLDER in config_text

    new_config = write_config(tmp_path / "new")
    assert await run_cli("restore", str(archive), "--config", str(new_config)) == 0
    assert "Restored" in capsys.readouterr().out
    restored = load_config(new_config)
    assert await audit_entries(restored.storage.url) == ["A1"]
    credentials = restored.matrix.store_path / "credentials.json"
    assert "KUEMMERERDEV" in credentials.read_text(encoding="utf-8")
    assert stat.S_IMODE(restored.matrix.store_path.stat().st_mode) == 0o700
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(database_file(tmp_path / "new").stat().st_mode) == 0o600


async def test_backup_while_the_bot_writes_holds_exactly_the_committed_data(
    tmp_path: Path,
) -> None:
    """A backup taken while another connection has committed rows still in the WAL and an
    open, uncommitted transaction holds the committed rows and none of the open one."""
    config = await office_with_data(tmp_path / "office")
    url = database_url_of(config)
    database = Database(url)  # stays open, like the running bot's engine
    async with database.session() as session:
        await Store(session).audit.record(WHEN, "@bernd:stadt.example", "note", "room", "!r", "B2")
    async with database.session() as session:
        await Store(session).audit.record(WHEN, "@carla:stadt.example", "note", "room", "!r", "C3")
        await session.flush()  # written into the open transaction, not committed
        archive = tmp_path / "during.tar.gz"
        assert await run_cli("backup", str(archive), "--config", str(config)) == 0
        await session.rollback()
    await database.dispose()

    new_config = write_config(tmp_path / "new")
    assert await run_cli("restore", str(archive), "--config", str(new_config)) == 0
    assert await audit_entries(load_config(new_config).storage.url) == ["A1", "B2"]


async def test_restore_refuses_existing_data_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Restoring over an installation with data is refused and changes nothing; --force
    replaces it with the backup's state."""
    config = await office_with_data(tmp_path / "office")
    archive = tmp_path / "kuemmerer.tar.gz"
    assert await run_cli("backup", str(archive), "--config", str(config)) == 0
    url = database_url_of(config)
    database = Database(url)
    async with database.session() as session:
        await Store(session).audit.record(WHEN, "@bernd:stadt.example", "note", "room", "!r", "B2")
    await database.dispose()
    capsys.readouterr()

    assert await run_cli("restore", str(archive), "--config", str(config)) == 2
    refusal = capsys.readouterr().err
    assert "already hold data" in refusal and "--force" in refusal
    assert await audit_entries(url) == ["A1", "B2"]

    assert await run_cli("restore", str(archive), "--config", str(config), "--force") == 0
    assert await audit_entries(url) == ["A1"]


def test_a_file_that_is_no_backup_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """restore names the file that is no Kümmerer backup and exits with status 2."""
    config = write_config(tmp_path / "office")
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"Protokoll der Sitzung")
    assert main(["restore", str(not_a_backup), "--config", str(config)]) == 2
    assert "is not a Kümmerer backup" in capsys.readouterr().err
    assert not os.path.exists(database_file(tmp_path / "office"))


@pytest.mark.postgres
async def test_postgresql_backup_and_restore_with_pg_dump(
    tmp_path: Path, postgres_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """pg_dump writes the database into the archive; pg_restore brings it into a new empty
    database, and a second restore there is refused unless forced."""
    source = await postgres_server.create_database()
    config = await office_with_data(tmp_path / "old", url=source)
    archive = tmp_path / "kuemmerer.tar.gz"
    pg = ["--pg-bin", str(pg_bin())]
    backup = ("backup", str(archive), "--config", str(config), *pg)
    assert await run_cli(*backup) == 0, capsys.readouterr()
    assert "database/kuemmerer.dump" in members(archive)

    target = await postgres_server.create_database()
    new_config = config_with(tmp_path / "new", target)
    assert await run_cli("restore", str(archive), "--config", str(new_config), *pg) == 0
    assert await audit_entries(target) == ["A1"]
    capsys.readouterr()
    assert await run_cli("restore", str(archive), "--config", str(new_config), *pg) == 2
    assert "already hold data" in capsys.readouterr().err
    assert await run_cli("restore", str(archive), "--config", str(new_config), *pg, "--force") == 0
    assert await audit_entries(target) == ["A1"]


def config_with(directory: Path, url: str) -> Path:
    """A config file whose database is ``url`` (a PostgreSQL database of the test server)."""
    path = write_config(directory)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(toml_string(database_url(directory)), toml_string(url)), encoding="utf-8"
    )
    return path
