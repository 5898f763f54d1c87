"""The benchmarks' floor: a bare response, registered only in bench mode."""

from flask import Blueprint

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.get("/ok")
def ok():
    """The cheapest answer the app can give: what every latency is compared with."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
