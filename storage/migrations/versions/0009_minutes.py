"""Minutes: meeting mode per meeting, its entries (items called, attendance, notes, decisions
and tasks recorded), the agenda item a decision or task belongs to, a committee's quorum.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quorum", sa.Integer(), nullable=True))
    for table in ("decision", "task"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("agenda_item_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_{table}_agenda_item_id",
                "agenda_item",
                ["agenda_item_id"],
                ["id"],
                ondelete="SET NULL",
            )
            batch_op.create_index(batch_op.f(f"ix_{table}_agenda_item_id"), ["agenda_item_id"])

    op.create_table(
        "minutes",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("started_by", sa.String(length=255), nullable=False),
        sa.Column("taker_name", sa.String(length=255), nullable=False),
        sa.Column("current_call_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_room_id"), ["room_id"])

    op.create_table(
        "minutes_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("matrix_id", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["minutes.meeting_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("minutes_entry", schema=None) as batch_op:
        for column in ("meeting_id", "matrix_id", "person_id", "author"):
            batch_op.create_index(batch_op.f(f"ix_minutes_entry_{column}"), [column])


def downgrade() -> None:
    op.drop_table("minutes_entry")
    op.drop_table("minutes")
    for table in ("task", "decision"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_agenda_item_id"))
            batch_op.drop_constraint(f"fk_{table}_agenda_item_id", type_="foreignkey")
            batch_op.drop_column("agenda_item_id")
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.drop_column("quorum")
