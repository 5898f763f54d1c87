"""referral_first_event: the database writes every case's first history line

Revision ID: 0018_referral_first_event
Revises: 0017_classification_handin
Create Date: 2026-12-01 17:40:00

A trigger after each INSERT into referral adds its first referral_event row
(kind status, to diajukan, holder pokja, the row's created_by_id and created_at,
note "Rujukan dibuat."), as the app did with a statement of its own: the intake
POST and a sidang's batch POSTs fit the 6-statement budget. No data changes:
every existing case keeps its history as it is (it already has that line).
"""

from alembic import op

revision = '0018_referral_first_event'
down_revision = '0017_classification_handin'
branch_labels = None
depends_on = None

# A frozen copy of kkbweb.referrals.models.FIRST_EVENT_SQL.
_FIRST_EVENT = (
    "INSERT INTO referral_event (referral_id, kind, from_status, to_status, "
    "user_id, at, note, holder) VALUES (NEW.id, 'status', NULL, 'diajukan', "
    "NEW.created_by_id, NEW.created_at, 'Rujukan dibuat.', 'pokja');"
)
FIRST_EVENT_SQL = {
    "sqlite": [
        "CREATE TRIGGER referral_first_event AFTER INSERT ON referral "
        f"BEGIN {_FIRST_EVENT} END"
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION referral_first_event() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {_FIRST_EVENT} RETURN NEW; END $$",
        "CREATE TRIGGER referral_first_event AFTER INSERT ON referral "
        "FOR EACH ROW EXECUTE FUNCTION referral_first_event()",
    ],
}


def upgrade():
    for statement in FIRST_EVENT_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS referral_first_event ON referral")
        op.execute("DROP FUNCTION IF EXISTS referral_first_event()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS referral_first_event")
