"""referrals: residents, referrals, their papers and history, checklist templates

The checklist table is seeded with the papers of routing.DEFAULT_CHECKLISTS as they
were when this migration was written (a snapshot: later edits belong to the admin's
checklist page, not to this file).

Revision ID: 0004_referrals
Revises: 0001_foundation
Create Date: 2026-11-28 01:17:39.782435

"""
from alembic import op
import sqlalchemy as sa

# The open statuses, for the partial index of the queue (models.OPEN_PREDICATE).
OPEN_PREDICATE = sa.text(
    "status IN ('diajukan', 'berkas_tidak_lengkap', 'berkas_lengkap', 'diteruskan', "
    "'diproses', 'selesai', 'ditolak')"
)

DEFAULT_CHECKLISTS = {'akta_kelahiran': ['Surat keterangan lahir dari bidan, puskesmas, atau rumah sakit',
                    'Buku nikah atau akta perkawinan orang tua',
                    'Kartu Keluarga (KK)',
                    'KTP-el ayah dan ibu',
                    'Formulir F-2.01 (pelaporan pencatatan sipil)',
                    'Pengganti surat keterangan lahir: SPTJM data kelahiran + 2 saksi',
                    'Pengganti buku nikah/akta perkawinan: SPTJM suami istri + 2 '
                    'saksi'],
 'buku_nikah': ['Surat pengantar nikah dari kelurahan (formulir N1-N4)',
                'KTP-el calon suami dan calon istri',
                'Kartu Keluarga (KK) calon suami dan calon istri',
                'Akta kelahiran calon suami dan calon istri',
                'Pas foto 2x3 dan 4x6 latar biru',
                'Surat izin orang tua bagi calon pengantin di bawah 21 tahun',
                'Dispensasi kawin dari Pengadilan Agama bagi calon di bawah 19 tahun',
                'Akta cerai atau akta kematian pasangan bagi duda/janda',
                'Surat rekomendasi nikah bila akad di luar kecamatan tempat tinggal',
                'Izin komandan/atasan bagi anggota TNI/Polri'],
 'akta_perkawinan': ['Surat perkawinan dari pemuka agama atau pemuka penghayat '
                     'kepercayaan',
                     'KTP-el kedua mempelai',
                     'Kartu Keluarga (KK) kedua mempelai',
                     'Akta kelahiran kedua mempelai',
                     'Pas foto berdampingan suami istri',
                     'KTP-el 2 orang saksi',
                     'Formulir F-2.01 (pelaporan pencatatan sipil)',
                     'Dispensasi kawin dari pengadilan bagi calon di bawah 19 tahun',
                     'Akta cerai atau akta kematian pasangan bagi duda/janda'],
 'itsbat_nikah': ['Surat permohonan itsbat nikah',
                  'KTP-el suami dan istri',
                  'Kartu Keluarga (KK)',
                  'Surat keterangan dari KUA bahwa perkawinan belum tercatat',
                  'Surat keterangan nikah dari kelurahan',
                  'Identitas 2 orang saksi akad nikah',
                  'Panjar biaya perkara, atau SKTM dari kelurahan untuk perkara '
                  'prodeo'],
 'kk': ['KK lama (bila ada perubahan atau penggantian)',
        'Buku nikah atau akta perkawinan (untuk KK baru)',
        'Surat keterangan pindah (bagi pendatang)',
        'Akta kelahiran, kematian, atau cerai bila KK berubah karenanya',
        'Formulir biodata keluarga (F-1.01)'],
 'ktp_el': ['Kartu Keluarga (KK)',
            'Sudah berusia 17 tahun, atau buku nikah bila sudah kawin',
            'KTP-el lama bila rusak atau ada perubahan data',
            'Surat keterangan hilang dari kepolisian bila KTP-el hilang',
            'Hadir untuk perekaman (foto, sidik jari, iris)'],
 'kia': ['Kutipan akta kelahiran anak',
         'Kartu Keluarga (KK) orang tua/wali',
         'KTP-el ayah dan ibu/wali',
         'Pas foto anak berwarna 2x3 (anak usia 5 tahun ke atas)'],
 'akta_kematian': ['Surat keterangan kematian dari rumah sakit, puskesmas, dokter, '
                   'atau kelurahan',
                   'Kartu Keluarga (KK) almarhum/almarhumah',
                   'KTP-el almarhum/almarhumah',
                   'KTP-el pelapor',
                   'Formulir F-2.01 (pelaporan pencatatan sipil)',
                   'Pengganti surat keterangan kematian: SPTJM data kematian + 2 '
                   'saksi']}


# revision identifiers, used by Alembic.
revision = '0004_referrals'
down_revision = "0003_kie"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referral_checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_checklist_item'))
    )
    with op.batch_alter_table('referral_checklist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_checklist_item_doc_type'), ['doc_type'], unique=False)

    checklist = sa.table(
        'referral_checklist_item',
        sa.column('doc_type', sa.String),
        sa.column('label', sa.String),
        sa.column('sort', sa.Integer),
        sa.column('active', sa.Boolean),
    )
    op.bulk_insert(checklist, [
        {'doc_type': doc_type, 'label': label, 'sort': (index + 1) * 10, 'active': True}
        for doc_type, labels in DEFAULT_CHECKLISTS.items()
        for index, label in enumerate(labels)
    ])

    op.create_table('resident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('religion', sa.String(length=20), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('rt', sa.String(length=3), nullable=True),
    sa.Column('rw', sa.String(length=3), nullable=True),
    sa.Column('pokja_id', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('intake_key', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_resident_created_by_id_users')),
    sa.ForeignKeyConstraint(['pokja_id'], ['pokja.id'], name=op.f('fk_resident_pokja_id_pokja')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident')),
    sa.UniqueConstraint('intake_key', name=op.f('uq_resident_intake_key'))
    )
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_nik'), ['nik'], unique=False)
        batch_op.create_index('ix_resident_pokja_name', ['pokja_id', 'name'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_year', sa.Integer(), nullable=False),
    sa.Column('code_seq', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('pokja_id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=20), nullable=False),
    sa.Column('destination_code', sa.String(length=20), nullable=False),
    sa.Column('destination_name', sa.String(length=120), nullable=False),
    sa.Column('destination_address', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.Column('holder', sa.String(length=10), nullable=True),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('handed_over_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('intake_key', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['users.id'], name=op.f('fk_referral_assigned_to_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_referral_created_by_id_users')),
    sa.ForeignKeyConstraint(['pokja_id'], ['pokja.id'], name=op.f('fk_referral_pokja_id_pokja')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_referral_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('code_year', 'code_seq', name=op.f('uq_referral_code_year_code_seq')),
    sa.UniqueConstraint('intake_key', name=op.f('uq_referral_intake_key'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_completed_at'), ['completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_doc_type'), ['doc_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_handed_over_at'), ['handed_over_at'], unique=False)
        batch_op.create_index('ix_referral_pokja_changed', ['pokja_id', 'status_changed_at'], unique=False)
        batch_op.create_index('ix_referral_open_waiting', ['status_changed_at'], unique=False, sqlite_where=OPEN_PREDICATE, postgresql_where=OPEN_PREDICATE)
        batch_op.create_index('ix_referral_pokja_status', ['pokja_id', 'status', 'status_changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('ix_referral_status_changed', ['status', 'status_changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_status_changed_at'), ['status_changed_at'], unique=False)

    op.create_table('referral_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('holder', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_event_referral_id_referral')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_referral_event_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_event'))
    )
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_event_referral_id'), ['referral_id'], unique=False)

    op.create_table('referral_paper',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('received', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_referral_paper_received_by_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_paper_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_paper'))
    )
    with op.batch_alter_table('referral_paper', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_paper_referral_id'), ['referral_id'], unique=False)



def downgrade():
    with op.batch_alter_table('referral_paper', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_paper_referral_id'))

    op.drop_table('referral_paper')
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_event_referral_id'))

    op.drop_table('referral_event')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_status_changed_at'))
        batch_op.drop_index('ix_referral_status_changed')
        batch_op.drop_index(batch_op.f('ix_referral_resident_id'))
        batch_op.drop_index('ix_referral_pokja_status')
        batch_op.drop_index('ix_referral_pokja_changed')
        batch_op.drop_index('ix_referral_open_waiting')
        batch_op.drop_index(batch_op.f('ix_referral_handed_over_at'))
        batch_op.drop_index(batch_op.f('ix_referral_doc_type'))
        batch_op.drop_index(batch_op.f('ix_referral_created_at'))
        batch_op.drop_index(batch_op.f('ix_referral_completed_at'))
        batch_op.drop_index(batch_op.f('ix_referral_assigned_to_id'))

    op.drop_table('referral')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_pokja_name')
        batch_op.drop_index(batch_op.f('ix_resident_nik'))

    op.drop_table('resident')
    with op.batch_alter_table('referral_checklist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_checklist_item_doc_type'))

    op.drop_table('referral_checklist_item')
