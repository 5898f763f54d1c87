"""Migration 0011_poktan on a database made at 0010 with data in it."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from kkbweb.extensions import db
from kkbweb.pokja.seed import seed_pokja
from tests.test_migrations import _empty_database, _migrated_app, _row_counts


def test_0011_keeps_every_record_of_0010_and_poktan_meetings_stay_meetings(
    tmp_path,
):
    """A Pokja with a member, a "poktan BKB" meeting marked by officers and its
    evidence keeps every row; the meeting stays a meeting (not turned into a
    session), the new tables start empty, take a whole poktan and go away again
    on the way down without touching the old rows."""
    app = _migrated_app(tmp_path)
    _empty_database(app)
    try:
        with app.app_context():
            upgrade(revision="0010_meeting_evidence")
            seed_pokja()
            run = db.session.execute
            pokja = run(text("SELECT min(id) FROM pokja")).scalar()
            now = "2024-05-27 03:00:00"
            run(
                text(
                    "INSERT INTO member (id, pokja_id, name, sex, jabatan, unsur,"
                    " is_active, created_at, updated_at) VALUES (1, :p, 'Siti', 'P',"
                    " 'anggota', 'pkk', :t, :now, :now)"
                ),
                {"p": pokja, "now": now, "t": True},
            )
            run(
                text(
                    "INSERT INTO meeting (id, kind, title, date, place, status,"
                    " created_at, updated_at) VALUES (1, 'poktan_bkb',"
                    " 'Pertemuan BKB Melati', '2024-05-27', 'Posyandu Melati',"
                    " 'selesai', :now, :now)"
                ),
                {"now": now},
            )
            run(
                text("INSERT INTO meeting_pokja (meeting_id, pokja_id) VALUES (1, :p)"),
                {"p": pokja},
            )
            run(
                text(
                    "INSERT INTO attendance (meeting_id, member_id, pokja_id, status,"
                    " marked_at) VALUES (1, 1, :p, 'hadir', :now)"
                ),
                {"p": pokja, "now": now},
            )
            run(
                text(
                    "INSERT INTO meeting_file (meeting_id, kind, filename, mimetype,"
                    " original_name, size_bytes, sha256, created_at) VALUES (1,"
                    " 'foto', 'a.jpg', 'image/jpeg', 'IMG_1.jpg', 10, :h, :now)"
                ),
                {"h": "0" * 64, "now": now},
            )
            db.session.commit()
            before = _row_counts()
            db.session.commit()
            upgrade(revision="0011_poktan")
            after = _row_counts()
            kind = run(text("SELECT kind FROM meeting WHERE id = 1")).scalar()
            db.session.commit()
            assert {table: after[table] for table in before} == before
            new = set(after) - set(before)
            assert new == {
                "poktan",
                "household",
                "poktan_membership",
                "poktan_session",
                "poktan_attendance",
                "poktan_guest",
                "poktan_photo",
            }
            assert all(after[table] == 0 for table in new)
            assert kind == "poktan_bkb"
            # The new tables hold a poktan with a family, a session and a mark.
            values = {"p": pokja, "now": now, "t": True, "f": False}
            for sql in (
                "INSERT INTO poktan (id, pokja_id, kind, name, rw, ketua_member_id,"
                " is_active, created_at, updated_at) VALUES (1, :p, 'bkb',"
                " 'BKB Melati RW 03', '03', 1, :t, :now, :now)",
                "INSERT INTO household (id, pokja_id, head_name, rt, rw, created_at,"
                " updated_at) VALUES (1, :p, 'Ahmad Fauzi', '01', '03', :now, :now)",
                "INSERT INTO poktan_membership (id, poktan_id, household_id,"
                " pokja_id, target_name, target_sex, target_birth_date, is_pus,"
                " uses_kb, created_at, updated_at) VALUES (1, 1, 1, :p, 'Aisyah',"
                " 'P', '2023-02-01', :t, :f, :now, :now)",
                "INSERT INTO poktan_session (id, poktan_id, pokja_id, kind, date,"
                " place, topic, created_at, updated_at) VALUES (1, 1, :p, 'bkb',"
                " '2024-06-10', 'Posyandu Melati', 'Gizi balita', :now, :now)",
                "INSERT INTO poktan_attendance (session_id, membership_id,"
                " household_id, pokja_id, status, kka_filled, marked_at)"
                " VALUES (1, 1, 1, :p, 'hadir', :t, :now)",
            ):
                run(text(sql), values)
            db.session.commit()
            downgrade(revision="0010_meeting_evidence")
            assert _row_counts() == before
            db.session.commit()
    finally:
        _empty_database(app)
        with app.app_context():
            db.create_all()
