"""Portal pages: the month's "belum diunggah" list, one activity's "Salin ke
portal" screen, its record form, the upload mark, photos and the exports;
registers the mapping pages."""

from collections import ChainMap

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from kkbweb import database, reference
from kkbweb.access import role_required
from kkbweb.audit.log import record_read
from kkbweb.extensions import db
from kkbweb.htmx import render, render_refused, wants_partial
from kkbweb.kie import pending
from kkbweb.pokja.queries import pokja_choices
from kkbweb.portal import exports, mappings, pages, queries, rules, service, vocab
from kkbweb.portal.exports import Row
from kkbweb.portal.forms import ConfirmForm, RecordForm, UploadForm
from kkbweb.portal.queries import Selection
from kkbweb.portal.sources import SOURCES
from kkbweb.reports.months import Month
from kkbweb.requests import query_int
from kkbweb.spreadsheets import content_disposition, download
from kkbweb.timeutil import today_wib

bp = Blueprint("portal", __name__, url_prefix="/portal")
bp.register_blueprint(mappings.bp)

RECORD = "/<kind>/<int:source_id>/<int:pokja_id>"


def _period(with_choices: bool = True):
    """The month and Pokja of a list or export (a Pokja user: their own)."""
    month = Month.parse(request.args.get("bulan")) or Month.of(today_wib())
    # The Pokja select is part of the full page only (an htmx swap keeps it;
    # a download has none).
    choices = (
        pokja_choices()
        if with_choices and current_user.sees_all_pokja and not wants_partial()
        else []
    )
    pokja_id = current_user.pokja_id
    if current_user.sees_all_pokja:
        pokja_id = query_int("pokja")
    start, end = month.date_bounds
    return month, pokja_id, choices, Selection(pokja_id=pokja_id, start=start, end=end)


@bp.get("/")
@role_required(*rules.READER_ROLES)
def index():
    """The month's activities and their portal state; "belum diunggah" first."""
    month, pokja_id, choices, selection = _period()
    status = request.args.get("status", vocab.STATUS_PENDING)
    if status not in vocab.STATUSES:
        status = vocab.STATUS_PENDING
    today = today_wib()
    found = queries.month_rows([s.month(selection) for s in SOURCES.values()])
    rows = [(SOURCES[row.kind], row) for row in found if row[5] <= today]
    done = sum(1 for _, row in rows if row.uploaded_at is not None)
    pending_count = len(rows) - done
    if status == vocab.STATUS_PENDING:
        rows = [(s, r) for s, r in rows if r.uploaded_at is None]
    elif status == vocab.STATUS_DONE:
        rows = [(s, r) for s, r in rows if r.uploaded_at is not None]
    args = {"bulan": str(month), "status": status}
    if pokja_id and current_user.sees_all_pokja:
        args["pokja"] = pokja_id
    return render(
        "portal/index.html",
        "portal/_rows.html",
        rows=rows,
        month=month,
        months=sorted(
            {month, *(Month.of(today).minus(n) for n in range(13))},
            key=str,
            reverse=True,
        ),
        pokja_id=pokja_id,
        choices=choices,
        status=status,
        statuses=vocab.STATUSES,
        done=done,
        pending=pending_count,
        args=args,
    )


@bp.get(RECORD)
@role_required(*rules.READER_ROLES)
def detail(kind: str, source_id: int, pokja_id: int):
    """ "Salin ke portal": every field in the portal's order, ready to copy."""
    loaded = pages.load(kind, source_id, pokja_id)
    photos = [
        (
            slot,
            pages.slot_url(slot.ref, loaded),
            pages.slot_url(slot.ref, loaded, download=True),
        )
        for slot in loaded.draft.photos
    ]
    endpoint, args = loaded.source.detail(source_id)
    return render_template(
        "portal/detail.html",
        loaded=loaded,
        values=pages.portal_values(loaded.draft),
        problems=rules.problems(loaded.draft),
        photos=photos,
        types=reference.names("gambar_type"),
        source_url=url_for(endpoint, **args),
        frozen_note=pages.frozen_notice(loaded, saved=True),
        can_write=pages.may_write(current_user),
        upload_form=UploadForm(),
        unmark_form=ConfirmForm(),
        args=pages.record_args(loaded.facts),
    )


def _form_page(loaded, form, slots, token, messages, submitted):
    context = {
        "loaded": loaded,
        "form": form,
        "slots": slots + [None] * (rules.MAX_PHOTOS - len(slots)),
        "available": pages.available(loaded, token, current_user.id),
        "token": token,
        "messages": messages,
        "types": reference.gambar_types(),
        "args": pages.record_args(loaded.facts),
        "frozen_note": pages.frozen_notice(loaded),
    }
    if submitted:
        return render_refused("portal/form.html", "portal/form.html", **context)
    return render_template("portal/form.html", **context)


def _conflict(loaded):
    """Two saves of a new record at once: the first won; show it."""
    db.session.rollback()
    flash(
        "Catatan portal ini baru saja disimpan dari layar lain. Periksa isinya, "
        "lalu ubah bila perlu.",
        "warning",
    )
    return redirect(url_for("portal.detail", **pages.record_args(loaded.facts)), 303)


@bp.route(f"{RECORD}/ubah", methods=["GET", "POST"])
@role_required(*rules.WRITER_ROLES)
def edit(kind: str, source_id: int, pokja_id: int):
    """Confirm or correct the record (pre-filled from the activity)."""
    if not pages.may_write(current_user):
        abort(403)
    user = current_user._get_current_object()
    form = RecordForm()
    # The defaults are read for the form only; a save takes what was posted.
    loaded = pages.load(kind, source_id, pokja_id, with_draft=not form.is_submitted())
    judul = form.judul.data if form.is_submitted() else loaded.draft.judul
    pages.set_choices(form, judul or "")
    if not form.is_submitted():
        pending.sweep(pages.upload_root())
        pages.fill_form(form, loaded.draft)
        token = pages.new_token()
        return _form_page(loaded, form, loaded.draft.photos, token, {}, False)
    token = pages.usable_token(form.token.data, user.id)
    form.token.data = token
    valid = form.validate()
    # Forged requests (no CSRF token) keep nothing on disk.
    if "csrf_token" in form.errors:
        return _form_page(loaded, form, [], token, {}, True)
    database.commit_keeping_loaded()  # decode photos outside the write lock
    slots, photo_messages = pages.read_slots(
        request.form, request.files, loaded, token, user.id
    )
    draft = pages.draft_from_form(form, pages.filled(slots))
    messages = {**rules.problems(draft), **pages.lainnya_problems(form)}
    if photo_messages:
        messages["photos"] = " ".join(
            [*photo_messages, messages.get("photos", "")]
        ).strip()
    if not valid or messages:
        return _form_page(loaded, form, slots, token, messages, True)
    # Read again in the write transaction: another copy of the form may have
    # stored the record while the photos were decoded.
    loaded = pages.load(kind, source_id, pokja_id, with_draft=False)
    try:
        _record, dropped = service.save_record(
            loaded.facts, loaded.record, draft, user, pages.upload_root(), token
        )
        db.session.commit()
    except IntegrityError:
        return _conflict(loaded)
    service.remove_files(pages.upload_root(), dropped)
    pending.clear(pages.upload_root(), token)
    flash("Catatan portal disimpan. Salin isinya ke portal.", "success")
    return redirect(url_for("portal.detail", **pages.record_args(loaded.facts)), 303)


@bp.post(f"{RECORD}/unggah")
@role_required(*rules.WRITER_ROLES)
def mark_uploaded(kind: str, source_id: int, pokja_id: int):
    """Mark "sudah diunggah ke portal" (who, when, the portal's URL or id)."""
    if not pages.may_write(current_user):
        abort(403)
    loaded = pages.load(kind, source_id, pokja_id)
    form = UploadForm()
    if not form.validate():
        flash(" ".join(form.portal_ref.errors) or "Periksa isian.", "error")
        return redirect(
            url_for("portal.detail", **pages.record_args(loaded.facts)), 303
        )
    try:
        service.mark_uploaded(
            loaded.facts,
            loaded.record,
            loaded.draft,
            current_user,
            form.portal_ref.data,
            pages.upload_root(),
        )
        db.session.commit()
    except IntegrityError:
        return _conflict(loaded)
    flash(
        f"\u201c{loaded.draft.judul}\u201d ditandai sudah diunggah ke portal.",
        "success",
    )
    return redirect(
        url_for("portal.index", bulan=str(Month.of(loaded.draft.tanggal))), 303
    )


@bp.post(f"{RECORD}/batal-unggah")
@role_required(*rules.WRITER_ROLES)
def unmark_uploaded(kind: str, source_id: int, pokja_id: int):
    """Take the upload mark back."""
    if not pages.may_write(current_user):
        abort(403)
    loaded = pages.load(kind, source_id, pokja_id, with_draft=False)
    form = ConfirmForm()
    if form.validate() and loaded.record is not None and loaded.record.uploaded_at:
        service.unmark_uploaded(loaded.record, current_user)
        db.session.commit()
        flash("Tanda sudah diunggah dibatalkan.", "success")
    return redirect(url_for("portal.detail", **pages.record_args(loaded.facts)), 303)


@bp.get("/foto/<int:record_id>/<int:position>")
@role_required(*rules.READER_ROLES)
def photo(record_id: int, position: int):
    """A record's photo; ?unduh=1 downloads it named by its caption."""
    found = queries.photo_file(record_id, position)
    if found is None:
        abort(404)
    filename, caption = found
    response = send_from_directory(
        pages.upload_root() / service.PORTAL_FOLDER,
        filename,
        mimetype="image/jpeg",
        max_age=0,
    )
    if request.args.get("unduh"):
        name = exports.photo_name(position + 1, caption, "foto")
        response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _export_rows(selection: Selection) -> list[Row]:
    """Every intervensi of the period, stored or as defaults: one read of the
    mapping and mitra labels, then one batched read per kind (two for meetings:
    their people), whatever the number of activities."""
    overrides, mitra = queries.lookups()
    config = ChainMap({"kie_mitra": mitra}, current_app.config)
    rows = []
    for source in SOURCES.values():
        for facts, record in source.batch(selection, config):
            draft = pages.draft_of(facts, record, overrides)
            rows.append(Row(facts, source.label, draft, record))
    rows.sort(key=lambda r: (r.facts.pokja_name, r.draft.tanggal, r.facts.source_id))
    return rows


@bp.get("/ekspor")
@role_required(*rules.READER_ROLES)
def export():
    """The month's intervensi in the portal's shape, as CSV or XLSX."""
    month, pokja_id, _choices, selection = _period(with_choices=False)
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    rows = _export_rows(selection)
    body = exports.to_csv(rows) if fmt == "csv" else exports.to_xlsx(rows)
    with database.keeping_loaded():
        record_read(
            "portal.export",
            None,
            note=f"{fmt} {month} pokja={pokja_id} rows={len(rows)}",
        )
    return download(body, fmt, f"portal-intervensi-{month}.{fmt}")


@bp.get("/foto.zip")
@role_required(*rules.READER_ROLES)
def photos_zip():
    """The month's photos with their captions, one folder per intervensi."""
    month, pokja_id, _choices, selection = _period(with_choices=False)
    root = pages.upload_root()
    entries = []
    for row in _export_rows(selection):
        files = []
        candidates = {c.ref: c for c in row.facts.photos}
        for slot in row.draft.photos:
            kind, _, rest = slot.ref.partition(":")
            if kind == "p":
                path = (
                    root / service.PORTAL_FOLDER / row.record.photos[int(rest)]["file"]
                )
            elif slot.ref in candidates:
                found = candidates[slot.ref]
                path = root / found.folder / found.filename
            else:
                continue
            files.append((path, slot.caption, slot.type_id))
        entries.append((row, files))
    body = exports.to_zip(entries)
    with database.keeping_loaded():
        record_read("portal.export", None, note=f"zip {month} pokja={pokja_id}")
    response = current_app.response_class(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(
        f"foto-portal-{month}.zip"
    )
    return response


@bp.app_template_global()
def portal_link(kind: str, source_id: int, pokja_id: int) -> str:
    """The "Salin ke portal" screen of an activity (for other features' pages)."""
    return url_for("portal.detail", kind=kind, source_id=source_id, pokja_id=pokja_id)
