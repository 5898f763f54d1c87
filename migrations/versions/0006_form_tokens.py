"""form tokens: one record per create form, whatever the resends

Revision ID: 0006_form_tokens
Revises: 0005_reports
Create Date: 2026-12-01 10:50:00

A new table only: existing records need nothing. KIE entries keep their own
kie_activity.form_token column (it predates this table and is still checked).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_form_tokens"
down_revision = "0005_reports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_submission",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("endpoint", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_submission")),
    )


def downgrade():
    op.drop_table("form_submission")
