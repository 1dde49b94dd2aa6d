"""Indexes by term on the field and target-group links: reports count per Handlungsfeld.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offer_field", schema=None) as batch_op:
        batch_op.create_index("ix_offer_field_term", ["term_id", "offer_id"], unique=False)

    with op.batch_alter_table("offer_target_group", schema=None) as batch_op:
        batch_op.create_index("ix_offer_target_group_term", ["term_id", "offer_id"], unique=False)

    with op.batch_alter_table("organization_field", schema=None) as batch_op:
        batch_op.create_index(
            "ix_organization_field_term", ["term_id", "organization_id"], unique=False
        )

    with op.batch_alter_table("person_field", schema=None) as batch_op:
        batch_op.create_index("ix_person_field_term", ["term_id", "person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person_field", schema=None) as batch_op:
        batch_op.drop_index("ix_person_field_term")

    with op.batch_alter_table("organization_field", schema=None) as batch_op:
        batch_op.drop_index("ix_organization_field_term")

    with op.batch_alter_table("offer_target_group", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_target_group_term")

    with op.batch_alter_table("offer_field", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_field_term")
