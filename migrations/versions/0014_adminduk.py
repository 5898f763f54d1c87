"""adminduk cases: persons in roles, the KK and the event, issued documents,
unregistered couples and sidang isbat terpadu; corrected checklists

Revision ID: 0014_adminduk
Revises: 0010_meeting_evidence
Create Date: 2026-12-01 14:30:00

What each existing record becomes (issue 17):
- every referral keeps its row, number, status, papers and whole history; its one
  resident becomes a person of the case in the role "warga" (Warga yang dibantu,
  data lama): before, a case did not say whether the resident was the child, a
  parent or the reporter. KK number, marital status, event date and place stay
  empty (unknown), so no deadline is shown for old cases;
- status codes are unchanged; only labels changed ("Dokumen selesai" is now
  "Dokumen terbit", "Diteruskan ke instansi" "Berkas diserahkan ke loket"). An
  open referral in "berkas lengkap" now waits for the Pokja (the kader takes the
  file to the desk) instead of the Dinas: its current holder is updated; the
  history lines keep the holder they had;
- checklist items: a seeded item whose label is exactly as 0004 seeded it and that
  is not in the corrected list is switched off (not deleted: admin pages and old
  cases keep it); the corrected items are added, with their conditions; items the
  admin added or renamed are left as they are. Papers already copied into old
  cases are not touched.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_adminduk"
down_revision = "0013_portal"
branch_labels = None
depends_on = None

# The checklists as 0004 seeded them (a snapshot).
OLD_CHECKLISTS = {
    "akta_kelahiran": [
        "Surat keterangan lahir dari bidan, puskesmas, atau rumah sakit",
        "Buku nikah atau akta perkawinan orang tua",
        "Kartu Keluarga (KK)",
        "KTP-el ayah dan ibu",
        "Formulir F-2.01 (pelaporan pencatatan sipil)",
        "Pengganti surat keterangan lahir: SPTJM data kelahiran + 2 saksi",
        "Pengganti buku nikah/akta perkawinan: SPTJM suami istri + 2 saksi",
    ],
    "buku_nikah": [
        "Surat pengantar nikah dari kelurahan (formulir N1-N4)",
        "KTP-el calon suami dan calon istri",
        "Kartu Keluarga (KK) calon suami dan calon istri",
        "Akta kelahiran calon suami dan calon istri",
        "Pas foto 2x3 dan 4x6 latar biru",
        "Surat izin orang tua bagi calon pengantin di bawah 21 tahun",
        "Dispensasi kawin dari Pengadilan Agama bagi calon di bawah 19 tahun",
        "Akta cerai atau akta kematian pasangan bagi duda/janda",
        "Surat rekomendasi nikah bila akad di luar kecamatan tempat tinggal",
        "Izin komandan/atasan bagi anggota TNI/Polri",
    ],
    "akta_perkawinan": [
        "Surat perkawinan dari pemuka agama atau pemuka penghayat kepercayaan",
        "KTP-el kedua mempelai",
        "Kartu Keluarga (KK) kedua mempelai",
        "Akta kelahiran kedua mempelai",
        "Pas foto berdampingan suami istri",
        "KTP-el 2 orang saksi",
        "Formulir F-2.01 (pelaporan pencatatan sipil)",
        "Dispensasi kawin dari pengadilan bagi calon di bawah 19 tahun",
        "Akta cerai atau akta kematian pasangan bagi duda/janda",
    ],
    "itsbat_nikah": [
        "Surat permohonan itsbat nikah",
        "KTP-el suami dan istri",
        "Kartu Keluarga (KK)",
        "Surat keterangan dari KUA bahwa perkawinan belum tercatat",
        "Surat keterangan nikah dari kelurahan",
        "Identitas 2 orang saksi akad nikah",
        "Panjar biaya perkara, atau SKTM dari kelurahan untuk perkara prodeo",
    ],
    "kk": [
        "KK lama (bila ada perubahan atau penggantian)",
        "Buku nikah atau akta perkawinan (untuk KK baru)",
        "Surat keterangan pindah (bagi pendatang)",
        "Akta kelahiran, kematian, atau cerai bila KK berubah karenanya",
        "Formulir biodata keluarga (F-1.01)",
    ],
    "ktp_el": [
        "Kartu Keluarga (KK)",
        "Sudah berusia 17 tahun, atau buku nikah bila sudah kawin",
        "KTP-el lama bila rusak atau ada perubahan data",
        "Surat keterangan hilang dari kepolisian bila KTP-el hilang",
        "Hadir untuk perekaman (foto, sidik jari, iris)",
    ],
    "kia": [
        "Kutipan akta kelahiran anak",
        "Kartu Keluarga (KK) orang tua/wali",
        "KTP-el ayah dan ibu/wali",
        "Pas foto anak berwarna 2x3 (anak usia 5 tahun ke atas)",
    ],
    "akta_kematian": [
        "Surat keterangan kematian dari rumah sakit, puskesmas, dokter, atau kelurahan",
        "Kartu Keluarga (KK) almarhum/almarhumah",
        "KTP-el almarhum/almarhumah",
        "KTP-el pelapor",
        "Formulir F-2.01 (pelaporan pencatatan sipil)",
        "Pengganti surat keterangan kematian: SPTJM data kematian + 2 saksi",
    ],
}

NEW_CHECKLISTS = {
    "akta_kelahiran": [
        ("Surat keterangan lahir dari bidan, puskesmas, atau rumah sakit", None),
        ("Buku nikah atau akta perkawinan orang tua", None),
        ("Kartu Keluarga (KK)", None),
        ("KTP-el ayah dan ibu", None),
        ("Formulir F-2.01 (pelaporan pencatatan sipil)", None),
        (
            "Pengganti surat keterangan lahir: SPTJM kebenaran data kelahiran "
            "(F-2.03) + 2 saksi",
            None,
        ),
        (
            "Pengganti buku nikah/akta perkawinan: SPTJM kebenaran sebagai "
            "pasangan suami istri (F-2.04); akta memuat frasa perkawinan "
            "belum tercatat",
            "nikah_belum_tercatat_kk_kawin",
        ),
        (
            "Ubah status KK dulu: SPTJM kawin belum tercatat (F-1.05), baru "
            "F-2.04 bisa dipakai; tanpa itu akta hanya mencantumkan nama ibu",
            "nikah_belum_tercatat_kk_lain",
        ),
        (
            "Pengganti KTP-el ayah dan ibu: ibu di bawah 17 tahun cukup KK "
            "atau akta kelahiran ibu (belum wajib KTP-el)",
            "ibu_bawah_17",
        ),
        (
            "Formulir pelaporan kelahiran terlambat (lewat 60 hari): surat "
            "pernyataan keterlambatan, diketahui lurah",
            "terlambat",
        ),
    ],
    "akta_kematian": [
        (
            "Surat keterangan kematian dari rumah sakit, puskesmas, dokter, "
            "atau kelurahan",
            None,
        ),
        ("Kartu Keluarga (KK) almarhum/almarhumah", None),
        ("KTP-el almarhum/almarhumah", None),
        ("KTP-el pelapor", None),
        ("Formulir F-2.01 (pelaporan pencatatan sipil)", None),
        (
            "Pengganti surat keterangan kematian: SPTJM kebenaran data "
            "kematian + 2 saksi",
            None,
        ),
        (
            "Formulir pelaporan kematian terlambat (lewat 30 hari): surat "
            "pernyataan keterlambatan",
            "terlambat",
        ),
    ],
    "akta_perkawinan": [
        ("Surat perkawinan dari pemuka agama atau pemuka penghayat kepercayaan", None),
        ("KTP-el kedua mempelai", None),
        ("Kartu Keluarga (KK) kedua mempelai", None),
        ("Akta kelahiran kedua mempelai", None),
        ("Pas foto berdampingan suami istri", None),
        ("KTP-el 2 orang saksi", None),
        ("Formulir F-2.01 (pelaporan pencatatan sipil)", None),
        ("Dispensasi kawin dari pengadilan bagi calon di bawah 19 tahun", None),
        ("Akta cerai atau akta kematian pasangan bagi duda/janda", None),
        (
            "Formulir pelaporan perkawinan terlambat (lewat 60 hari dari upacara)",
            "terlambat",
        ),
    ],
    "buku_nikah": [
        ("Formulir N1 (surat keterangan untuk nikah, dari kelurahan)", None),
        ("Formulir N3 (persetujuan calon suami dan calon istri)", None),
        ("Formulir N5 (izin orang tua bagi catin di bawah 21 tahun)", "catin_bawah_21"),
        ("Sertifikat Elsimil (BKKBN/Kemenag) calon suami dan calon istri", None),
        ("KTP-el calon suami dan calon istri", None),
        ("Kartu Keluarga (KK) calon suami dan calon istri", None),
        ("Akta kelahiran atau ijazah calon suami dan calon istri", None),
        ("Pas foto 2x3 dan 4x6 latar biru", None),
        (
            "Dispensasi kawin dari Pengadilan Agama bagi catin di bawah 19 tahun",
            "catin_bawah_19",
        ),
        ("Akta cerai atau akta kematian pasangan bagi duda/janda", None),
        (
            "Surat rekomendasi nikah dari KUA kecamatan tempat tinggal catin "
            "(akad di kecamatan lain)",
            "luar_kecamatan",
        ),
        (
            "Surat dispensasi camat: pendaftaran kurang dari 10 hari kerja "
            "sebelum akad",
            "terlambat",
        ),
        ("Izin komandan/atasan bagi anggota TNI/Polri", None),
    ],
    "ikd": [
        ("KTP-el sudah tercetak (aktivasi IKD memakai NIK yang sama)", None),
        ("Ponsel Android/iPhone dengan aplikasi Identitas Kependudukan Digital", None),
        ("Nomor ponsel dan alamat e-mail aktif milik sendiri", None),
        ("Hadir di loket untuk verifikasi wajah dan pindai kode QR", None),
    ],
    "itsbat_nikah": [
        ("Surat permohonan itsbat nikah", None),
        ("KTP-el suami dan istri", None),
        ("Kartu Keluarga (KK)", None),
        ("Surat keterangan dari KUA bahwa perkawinan belum tercatat", None),
        ("Surat keterangan nikah dari kelurahan", None),
        ("Identitas 2 orang saksi akad nikah", None),
        ("Panjar biaya perkara, atau SKTM dari kelurahan untuk perkara prodeo", None),
    ],
    "kia": [
        ("Kutipan akta kelahiran anak", None),
        ("Kartu Keluarga (KK) orang tua/wali", None),
        ("KTP-el ayah dan ibu/wali", None),
        ("Pas foto anak berwarna 2x3 (anak usia 5 tahun ke atas)", None),
    ],
    "kk": [
        ("KK lama (bila ada perubahan atau penggantian)", None),
        ("Buku nikah atau akta perkawinan (untuk KK baru)", None),
        ("Surat keterangan pindah (bagi pendatang)", None),
        ("Akta kelahiran, kematian, atau cerai bila KK berubah karenanya", None),
        ("Formulir biodata keluarga (F-1.01)", None),
        (
            "Pengganti buku nikah/akta perkawinan: SPTJM kawin belum tercatat (F-1.05), "
            "status KK menjadi kawin belum tercatat",
            "kk_kawin_belum_tercatat",
        ),
    ],
    "ktp_el": [
        ("Kartu Keluarga (KK)", None),
        ("Sudah berusia 17 tahun, atau buku nikah bila sudah kawin", None),
        ("KTP-el lama (rusak atau ada perubahan data)", "ktp_rusak"),
        ("Formulir F-1.02 (pendaftaran peristiwa kependudukan)", "ktp_hilang"),
        ("Surat keterangan kehilangan dari kepolisian", "ktp_hilang"),
        ("Hadir untuk perekaman atau pencetakan (foto, sidik jari, iris)", None),
    ],
}


def _checklists():
    table = sa.table(
        "referral_checklist_item",
        sa.column("id", sa.Integer),
        sa.column("doc_type", sa.String),
        sa.column("label", sa.String),
        sa.column("sort", sa.Integer),
        sa.column("active", sa.Boolean),
        sa.column("condition", sa.String),
    )
    connection = op.get_bind()
    existing = {
        (row.doc_type, row.label): row.id
        for row in connection.execute(
            sa.select(table.c.id, table.c.doc_type, table.c.label)
        )
    }
    new_labels = {
        (doc_type, label)
        for doc_type, items in NEW_CHECKLISTS.items()
        for label, _ in items
    }
    for doc_type, labels in OLD_CHECKLISTS.items():
        for label in labels:
            key = (doc_type, label)
            if key in existing and key not in new_labels:
                connection.execute(
                    table.update()
                    .where(table.c.id == existing[key])
                    .values(active=False)
                )
    rows = []
    for doc_type, items in NEW_CHECKLISTS.items():
        for index, (label, condition) in enumerate(items):
            key = (doc_type, label)
            if key in existing:
                connection.execute(
                    table.update()
                    .where(table.c.id == existing[key])
                    .values(condition=condition, sort=(index + 1) * 10)
                )
            else:
                rows.append(
                    {
                        "doc_type": doc_type,
                        "label": label,
                        "sort": (index + 1) * 10,
                        "active": True,
                        "condition": condition,
                    }
                )
    if rows:
        op.bulk_insert(table, rows)


def upgrade():
    # Plain ADD COLUMN (no table rebuild: the referral rows are referenced by
    # papers, events and persons, and SQLite checks foreign keys).
    op.add_column(
        "referral", sa.Column("kk_number", sa.String(length=16), nullable=True)
    )
    op.add_column(
        "referral", sa.Column("marital_status", sa.String(length=24), nullable=True)
    )
    op.add_column(
        "referral",
        sa.Column(
            "unregistered",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
    )
    op.add_column("referral", sa.Column("event_date", sa.Date(), nullable=True))
    op.add_column(
        "referral", sa.Column("event_place", sa.String(length=120), nullable=True)
    )
    op.add_column(
        "referral", sa.Column("event_kecamatan", sa.String(length=40), nullable=True)
    )
    op.add_column(
        "referral", sa.Column("ktp_reason", sa.String(length=12), nullable=True)
    )
    op.add_column("referral_event", sa.Column("happened_on", sa.Date(), nullable=True))
    op.add_column(
        "referral_checklist_item",
        sa.Column("condition", sa.String(length=30), nullable=True),
    )

    op.create_table(
        "referral_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f("fk_referral_person_referral_id_referral"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
            name=op.f("fk_referral_person_resident_id_resident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_person")),
        sa.UniqueConstraint(
            "referral_id",
            "resident_id",
            "role",
            name=op.f("uq_referral_person_referral_id_resident_id_role"),
        ),
    )
    with op.batch_alter_table("referral_person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_person_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_person_resident_id"), ["resident_id"], unique=False
        )
    op.create_table(
        "referral_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=64), nullable=False),
        sa.Column("mimetype", sa.String(length=40), nullable=False),
        sa.Column("original_name", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_referral_document_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f("fk_referral_document_referral_id_referral"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_document")),
        sa.UniqueConstraint("filename", name=op.f("uq_referral_document_filename")),
        sa.UniqueConstraint(
            "referral_id",
            "sha256",
            name=op.f("uq_referral_document_referral_id_sha256"),
        ),
    )
    with op.batch_alter_table("referral_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_document_referral_id"),
            ["referral_id"],
            unique=False,
        )
    op.create_table(
        "referral_couple",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pokja_id", sa.Integer(), nullable=False),
        sa.Column("husband_id", sa.Integer(), nullable=False),
        sa.Column("wife_id", sa.Integer(), nullable=False),
        sa.Column("source_referral_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["husband_id"],
            ["resident.id"],
            name=op.f("fk_referral_couple_husband_id_resident"),
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["users.id"],
            name=op.f("fk_referral_couple_marked_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["pokja_id"], ["pokja.id"], name=op.f("fk_referral_couple_pokja_id_pokja")
        ),
        sa.ForeignKeyConstraint(
            ["source_referral_id"],
            ["referral.id"],
            name=op.f("fk_referral_couple_source_referral_id_referral"),
        ),
        sa.ForeignKeyConstraint(
            ["wife_id"],
            ["resident.id"],
            name=op.f("fk_referral_couple_wife_id_resident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_couple")),
        sa.UniqueConstraint(
            "husband_id", "wife_id", name=op.f("uq_referral_couple_husband_id_wife_id")
        ),
    )
    with op.batch_alter_table("referral_couple", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_couple_pokja_id"), ["pokja_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_couple_wife_id"), ["wife_id"], unique=False
        )
    op.create_table(
        "referral_isbat_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=160), nullable=False),
        sa.Column("court", sa.String(length=120), nullable=False),
        sa.Column("kua", sa.String(length=120), nullable=False),
        sa.Column("disdukcapil", sa.String(length=160), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_referral_isbat_session_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_isbat_session")),
    )
    with op.batch_alter_table("referral_isbat_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_isbat_session_date"), ["date"], unique=False
        )
    op.create_table(
        "referral_isbat_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("granted", sa.Boolean(), nullable=True),
        sa.Column("buku_nikah", sa.Boolean(), nullable=False),
        sa.Column("kk_updated", sa.Boolean(), nullable=False),
        sa.Column("children_akta", sa.Boolean(), nullable=False),
        sa.Column("followups_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["couple_id"],
            ["referral_couple.id"],
            name=op.f("fk_referral_isbat_entry_couple_id_referral_couple"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f("fk_referral_isbat_entry_referral_id_referral"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["referral_isbat_session.id"],
            name=op.f("fk_referral_isbat_entry_session_id_referral_isbat_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_isbat_entry")),
        sa.UniqueConstraint(
            "session_id",
            "couple_id",
            name=op.f("uq_referral_isbat_entry_session_id_couple_id"),
        ),
    )
    with op.batch_alter_table("referral_isbat_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_isbat_entry_session_id"),
            ["session_id"],
            unique=False,
        )

    # Every old referral: its one resident, in the role "warga" (data lama).
    op.execute(
        "INSERT INTO referral_person (referral_id, resident_id, role, sort) "
        "SELECT id, resident_id, 'warga', 0 FROM referral"
    )
    # The kader now takes a complete file to the desk.
    op.execute(
        "UPDATE referral SET holder = 'pokja' "
        "WHERE status = 'berkas_lengkap' AND holder = 'dinas'"
    )
    _checklists()


def downgrade():
    op.execute(
        "UPDATE referral SET holder = 'dinas' "
        "WHERE status = 'berkas_lengkap' AND holder = 'pokja'"
    )
    # Statuses only this version knows end as the closest older one.
    op.execute("UPDATE referral SET status = 'diserahkan' WHERE status = 'akad'")
    for table in (
        "referral_isbat_entry",
        "referral_isbat_session",
        "referral_couple",
        "referral_document",
        "referral_person",
    ):
        op.drop_table(table)
    op.drop_column("referral_checklist_item", "condition")
    op.drop_column("referral_event", "happened_on")
    for column in (
        "ktp_reason",
        "event_kecamatan",
        "event_place",
        "event_date",
        "unregistered",
        "marital_status",
        "kk_number",
    ):
        op.drop_column("referral", column)
