"""Ground-floor command-line tasks: backups and planner statistics.

Features register their own commands (auth: seed, create-user; demo: demo-data).
"""

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import text

from kkbweb import backup
from kkbweb.extensions import db


def init_app(app: Flask) -> None:
    """Register the commands on `flask --app wsgi ...`."""
    app.cli.add_command(analyze_command)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(backup.restore_check_command)


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
