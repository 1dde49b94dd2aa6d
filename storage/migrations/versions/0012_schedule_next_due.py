"""Each schedule entry's next due moment, indexed, so a wake-up reads only what is due, and a
count of its writes, so a wake-up does not overwrite a change made while it looked (issue 12).

Revision ID: 0012
Revises: 0011_outbox_due

The exact moment needs the recurrence rules, which the migration cannot use (they belong to
``commands/``, and a migration must not change with the application code). Every active
entry gets its ``first_at`` instead: no occurrence comes before it, so it is a safe lower
bound. The scheduler's first wake-up after the upgrade then looks at each such entry once,
catches up what it finds due, exactly as before, and stores the exact next moment.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011_outbox_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedule_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.create_index("ix_schedule_entry_due", ["active", "next_due"])
    entries = sa.table(
        "schedule_entry",
        sa.column("active", sa.Boolean()),
        sa.column("first_at", sa.DateTime()),
        sa.column("next_due", sa.DateTime()),
    )
    op.execute(
        entries.update().where(entries.c.active.is_(True)).values(next_due=entries.c.first_at)
    )


def downgrade() -> None:
    with op.batch_alter_table("schedule_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_entry_due")
        batch_op.drop_column("revision")
        batch_op.drop_column("next_due")
