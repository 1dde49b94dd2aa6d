"""The sync state that makes restarts and the first start safe, in a real SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.database import Database
from storage.repositories import Store


async def test_the_moment_of_installation_is_kept_with_the_first_token(
    database: Database,
) -> None:
    """A database from before the moment was recorded has none; once saved, it reads back exact."""
    first_sync = datetime(2027, 3, 5, 13, 0, 0, 123456, tzinfo=UTC)
    async with database.session() as session:
        assert await Store(session).sync.installed_at() is None
        await Store(session).sync.save_installed_at(first_sync)
        await Store(session).sync.save_token("s42_1")
    async with database.session() as session:
        assert await Store(session).sync.installed_at() == first_sync
        assert await Store(session).sync.token() == "s42_1"
