"""classification: the class stored with each monthly hand-in; the SK Camat scan

Revision ID: 0017_classification_handin
Revises: 0016_classification
Create Date: 2026-12-01 17:40:00

monthly_report gets klass, index_input, index_proses, index_output and
class_scores: the Kampung KB class at the moment a month is handed in. Reports
handed in before this revision keep them empty (NULL, shown as "kelas tidak
tercatat"): they are not recomputed, because the profile and portal records of
that moment cannot be told apart from today's, and a class computed now would
pass today's figures off as history. kampung_kb gets the SK Camat scan's file
name, type, original name and upload time, empty for every Kampung KB. The PKB
table is unchanged (its page arrives with this revision). The lead re-chains the
down revision at merge.
"""

import sqlalchemy as sa
from alembic import op

revision = '0017_classification_handin'
down_revision = '0016_classification'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('monthly_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('klass', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('index_input', sa.Numeric(precision=4, scale=2), nullable=True))
        batch_op.add_column(sa.Column('index_proses', sa.Numeric(precision=4, scale=2), nullable=True))
        batch_op.add_column(sa.Column('index_output', sa.Numeric(precision=4, scale=2), nullable=True))
        batch_op.add_column(sa.Column('class_scores', sa.JSON(), nullable=True))
    with op.batch_alter_table('kampung_kb', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sk_scan_filename', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('sk_scan_mimetype', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('sk_scan_original_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('sk_scan_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_kampung_kb_sk_scan_filename'), ['sk_scan_filename'])


def downgrade():
    with op.batch_alter_table('kampung_kb', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_kampung_kb_sk_scan_filename'), type_='unique')
        batch_op.drop_column('sk_scan_at')
        batch_op.drop_column('sk_scan_original_name')
        batch_op.drop_column('sk_scan_mimetype')
        batch_op.drop_column('sk_scan_filename')
    with op.batch_alter_table('monthly_report', schema=None) as batch_op:
        batch_op.drop_column('class_scores')
        batch_op.drop_column('index_output')
        batch_op.drop_column('index_proses')
        batch_op.drop_column('index_input')
        batch_op.drop_column('klass')
