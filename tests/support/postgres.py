"""A private PostgreSQL server for the test session, handing each test its own database."""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

from storage.database import Database


@dataclass
class PostgresServer:
    """A private PostgreSQL server for the test session; each test gets its own database."""

    socket_dir: str
    admin_uri: str
    _migrated_template: str | None = None
    # The next test's copy of the template, made in a worker thread while this test runs:
    # copying costs about a second, mostly waiting for PostgreSQL's checkpoint.
    _spare: Future[str] | None = None
    _copier: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1))

    def url_for(self, database_name: str) -> str:
        """The SQLAlchemy URL of ``database_name`` on this server (asyncpg over the socket)."""
        return f"postgresql+asyncpg://postgres@/{database_name}?host={self.socket_dir}"

    async def _admin(self, statement: str) -> None:
        import asyncpg  # imported here so SQLite-only runs need no driver

        connection = await asyncpg.connect(self.admin_uri)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def create_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template``; returns its SQLAlchemy URL."""
        name = f"k_{secrets.token_hex(6)}"
        # FILE_COPY: a small template is copied faster as files than through the WAL.
        copy = "" if template is None else f' TEMPLATE "{template}" STRATEGY FILE_COPY'
        await self._admin(f'CREATE DATABASE "{name}"{copy}')
        return self.url_for(name)

    async def create_migrated_database(self) -> str:
        """A new database at the newest revision; returns its SQLAlchemy URL.

        Alembic migrates one template per session; each test gets a copy of it, made in a
        fraction of the time that running every revision takes.
        """
        template_name = self._migrated_template
        if template_name is None:
            url = await self.create_database()
            template = Database(url)
            await template.migrate()
            await template.dispose()
            template_name = self._migrated_template = str(make_url(url).database)
        spare = self._spare or self._copier.submit(self._copy_blocking, template_name)
        self._spare = self._copier.submit(self._copy_blocking, template_name)
        return await asyncio.wrap_future(spare)

    def _copy_blocking(self, template: str) -> str:
        # The worker thread has no event loop of its own; the test's loop stays free.
        return asyncio.run(self.create_database(template=template))

    async def drop_database(self, url: str) -> None:
        """Remove the database of ``url`` (its connections are closed by force)."""
        await self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        """Let the copy in hand finish before the server goes; the last spare goes with it."""
        self._copier.shutdown(wait=True)
