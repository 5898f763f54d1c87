"""Command-line tasks: seed, create-user, demo-data."""

import re

from sqlalchemy import func, select, text

from kkbweb.audit.models import AuditLog
from kkbweb.auth.models import User
from kkbweb.extensions import db
from tests import factories


def test_seed_creates_a_first_admin_once_and_prints_the_password(app, runner, auth):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0
    password = re.search(r"kata sandi\s*:\s*(\S+)", first.output).group(1)
    assert len(password) >= 10
    second = runner.invoke(args=["seed"])
    assert "kata sandi" not in second.output
    response = auth.login("admin", password)
    assert response.headers["Location"].endswith("/auth/password")


def test_create_user_with_pokja(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "Op.Bulakan",
            "--role",
            "pokja",
            "--pokja",
            "bulakan",
            "--password",
            "sandi-yang-panjang",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(
            select(User).where(User.username == "op.bulakan")
        ).one()
        assert user.pokja_id is not None and user.must_change_password


def test_create_user_prompts_for_the_password(app, runner):
    result = runner.invoke(
        args=["create-user", "staf.baru", "--role", "staf"],
        input="sandi-yang-panjang\nsandi-yang-panjang\n",
    )
    assert result.exit_code == 0, result.output


def test_create_user_refuses_bad_input_clearly(app, runner):
    cases = [
        (
            [
                "create-user",
                "x1",
                "--role",
                "pokja",
                "--password",
                "sandi-yang-panjang",
            ],
            "Nama pengguna tidak valid",
        ),
        (
            [
                "create-user",
                "op.satu",
                "--role",
                "pokja",
                "--password",
                "sandi-yang-panjang",
            ],
            "harus memilih Pokja",
        ),
        (
            [
                "create-user",
                "op.dua",
                "--role",
                "pokja",
                "--pokja",
                "Atlantis",
                "--password",
                "sandi-yang-panjang",
            ],
            "tidak ditemukan",
        ),
        (
            ["create-user", "op.tiga", "--role", "staf", "--password", "pendek"],
            "minimal 10 karakter",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_data_creates_a_user_for_every_role_and_pokja(app, runner, auth):
    result = runner.invoke(args=["demo-data", "--password", "demo-sandi-panjang"])
    assert result.exit_code == 0, result.output
    for username in [
        "demo.admin",
        "demo.staf",
        "demo.pimpinan",
        "demo.penyelenggara",
        "pokja.ciwedus",
        "pokja.lebakgede",
        "penyelenggara.ciwedus",
    ]:
        assert username in result.output
    assert auth.login("pokja.kebondalem", "demo-sandi-panjang").status_code == 303
    # The bulk load leaves planner statistics behind (reports rely on them).
    assert _analyzed(app, "attendance")
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0 and "sudah ada" in again.output


def _analyzed(app, table: str):
    """A trace of the last ANALYZE of a table: SQLite's count of statistics rows
    (0 before any), PostgreSQL's last_analyze time (None before any)."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            if not db.session.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            ):
                return 0
            query = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = :t"
        else:
            query = (
                "SELECT last_analyze FROM pg_stat_user_tables"
                " WHERE relname = :t AND schemaname = current_schema()"
            )
        return db.session.scalar(text(query), {"t": table})


def test_analyze_gives_the_planner_statistics_of_a_grown_database(app, runner):
    for _ in range(3):
        factories.make_user()
    before = _analyzed(app, "users")
    result = runner.invoke(args=["analyze"])
    assert result.exit_code == 0 and "diperbarui" in result.output, result.output
    after = _analyzed(app, "users")
    assert after and after != before


def test_demo_data_with_password_resets_existing_demo_users(app, runner, auth):
    """Once the demo users exist, `demo-data --password P` gives them P again
    (audited, printed); a real account is never touched."""
    factories.make_user("staf", username="siti.real", password="sandi-asli-milik-siti")
    first = runner.invoke(args=["demo-data", "--password", "sandi-pertama-demo"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["demo-data", "--password", "sandi-kedua-demo"])
    assert again.exit_code == 0, again.output
    assert "diatur ulang: sandi-kedua-demo" in again.output
    assert "pokja.kebondalem" in again.output and "siti.real" not in again.output
    assert auth.login("pokja.kebondalem", "sandi-pertama-demo").status_code != 303
    auth.logout()
    assert auth.login("pokja.kebondalem", "sandi-kedua-demo").status_code == 303
    auth.logout()
    assert auth.login("siti.real", "sandi-asli-milik-siti").status_code == 303
    with app.app_context():
        reset = db.session.scalars(
            select(AuditLog.entity_id).where(AuditLog.action == "user.password_reset")
        ).all()
        demo_ids = db.session.scalars(
            select(User.id).where(User.username.like("%demo.%"))
        ).all()
    assert {int(i) for i in reset} >= set(demo_ids) and demo_ids
    # A short password is refused before anything changes.
    short = runner.invoke(args=["demo-data", "--password", "pendek"])
    assert short.exit_code != 0 and "minimal" in short.output
    # Without --password, nothing is reset, and the message says how.
    plain = runner.invoke(args=["demo-data"])
    assert "tidak diubah" in plain.output and "--password" in plain.output
