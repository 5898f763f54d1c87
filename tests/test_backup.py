"""`flask backup` and `flask restore-check`: online copy, restore check."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from kkbweb import create_app
from kkbweb.auth.models import User
from kkbweb.backup import pg_dump_command
from kkbweb.extensions import db
from tests import factories
from tests.conftest import TEST_DATABASE_URL

sqlite_only = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="the SQLite backup API needs a SQLite database"
)


def _add_pair(app, writer: int, seq: int) -> None:
    """One transaction: a user and the audit row of its creation."""
    with app.app_context():
        user = User(
            username=f"w{writer}-{seq}",
            full_name=f"Penulis {writer}",
            role="staf",
            password_hash="x",
        )
        db.session.add(user)
        db.session.flush()
        db.session.execute(
            text(
                "INSERT INTO audit_log (created_at, action, entity_type, entity_id) "
                "VALUES (CURRENT_TIMESTAMP, 'user.create', 'user', :id)"
            ),
            {"id": str(user.id)},
        )
        db.session.commit()


@sqlite_only
def test_backup_while_writers_commit_is_a_consistent_restorable_prefix(
    app, runner, tmp_path
):
    # Some bulk first, so that the copy takes a moment while writers go on.
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO audit_log (created_at, action, note) VALUES (:t, :a, :n)"
            ),
            [
                {"t": "2024-01-01 00:00:00", "a": "isi", "n": "x" * 200}
                for _ in range(20000)
            ],
        )
        db.session.commit()
    stop = threading.Event()
    done = {n: 0 for n in range(4)}
    errors = []

    def writer(n: int) -> None:
        try:
            while not stop.is_set():
                _add_pair(app, n, done[n])
                done[n] += 1
        except Exception as error:  # reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=writer, args=(n,)) for n in done]
    for thread in threads:
        thread.start()
    while sum(done.values()) < 20:
        time.sleep(0.01)
    before = sum(done.values())
    copy = tmp_path / "cadangan.sqlite"
    result = runner.invoke(args=["backup", str(copy)])
    after_backup = sum(done.values())
    time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert result.exit_code == 0, result.output
    assert "Cadangan dibuat" in result.output and "users" in result.output
    assert sum(done.values()) > after_backup  # the app kept writing afterwards

    # The copy: intact, no orphans, and a prefix of every writer's sequence in
    # which each user has its audit row (whole transactions only).
    checked = runner.invoke(args=["restore-check", "--no-compare", str(copy)])
    assert checked.exit_code == 0, checked.output
    assert "integrity_check: ok" in checked.output
    connection = sqlite3.connect(copy)
    names = [r[0] for r in connection.execute("SELECT username FROM users")]
    audited = {
        r[0]
        for r in connection.execute(
            "SELECT entity_id FROM audit_log WHERE action = 'user.create'"
        )
    }
    ids = {r[0] for r in connection.execute("SELECT CAST(id AS TEXT) FROM users")}
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    connection.close()
    assert ids == audited, "a user without its audit row, or the reverse"
    copied = 0
    for n in done:
        seqs = sorted(int(u.split("-")[1]) for u in names if u.startswith(f"w{n}-"))
        assert seqs == list(range(len(seqs))), f"writer {n}: gap in {seqs}"
        copied += len(seqs)
    assert before <= copied <= after_backup

    # Against the live database, which has moved on, the counts differ: exit 1.
    moved = runner.invoke(args=["restore-check", str(copy)])
    assert moved.exit_code == 1
    assert "jumlah baris users" in moved.output


@sqlite_only
def test_restore_check_compares_with_the_live_database(app, runner, tmp_path):
    factories.make_user("admin")
    copy = tmp_path / "salinan.sqlite"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    result = runner.invoke(args=["restore-check", str(copy)])
    assert result.exit_code == 0, result.output
    assert "jumlah baris cocok" in result.output

    # A restored copy works as the app's database.
    restored = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}",
        }
    )
    with restored.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM pokja")) == 12


@sqlite_only
def test_backup_refuses_to_overwrite_and_copies_uploads(app, runner, tmp_path):
    uploads = tmp_path / "uploads" / "kie"
    uploads.mkdir(parents=True)
    (uploads / "foto.jpg").write_bytes(b"\xff\xd8 foto")
    copy = tmp_path / "c.sqlite"
    first = runner.invoke(args=["backup", str(copy)])
    assert first.exit_code == 0
    assert "--uploads" in first.output  # reminds that uploads are not in it
    again = runner.invoke(args=["backup", str(copy)])
    assert again.exit_code == 1 and "sudah ada" in again.output
    forced = runner.invoke(args=["backup", "--force", "--uploads", str(copy)])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "c.sqlite.uploads" / "kie" / "foto.jpg").read_bytes() == (
        b"\xff\xd8 foto"
    )


@sqlite_only
def test_restore_check_fails_clearly_on_a_damaged_copy(app, runner, tmp_path):
    copy = tmp_path / "rusak.sqlite"
    copy.write_bytes(b"bukan basis data" * 100)
    result = runner.invoke(args=["restore-check", "--no-compare", str(copy)])
    assert result.exit_code == 1
    assert "bukan basis data SQLite yang utuh" in result.output
    missing = runner.invoke(args=["restore-check", str(tmp_path / "tidak-ada")])
    assert missing.exit_code == 1 and "tidak ada" in missing.output


@sqlite_only
def test_restore_check_reports_orphans(app, runner, tmp_path):
    copy = tmp_path / "yatim.sqlite"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    connection = sqlite3.connect(copy)
    connection.execute(
        "INSERT INTO users (username, full_name, role, pokja_id, password_hash, "
        "active, must_change_password, session_version, created_at) "
        "VALUES ('yatim', 'Y', 'pokja', 999, 'x', 1, 0, 1, CURRENT_TIMESTAMP)"
    )
    connection.commit()
    connection.close()
    result = runner.invoke(args=["restore-check", "--no-compare", str(copy)])
    assert result.exit_code == 1
    assert "foreign_key_check" in result.output


def test_postgresql_backup_explains_pg_dump_without_the_password(tmp_path):
    url = "postgresql+psycopg://kkbweb:rahasia@127.0.0.1:5432/kkbweb"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url}
    )
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code != 0
    assert "pg_dump --format=custom" in result.output
    assert "--host=127.0.0.1 --port=5432 --username=kkbweb kkbweb" in result.output
    assert "rahasia" not in result.output
    assert pg_dump_command(url, "f") == (
        "PGPASSWORD='***' pg_dump --format=custom --file=f --host=127.0.0.1 "
        "--port=5432 --username=kkbweb kkbweb"
    )
