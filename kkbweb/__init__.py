"""kkbweb: the intranet app of the Kampung KB programme, DP3AP2KB Kota Cilegon."""

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from kkbweb import (
    cli,
    database,
    errors,
    extensions,
    formtokens,  # noqa: F401  (its table belongs to the schema)
    logfilter,
    security,
    templating,
)
from kkbweb.audit import rules as audit_rules
from kkbweb.audit.views import bp as audit_bp
from kkbweb.auth import rules as auth_rules
from kkbweb.auth.views import bp as auth_bp
from kkbweb.classification import rules as classification_rules
from kkbweb.classification.views import bp as classification_bp
from kkbweb.config import ENV_SETTINGS, Defaults
from kkbweb.demo.command import demo_data_command
from kkbweb.kie.views import bp as kie_bp
from kkbweb.main.bench import bp as bench_bp
from kkbweb.main.views import bp as main_bp
from kkbweb.meetings.views import bp as meetings_bp
from kkbweb.members.views import bp as members_bp
from kkbweb.pokja import rules as pokja_rules
from kkbweb.pokja.views import bp as pokja_bp
from kkbweb.poktan import register_rules
from kkbweb.poktan import rules as poktan_rules
from kkbweb.poktan.views import bp as poktan_bp
from kkbweb.portal import rules as portal_rules
from kkbweb.portal.views import bp as portal_bp
from kkbweb.referrals import rules as referrals_rules
from kkbweb.referrals.views import bp as referrals_bp
from kkbweb.reports import rules as reports_rules
from kkbweb.reports.views import bp as reports_bp
from kkbweb.requests import MAX_ID, Request
from kkbweb.units import rules as units_rules
from kkbweb.units.views import bp as units_bp

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = (
    main_bp,
    auth_bp,
    pokja_bp,
    audit_bp,
    meetings_bp,
    members_bp,
    poktan_bp,
    kie_bp,
    referrals_bp,
    reports_bp,
    portal_bp,
    classification_bp,
    units_bp,
)
# The menu, in order: (endpoint, label, roles that see it; None: everyone).
NAV_ITEMS = [
    ("main.index", "Beranda", None),
    ("classification.index", "Kelas KB", classification_rules.MENU_ROLES),
    ("meetings.index", "Rapat", None),
    ("poktan.index", "Poktan", poktan_rules.MENU_ROLES),
    ("kie.index", "KIE", None),
    ("portal.index", "Portal", portal_rules.MENU_ROLES),
    ("units.index", "Posyandu & PAUD", units_rules.MENU_ROLES),
    ("poktan.registers.index", "Register SIGA", register_rules.READER_ROLES),
    ("referrals.index", "Layanan adminduk", referrals_rules.MENU_ROLES),
    ("reports.dashboard", "Laporan", reports_rules.MENU_ROLES),
    ("auth.users", "Pengguna", auth_rules.MENU_ROLES),
    ("pokja.index", "Pokja", pokja_rules.MENU_ROLES),
    ("audit.index", "Audit", audit_rules.MENU_ROLES),
]


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
    templating.init_app(app, NAV_ITEMS)
    errors.init_app(app)
    cli.init_app(app)
    app.cli.add_command(demo_data_command)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    if app.config["BENCH_MODE"]:
        app.register_blueprint(bench_bp)
    extensions.drop_idle_limiter_hooks(app)
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
