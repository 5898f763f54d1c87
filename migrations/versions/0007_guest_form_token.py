"""guest form token: one walk-in per guest form, whatever the resends

Revision ID: 0007_guest_form_token
Revises: 0006_form_tokens
Create Date: 2026-12-01 12:00:00

A nullable column: guests recorded before it have no token and keep their rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_guest_form_token"
down_revision = "0006_form_tokens"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting_guest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_token", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_meeting_guest_form_token"), ["form_token"]
        )


def downgrade():
    with op.batch_alter_table("meeting_guest", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_meeting_guest_form_token"), type_="unique"
        )
        batch_op.drop_column("form_token")
