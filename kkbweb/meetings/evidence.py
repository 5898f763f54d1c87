"""A meeting's evidence: photos and scans of the signed daftar hadir, notulen and
the activity (meetings.evidence.*).

Attached and removed by those who may manage the meeting (also after it ended:
the scan usually comes later); served only to users who may see the meeting.
"""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from kkbweb import database, uploads
from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.forms import Form
from kkbweb.images import remove as remove_files
from kkbweb.meetings import evidence_queries, evidence_service, pages, queries, rules
from kkbweb.meetings.forms import EvidenceForm

bp = Blueprint("evidence", __name__)

MEETING = "/<int:meeting_id>"


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "meetings"


def _back(meeting_id: int):
    return redirect(
        url_for("meetings.detail", meeting_id=meeting_id, _anchor="bukti"), 303
    )


@bp.route(f"{MEETING}/bukti", methods=["GET", "POST"])
@role_required(*rules.ORGANISER_ROLES)
def upload(meeting_id: int):
    """Attach photos or PDF scans to the meeting (works without JavaScript)."""
    loaded = queries.load_meeting(meeting_id)
    pages.require_manage(loaded)
    meeting = loaded.meeting
    form = EvidenceForm()
    existing = evidence_queries.of_meeting(meeting.id)
    if form.validate_on_submit():
        chosen = form.chosen()
        room = evidence_service.MAX_FILES - len(existing)
        if not chosen:
            form.files.errors.append(
                "Pilih foto atau berkas PDF yang akan dilampirkan."
            )
        elif len(chosen) > room:
            form.files.errors.append(
                f"Maksimal {evidence_service.MAX_FILES} berkas per rapat; "
                f"masih bisa {max(room, 0)} lagi. Hapus berkas yang tidak perlu."
            )
        else:
            # Decoding photos takes a while: not inside the write transaction.
            database.commit_keeping_loaded()
            prepared, problems = uploads.prepare(chosen)
            if problems:
                form.files.errors.extend(problems)
                form.files.errors.append(
                    "Tidak ada yang disimpan. Pilih ulang berkas yang benar lalu "
                    "kirim lagi."
                )
            else:
                known = {item.sha256 for item in existing}
                try:
                    count = evidence_service.store(
                        meeting,
                        form.kind.data,
                        prepared,
                        current_user,
                        _folder(),
                        known,
                    )
                    db.session.commit()
                except IntegrityError:
                    # A copy of this upload (double tap, resend) saved it first.
                    db.session.rollback()
                    count = 0
                if count:
                    flash(f"{count} berkas bukti dilampirkan.", "success")
                else:
                    flash("Berkas ini sudah dilampirkan sebelumnya.", "info")
                return _back(meeting_id)
    return render_template(
        "meetings/evidence_upload.html",
        loaded=loaded,
        meeting=meeting,
        form=form,
        evidence=existing,
    )


@bp.get(f"{MEETING}/bukti/<int:file_id>")
@login_required
def file(meeting_id: int, file_id: int):
    """Serve one file to users who may see the meeting (else 404); never cached."""
    loaded = queries.load_meeting(meeting_id)
    item = evidence_queries.file_of(meeting_id, file_id)
    if item is None:
        abort(404)
    meeting = loaded.meeting
    response = send_from_directory(
        _folder(),
        item.filename,
        mimetype=item.mimetype,
        max_age=0,
        # A PDF is downloaded, never rendered in our origin.
        as_attachment=item.is_pdf,
        download_name=f"bukti-{item.kind}-{meeting.date:%Y-%m-%d}-{item.id}"
        + (".pdf" if item.is_pdf else ".jpg"),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route(f"{MEETING}/bukti/<int:file_id>/hapus", methods=["GET", "POST"])
@role_required(*rules.ORGANISER_ROLES)
def remove(meeting_id: int, file_id: int):
    """Confirm, then remove one file (audited)."""
    loaded = queries.load_meeting(meeting_id)
    pages.require_manage(loaded)
    item = evidence_queries.file_of(meeting_id, file_id)
    if item is None:
        abort(404)
    form = Form()
    if form.validate_on_submit():
        label = item.kind_label
        filename = evidence_service.remove(loaded.meeting, item, current_user)
        db.session.commit()
        remove_files(_folder(), [filename])
        flash(f"Berkas bukti ({label}) dihapus.", "success")
        return _back(meeting_id)
    return render_template(
        "meetings/evidence_remove.html",
        loaded=loaded,
        meeting=loaded.meeting,
        item=item,
        form=form,
    )
