"""Statements and commits counted at the database driver: what a block of code really sends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from storage.database import Database


@contextmanager
def listening(database: Database, name: str, listener: Callable[..., None]) -> Iterator[None]:
    """``listener`` hears the engine's event ``name`` inside the block, and only there."""
    engine = database.engine.sync_engine
    event.listen(engine, name, listener)
    try:
        yield
    finally:
        event.remove(engine, name, listener)


@contextmanager
def counted_statements(database: Database) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block, whatever its kind, in order."""
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with listening(database, "before_cursor_execute", note):
        yield statements


@contextmanager
def counted_selects(database: Database) -> Iterator[list[str]]:
    """Every SELECT sent to the database inside the block, in order (complete once the block
    has ended)."""
    selects: list[str] = []
    with counted_statements(database) as statements:
        yield selects
    selects.extend(s for s in statements if s.lstrip().upper().startswith("SELECT"))


@contextmanager
def counted_commits(database: Database) -> Iterator[list[int]]:
    """One item per transaction committed inside the block."""
    commits: list[int] = []

    def note(_conn: Any) -> None:
        commits.append(len(commits) + 1)

    with listening(database, "commit", note):
        yield commits
