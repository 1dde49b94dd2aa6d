"""Database, its WAL companions and the E2EE store are private whatever the umask says."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.matrix import login
from storage.database import Database
from tests.support.matrix import People, bot_config


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def careless_umask() -> Iterator[None]:
    """A umask that lets everyone read and write new files, as on a badly set up server."""
    previous = os.umask(0)
    yield
    os.umask(previous)


async def test_a_new_database_and_its_directory_are_private(
    tmp_path: Path, careless_umask: None
) -> None:
    """A new SQLite file is 0600 with its -wal and -shm, and the directories made for it 0700."""
    path = tmp_path / "var" / "kuemmerer" / "kuemmerer.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await database.migrate()
        async with database.session() as session:
            # An open connection in WAL mode keeps the -wal and -shm files on disk.
            await session.execute(text("SELECT count(*) FROM sync_state"))
            assert mode_of(path) == 0o600
            assert mode_of(path.with_name("kuemmerer.db-wal")) == 0o600
            assert mode_of(path.with_name("kuemmerer.db-shm")) == 0o600
    finally:
        await database.dispose()
    assert mode_of(path.parent) == 0o700 and mode_of(path.parent.parent) == 0o700


async def test_an_existing_database_readable_by_others_is_tightened(tmp_path: Path) -> None:
    """A database file (and a left-over -wal) that others may read is made 0600 at start; the
    directory the administrator chose keeps its mode."""
    tmp_path.chmod(0o755)
    path = tmp_path / "kuemmerer.db"
    first = Database(f"sqlite+aiosqlite:///{path}")
    await first.migrate()
    await first.dispose()
    wal = path.with_name("kuemmerer.db-wal")
    wal.write_bytes(b"")
    path.chmod(0o644)
    wal.chmod(0o664)
    again = Database(f"sqlite+aiosqlite:///{path}")
    await again.dispose()
    assert mode_of(path) == 0o600 and mode_of(wal) == 0o600
    assert mode_of(tmp_path) == 0o755


@pytest.mark.synapse
async def test_the_e2ee_store_is_created_private(
    people: People, tmp_path: Path, careless_umask: None
) -> None:
    """The store with the device keys and access token is 0700, like the directories above it
    that the bot made; the saved credentials are 0600."""
    bot_user = await people.register("kuemmerer")
    config = bot_config(people.synapse, bot_user, tmp_path / "data", "!team:localhost")
    client = await login(config)
    await client.close()
    store = config.matrix.store_path
    assert mode_of(store) == 0o700 and mode_of(store.parent) == 0o700
    assert mode_of(store / "credentials.json") == 0o600
