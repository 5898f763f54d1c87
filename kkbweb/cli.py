"""Command-line tasks: seeding, users, demo data."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select, text

from kkbweb import backup, demo
from kkbweb.audit.log import record
from kkbweb.auth import roles, service
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.pokja.models import Pokja
from kkbweb.pokja.seed import seed_pokja


def init_app(app: Flask) -> None:
    """Register the commands on `flask --app wsgi ...`."""
    for command in (
        seed_command,
        create_user_command,
        demo_data_command,
        analyze_command,
    ):
        app.cli.add_command(command)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(backup.restore_check_command)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Seed the 12 Pokja (idempotent) and create a first admin if there is none."""
    added = seed_pokja()
    click.echo(f"Pokja ditambahkan: {added}")
    has_admin = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == roles.ADMIN)
    )
    if has_admin:
        db.session.commit()
        return
    password = service.generate_password()
    user = service.create_user("admin", "Admin Dinas", roles.ADMIN, password)
    db.session.flush()
    record("user.create", user, after=user.audit_dict(), note="admin pertama (seed)")
    db.session.commit()
    click.echo("")
    click.echo("  Admin pertama dibuat (catat sekarang, tidak ditampilkan lagi):")
    click.echo("    nama pengguna: admin")
    click.echo(f"    kata sandi   : {password}")
    click.echo("  Anda akan diminta mengganti kata sandi saat pertama masuk.")
    click.echo("")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(sorted(roles.ROLE_LABELS)))
@click.option("--pokja", "pokja_name", help="Nama kelurahan Pokja, mis. Ciwedus.")
@click.option("--name", "full_name", help="Nama lengkap (bawaan: nama pengguna).")
@click.option("--password", help="Bila dikosongkan, ditanyakan dengan aman.")
def create_user_command(username, role, pokja_name, full_name, password) -> None:
    """Create a user; the password is asked for when not given."""
    username = service.normalize_username(username)
    problem = service.username_problem(username)
    if problem:
        raise click.ClickException(problem)
    pokja_id = None
    if pokja_name:
        pokja = _find_pokja(pokja_name)
        if pokja is None:
            raise click.ClickException(f"Pokja '{pokja_name}' tidak ditemukan.")
        pokja_id = pokja.id
    if password is None:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt=True)
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problem = service.password_problem(password, minimum, username)
    if problem:
        raise click.ClickException(problem)
    try:
        user = service.create_user(
            username, full_name or username, role, password, pokja_id
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.flush()
    record("user.create", user, after=user.audit_dict(), note="dibuat lewat CLI")
    db.session.commit()
    click.echo(f"Pengguna '{username}' ({roles.ROLE_LABELS[role]}) dibuat.")


@click.command("demo-data")
@with_appcontext
@click.option("--scale", default=1, show_default=True, help="Kelipatan volume data.")
@click.option("--password", help="Kata sandi semua pengguna demo (bawaan: acak).")
def demo_data_command(scale: int, password: str | None) -> None:
    """Create demo users for every role and realistic records for every feature."""
    seed_pokja()
    db.session.commit()
    password = password or service.generate_password()
    created = demo.run(scale=scale, password=password)
    db.session.commit()
    # A bulk load: the planner's statistics are out of date at once.
    refresh_planner_statistics()
    if created:
        click.echo(f"Pengguna demo (kata sandi semua: {password}):")
        for user in created:
            click.echo(f"  {user.username:<28} {user.role_label}")
    else:
        click.echo("Pengguna demo sudah ada; kata sandinya tidak diubah.")


def _find_pokja(name: str) -> Pokja | None:
    """Find a Pokja by display or official name, case-insensitively."""
    key = name.strip().lower()
    return db.session.scalars(
        select(Pokja).where(
            (func.lower(Pokja.display_name) == key)
            | (func.lower(Pokja.official_name) == key)
            | (Pokja.code == name.strip())
        )
    ).first()


def refresh_planner_statistics() -> None:
    """Run ANALYZE. SQLite keeps no statistics until it is run, and without them
    it picks plans that make the reports ~8x slower at 10x the data
    (docs/PERFORMANCE.md, Growth); PostgreSQL's autovacuum also runs it."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()


@click.command("analyze")
@with_appcontext
def analyze_command() -> None:
    """Refresh the query planner's statistics (nightly, with the backup)."""
    refresh_planner_statistics()
    click.echo("Statistik basis data diperbarui (ANALYZE).")
