"""Home page per role and the health check."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required

from kkbweb import roles
from kkbweb.main import queries
from kkbweb.pokja.queries import active_pokja_with_kecamatan

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    """Pokja users land on their Pokja; pimpinan on the Kampung KB classes of the
    city; the other department users on the city overview."""
    if current_user.role == roles.PIMPINAN:
        return redirect(url_for("classification.board"))
    if not current_user.sees_all_pokja:
        if current_user.pokja_id is None:
            abort(403)
        return redirect(url_for("pokja.detail", pokja_id=current_user.pokja_id))
    return render_template("main/index.html", rows=active_pokja_with_kecamatan())


@bp.get("/healthz")
def healthz():
    """200 'ok' when the database answers, 503 otherwise."""
    if not queries.database_answers():
        current_app.logger.warning("healthz: database unreachable")
        return (
            "database unavailable",
            503,
            {"Content-Type": "text/plain; charset=utf-8"},
        )
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/sw.js")
def service_worker():
    """The service worker that opens kept roll calls with no signal (static/js/sw.js).

    Served from the site's root so that its scope covers the meeting pages; never
    cached, so that a new version is picked up at the next visit.
    """
    response = send_from_directory(
        current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    return response
