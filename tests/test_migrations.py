"""The migrations build the same schema as the models, on SQLite and PostgreSQL."""

import datetime as dt
import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from kkbweb import create_app
from kkbweb.extensions import db
from kkbweb.pokja.seed import seed_pokja


def _migrated_app(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/migrated.sqlite"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True}
    )
    return app


def _empty_database(app) -> None:
    """Drop everything, including tables the per-test schema created (PostgreSQL)."""
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
            )
        db.session.commit()


def test_upgrade_matches_models_and_downgrade_cleans_up(tmp_path):
    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True}
                )
                differences = compare_metadata(context, db.metadata)
            assert differences == [], "models changed without a migration"
            downgrade(revision="base")
            tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert tables == set()
    finally:
        # Leave the shared PostgreSQL database as the other tests expect it.
        _empty_database(app)
        with app.app_context():
            db.create_all()


def test_0006_keeps_every_record_of_0005(tmp_path):
    """Data made by the previous version survives the step to form tokens."""
    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0005_reports")
            # The 12 Pokja and their kecamatan, as the seed of that version made them.
            seed_pokja()
            db.session.commit()
            before = _row_counts()
            db.session.commit()  # end the read: alembic migrates on its own connection
            upgrade(revision="0006_form_tokens")
            assert _row_counts() == before
            assert (
                db.session.execute(
                    text("SELECT count(*) FROM form_submission")
                ).scalar()
                == 0
            )
            name = db.session.execute(
                text("SELECT display_name FROM pokja WHERE code = '36.72.02.1002'")
            ).scalar()
            assert before["pokja"] == 12 and name is not None
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()


def _row_counts() -> dict:
    """Rows per table, the migration bookkeeping aside."""
    tables = sorted(set(inspect(db.engine).get_table_names()) - {"alembic_version"})
    return {
        table: db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
        for table in tables
        if table != "form_submission"
    }


def test_0007_keeps_walk_in_guests_of_0006(tmp_path):
    """Guests recorded before the guest form's token keep their rows, token-less;
    two of them may both be without a token (the unique key allows NULLs)."""
    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0006_form_tokens")
            seed_pokja()
            now = "2024-05-27 03:00:00"
            db.session.execute(
                text(
                    "INSERT INTO meeting (id, kind, title, date, place, status, "
                    "created_at, updated_at) VALUES (1, 'orientasi', 'Orientasi', "
                    "'2024-05-27', 'Aula DP3AP2KB', 'finished', :now, :now)"
                ),
                {"now": now},
            )
            for guest_id, name in ((1, "Tamu Satu"), (2, "Tamu Dua")):
                db.session.execute(
                    text(
                        "INSERT INTO meeting_guest (id, meeting_id, name, sex, "
                        "created_at) VALUES (:id, 1, :name, 'P', :now)"
                    ),
                    {"id": guest_id, "name": name, "now": now},
                )
            db.session.commit()
            upgrade(revision="0007_guest_form_token")
            rows = db.session.execute(
                text("SELECT name, form_token FROM meeting_guest ORDER BY id")
            ).all()
            db.session.commit()
            assert [tuple(row) for row in rows] == [
                ("Tamu Satu", None),
                ("Tamu Dua", None),
            ]
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()


def test_0008_turns_every_pokja_invitation_into_all_members(tmp_path):
    """Meetings made at 0006 invite all members of their Pokja after 0008: the
    same people on the roll call, the same rate."""
    from sqlalchemy import func, select

    from kkbweb.meetings import roster
    from kkbweb.meetings.models import Attendance, MeetingInvitee, MeetingPokja
    from kkbweb.members.models import Member

    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0006_form_tokens")
            seed_pokja()
            run = db.session.execute
            pokja = (
                run(text("SELECT id FROM pokja ORDER BY display_name LIMIT 2"))
                .scalars()
                .all()
            )
            for i, (name, pid, active) in enumerate(
                [
                    ("Siti", pokja[0], True),
                    ("Euis", pokja[0], True),
                    ("Dedi", pokja[0], False),  # left without an end date: off
                    ("Ahmad", pokja[1], True),
                ],
                start=1,
            ):
                run(
                    text(
                        "INSERT INTO member (id, pokja_id, name, sex, jabatan, unsur,"
                        " is_active, created_at, updated_at) VALUES (:i, :p, :n, 'P',"
                        " 'anggota', 'pkk', :a, '2024-01-01', '2024-01-01')"
                    ),
                    {"i": i, "p": pid, "n": name, "a": active},
                )
            run(
                text(
                    "INSERT INTO meeting (id, kind, title, date, place, status,"
                    " created_at, updated_at) VALUES (1, 'orientasi', 'Orientasi',"
                    " '2024-05-27', 'Aula', 'selesai', '2024-05-01', '2024-05-01')"
                )
            )
            for pid in pokja:
                run(
                    text(
                        "INSERT INTO meeting_pokja (meeting_id, pokja_id)"
                        " VALUES (1, :p)"
                    ),
                    {"p": pid},
                )
            # Siti hadir, Dedi (off the roster) marked anyway: on the roll call.
            for member, pid, status in [(1, pokja[0], "hadir"), (3, pokja[0], "izin")]:
                run(
                    text(
                        "INSERT INTO attendance (meeting_id, member_id, pokja_id,"
                        " status, marked_at) VALUES (1, :m, :p, :s, '2024-05-27')"
                    ),
                    {"m": member, "p": pid, "s": status},
                )
            db.session.commit()
            upgrade()
            modes = run(text("SELECT mode FROM meeting_pokja")).scalars().all()
            assert modes == ["all", "all"]
            assert run(text("SELECT count(*) FROM meeting_invitee")).scalar() == 0
            # The roll call's definition: Siti, Euis, Dedi (marked) and Ahmad.
            invite, join_mark, join_pick = roster.joins(
                1, Member, Attendance, MeetingPokja, MeetingInvitee
            )
            invited = roster.invited(
                dt.date(2024, 5, 27),
                Member,
                Attendance,
                MeetingPokja,
                MeetingInvitee,
            )
            count = run(
                select(func.count())
                .select_from(Member)
                .join(MeetingPokja, invite)
                .outerjoin(Attendance, join_mark)
                .outerjoin(MeetingInvitee, join_pick)
                .where(invited)
            ).scalar()
            assert count == 4
            db.session.commit()
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()


def test_0010_meetings_of_0007_have_no_evidence_and_keep_their_rows(tmp_path):
    """A meeting with marks and a guest made before evidence existed keeps every
    row; it simply has no evidence (the recap says "tidak ada")."""
    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0007_guest_form_token")
            seed_pokja()
            now = "2024-05-27 03:00:00"
            db.session.execute(
                text(
                    "INSERT INTO meeting (id, kind, title, date, place, status, "
                    "created_at, updated_at) VALUES (1, 'orientasi', 'Orientasi', "
                    "'2024-05-27', 'Aula DP3AP2KB', 'selesai', :now, :now)"
                ),
                {"now": now},
            )
            db.session.execute(
                text(
                    "INSERT INTO meeting_guest (id, meeting_id, name, sex, "
                    "created_at) VALUES (1, 1, 'Tamu Satu', 'P', :now)"
                ),
                {"now": now},
            )
            db.session.commit()
            before = _row_counts()
            db.session.commit()
            upgrade(revision="0010_meeting_evidence")
            after = _row_counts()
            files = db.session.execute(
                text("SELECT count(*) FROM meeting_file WHERE meeting_id = 1")
            ).scalar()
            db.session.commit()
            # 0008 (on the way) and 0010 add tables, empty; every old row stays.
            assert {table: after[table] for table in before} == before
            assert after["meeting_file"] == 0
            assert files == 0
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()


def test_0014_turns_old_referrals_into_cases_and_keeps_their_history(tmp_path):
    """Referrals of 0010 keep their rows, papers and history; each gets its
    resident as a person ("warga", data lama); an open "berkas lengkap" now waits
    for the Pokja; seeded checklist rows no longer asked for are switched off,
    not deleted, and the corrected ones added with their conditions."""
    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0010_meeting_evidence")
            seed_pokja()
            now = "2024-05-27 03:00:00"
            pokja_id = db.session.execute(
                text("SELECT id FROM pokja WHERE code = '36.72.02.1002'")
            ).scalar()
            db.session.execute(
                text(
                    "INSERT INTO resident (id, name, sex, address, pokja_id, "
                    "created_at, version) VALUES (1, 'Warga Lama', 'P', 'Jl. 1', "
                    ":pokja, :now, 1)"
                ),
                {"pokja": pokja_id, "now": now},
            )
            for rid, seq, doc, status, holder in (
                (1, 1, "akta_kelahiran", "berkas_lengkap", "dinas"),
                (2, 2, "buku_nikah", "selesai", "pokja"),
                (3, 3, "kk", "diserahkan", None),
            ):
                db.session.execute(
                    text(
                        "INSERT INTO referral (id, code_year, code_seq, resident_id, "
                        "pokja_id, doc_type, destination_code, destination_name, "
                        "status, status_changed_at, holder, created_at, version) "
                        "VALUES (:id, 2024, :seq, 1, :pokja, :doc, 'disdukcapil', "
                        "'Disdukcapil', :status, :now, :holder, :now, 1)"
                    ),
                    {
                        "id": rid,
                        "seq": seq,
                        "pokja": pokja_id,
                        "doc": doc,
                        "status": status,
                        "holder": holder,
                        "now": now,
                    },
                )
                db.session.execute(
                    text(
                        "INSERT INTO referral_event (referral_id, kind, to_status, "
                        "at, holder) VALUES (:id, 'status', :status, :now, :holder)"
                    ),
                    {"id": rid, "status": status, "now": now, "holder": holder},
                )
                db.session.execute(
                    text(
                        "INSERT INTO referral_paper (referral_id, label, sort, "
                        "received) VALUES (:id, 'Surat pengantar nikah dari "
                        "kelurahan (formulir N1-N4)', 10, :received)"
                    ),
                    {"id": rid, "received": rid == 3},
                )
            # An item the admin added keeps existing as it is.
            db.session.execute(
                text(
                    "INSERT INTO referral_checklist_item (doc_type, label, sort, "
                    "active) VALUES ('kk', 'Berkas tambahan admin', 99, :yes)"
                ),
                {"yes": True},
            )
            db.session.commit()
            before = _row_counts()
            db.session.commit()
            upgrade(revision="0014_adminduk")
            after = _row_counts()
            persons = db.session.execute(
                text(
                    "SELECT referral_id, resident_id, role FROM referral_person "
                    "ORDER BY referral_id"
                )
            ).all()
            referrals = db.session.execute(
                text("SELECT id, status, holder FROM referral ORDER BY id")
            ).all()
            events = db.session.execute(
                text("SELECT referral_id, holder FROM referral_event ORDER BY id")
            ).all()
            papers = db.session.execute(
                text("SELECT label, received FROM referral_paper ORDER BY id")
            ).all()
            old_n = db.session.execute(
                text(
                    "SELECT active FROM referral_checklist_item WHERE label = "
                    "'Surat pengantar nikah dari kelurahan (formulir N1-N4)'"
                )
            ).scalar()
            admin_item = db.session.execute(
                text(
                    "SELECT active, condition FROM referral_checklist_item "
                    "WHERE label = 'Berkas tambahan admin'"
                )
            ).one()
            new_items = db.session.execute(
                text(
                    "SELECT label, condition FROM referral_checklist_item "
                    "WHERE doc_type = 'buku_nikah' AND active = :yes"
                ),
                {"yes": True},
            ).all()
            db.session.commit()
        for table in ("resident", "referral", "referral_event", "referral_paper"):
            assert after[table] == before[table], table
        assert [tuple(p) for p in persons] == [
            (1, 1, "warga"),
            (2, 1, "warga"),
            (3, 1, "warga"),
        ]
        assert [tuple(r) for r in referrals] == [
            (1, "berkas_lengkap", "pokja"),
            (2, "selesai", "pokja"),
            (3, "diserahkan", None),
        ]
        # History lines keep the holder they had.
        assert [tuple(e) for e in events] == [(1, "dinas"), (2, "pokja"), (3, None)]
        assert [tuple(p) for p in papers][2] == (
            "Surat pengantar nikah dari kelurahan (formulir N1-N4)",
            True,
        )
        assert old_n is False or old_n == 0
        assert tuple(admin_item) in ((True, None), (1, None))
        labels = " | ".join(label for label, _ in new_items)
        assert "Formulir N1" in labels and "Elsimil" in labels and "N1-N4" not in labels
        assert (
            "Formulir N5 (izin orang tua bagi catin di bawah 21 tahun)",
            "catin_bawah_21",
        ) in [tuple(i) for i in new_items]
        # And back: the old schema, the old rows.
        with app.app_context():
            downgrade(revision="0010_meeting_evidence")
            holder = db.session.execute(
                text("SELECT holder FROM referral WHERE id = 1")
            ).scalar()
            db.session.commit()
        assert holder == "dinas"
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()


def test_0017_keeps_reports_of_0016_without_a_class(tmp_path):
    """Reports handed in at 0016 keep every row and figure; their class stays
    empty (not recomputed); Kampung KB keep their identity, with no scan."""
    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0015_offline_marks")
            seed_pokja()
            db.session.commit()
            upgrade(revision="0016_classification")
            now = "2024-06-03 03:00:00"
            pokja_id = db.session.execute(text("SELECT min(id) FROM pokja")).scalar()
            db.session.execute(
                text(
                    "INSERT INTO monthly_report (id, pokja_id, year, month, status, "
                    "figures, first_submitted_at, submitted_at) VALUES (1, :p, 2024, "
                    "5, 'diserahkan', '{\"version\": 1, \"lines\": []}', :now, :now)"
                ),
                {"p": pokja_id, "now": now},
            )
            db.session.commit()
            before = _row_counts()
            kampung_before = db.session.execute(
                text("SELECT id, name, kelurahan_code FROM kampung_kb ORDER BY id")
            ).all()
            db.session.commit()
            upgrade(revision="0017_classification_handin")
            after = _row_counts()
            report = db.session.execute(
                text(
                    "SELECT status, klass, index_input, class_scores "
                    "FROM monthly_report WHERE id = 1"
                )
            ).one()
            kampung_after = db.session.execute(
                text(
                    "SELECT id, name, kelurahan_code, sk_scan_filename "
                    "FROM kampung_kb ORDER BY id"
                )
            ).all()
            db.session.commit()
            assert after == before
            assert tuple(report) == ("diserahkan", None, None, None)
            assert [tuple(r[:3]) for r in kampung_after] == [
                tuple(r) for r in kampung_before
            ]
            assert len(kampung_after) == 12
            assert {r[3] for r in kampung_after} == {None}
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()


def _insert_case(rid: int, pokja_id, now: str) -> None:
    db.session.execute(
        text(
            "INSERT INTO resident (id, name, sex, address, pokja_id, created_at, "
            "version) VALUES (:id, 'Warga', 'P', 'Jl. 1', :pokja, :now, 1)"
        ),
        {"id": rid, "pokja": pokja_id, "now": now},
    )
    db.session.execute(
        text(
            "INSERT INTO referral (id, code_year, code_seq, resident_id, pokja_id, "
            "doc_type, destination_code, destination_name, status, "
            "status_changed_at, holder, created_at, version, unregistered) VALUES "
            "(:id, 2026, :id, :id, :pokja, 'kk', 'disdukcapil', 'Disdukcapil', "
            "'diteruskan', :now, 'dinas', :now, 1, :no)"
        ),
        {"id": rid, "pokja": pokja_id, "now": now, "no": False},
    )


def test_0018_writes_the_first_history_line_and_keeps_the_old_ones(tmp_path):
    """A case of 0016 keeps its history; from 0018 on, an inserted case gets its
    "Rujukan dibuat." line (diajukan, holder pokja) from the database; down
    again, no trigger."""
    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0017_classification_handin")
            seed_pokja()
            now = "2026-11-30 03:00:00"
            pokja_id = db.session.execute(
                text("SELECT id FROM pokja WHERE code = '36.72.02.1002'")
            ).scalar()
            _insert_case(1, pokja_id, now)
            db.session.execute(
                text(
                    "INSERT INTO referral_event (referral_id, kind, to_status, at, "
                    "note, holder) VALUES (1, 'status', 'diajukan', :now, "
                    "'Rujukan dibuat.', 'pokja')"
                ),
                {"now": now},
            )
            db.session.commit()
            upgrade(revision="0018_referral_first_event")
            _insert_case(2, pokja_id, now)
            db.session.commit()
            events = db.session.execute(
                text(
                    "SELECT referral_id, kind, from_status, to_status, note, holder "
                    "FROM referral_event ORDER BY referral_id, id"
                )
            ).all()
            db.session.commit()
            downgrade(revision="0017_classification_handin")
            _insert_case(3, pokja_id, now)
            db.session.commit()
            after_down = db.session.execute(
                text("SELECT count(*) FROM referral_event WHERE referral_id = 3")
            ).scalar()
            db.session.commit()
        line = ("status", None, "diajukan", "Rujukan dibuat.", "pokja")
        assert [tuple(e) for e in events] == [(1, *line), (2, *line)]
        assert after_down == 0
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()


def test_0018_trigger_is_the_models_trigger():
    """The frozen copy in the migration is what create_all installs in tests."""
    import importlib.util
    from pathlib import Path

    from kkbweb.referrals.models import FIRST_EVENT_SQL

    path = (
        Path(__file__).resolve().parent.parent
        / "migrations/versions/0018_referral_first_event.py"
    )
    spec = importlib.util.spec_from_file_location("m0018", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.FIRST_EVENT_SQL == FIRST_EVENT_SQL
