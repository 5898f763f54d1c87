"""Reads of the home page and the health check."""

from sqlalchemy import text

from kkbweb.extensions import db


def database_answers() -> bool:
    """Tell whether the database answers a trivial query (rolled back if not)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return False
    return True
