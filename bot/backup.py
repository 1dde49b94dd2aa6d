"""``kuemmerer backup`` and ``kuemmerer restore``: one tar.gz with everything a new server needs.

The archive holds a consistent snapshot of the database, the E2EE store (device keys and the
saved login, so a restored bot is the same Matrix device), the configuration with its secrets
removed, and a manifest. It is as sensitive as the store itself: it is written with mode 0600.

Layout::

    manifest.json          format, program version, Alembic revision, time, database kind
    database/kuemmerer.db  SQLite: a snapshot by SQLite's online backup API
    database/kuemmerer.dump  PostgreSQL: ``pg_dump --format=custom``
    store/…                the directory of ``matrix.store_path``
    config/config.toml     the configuration file, secrets replaced by a placeholder

This module copies databases as files and dumps rather than through ``storage/``: a snapshot
must be taken by the database's own tools (SQLite's backup API, ``pg_dump``) to be consistent
while the bot keeps writing, and no SQL is written here.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Config
from commands.framework.clock import Clock, SystemClock

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/kuemmerer.db"
POSTGRES_MEMBER = "database/kuemmerer.dump"
STORE_PREFIX = "store"
CONFIG_MEMBER = "config/config.toml"
PLACEHOLDER = "REMOVED-IN-BACKUP"
REDACTION_NOTE = (
    f"# Secrets of this file were replaced by {PLACEHOLDER} when the backup was made.\n"
    "# Fill them in (or set KUEMMERER_MATRIX_PASSWORD etc.) before starting the bot.\n"
)
# Keys whose values are secrets wherever they appear: password, access_token, feed_secret, …
_SECRET_KEY = re.compile(r"(pass(word|wd)?|secret|token|api_?key|private_?key|credential)", re.I)
_ASSIGNMENT = re.compile(
    r"^(?P<key>\s*[\"']?(?P<name>[A-Za-z0-9_.-]+)[\"']?\s*=\s*)(?P<value>.*)$"
)
# user:password@ in a database URL (storage.url may carry the PostgreSQL password).
_URL_PASSWORD = re.compile(r"(?P<head>://[^:/@\s\"']+:)[^@\s\"']+(?P<tail>@)")


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    """What the archive holds, read before anything is restored."""

    format: int
    version: str
    revision: str | None
    created_at: str
    database: str  # "sqlite" or "postgresql"

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2).encode() + b"\n"

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw: dict[str, Any] = json.loads(data)
        return cls(
            format=int(raw["format"]),
            version=str(raw["version"]),
            revision=raw.get("revision"),
            created_at=str(raw["created_at"]),
            database=str(raw["database"]),
        )


def redact_config(text: str) -> str:
    """The configuration text with every secret value replaced by :data:`PLACEHOLDER`.

    Line by line, so comments and layout stay as the admin wrote them.
    """
    lines = []
    for line in text.splitlines():
        match = _ASSIGNMENT.match(line)
        if match and _SECRET_KEY.search(match.group("name")) and match.group("value").strip():
            value = match.group("value").strip()
            empty = value in ('""', "''")
            line = line if empty else f'{match.group("key")}"{PLACEHOLDER}"'
        lines.append(_URL_PASSWORD.sub(rf"\g<head>{PLACEHOLDER}\g<tail>", line))
    return REDACTION_NOTE + "\n".join(lines) + "\n"


def database_kind(url: str) -> str:
    """``sqlite`` or ``postgresql`` for a SQLAlchemy URL; other databases are refused."""
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {backend}")
    return backend


def program_version() -> str:
    try:
        return metadata.version("kuemmerer")
    except metadata.PackageNotFoundError:
        return "unknown"


# ----------------------------------------------------------------------------- backup


async def create_backup(
    config: Config,
    target: Path,
    *,
    config_file: Path | None = None,
    pg_bin: Path | None = None,
    clock: Clock | None = None,
) -> Manifest:
    """Write the archive ``target`` (mode 0600); safe while the bot is running."""
    kind = database_kind(config.storage.url)
    now = (clock or SystemClock()).now()
    with tempfile.TemporaryDirectory(prefix="kuemmerer-backup-") as scratch:
        work = Path(scratch)
        if kind == "sqlite":
            snapshot = work / "kuemmerer.db"
            await asyncio.to_thread(_sqlite_snapshot, _sqlite_path(config.storage.url), snapshot)
            revision = await _revision(f"sqlite+aiosqlite:///{snapshot}")
            database_member = SQLITE_MEMBER
        else:
            snapshot = work / "kuemmerer.dump"
            await asyncio.to_thread(_pg_dump, config.storage.url, snapshot, pg_bin)
            revision = await _revision(config.storage.url)
            database_member = POSTGRES_MEMBER
        manifest = Manifest(ARCHIVE_FORMAT, program_version(), revision, now.isoformat(), kind)
        store_copy = work / "store"
        await asyncio.to_thread(_copy_store, Path(config.matrix.store_path), store_copy)
        redacted = None
        if config_file is not None:
            redacted = redact_config(config_file.read_text(encoding="utf-8")).encode()
        await asyncio.to_thread(
            _write_archive, target, manifest, (database_member, snapshot), store_copy, redacted
        )
    return manifest


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sqlite_snapshot(source: Path, target: Path) -> None:
    """A consistent copy by SQLite's online backup API, even while the bot writes (WAL)."""
    if not source.exists():
        raise BackupError(f"the database {source} does not exist")
    # Read-only URI: the backup must never create or change the live database.
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as live,
        closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy)


def _copy_store(store: Path, target: Path) -> None:
    """The E2EE store; its SQLite files are copied by the backup API, the rest as files."""
    if not store.is_dir():
        raise BackupError(f"the E2EE store {store} does not exist (matrix.store_path)")
    target.mkdir(mode=0o700)
    for path in sorted(store.rglob("*")):
        relative = path.relative_to(store)
        destination = target / relative
        if path.is_dir():
            destination.mkdir(mode=0o700, exist_ok=True)
        elif path.name.endswith(("-wal", "-shm", "-journal")):
            continue  # part of the database next to it, which the backup API copies whole
        elif _is_sqlite_file(path):
            _sqlite_snapshot(path, destination)
        elif path.is_file():
            shutil.copyfile(path, destination)


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def _libpq_arguments(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore/psql; the password goes in the environment,
    where other users cannot read it (a command line shows up in ``ps``)."""
    parsed: URL = make_url(url)
    options: list[str] = []
    host = parsed.host or parsed.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    if host:
        options += ["--host", str(host)]
    if parsed.port:
        options += ["--port", str(parsed.port)]
    if parsed.username:
        options += ["--username", parsed.username]
    environment = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    if not parsed.database:
        raise BackupError("storage.url names no PostgreSQL database")
    return [*options, "--dbname", parsed.database], environment


def _tool(name: str, pg_bin: Path | None) -> str:
    if pg_bin is not None:
        candidate = pg_bin / name
        if not candidate.is_file():
            raise BackupError(f"{candidate} does not exist (--pg-bin)")
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH; install the PostgreSQL client tools of the server's "
            "version or name their directory with --pg-bin"
        )
    return found


def _run(command: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.returncode}")


def _pg_dump(url: str, target: Path, pg_bin: Path | None) -> None:
    connection, environment = _libpq_arguments(url)
    command = [_tool("pg_dump", pg_bin), "--format=custom", "--no-owner", "--no-privileges"]
    _run([*command, "--file", str(target), *connection], environment)


async def _revision(url: str) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()


def _write_archive(
    target: Path,
    manifest: Manifest,
    database: tuple[str, Path],
    store: Path,
    config_text: bytes | None,
) -> None:
    """Write to a private temporary file beside ``target``, then rename: never half a backup."""
    target = target.resolve()
    partial = target.with_name(f".{target.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, MANIFEST, manifest.to_json())
            _add_file(tar, database[0], database[1])
            _add_directory(tar, STORE_PREFIX)
            for path in sorted(store.rglob("*")):
                name = f"{STORE_PREFIX}/{path.relative_to(store).as_posix()}"
                if path.is_dir():
                    _add_directory(tar, name)
                else:
                    _add_file(tar, name, path)
            if config_text is not None:
                _add_bytes(tar, CONFIG_MEMBER, config_text)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _info(name: str, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mode = mode
    info.uname = info.gname = ""
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = _info(name, 0o600)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> None:
    info = _info(name, 0o600)
    info.size = path.stat().st_size
    with path.open("rb") as handle:
        tar.addfile(info, handle)


def _add_directory(tar: tarfile.TarFile, name: str) -> None:
    info = _info(name, 0o700)
    info.type = tarfile.DIRTYPE
    tar.addfile(info)


# ----------------------------------------------------------------------------- restore


def read_manifest(archive: Path) -> Manifest:
    """The manifest of ``archive``; refuses files that are no Kümmerer backup."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = Manifest.from_json(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{archive} is not a Kümmerer backup: {error}") from None
    if manifest.format != ARCHIVE_FORMAT:
        raise BackupError(f"{archive} has archive format {manifest.format}; this version reads 1")
    return manifest


async def restore_backup(
    archive: Path, config: Config, *, force: bool = False, pg_bin: Path | None = None
) -> Manifest:
    """Bring database and E2EE store of ``archive`` to where ``config`` keeps them.

    Existing data is refused unless ``force``: a restore over a running installation would
    mix two devices' keys or two databases.
    """
    manifest = read_manifest(archive)
    kind = database_kind(config.storage.url)
    if manifest.database != kind:
        raise BackupError(
            f"the backup holds a {manifest.database} database, but storage.url is {kind}; "
            "restore into the same kind of database"
        )
    store = Path(config.matrix.store_path)
    if not force:
        occupied = [str(store)] if store.exists() and any(store.iterdir()) else []
        if kind == "sqlite":
            database = _sqlite_path(config.storage.url)
            if database.exists() and database.stat().st_size > 0:
                occupied.append(str(database))
        elif await _table_names(config.storage.url):
            occupied.append(f"the PostgreSQL database {make_url(config.storage.url).database}")
        if occupied:
            raise BackupError(
                f"{' and '.join(occupied)} already hold data; "
                "stop the bot and add --force to replace them"
            )
    with tempfile.TemporaryDirectory(prefix="kuemmerer-restore-") as scratch:
        work = Path(scratch)
        await asyncio.to_thread(_extract, archive, work)
        if kind == "sqlite":
            await asyncio.to_thread(
                _place_sqlite, work / SQLITE_MEMBER, _sqlite_path(config.storage.url)
            )
        else:
            await asyncio.to_thread(
                _pg_restore, work / POSTGRES_MEMBER, config.storage.url, pg_bin, force
            )
        await asyncio.to_thread(_place_store, work / STORE_PREFIX, store)
    return manifest


def _extract(archive: Path, target: Path) -> None:
    """Regular files and directories only, inside ``target``, with private permissions."""
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            name = PurePosixPath(member.name)
            if name.is_absolute() or ".." in name.parts:
                raise BackupError(f"{archive} holds an unsafe path: {member.name}")
            destination = target.joinpath(*name.parts)
            if member.isdir():
                destination.mkdir(mode=0o700, parents=True, exist_ok=True)
            elif member.isfile():
                destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None  # a regular file always has contents
                descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as handle:
                    shutil.copyfileobj(source, handle)
            else:
                raise BackupError(f"{archive} holds something that is no file: {member.name}")


def _place_sqlite(snapshot: Path, database: Path) -> None:
    if not snapshot.is_file():
        raise BackupError("the backup holds no SQLite database")
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)  # an old WAL beside the new file would corrupt it
    partial = database.with_name(database.name + ".restoring")
    shutil.copyfile(snapshot, partial)
    os.chmod(partial, 0o600)
    os.replace(partial, database)


def _pg_restore(dump: Path, url: str, pg_bin: Path | None, force: bool) -> None:
    if not dump.is_file():
        raise BackupError("the backup holds no PostgreSQL dump")
    connection, environment = _libpq_arguments(url)
    command = [_tool("pg_restore", pg_bin), "--no-owner", "--no-privileges", "--exit-on-error"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, *connection, str(dump)], environment)


def _place_store(source: Path, store: Path) -> None:
    if not source.is_dir():
        raise BackupError("the backup holds no E2EE store")
    if store.exists():
        shutil.rmtree(store)  # only reached with --force or when the directory is empty
    store.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, store)
    for path in [store, *store.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


async def _table_names(url: str) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()


def describe_manifest(manifest: Manifest) -> str:
    """One line for the admin: what a backup holds."""
    return (
        f"Kümmerer {manifest.version}, {manifest.database} database at revision "
        f"{manifest.revision or '(none)'}, made {manifest.created_at}"
    )
