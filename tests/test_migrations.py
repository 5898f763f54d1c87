"""The migrations build the same schema as the models, on SQLite and PostgreSQL."""

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from kkbweb import create_app
from kkbweb.extensions import db


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
