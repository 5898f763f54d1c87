"""invitations: a meeting invites people (all members or chosen delegates per
Pokja, plus invited persons outside the Pokja)

Revision ID: 0008_invitations
Revises: 0007_guest_form_token
Create Date: 2026-12-02 09:00:00

Every existing Pokja invitation becomes mode "all" (all members of that Pokja
active on the meeting date, plus anyone marked): exactly what it meant before,
so existing meetings keep their rosters and figures.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_invitations"
down_revision = "0007_guest_form_token"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting_pokja", schema=None) as batch_op:
        # The server default fills every existing row with "all".
        batch_op.add_column(
            sa.Column(
                "mode", sa.String(length=10), server_default="all", nullable=False
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_meeting_pokja_mode"), "mode IN ('all', 'delegates')"
        )
    op.create_table(
        "meeting_invitee",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("pokja_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_meeting_invitee_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id", "pokja_id"],
            ["meeting_pokja.meeting_id", "meeting_pokja.pokja_id"],
            name=op.f("fk_meeting_invitee_meeting_id_meeting_pokja"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_meeting_invitee_member_id_member"),
        ),
        sa.PrimaryKeyConstraint(
            "meeting_id", "member_id", name=op.f("pk_meeting_invitee")
        ),
    )
    with op.batch_alter_table("meeting_invitee", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_invitee_member", ["member_id"], unique=False)
        batch_op.create_index(
            "ix_meeting_invitee_pokja", ["pokja_id", "meeting_id"], unique=False
        )
    op.create_table(
        "meeting_external",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("pokja_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=True),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("sex IN ('L', 'P')", name=op.f("ck_meeting_external_sex")),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('hadir', 'izin', 'sakit', 'tidak_hadir')",
            name=op.f("ck_meeting_external_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_meeting_external_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["users.id"],
            name=op.f("fk_meeting_external_marked_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_external_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pokja_id"], ["pokja.id"], name=op.f("fk_meeting_external_pokja_id_pokja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_external")),
    )
    with op.batch_alter_table("meeting_external", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_external_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("meeting_external", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_external_meeting_id"))
    op.drop_table("meeting_external")
    with op.batch_alter_table("meeting_invitee", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_invitee_pokja")
        batch_op.drop_index("ix_meeting_invitee_member")
    op.drop_table("meeting_invitee")
    with op.batch_alter_table("meeting_pokja", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_meeting_pokja_mode"), type_="check")
        batch_op.drop_column("mode")
