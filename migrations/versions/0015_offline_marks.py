"""offline roll call: the keys of the queued entries already applied

Revision ID: 0015_offline_marks
Revises: 0011_poktan
Create Date: 2026-12-01 14:50:00

A new table only: existing marks and guests keep their meaning.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_offline_marks"
down_revision = "0014_adminduk"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "offline_entry",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("device_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_offline_entry_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_offline_entry_user_id_users")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_offline_entry")),
    )
    with op.batch_alter_table("offline_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offline_entry_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("offline_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offline_entry_meeting_id"))
    op.drop_table("offline_entry")
