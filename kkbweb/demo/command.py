"""`flask --app wsgi demo-data [--scale N] [--password P]`."""

import click
from flask import current_app
from flask.cli import with_appcontext

from kkbweb.auth.service import generate_password, password_problem
from kkbweb.cli import refresh_planner_statistics
from kkbweb.extensions import db
from kkbweb.pokja.seed import seed_pokja


@click.command("demo-data")
@with_appcontext
@click.option("--scale", default=1, show_default=True, help="Kelipatan volume data.")
@click.option(
    "--password",
    help="Kata sandi semua pengguna demo (bawaan: acak); pengguna demo yang sudah "
    "ada mendapat kata sandi ini juga.",
)
def demo_data_command(scale: int, password: str | None) -> None:
    """Create demo users for every role and realistic records for every feature.

    With --password, demo users that already exist get that password again: the
    documented way back to a forgotten demo password.
    """
    # Imported here, not at the top: create_app registers this command, and the
    # running app must not load the generators and their data (kkbweb/demo/).
    from kkbweb.demo.seed import run
    from kkbweb.demo.users import reset_demo_passwords

    if password is not None:
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if problem := password_problem(password, minimum):
            raise click.ClickException(problem)
    chosen = password
    seed_pokja()
    db.session.commit()
    password = password or generate_password()
    created = run(scale=scale, password=password)
    reset = []
    if chosen is not None:
        reset = reset_demo_passwords(chosen, skip={user.id for user in created})
    db.session.commit()
    # A bulk load: the planner's statistics are out of date at once.
    refresh_planner_statistics()
    if created:
        click.echo(f"Pengguna demo (kata sandi semua: {password}):")
        for user in created:
            click.echo(f"  {user.username:<28} {user.role_label}")
    if reset:
        click.echo(f"Kata sandi pengguna demo yang sudah ada diatur ulang: {chosen}")
        for user in reset:
            click.echo(f"  {user.username:<28} {user.role_label}")
    if not created and not reset:
        click.echo(
            "Pengguna demo sudah ada; kata sandinya tidak diubah. Untuk mengaturnya"
            " lagi: flask --app wsgi demo-data --password '...'"
        )
