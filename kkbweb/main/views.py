"""Home page per role and the health check."""

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, text

from kkbweb.extensions import db
from kkbweb.pokja.models import Kecamatan, Pokja

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    """Pokja users land on their Pokja; department users on the city overview."""
    if not current_user.sees_all_pokja:
        if current_user.pokja_id is None:
            abort(403)
        return redirect(url_for("pokja.detail", pokja_id=current_user.pokja_id))
    rows = db.session.execute(
        select(Pokja, Kecamatan.display_name)
        .join(Kecamatan, Pokja.kecamatan_id == Kecamatan.id)
        .where(Pokja.is_active.is_(True))
        .order_by(Pokja.display_name)
    ).all()
    return render_template("main/index.html", rows=rows)


@bp.get("/healthz")
def healthz():
    """200 'ok' when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        current_app.logger.warning("healthz: database unreachable")
        return (
            "database unavailable",
            503,
            {"Content-Type": "text/plain; charset=utf-8"},
        )
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/bench/ok")
def bench_ok():
    """The benchmarks' floor: a bare response, only in bench mode."""
    if not current_app.config["BENCH_MODE"]:
        abort(404)
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
