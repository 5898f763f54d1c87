"""classification: Kampung KB identity, PKB assignment and profile snapshots;
every Pokja gets its Kampung KB

Revision ID: 0016_classification
Revises: 0013_portal
Create Date: 2026-12-01 15:10:00

New tables; every existing Pokja is carried over as a Kampung KB: name
"Kampung KB <display name>", its kelurahan code (the Pokja's, one of the 43 of
cilegon_wilayah.csv), active as the Pokja is, and the class once set by hand
on the Pokja form kept as recorded_class (pokja.kampung_kb_class stays as it
was; the pages now show the computed class). No profile exists yet: every
Kampung KB is Dasar until one is filled. The lead re-chains the down revision
at merge.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0016_classification'
down_revision = '0015_offline_marks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pkb',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kelurahan_codes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pkb_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pkb'))
    )
    op.create_table('kampung_kb',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=13), nullable=False),
    sa.Column('pokja_id', sa.Integer(), nullable=True),
    sa.Column('rw_coverage', sa.String(length=200), nullable=True),
    sa.Column('launched_on', sa.Date(), nullable=True),
    sa.Column('sk_camat_number', sa.String(length=100), nullable=True),
    sa.Column('sk_camat_date', sa.Date(), nullable=True),
    sa.Column('portal_ref', sa.String(length=300), nullable=True),
    sa.Column('recorded_class', sa.String(length=20), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pokja_id'], ['pokja.id'], name=op.f('fk_kampung_kb_pokja_id_pokja')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kampung_kb')),
    sa.UniqueConstraint('kelurahan_code', name=op.f('uq_kampung_kb_kelurahan_code')),
    sa.UniqueConstraint('pokja_id', name=op.f('uq_kampung_kb_pokja_id'))
    )
    op.create_table('kampung_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kampung_kb_id', sa.Integer(), nullable=False),
    sa.Column('pokja_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('prefilled', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('klass', sa.String(length=20), nullable=False),
    sa.Column('index_input', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('index_proses', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('index_output', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_kampung_profile_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['kampung_kb_id'], ['kampung_kb.id'], name=op.f('fk_kampung_profile_kampung_kb_id_kampung_kb')),
    sa.ForeignKeyConstraint(['pokja_id'], ['pokja.id'], name=op.f('fk_kampung_profile_pokja_id_pokja')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kampung_profile'))
    )
    with op.batch_alter_table('kampung_profile', schema=None) as batch_op:
        batch_op.create_index('ix_kampung_profile_kampung', ['kampung_kb_id', 'year', 'month', 'id'], unique=False)
    _carry_pokja_over()


OLD_CLASS = {
    "dasar": "Dasar",
    "berkembang": "Berkembang",
    "mandiri": "Mandiri",
    "berkelanjutan": "Berkelanjutan",
}


def _carry_pokja_over():
    """One Kampung KB per existing Pokja (its kelurahan, its old class kept)."""
    bind = op.get_bind()
    pokja = bind.execute(
        sa.text("SELECT id, code, display_name, kampung_kb_class, is_active FROM pokja")
    ).all()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    table = sa.Table('kampung_kb', sa.MetaData(), autoload_with=bind)
    op.bulk_insert(table, [
        {
            "name": f"Kampung KB {name}",
            "kelurahan_code": code,
            "pokja_id": pokja_id,
            "recorded_class": OLD_CLASS.get(old or "", old),
            "is_active": bool(active),
            "created_at": now,
            "updated_at": now,
        }
        for pokja_id, code, name, old, active in pokja
    ])


def downgrade():
    with op.batch_alter_table('kampung_profile', schema=None) as batch_op:
        batch_op.drop_index('ix_kampung_profile_kampung')
    op.drop_table('kampung_profile')
    op.drop_table('kampung_kb')
    op.drop_table('pkb')
