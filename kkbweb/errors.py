"""Error pages in Bahasa Indonesia; no request ever ends in a bare 500."""

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from kkbweb.extensions import db
from kkbweb.forms import STALE_FORM

MESSAGES = {
    400: ("Permintaan tidak valid", "Isian atau alamat halaman tidak dapat diproses."),
    403: ("Akses ditolak", "Anda tidak memiliki izin untuk membuka halaman ini."),
    404: (
        "Halaman tidak ditemukan",
        "Data yang Anda cari tidak ada atau bukan wewenang Anda.",
    ),
    405: (
        "Metode tidak diizinkan",
        "Halaman ini tidak menerima cara pengiriman tersebut.",
    ),
    413: (
        "Berkas terlalu besar",
        "Ukuran kiriman melebihi batas. Perkecil foto atau kirim lebih sedikit berkas.",
    ),
    429: ("Terlalu banyak percobaan", "Tunggu beberapa saat lalu coba lagi."),
    500: (
        "Terjadi kesalahan",
        "Maaf, terjadi kesalahan di server. Data tidak tersimpan; silakan coba lagi.",
    ),
}


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing:
        # Tests want the traceback; users get a friendly page.
        app.register_error_handler(Exception, _unexpected_error)


def error_page(code: int, detail: str | None = None):
    """Render the Indonesian error page for an HTTP status."""
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    return (
        render_template(
            "errors/error.html", code=code, title=title, message=detail or message
        ),
        code,
    )


def _csrf_error(error: CSRFError):
    """A missing or stale form token: say so plainly."""
    return error_page(400, STALE_FORM)


def _http_error(error: HTTPException):
    """Werkzeug's HTTP errors get our page; redirects and the like pass through."""
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # a view prepared its own answer (login 429)
        return error.response
    return error_page(error.code)


def _unexpected_error(error: Exception):
    """Roll back, log and answer a friendly 500."""
    db.session.rollback()
    current_app.logger.exception("Unhandled error")
    return error_page(500)
