"""The search index's tables and the conditions its statements are built of, in SQLAlchemy Core.

The tables are created by migration 0003 (and 0006 for PostgreSQL), not by the models: the FTS5
virtual table cannot be declared in SQLAlchemy metadata, so they are described here, in a
metadata of their own that Alembic never compares. What only FTS5 understands — ``MATCH`` and
its commands (``'rebuild'``, ``'optimize'``, ``'delete'``) — is written as text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TextClause,
    column,
    exists,
    or_,
    table,
    text,
)

KINDS = ("person", "organization", "offer")
# An entry id is the record id with the kind in the high bits: each kind is one contiguous id
# range, which FTS5 can restrict a MATCH to (rowid BETWEEN …) without looking at other kinds.
_KIND_CODES = {"person": 1, "organization": 2, "offer": 3}
_ID_BITS = 40
_INDEX_TABLES = frozenset({"search_entry", "search_facet", "search_word", "search_fts"})

_INDEX = MetaData()
_ENTRY_ID = BigInteger().with_variant(Integer(), "sqlite")
search_entry = Table(
    "search_entry",
    _INDEX,
    Column("id", _ENTRY_ID, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("gemeinde", Text, nullable=False),
)
search_facet = Table(
    "search_facet",
    _INDEX,
    Column("term_id", Integer, primary_key=True),
    Column("entry_id", _ENTRY_ID, primary_key=True),
)
search_word = Table(
    "search_word",
    _INDEX,
    Column("word", String(255), primary_key=True),
    Column("backwards", String(255), nullable=False),
    Column("documents", Integer, nullable=False),
)
# SQLite only: the FTS5 index over search_entry's name and body, keyed by its rowid (the id).
search_fts = table(
    "search_fts", column("rowid", Integer), column("name", Text), column("body", Text)
)


def is_index_table(name: str) -> bool:
    """Whether ``name`` is a table of the search index (incl. FTS5's shadow tables)."""
    return name in _INDEX_TABLES or name.startswith("search_fts_")


def entry_id(kind: str, record_id: int) -> int:
    """The search entry id of a record."""
    return _KIND_CODES[kind] << _ID_BITS | record_id


def kind_range(kind: str) -> tuple[int, int]:
    """The first and the last entry id a kind's records can have."""
    low = _KIND_CODES[kind] << _ID_BITS
    return low, low | ((1 << _ID_BITS) - 1)


def split_entry_id(value: int) -> tuple[str, int]:
    """The kind and the record id of an entry id."""
    code = value >> _ID_BITS
    kind = next(name for name, number in _KIND_CODES.items() if number == code)
    return kind, value & ((1 << _ID_BITS) - 1)


def is_kind(kind: str) -> bool:
    """Whether the index holds records of ``kind``."""
    return kind in _KIND_CODES


@dataclass(frozen=True)
class Filters:
    """What every hit must be, whatever the query: kinds, Gemeinde (folded), terms."""

    kinds: tuple[str, ...]
    gemeinde: str | None
    field_ids: tuple[int, ...]
    target_group_ids: tuple[int, ...]

    @property
    def groups(self) -> list[tuple[int, ...]]:
        """Term filters: a record must have a term of each group."""
        return [ids for ids in (self.field_ids, self.target_group_ids) if ids]

    def ranges(self) -> list[tuple[int, int]]:
        """The entry id ranges of the kinds, adjacent kinds merged."""
        merged: list[tuple[int, int]] = []
        for low, high in sorted(kind_range(kind) for kind in self.kinds):
            if merged and merged[-1][1] + 1 == low:
                merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        return merged


def unindexed(entry: ColumnElement[int]) -> ColumnElement[int]:
    """``entry`` as an expression rather than a column: no index on it is used for a condition
    or an order, so the planner takes the index chosen for it (the name's, a trigram's)."""
    return entry + 0


def in_ranges(entry: ColumnElement[int], ranges: Sequence[tuple[int, int]]) -> ColumnElement[bool]:
    """``entry`` lies in one of the id ranges."""
    parts = [entry.between(low, high) for low, high in ranges]
    return parts[0] if len(parts) == 1 else or_(*parts)


def has_term(term_ids: Collection[int], entry: ColumnElement[int]) -> ColumnElement[bool]:
    """The entry ``entry`` has one of the terms (a facet row, looked up by its key)."""
    facet = search_facet.alias()
    return exists().where(facet.c.entry_id == entry, facet.c.term_id.in_(sorted(term_ids)))


def contains(spellings: Iterable[str], names_only: bool = False) -> ColumnElement[bool]:
    """The entry's name (or text) contains one of the spellings."""
    parts: list[ColumnElement[bool]] = []
    for spelling in spellings:
        pattern = f"%{spelling}%"  # words hold no % or _ (see scoring.words)
        parts.append(search_entry.c.name.like(pattern))
        if not names_only:
            parts.append(search_entry.c.body.like(pattern))
    return or_(*parts)


def filter_conditions(filters: Filters, entry: ColumnElement[int]) -> list[ColumnElement[bool]]:
    """Conditions for kinds, Gemeinde and the field and target group filters."""
    conditions = [in_ranges(entry, filters.ranges())]
    conditions.extend(has_term(group, entry) for group in filters.groups)
    if filters.gemeinde is not None:
        conditions.append(search_entry.c.gemeinde == filters.gemeinde)
    return conditions


# --------------------------------------------------------------------------- FTS5, as text


def fts_group(spellings: Iterable[str]) -> str:
    """An FTS5 expression: any of the spellings as a substring (trigram phrase)."""
    quoted = ('"' + spelling.replace('"', '""') + '"' for spelling in spellings)
    return "(" + " OR ".join(quoted) + ")"


def fts_match(expression: str) -> TextClause:
    """The FTS5 index matches ``expression`` (bound, never spliced in)."""
    return text("search_fts MATCH :fts_expression").bindparams(fts_expression=expression)


FTS_REBUILD = text("INSERT INTO search_fts(search_fts) VALUES('rebuild')")
"""Build the FTS5 index in one pass from search_entry."""
FTS_OPTIMIZE = text("INSERT INTO search_fts(search_fts) VALUES('optimize')")
"""Merge the FTS5 index into one segment: what a deleted row left behind goes."""
FTS_DELETE = text(
    "INSERT INTO search_fts(search_fts, rowid, name, body) VALUES('delete', :id, :name, :body)"
)
"""Take one row out of the FTS5 index; it needs the text the row was indexed with."""
ANALYZE_INDEX = text("ANALYZE search_entry, search_facet, search_word")
"""PostgreSQL: renew the planner's statistics of the index tables."""
