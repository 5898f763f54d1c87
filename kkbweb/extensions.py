"""Flask extensions, created unbound so that models and views can import them."""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations stable and let SQLite batch mode
# alter tables that have constraints.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every kkbweb model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
compress = Compress()
# No default limits: only the login view is throttled, per username.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def drop_idle_limiter_hooks(app) -> None:
    """Take Flask-Limiter's per-request hooks off when no route has a limit.

    The login throttle uses the limiter's storage directly (auth/throttle.py);
    the hooks look up limits for every request and find none. Should a route or
    blueprint ever get a @limiter.limit (or default limits be set), they stay.
    """
    manager = limiter.limit_manager
    declared = (
        "_application_limits",
        "_default_limits",
        "_decorated_limits",
        "_blueprint_limits",
    )
    if any(getattr(manager, name, True) for name in declared) or getattr(
        limiter, "_meta_limits", True
    ):
        return
    check = getattr(limiter, "_check_request_limit", None)  # pinned Flask-Limiter
    hooks = (
        (app.before_request_funcs, lambda f: check is not None and f == check),
        (app.after_request_funcs, lambda f: getattr(f, "args", None) == (limiter,)),
        (app.teardown_request_funcs, lambda f: getattr(f, "__self__", None) is limiter),
    )
    for registry, is_limiters in hooks:
        registry[None] = [f for f in registry.get(None, []) if not is_limiters(f)]
