"""units: Posyandu and PAUD as services; the SIGA registers' layouts and marks

Revision ID: 0012_units
Revises: 0011_poktan
Create Date: 2026-12-01 13:47:19

New tables only, nothing existing changes meaning:
- service_unit, service_session: Posyandu and PAUD units of a Pokja and the
  counts of each session (no roll call).
- register_column: the column layouts of the R/I and K/0 registers per poktan
  kind, seeded below with the best-known layout (siga_forms.md 3a; a frozen copy
  of kkbweb.poktan.register_columns.DEFAULT_LAYOUTS as of this revision, so that
  a later change of the defaults does not change what this migration wrote).
- register_submission: the "diserahkan" marks.

Meetings of kind "posyandu" and "poktan_*" are kept as they are: meetings of the
Pokja's officers, counted as meetings in the reports as before. They are not
turned into service sessions (a meeting's roll call of officers holds no balita
count) nor into poktan sessions (no member families to mark); new meetings no
longer offer those kinds (kkbweb.meetings.vocab.RETIRED_KINDS).
"""

import datetime

import sqlalchemy as sa
from alembic import op

revision = "0012_units"
down_revision = "0011_poktan"
branch_labels = None
depends_on = None

# (register, poktan kind, position, label, formula)
SEEDED_AT = datetime.datetime(2026, 12, 1, 0, 0)
LAYOUTS = [
    ("ri", "bkb", 1, "Pertemuan penyuluhan diadakan", "sessions"),
    ("ri", "bkb", 2, "Keluarga anggota", "members"),
    ("ri", "bkb", 3, "Keluarga hadir", "families_attending"),
    ("ri", "bkb", 4, "Hadir: anak umur 0–<1 th", "attending_age_0_1"),
    ("ri", "bkb", 5, "Hadir: anak umur 1–<2 th", "attending_age_1_2"),
    ("ri", "bkb", 6, "Hadir: anak umur 2–<3 th", "attending_age_2_3"),
    ("ri", "bkb", 7, "Hadir: anak umur 3–<4 th", "attending_age_3_4"),
    ("ri", "bkb", 8, "Hadir: anak umur 4–<5 th", "attending_age_4_5"),
    ("ri", "bkb", 9, "Hadir: anak umur 5–<6 th", "attending_age_5_6"),
    ("ri", "bkb", 10, "Anggota aktif (hadir)", "active_members"),
    ("ri", "bkb", 11, "Anggota PUS", "members_pus"),
    ("ri", "bkb", 12, "Anggota PUS ber-KB", "members_kb"),
    ("ri", "bkb", 13, "KKA diisi", "kka"),
    ("k0", "bkb", 1, "Keluarga anggota", "members"),
    ("k0", "bkb", 2, "Anggota: anak umur 0–<1 th", "members_age_0_1"),
    ("k0", "bkb", 3, "Anggota: anak umur 1–<2 th", "members_age_1_2"),
    ("k0", "bkb", 4, "Anggota: anak umur 2–<3 th", "members_age_2_3"),
    ("k0", "bkb", 5, "Anggota: anak umur 3–<4 th", "members_age_3_4"),
    ("k0", "bkb", 6, "Anggota: anak umur 4–<5 th", "members_age_4_5"),
    ("k0", "bkb", 7, "Anggota: anak umur 5–<6 th", "members_age_5_6"),
    ("k0", "bkb", 8, "Anggota PUS", "members_pus"),
    ("k0", "bkb", 9, "Anggota PUS ber-KB", "members_kb"),
    ("k0", "bkb", 10, "Anggota ber-KB MKJP", "members_mkjp"),
    ("k0", "bkb", 11, "Anggota ber-KB IUD", "kb_iud"),
    ("k0", "bkb", 12, "Anggota ber-KB MOW", "kb_mow"),
    ("k0", "bkb", 13, "Anggota ber-KB MOP", "kb_mop"),
    ("k0", "bkb", 14, "Anggota ber-KB Kondom", "kb_kondom"),
    ("k0", "bkb", 15, "Anggota ber-KB Implan", "kb_implan"),
    ("k0", "bkb", 16, "Anggota ber-KB Suntik", "kb_suntik"),
    ("k0", "bkb", 17, "Anggota ber-KB Pil", "kb_pil"),
    ("ri", "bkr", 1, "Pertemuan penyuluhan diadakan", "sessions"),
    ("ri", "bkr", 2, "Keluarga anggota", "members"),
    ("ri", "bkr", 3, "Keluarga hadir", "families_attending"),
    ("ri", "bkr", 4, "Anggota aktif (hadir)", "active_members"),
    ("ri", "bkr", 5, "Anggota PUS", "members_pus"),
    ("ri", "bkr", 6, "Anggota PUS ber-KB", "members_kb"),
    ("k0", "bkr", 1, "Keluarga anggota", "members"),
    ("k0", "bkr", 2, "Anggota PUS", "members_pus"),
    ("k0", "bkr", 3, "Anggota PUS ber-KB", "members_kb"),
    ("k0", "bkr", 4, "Anggota ber-KB MKJP", "members_mkjp"),
    ("k0", "bkr", 5, "Anggota ber-KB IUD", "kb_iud"),
    ("k0", "bkr", 6, "Anggota ber-KB MOW", "kb_mow"),
    ("k0", "bkr", 7, "Anggota ber-KB MOP", "kb_mop"),
    ("k0", "bkr", 8, "Anggota ber-KB Kondom", "kb_kondom"),
    ("k0", "bkr", 9, "Anggota ber-KB Implan", "kb_implan"),
    ("k0", "bkr", 10, "Anggota ber-KB Suntik", "kb_suntik"),
    ("k0", "bkr", 11, "Anggota ber-KB Pil", "kb_pil"),
    ("ri", "bkl", 1, "Pertemuan penyuluhan diadakan", "sessions"),
    ("ri", "bkl", 2, "Keluarga anggota", "members"),
    ("ri", "bkl", 3, "Keluarga hadir", "families_attending"),
    ("ri", "bkl", 4, "Anggota aktif (hadir)", "active_members"),
    ("ri", "bkl", 5, "Anggota PUS", "members_pus"),
    ("ri", "bkl", 6, "Anggota PUS ber-KB", "members_kb"),
    ("k0", "bkl", 1, "Keluarga anggota", "members"),
    ("k0", "bkl", 2, "Anggota PUS", "members_pus"),
    ("k0", "bkl", 3, "Anggota PUS ber-KB", "members_kb"),
    ("k0", "bkl", 4, "Anggota ber-KB MKJP", "members_mkjp"),
    ("k0", "bkl", 5, "Anggota ber-KB IUD", "kb_iud"),
    ("k0", "bkl", 6, "Anggota ber-KB MOW", "kb_mow"),
    ("k0", "bkl", 7, "Anggota ber-KB MOP", "kb_mop"),
    ("k0", "bkl", 8, "Anggota ber-KB Kondom", "kb_kondom"),
    ("k0", "bkl", 9, "Anggota ber-KB Implan", "kb_implan"),
    ("k0", "bkl", 10, "Anggota ber-KB Suntik", "kb_suntik"),
    ("k0", "bkl", 11, "Anggota ber-KB Pil", "kb_pil"),
    ("ri", "uppka", 1, "Pertemuan penyuluhan diadakan", "sessions"),
    ("ri", "uppka", 2, "Keluarga anggota", "members"),
    ("ri", "uppka", 3, "Keluarga hadir", "families_attending"),
    ("ri", "uppka", 4, "Anggota aktif (hadir)", "active_members"),
    ("ri", "uppka", 5, "Anggota PUS", "members_pus"),
    ("ri", "uppka", 6, "Anggota PUS ber-KB", "members_kb"),
    ("k0", "uppka", 1, "Keluarga anggota", "members"),
    ("k0", "uppka", 2, "Anggota PUS", "members_pus"),
    ("k0", "uppka", 3, "Anggota PUS ber-KB", "members_kb"),
    ("k0", "uppka", 4, "Anggota ber-KB MKJP", "members_mkjp"),
    ("k0", "uppka", 5, "Anggota ber-KB IUD", "kb_iud"),
    ("k0", "uppka", 6, "Anggota ber-KB MOW", "kb_mow"),
    ("k0", "uppka", 7, "Anggota ber-KB MOP", "kb_mop"),
    ("k0", "uppka", 8, "Anggota ber-KB Kondom", "kb_kondom"),
    ("k0", "uppka", 9, "Anggota ber-KB Implan", "kb_implan"),
    ("k0", "uppka", 10, "Anggota ber-KB Suntik", "kb_suntik"),
    ("k0", "uppka", 11, "Anggota ber-KB Pil", "kb_pil"),
    ("ri", "pikr", 1, "Pertemuan penyuluhan diadakan", "sessions"),
    ("ri", "pikr", 2, "Keluarga anggota", "members"),
    ("ri", "pikr", 3, "Keluarga hadir", "families_attending"),
    ("ri", "pikr", 4, "Anggota aktif (hadir)", "active_members"),
    ("ri", "pikr", 5, "Anggota PUS", "members_pus"),
    ("ri", "pikr", 6, "Anggota PUS ber-KB", "members_kb"),
    ("ri", "pikr", 7, "Keluarga bukan anggota yang hadir", "guests"),
    ("k0", "pikr", 1, "Keluarga anggota", "members"),
    ("k0", "pikr", 2, "Anggota PUS", "members_pus"),
    ("k0", "pikr", 3, "Anggota PUS ber-KB", "members_kb"),
    ("k0", "pikr", 4, "Anggota ber-KB MKJP", "members_mkjp"),
    ("k0", "pikr", 5, "Anggota ber-KB IUD", "kb_iud"),
    ("k0", "pikr", 6, "Anggota ber-KB MOW", "kb_mow"),
    ("k0", "pikr", 7, "Anggota ber-KB MOP", "kb_mop"),
    ("k0", "pikr", 8, "Anggota ber-KB Kondom", "kb_kondom"),
    ("k0", "pikr", 9, "Anggota ber-KB Implan", "kb_implan"),
    ("k0", "pikr", 10, "Anggota ber-KB Suntik", "kb_suntik"),
    ("k0", "pikr", 11, "Anggota ber-KB Pil", "kb_pil"),
]


def upgrade():
    op.create_table(
        "service_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pokja_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("rw", sa.String(length=10), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pokja_id"], ["pokja.id"], name=op.f("fk_service_unit_pokja_id_pokja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_unit")),
        sa.UniqueConstraint("pokja_id", "kind", "name", name="uq_service_unit_name"),
    )
    with op.batch_alter_table("service_unit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_unit_pokja_kind", ["pokja_id", "kind"], unique=False
        )

    op.create_table(
        "service_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("pokja_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("balita_present", sa.Integer(), nullable=True),
        sa.Column("balita_weighed", sa.Integer(), nullable=True),
        sa.Column("ibu_hamil", sa.Integer(), nullable=True),
        sa.Column("kader_on_duty", sa.Integer(), nullable=True),
        sa.Column("children_enrolled", sa.Integer(), nullable=True),
        sa.Column("children_present", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "coalesce(balita_weighed, 0) >= 0 AND coalesce(balita_present, 0) >= 0"
            " AND coalesce(ibu_hamil, 0) >= 0 AND coalesce(kader_on_duty, 0) >= 0"
            " AND coalesce(children_enrolled, 0) >= 0"
            " AND coalesce(children_present, 0) >= 0",
            name=op.f("ck_service_session_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_service_session_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pokja_id"], ["pokja.id"], name=op.f("fk_service_session_pokja_id_pokja")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["service_unit.id"],
            name=op.f("fk_service_session_unit_id_service_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_session")),
        sa.UniqueConstraint("unit_id", "date", name="uq_service_session_day"),
    )
    with op.batch_alter_table("service_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_session_pokja_date", ["pokja_id", "date"], unique=False
        )

    columns = op.create_table(
        "register_column",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register", sa.String(length=4), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("formula", sa.String(length=40), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "register IN ('ri', 'k0')", name=op.f("ck_register_column_register")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_register_column_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_column")),
        sa.UniqueConstraint(
            "register",
            "kind",
            "position",
            name=op.f("uq_register_column_register_kind_position"),
        ),
    )
    op.create_table(
        "register_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poktan_id", sa.Integer(), nullable=False),
        sa.Column("pokja_id", sa.Integer(), nullable=False),
        sa.Column("register", sa.String(length=4), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_name", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "register IN ('ri', 'k0')", name=op.f("ck_register_submission_register")
        ),
        sa.CheckConstraint(
            "month BETWEEN 0 AND 12", name=op.f("ck_register_submission_month")
        ),
        sa.ForeignKeyConstraint(
            ["pokja_id"],
            ["pokja.id"],
            name=op.f("fk_register_submission_pokja_id_pokja"),
        ),
        sa.ForeignKeyConstraint(
            ["poktan_id"],
            ["poktan.id"],
            name=op.f("fk_register_submission_poktan_id_poktan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_register_submission_submitted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_submission")),
        sa.UniqueConstraint(
            "poktan_id",
            "register",
            "year",
            "month",
            name=op.f("uq_register_submission_poktan_id_register_year_month"),
        ),
    )
    with op.batch_alter_table("register_submission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_register_submission_pokja",
            ["pokja_id", "register", "year", "month"],
            unique=False,
        )
    op.bulk_insert(
        columns,
        [
            {
                "register": register,
                "kind": kind,
                "position": position,
                "label": label,
                "formula": formula,
                "updated_at": SEEDED_AT,
            }
            for register, kind, position, label, formula in LAYOUTS
        ],
    )


def downgrade():
    with op.batch_alter_table("register_submission", schema=None) as batch_op:
        batch_op.drop_index("ix_register_submission_pokja")
    op.drop_table("register_submission")
    op.drop_table("register_column")
    with op.batch_alter_table("service_session", schema=None) as batch_op:
        batch_op.drop_index("ix_service_session_pokja_date")
    op.drop_table("service_session")
    with op.batch_alter_table("service_unit", schema=None) as batch_op:
        batch_op.drop_index("ix_service_unit_pokja_kind")
    op.drop_table("service_unit")
