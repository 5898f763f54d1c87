"""kkbweb: the intranet app of the Kampung KB programme, DP3AP2KB Kota Cilegon."""

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from kkbweb import cli, database, errors, extensions, logfilter, security, templating
from kkbweb.audit.views import bp as audit_bp
from kkbweb.auth.views import bp as auth_bp
from kkbweb.config import ENV_SETTINGS, Defaults
from kkbweb.kie.views import bp as kie_bp
from kkbweb.main.views import bp as main_bp
from kkbweb.meetings.views import bp as meetings_bp
from kkbweb.pokja.views import bp as pokja_bp
from kkbweb.referrals.views import bp as referrals_bp
from kkbweb.reports.views import bp as reports_bp
from kkbweb.requests import MAX_ID, Request

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = (
    main_bp,
    auth_bp,
    pokja_bp,
    audit_bp,
    meetings_bp,
    kie_bp,
    referrals_bp,
    reports_bp,
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.request_class = Request
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for env_name, (key, parse) in ENV_SETTINGS.items():
            if os.environ.get(env_name):
                app.config[key] = parse(os.environ[env_name])
    else:
        app.config.update(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        db_file = Path(app.instance_path) / "kkbweb.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    # Ids beyond an INTEGER column (PostgreSQL: 32 bits) are plain 404s, not 500s.
    app.url_map.converters["int"] = BoundedIntConverter
    # No NIK in any log line, whoever writes it (a second guard; see the module).
    logfilter.install()
    database.init_app(app)
    extensions.migrate.init_app(app, extensions.db, render_as_batch=True)
    extensions.csrf.init_app(app)
    extensions.compress.init_app(app)
    extensions.limiter.init_app(app)
    extensions.login_manager.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


class BoundedIntConverter(IntegerConverter):
    """The <int:...> converter, limited to ids an INTEGER column can hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _instance_secret_key(instance: Path) -> str:
    """Read instance/secret_key, creating it with a random key on first start."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        # Write aside, then link into place: link fails if another worker won the
        # race, and nobody ever reads a half-written key.
        temp = instance / f".secret_key.{os.getpid()}"
        temp.write_text(secrets.token_hex(32))
        temp.chmod(0o600)
        try:
            os.link(temp, key_file)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return key_file.read_text().strip()
