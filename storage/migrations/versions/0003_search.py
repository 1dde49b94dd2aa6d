"""Search index: folded documents, facets and words; on SQLite an FTS5 trigram index over them.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ENTRY_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # One row per searchable record. The id encodes kind and record id (storage/search.py), so a
    # kind is a contiguous id range: that keeps kind filters inside the FTS5 rowid range.
    op.create_table(
        "search_entry",
        # INTEGER (not BIGINT) on SQLite: only that makes the column the rowid, which the FTS5
        # index refers to; SQLite's INTEGER holds 64 bits anyway.
        sa.Column("id", _ENTRY_ID, autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("gemeinde", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_search_entry_name", "search_entry", ["name"])
    op.create_index("ix_search_entry_gemeinde", "search_entry", ["gemeinde", "name"])
    op.create_table(
        "search_facet",
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", _ENTRY_ID, nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["search_entry.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term_id", "entry_id"),
    )
    op.create_index("ix_search_facet_entry_id", "search_facet", ["entry_id"])
    op.create_table(
        "search_word",
        sa.Column("word", sa.String(length=255), nullable=False),
        sa.Column("backwards", sa.String(length=255), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("word"),
    )
    op.create_index("ix_search_word_backwards", "search_word", ["backwards"])
    if op.get_bind().dialect.name == "sqlite":
        # External content: the text lives once, in search_entry. The trigram tokenizer makes
        # every substring of three or more characters findable (German compounds: "arbeit"
        # finds "Schulsozialarbeit"). No bm25 ranking is used, so no column sizes are kept.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "name, body, content='search_entry', content_rowid='id', "
            "tokenize='trigram', columnsize=0)"
        )
    # Other dialects (PostgreSQL) search search_entry with LIKE for now; an index of their
    # own (pg_trgm) comes with PostgreSQL support. The index starts empty: SearchIndex.rebuild()
    # fills it from the records.


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    op.drop_index("ix_search_word_backwards", table_name="search_word")
    op.drop_table("search_word")
    op.drop_index("ix_search_facet_entry_id", table_name="search_facet")
    op.drop_table("search_facet")
    op.drop_index("ix_search_entry_gemeinde", table_name="search_entry")
    op.drop_index("ix_search_entry_name", table_name="search_entry")
    op.drop_table("search_entry")
