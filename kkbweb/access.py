"""The one place that decides who may see what: role gates and Pokja scoping."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, false, true

from kkbweb.extensions import db

# A Pokja column, or a function building the condition "belongs to this Pokja"
# (for records linked to several Pokja, such as a meeting's invitations).
PokjaColumn = ColumnElement | Callable[[int], ColumnElement]


def role_required(*roles: str):
    """Require a logged-in user with one of the roles; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def pokja_condition(pokja_column: PokjaColumn, user=None) -> ColumnElement:
    """Return the WHERE condition limiting rows to the Pokja the user may see."""
    user = user or current_user
    if user.sees_all_pokja:
        return true()
    if user.pokja_id is None:
        return false()
    if callable(pokja_column):
        return pokja_column(user.pokja_id)
    return pokja_column == user.pokja_id


def scoped(stmt: Select, pokja_column: PokjaColumn, user=None) -> Select:
    """Narrow a select to the Pokja the current user may see."""
    return stmt.where(pokja_condition(pokja_column, user))


def can_see_pokja(pokja_id: int | None, user=None) -> bool:
    """Tell whether the user may see records of this Pokja."""
    user = user or current_user
    return user.sees_all_pokja or (pokja_id is not None and pokja_id == user.pokja_id)


def get_scoped_or_404(stmt: Select, pokja_column: PokjaColumn):
    """Run a single-row select within the user's scope; 404 when absent or foreign."""
    row = db.session.scalars(scoped(stmt, pokja_column)).first()
    if row is None:
        abort(404)
    return row
