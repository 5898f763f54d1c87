"""`flask seed` and `flask create-user`: the first admin and logins from a shell.

Registered on the auth blueprint (views.py), which has no CLI group, so the
commands stay at the top level.
"""

import click
from flask import current_app
from flask.cli import with_appcontext

from kkbweb import roles
from kkbweb.auth import queries, service
from kkbweb.extensions import db
from kkbweb.pokja.queries import find_pokja
from kkbweb.pokja.seed import seed_pokja


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Seed the 12 Pokja (idempotent) and create a first admin if there is none."""
    added = seed_pokja()
    click.echo(f"Pokja ditambahkan: {added}")
    if queries.admin_exists():
        db.session.commit()
        return
    password = service.generate_password()
    service.add_user(
        "admin", "Admin Dinas", roles.ADMIN, password, note="admin pertama (seed)"
    )
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
        pokja = find_pokja(pokja_name)
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
        service.add_user(
            username,
            full_name or username,
            role,
            password,
            pokja_id,
            note="dibuat lewat CLI",
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Pengguna '{username}' ({roles.ROLE_LABELS[role]}) dibuat.")


COMMANDS = (seed_command, create_user_command)
