"""The issued document of a case (referrals.documents.*): its PDF or photo, as
the kelurahan desk sends it by e-mail or WhatsApp (Permendagri 109/2019).

Attached by whoever may work on the case (the Pokja's kader or staff), with the
"dokumen terbit" step or afterwards; served only to the case's viewers (another
Pokja: 404), never cached. The file carries NIKs: every response that serves it
writes a read row (referral.document.view), like a full NIK on a page.
"""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from kkbweb.access import role_required
from kkbweb.audit.log import record_read_on_send
from kkbweb.extensions import db
from kkbweb.referrals import case_queries, case_service, pages, rules
from kkbweb.referrals.forms import DocumentForm
from kkbweb.uploads import prepare

bp = Blueprint("documents", __name__)
READ_ACTION = "referral.document.view"


class UploadError(Exception):
    """A file that cannot be attached; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "referrals"


def prepare_upload(upload):
    """A checked PDF or re-encoded photo from a file field, None when empty;
    UploadError when it cannot be accepted."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    done, problems = prepare([upload])
    if problems:
        raise UploadError("Dokumen tidak dilampirkan: " + " ".join(problems))
    return done[0]


def store(referral, prepared) -> bool:
    """Attach a prepared file to the case (False: it has this very file)."""
    if case_queries.document_count(referral.id) >= case_service.MAX_DOCUMENTS:
        raise UploadError(
            f"Maksimal {case_service.MAX_DOCUMENTS} dokumen per kasus; "
            "yang sudah ada tetap tersimpan."
        )
    return case_service.store_document(referral, prepared, current_user, folder())


@bp.post("/<int:referral_id>/dokumen")
@role_required(*rules.WORK_ROLES)
def upload(referral_id: int):
    """Attach the issued document (works without JavaScript)."""
    referral = pages.load_referral(referral_id)
    form = DocumentForm()
    back = redirect(
        url_for("referrals.detail", referral_id=referral_id, _anchor="dokumen"), 303
    )
    if not form.validate():
        flash("Formulir kedaluwarsa; ulangi.", "error")
        return back
    try:
        prepared = prepare_upload(form.document.data)
        if prepared is None:
            flash("Pilih berkas PDF atau foto dokumen yang terbit.", "error")
            return back
        saved = store(referral, prepared)
    except UploadError as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return back
    db.session.commit()
    if saved:
        flash("Dokumen terbit dilampirkan.", "success")
    else:
        flash("Dokumen ini sudah dilampirkan sebelumnya.", "info")
    return back


@bp.get("/<int:referral_id>/dokumen/<int:document_id>")
@role_required(*rules.VIEW_ROLES)
def file(referral_id: int, document_id: int):
    """Serve one issued file to the case's viewers (else 404), on record."""
    referral = pages.load_referral(referral_id)
    item = case_queries.document_of(referral.id, document_id)
    if item is None:
        abort(404)
    if current_user.role not in rules.FULL_NIK_ROLES:
        # Pimpinan reads masked NIKs only; the document shows them in full.
        abort(404)
    record_read_on_send(
        READ_ACTION, "referral", referral.id, note=f"dokumen terbit #{item.id}"
    )
    response = send_from_directory(
        folder(),
        item.filename,
        mimetype=item.mimetype,
        max_age=0,
        as_attachment=item.is_pdf,
        download_name=f"dokumen-{referral.code}-{item.id}"
        + (".pdf" if item.is_pdf else ".jpg"),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
