"""reports: monthly report hand-ins and their history; recap indexes

Also indexes on other features' tables that keep the monthly recap within its
month, whatever the history: member (the roster of a meeting date), kie_activity
(entries by type and method with their people and reach), referral_event (a
referral's last status change before a month's end) and referral (opened,
completed and handed over in a month, by Pokja and type). Each lets a recap
query read the index alone; see kkbweb/reports/models.py and docs/reports.md.

Revision ID: 0005_reports
Revises: 0004_referrals
Create Date: 2026-11-28 03:06:43.007492

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_reports"
down_revision = "0004_referrals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pokja_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("first_submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pokja_id"], ["pokja.id"], name=op.f("fk_monthly_report_pokja_id_pokja")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_monthly_report_reviewed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_monthly_report_submitted_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_report")),
        sa.UniqueConstraint(
            "pokja_id", "year", "month", name="uq_monthly_report_month"
        ),
    )
    with op.batch_alter_table("monthly_report", schema=None) as batch_op:
        batch_op.create_index(
            "ix_monthly_report_month", ["year", "month"], unique=False
        )

    op.create_table(
        "monthly_report_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["monthly_report.id"],
            name=op.f("fk_monthly_report_event_report_id_monthly_report"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_monthly_report_event_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_report_event")),
    )
    with op.batch_alter_table("monthly_report_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monthly_report_event_report_id"), ["report_id"], unique=False
        )

    with op.batch_alter_table("kie_activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kie_activity_recap",
            [
                "pokja_id",
                "activity_date",
                "activity_type",
                "method_id",
                "participants_male",
                "participants_female",
                "estimated_reach",
            ],
            unique=False,
        )

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_roster",
            ["pokja_id", "active_from", "active_until", "is_active"],
            unique=False,
        )

    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_recap_completed",
            ["completed_at", "pokja_id", "doc_type"],
            unique=False,
        )
        batch_op.create_index(
            "ix_referral_recap_created",
            ["created_at", "pokja_id", "doc_type"],
            unique=False,
        )
        batch_op.create_index(
            "ix_referral_recap_handed",
            ["handed_over_at", "pokja_id", "doc_type", "created_at"],
            unique=False,
        )

    with op.batch_alter_table("referral_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_event_history",
            ["referral_id", "kind", "at", "to_status"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("referral_event", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_event_history")

    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_recap_handed")
        batch_op.drop_index("ix_referral_recap_created")
        batch_op.drop_index("ix_referral_recap_completed")

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_roster")

    with op.batch_alter_table("kie_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_kie_activity_recap")

    with op.batch_alter_table("monthly_report_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_report_event_report_id"))

    op.drop_table("monthly_report_event")
    with op.batch_alter_table("monthly_report", schema=None) as batch_op:
        batch_op.drop_index("ix_monthly_report_month")

    op.drop_table("monthly_report")
