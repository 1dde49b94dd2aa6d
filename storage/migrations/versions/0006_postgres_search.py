"""PostgreSQL only: trigram indexes for search (pg_trgm) and byte order for folded text columns.

Revision ID: 0006
Revises: 0005

SQLite has FTS5 (0003); on PostgreSQL, GIN trigram indexes let ``LIKE '%…%'`` over the folded
name and text of ``search_entry`` use an index, so every substring of three or more letters is
found as on SQLite. The server's locale (de_DE.UTF-8 on a municipal server) would otherwise sort
and compare the folded columns differently from SQLite; "C" gives both the same byte order.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (table, column, type): folded text that is sorted, compared by range or searched by LIKE.
_BYTE_ORDERED = (
    ("search_entry", "name", "text"),
    ("search_entry", "body", "text"),
    ("search_entry", "gemeinde", "text"),
    ("search_word", "word", "varchar(255)"),
    ("search_word", "backwards", "varchar(255)"),
    ("person", "name_key", "varchar(255)"),
    ("organization", "name_key", "varchar(255)"),
    ("committee", "name_key", "varchar(255)"),
    ("offer", "title", "varchar(255)"),
)
_TRIGRAM_INDEXES = (("ix_search_entry_name_trgm", "name"), ("ix_search_entry_body_trgm", "body"))
# Which known words contain a query word: how dense its matches are (storage/search.py).
_WORD_INDEX = "ix_search_word_trgm"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension: the database owner may create it (or a DBA beforehand).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, type_ in _BYTE_ORDERED:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE {type_} COLLATE "C"')
    for index, column in _TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX {index} ON search_entry USING gin ({column} gin_trgm_ops)")
        # The planner guesses how many entries a LIKE '%…%' matches from a sample; the default
        # sample is too small for names, and it walks the whole table for a rare one.
        op.execute(f"ALTER TABLE search_entry ALTER COLUMN {column} SET STATISTICS 1000")
    op.execute(f"CREATE INDEX {_WORD_INDEX} ON search_word USING gin (word gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX {_WORD_INDEX}")
    for index, column in _TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX {index}")
        op.execute(f"ALTER TABLE search_entry ALTER COLUMN {column} SET STATISTICS -1")
    for table, column, type_ in _BYTE_ORDERED:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE {type_} COLLATE "default"')
    # The extension stays: a DBA may have created it, and other objects may rely on it.
