"""Engine, sessions and migrations. Alembic owns the schema from the first table on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from storage.private_files import create_private_file, make_private, make_private_directory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic configuration for ``url`` without an ini file on disk."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _prepare_sqlite_files(url: str) -> None:
    """The database file and its directory exist and are private (0600, a new directory 0700):
    they hold personal data. An existing file that others could read is tightened."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database)
        make_private_directory(database.parent)
        # SQLite creates its -wal and -shm files with the mode of the database file, so the
        # file is made before SQLite opens it; older companions are tightened like the file.
        create_private_file(database)
        for suffix in ("-wal", "-shm", "-journal"):
            make_private(database.with_name(database.name + suffix))


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # WAL lets the audit CLI read while the bot writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Erased personal data must not linger in free pages of the file (DSGVO Art. 17).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _postgres_settings(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Prepared statements are planned once for any values after five runs. A search statement
    # keeps its shape while its LIKE pattern ranges from a name found once to a word found in
    # every entry; a plan cached for one fits the other badly, so each run is planned anew.
    cursor = dbapi_connection.cursor()
    cursor.execute("SET plan_cache_mode = force_custom_plan")
    cursor.close()
    # The driver opened a transaction for the SET; were it rolled back with the connection's
    # first unit of work, the setting would be gone for the connection's life.
    dbapi_connection.commit()


async def _to_the_end(cleanup: Awaitable[None]) -> None:
    """Await ``cleanup`` even if the current task is cancelled meanwhile, however often; the
    cancellation is passed on once it has finished."""
    task = asyncio.ensure_future(cleanup)
    cancelled = False
    while True:
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.done():
                raise  # the cleanup itself was cancelled: nothing left to wait for
            # A second cancel (a shutdown cancelling what it already cancelled once) must not
            # reach the cleanup either: an unfinished rollback is logged by the pool later.
            cancelled = True
            continue
        break
    if cancelled:
        raise asyncio.CancelledError


class Database:
    """The one engine of the process and a factory for its sessions."""

    def __init__(self, url: str) -> None:
        self.url = url
        _prepare_sqlite_files(url)
        self.engine: AsyncEngine = create_async_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        elif self.engine.dialect.name == "postgresql":
            event.listen(self.engine.sync_engine, "connect", _postgres_settings)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        # Alembic's env.py runs its own event loop, so it gets a thread of its own.
        await asyncio.to_thread(command.upgrade, alembic_config(self.url), "head")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block succeeds, rolled back when it raises.

        The rollback and the return of the connection run to their end even when the task is
        being cancelled (a shutdown): a connection dropped half-way would be reset by the pool
        later, from the garbage collector, with an error in the log.
        """
        session = self._sessions()
        try:
            yield session
            await session.commit()
        except BaseException:
            await _to_the_end(session.rollback())
            raise
        finally:
            await _to_the_end(session.close())

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query (for the health check)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
