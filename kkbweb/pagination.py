"""Pagination from the ?hal= parameter, safe against silly values."""

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from kkbweb.extensions import db

MAX_PAGE = 100_000  # beyond any real list; keeps huge numbers out of SQL


def paginate(stmt: Select, per_page: int | None = None) -> Pagination:
    """Page through a select; ?hal=-5 or ?hal=10**30 never reach the database."""
    page = request.args.get("hal", 1, type=int) or 1
    page = min(max(page, 1), MAX_PAGE)
    per_page = per_page or current_app.config["PER_PAGE"]
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)
