"""The schema comes from Alembic alone: migrations and models agree, and they run both ways."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from storage.database import Database, alembic_config
from storage.models import Base
from storage.search import is_index_table


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
