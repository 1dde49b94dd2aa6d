"""The schema comes from Alembic alone: migrations and models agree, and they run both ways."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import rebuild_search_index_if_stale
from storage.committees import CommitteeRepository
from storage.database import Database, alembic_config
from storage.models import Base
from storage.repositories import SYNC_TOKEN_KEY, Store
from storage.schedule import ScheduleRepository
from storage.search import is_index_table
from tests.support.postgres import PostgresServer


def _models_only(name: str | None, type_: str, _parents: object) -> bool:
    # The search index (migration 0003) is not in the models: an FTS5 virtual table and its
    # shadow tables cannot be declared in SQLAlchemy metadata, and its plain tables belong to it.
    return not (type_ == "table" and name is not None and is_index_table(name))


async def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    """Upgrading to head yields exactly the tables and columns the models declare."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    await database.migrate()
    await database.dispose()
    with create_engine(f"sqlite:///{tmp_path / 'k.db'}").connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _models_only})
        assert compare_metadata(context, Base.metadata) == []


def test_every_migration_can_be_undone_and_redone(tmp_path: Path) -> None:
    """downgrade base leaves no table behind; upgrading again restores all of them."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_engine(f"sqlite:///{tmp_path / 'k.db'}")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    assert set(Base.metadata.tables) <= set(inspect(create_engine(engine.url)).get_table_names())


# -- upgrades from every earlier revision -----------------------------------------------------

BEFORE = datetime(2027, 3, 8, 9, 30)  # naive UTC, as the schema stores it
# One representative row per table, as an older release would have written it. A row goes into
# every table that exists at the revision under test, with the columns that exist there.
SAMPLE_ROWS: dict[str, dict[str, object]] = {
    "audit_entry": {
        "id": 1,
        "at": BEFORE,
        "actor": "@anna:stadt.example",
        "action": "note",
        "object_type": "room",
        "object_id": "!team",
        "detail": "vor dem Update",
    },
    "sync_state": {"key": SYNC_TOKEN_KEY, "value": "s42_before_update"},
    "schedule_entry": {
        "id": "housekeeping-before-update",
        "kind": "housekeeping",
        "first_at": BEFORE,
        "rule": "FREQ=DAILY",
        "timezone": "Europe/Berlin",
        "payload": "{}",
        "active": True,
        "created_at": BEFORE,
    },
    "person": {
        "id": 1,
        "title": "",
        "name": "Erika Mustermann",
        "name_key": "erika mustermann",
        "email": "erika@schule.example",
        "phone": "",
        "matrix_id": "",
        "gemeinde": "Musterstadt",
        "notes": "",
        "source": "Import 2026",
        "recorded_at": BEFORE,
        "legal_basis": "public_task",
        "updated_at": BEFORE,
    },
    "committee": {
        "id": 1,
        "name": "Bildungsbeirat",
        "name_key": "bildungsbeirat",
        "short_name": "BB",
        "kind": "beirat",
        "room_id": "!beirat",
        "notice_days": 14,
        "item_deadline_days": 7,
        "default_duration_minutes": 120,
        "default_place": "",
        "reminder_offsets_minutes": "[]",
        "allow_room_mention": False,
        "feed_token": "t" * 32,
        "created_at": BEFORE,
        "updated_at": BEFORE,
    },
}


def earlier_revisions() -> list[str]:
    """Every revision before head, oldest first, as the script directory lists them."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    newest_first = [revision.revision for revision in script.walk_revisions()]
    return list(reversed(newest_first[1:]))


async def insert_sample_rows(url: str) -> set[str]:
    """Plain SQL inserts valid at the database's current revision; returns the tables filled."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            schema = await connection.run_sync(
                lambda sync: {
                    table: {column["name"] for column in inspect(sync).get_columns(table)}
                    for table in inspect(sync).get_table_names()
                }
            )
            filled = set()
            for table, row in SAMPLE_ROWS.items():
                if table not in schema:
                    continue
                values = {key: value for key, value in row.items() if key in schema[table]}
                columns = ", ".join(f'"{key}"' for key in values)
                marks = ", ".join(f":{key}" for key in values)
                await connection.execute(
                    text(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'), values
                )
                filled.add(table)
            return filled
    finally:
        await engine.dispose()


async def read_back_through_the_app(url: str, filled: set[str]) -> None:
    """After the upgrade the bot's own repositories find every sample row."""
    database = Database(url)
    try:
        await database.migrate()
        await rebuild_search_index_if_stale(database)  # what the bot does at start-up
        async with database.session() as session:
            store = Store(session)
            if "audit_entry" in filled:
                assert [e.detail for e in await store.audit.latest()] == ["vor dem Update"]
            if "sync_state" in filled:
                assert await store.sync.token() == "s42_before_update"
            if "schedule_entry" in filled:
                entry = await ScheduleRepository(session).get("housekeeping-before-update")
                assert entry is not None and entry.rule == "FREQ=DAILY"
                assert entry.first_at == BEFORE.replace(tzinfo=UTC)
            if "person" in filled:
                person = await store.contacts.person(1)
                assert person is not None and person.email == "erika@schule.example"
            if "committee" in filled:
                committee = await CommitteeRepository(session).named("Bildungsbeirat")
                assert committee is not None and committee.short_name == "BB"
    finally:
        await database.dispose()


def test_there_are_earlier_revisions_to_upgrade_from() -> None:
    """The upgrade test below has something to do: head has ancestors, the first one first."""
    revisions = earlier_revisions()
    assert revisions and revisions[0] == "0001"


@pytest.mark.parametrize("revision", earlier_revisions())
async def test_data_written_at_an_earlier_revision_survives_the_upgrade(
    tmp_path: Path, revision: str
) -> None:
    """A database at ``revision`` with rows from that release upgrades to head, and the bot
    reads every row back."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)
    filled = await insert_sample_rows(url)
    assert {"audit_entry", "sync_state", "schedule_entry"} <= filled
    await read_back_through_the_app(url, filled)


@pytest.mark.postgres
async def test_upgrades_on_postgresql_keep_the_data(postgres_server: PostgresServer) -> None:
    """The same upgrade from every earlier revision, on PostgreSQL."""
    for revision in earlier_revisions():
        url = await postgres_server.create_database()
        await asyncio.to_thread(command.upgrade, alembic_config(url), revision)
        filled = await insert_sample_rows(url)
        await read_back_through_the_app(url, filled)
