"""meeting evidence: photos and scans of the signed daftar hadir and notulen

Revision ID: 0010_meeting_evidence
Revises: 0008_invitations
Create Date: 2026-12-02 12:00:00

A new table only: meetings recorded before it simply have no evidence yet (the
recap says "tidak ada"), and nothing existing changes meaning.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_meeting_evidence"
down_revision = "0008_invitations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meeting_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=64), nullable=False),
        sa.Column("mimetype", sa.String(length=40), nullable=False),
        sa.Column("original_name", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('daftar_hadir', 'notulen', 'foto')",
            name=op.f("ck_meeting_file_evidence_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_meeting_file_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_file_meeting_id_meeting"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_file")),
        sa.UniqueConstraint("filename", name=op.f("uq_meeting_file_filename")),
        sa.UniqueConstraint(
            "meeting_id", "sha256", name=op.f("uq_meeting_file_meeting_id_sha256")
        ),
    )
    with op.batch_alter_table("meeting_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_file_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("meeting_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_file_meeting_id"))
    op.drop_table("meeting_file")
