"""The outbox keeps when a post was due, so one delivered late (the homeserver was down) can
say so (issue 12).

Revision ID: 0011_outbox_due
Revises: 0010

Only a new nullable column: existing rows are replies or posts from before, with no due moment.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_outbox_due"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("due_at")
