"""KIE pages: the activity list, exports, one entry, its photos; registers the
campaign and vocabulary pages."""

import secrets
from pathlib import Path

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
from flask_login import current_user, login_required

from kkbweb import database
from kkbweb.access import role_required
from kkbweb.formtokens import creates
from kkbweb.htmx import render, render_refused, wants_partial
from kkbweb.kie import (
    campaigns,
    exports,
    pages,
    pending,
    photos,
    queries,
    rules,
    service,
    terms,
)
from kkbweb.kie.forms import (
    TOKEN_PATTERN,
    ActivityForm,
    ConfirmForm,
    PhotosForm,
    chosen_files,
)
from kkbweb.kie.models import KieActivity
from kkbweb.kie.queries import Filters, Options
from kkbweb.kie.vocab import ACTIVITY_TYPES
from kkbweb.pagination import paginate
from kkbweb.spreadsheets import download
from kkbweb.timeutil import today_wib, utcnow

bp = Blueprint("kie", __name__, url_prefix="/kie")
bp.register_blueprint(campaigns.bp)
bp.register_blueprint(terms.bp)

EXPORT_FORMATS = {
    # format: (layout, file type, file name stem)
    "csv": ("full", "csv", "kie"),
    "xlsx": ("full", "xlsx", "kie"),
    "portal_csv": ("portal", "csv", "portal-kampung-kb"),
    "portal_xlsx": ("portal", "xlsx", "portal-kampung-kb"),
}


# -- helpers -----------------------------------------------------------------


def _require_change(activity: KieActivity) -> None:
    """403 unless the user may still edit or delete this (visible) entry."""
    if not rules.can_change(
        current_user.role, current_user.pokja_id, activity.created_at, utcnow()
    ):
        abort(403)


def _load_or_404(activity_id: int) -> KieActivity:
    """An entry with its terms and photos, within the user's Pokja scope."""
    activity = queries.entry(activity_id)
    if activity is None:
        abort(404)
    return activity


def _upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _photo_folder() -> Path:
    return _upload_root() / "kie"


def _decode_photos(files) -> tuple[list[photos.Processed], list[str]]:
    """Re-encode the uploads, after ending the transaction.

    On SQLite a POST holds the write lock (BEGIN IMMEDIATE) for its whole
    transaction; decoding phone photos takes a few hundred milliseconds that
    other writers (roll calls) must not wait for. Loaded objects stay readable
    without new queries.
    """
    database.commit_keeping_loaded()
    return photos.process_uploads(files)


def _entry_page(
    form, options: Options, activity=None, submitted: bool = False, kept=None
):
    """The entry form, new or edit (with the photos kept from a refused one)."""
    context = pages.entry_context(form, options, current_user, activity, kept)
    return pages.form_page("kie/form.html", submitted, **context)


# -- activity list and exports ---------------------------------------------------


@bp.get("/")
@login_required
def index():
    """Entries newest first, filtered; htmx swaps only the results."""
    filters = Filters.parse(request.args, current_user.sees_all_pokja, today_wib())
    conditions = queries.scoped_conditions(filters)
    page = paginate(queries.list_stmt(conditions))
    context = {
        "page": page,
        "totals": queries.totals(conditions),
        "filters": filters,
        "args": filters.args(),
        "can_write": rules.can_write(current_user.role, current_user.pokja_id),
    }
    if not wants_partial():
        context["options"] = queries.load_options(current_user)
    return render("kie/index.html", "kie/_results.html", **context)


@bp.post("/ekspor")
@login_required
def export():
    """Download the filtered list as CSV/XLSX, in full or in the portal's shape."""
    chosen = request.form.get("format", "")
    if chosen not in EXPORT_FORMATS:
        abort(400)
    layout, file_type, stem = EXPORT_FORMATS[chosen]
    filters = Filters.parse(request.form, current_user.sees_all_pokja, today_wib())
    limit = current_app.config.get("KIE_EXPORT_MAX_ROWS", 20_000)
    rows = queries.export_rows(queries.scoped_conditions(filters), limit)
    if len(rows) > limit:
        flash(
            f"Terlalu banyak kegiatan untuk satu berkas (lebih dari {limit:,}). "
            "Persempit saringan, mis. per tahun.".replace(",", "."),
            "error",
        )
        return redirect(url_for("kie.index", **filters.args()), 303)
    columns = exports.LAYOUTS[layout]
    if file_type == "csv":
        body = exports.to_csv(rows, columns)
    else:
        body = exports.to_xlsx(rows, columns, "Kegiatan KIE")
    service.record_export(chosen, len(rows), filters.args())
    filename = f"{stem}-{today_wib().isoformat()}.{file_type}"
    return download(body, file_type, filename)


# -- one entry -------------------------------------------------------------------


@bp.route("/baru", methods=["GET", "POST"])
@role_required(*rules.WRITER_ROLES)
@creates
def new():
    """Record an activity: a short form meant to be filled in on a phone."""
    user = current_user._get_current_object()
    if not rules.can_write(user.role, user.pokja_id):
        abort(403)
    options = queries.load_options(user)
    form = ActivityForm()
    if not rules.chooses_pokja(user.role):
        del form.pokja_id
    pages.set_choices(form, options)
    if not form.is_submitted():
        # Photos kept from forms never saved go after a day.
        pending.sweep(_upload_root())
        form.form_token.data = secrets.token_hex(16)
        form.activity_date.data = today_wib()
        last = queries.last_method_id(user.id)
        if last and options.terms.get(last) and options.terms[last].active:
            form.method_id.data = last
        return _entry_page(form, options)
    pokja_id = form.pokja_id.data if "pokja_id" in form else user.pokja_id
    files = chosen_files(form.photos)
    valid = form.validate_on_submit() & pages.check_entry(form, options, pokja_id)
    root = _upload_root()
    if not TOKEN_PATTERN.match(form.form_token.data or "") or not pending.usable(
        root, form.form_token.data, user.id
    ):
        form.form_token.data = secrets.token_hex(16)
    token = form.form_token.data
    pending.drop(root, token, user.id, form.drop_photos.data or [])
    kept = pending.names(root, token, user.id)
    if len(files) + len(kept) > rules.MAX_PHOTOS:
        message = f"Maksimal {rules.MAX_PHOTOS} foto per kegiatan"
        if kept:
            message += f"; {len(kept)} sudah tersimpan, hapus dulu yang tidak perlu"
        form.photos.errors.append(message + ".")
        valid, files = False, []
    processed: list[photos.Processed] = []
    # A forged request (no valid CSRF token) gets no photo kept on disk.
    if files and "csrf_token" not in form.errors:
        processed, problems = _decode_photos(files)
        if problems:
            form.photos.errors.extend(problems)
            form.photos.errors.append("Pilih ulang foto yang benar lalu simpan lagi.")
            valid = False
    if not valid:
        # The browser cannot send the files again: keep them under the token.
        kept += pending.keep(root, token, user.id, processed) if processed else []
        return _entry_page(form, options, submitted=True, kept=kept)
    processed = pending.load(root, token, user.id) + processed
    activity_id = service.create_entry(
        form, pokja_id, user, options.terms, processed, _photo_folder()
    )
    if activity_id is None:
        return _already_saved(form, options)
    pending.clear(root, token)
    flash(f"Kegiatan \u201c{form.title.data}\u201d tersimpan.", "success")
    return redirect(url_for("kie.detail", activity_id=activity_id), 303)


def _already_saved(form: ActivityForm, options: Options):
    """A resend of a saved form: show the entry it made instead of a copy."""
    existing = queries.entry_id_by_token(form.form_token.data)
    if existing is not None:
        flash("Kegiatan ini sudah tersimpan sebelumnya.", "info")
        return redirect(url_for("kie.detail", activity_id=existing), 303)
    form.form_token.data = secrets.token_hex(16)
    form.form_token.errors = ["Gagal menyimpan. Periksa isian lalu simpan lagi."]
    context = pages.entry_context(form, options, current_user)
    return render_template("kie/form.html", **context), 409


@bp.get("/<int:activity_id>")
@login_required
def detail(activity_id: int):
    """One entry with its photos."""
    activity = _load_or_404(activity_id)
    can_change = rules.can_change(
        current_user.role, current_user.pokja_id, activity.created_at, utcnow()
    )
    return render_template(
        "kie/detail.html",
        activity=activity,
        frozen_note=pages.frozen_notice(activity, saved=True),
        can_change=can_change,
        types=ACTIVITY_TYPES,
        edit_days=rules.EDIT_WINDOW.days,
    )


@bp.route("/<int:activity_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(activity_id: int):
    """Correct an entry (Pokja users: within 30 days of typing it in)."""
    activity = _load_or_404(activity_id)
    _require_change(activity)
    options = queries.load_options(current_user)
    form = pages.edit_form(activity)
    pages.set_choices(form, options, activity)
    if form.validate_on_submit() & pages.check_entry(form, options, activity.pokja_id):
        if service.update_entry(activity, form, options.terms):
            flash("Perubahan kegiatan disimpan.", "success")
        return redirect(url_for("kie.detail", activity_id=activity_id), 303)
    return _entry_page(form, options, activity, submitted=form.is_submitted())


@bp.route("/<int:activity_id>/foto", methods=["GET", "POST"])
@login_required
def photos_edit(activity_id: int):
    """Add photos to an entry or remove some (at most three in all)."""
    activity = _load_or_404(activity_id)
    _require_change(activity)
    form = PhotosForm()
    form.remove_ids.choices = [
        (p.id, f"Foto {n}") for n, p in enumerate(activity.photos, 1)
    ]
    if form.validate_on_submit():
        files = chosen_files(form.photos)
        remove = set(form.remove_ids.data)
        remaining = len(activity.photos) - len(remove) + len(files)
        if not files and not remove:
            form.photos.errors.append(
                "Pilih foto untuk ditambahkan atau tandai foto yang dihapus."
            )
        elif remaining > rules.MAX_PHOTOS:
            form.photos.errors.append(
                f"Maksimal {rules.MAX_PHOTOS} foto per kegiatan; "
                "tandai foto lama yang dihapus."
            )
        else:
            return _save_photos(activity, files, remove, form)
    return pages.form_page(
        "kie/photos.html", form.is_submitted(), activity=activity, form=form
    )


def _save_photos(activity: KieActivity, files, remove: set[int], form: PhotosForm):
    """Re-encode and store new photos, drop the removed ones, audit both."""
    processed = []
    if files:
        processed, problems = _decode_photos(files)
        if problems:
            form.photos.errors.extend(problems)
            return render_refused(
                "kie/photos.html", "kie/photos.html", activity=activity, form=form
            )
    activity_id = activity.id
    service.update_photos(activity, processed, remove, current_user.id, _photo_folder())
    flash("Foto dokumentasi diperbarui.", "success")
    return redirect(url_for("kie.detail", activity_id=activity_id), 303)


@bp.get("/foto/<int:photo_id>")
@login_required
def photo(photo_id: int):
    """Serve a photo to users who may see its entry; never cached."""
    filename = queries.photo_filename(photo_id)
    if filename is None:
        abort(404)
    response = send_from_directory(
        _photo_folder(), filename, mimetype="image/jpeg", max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/foto-sementara/<token>/<name>")
@login_required
def pending_photo(token: str, name: str):
    """A photo kept from a refused form: only for the user who chose it."""
    path = pending.path(_upload_root(), token, name, current_user.id)
    if path is None:
        abort(404)
    response = send_from_directory(
        path.parent, path.name, mimetype="image/jpeg", max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:activity_id>/hapus", methods=["GET", "POST"])
@login_required
def delete_entry(activity_id: int):
    """Confirm, then delete an entry with its photos (audited with its values)."""
    activity = _load_or_404(activity_id)
    _require_change(activity)
    form = ConfirmForm()
    if form.validate_on_submit():
        options = queries.load_options(current_user)
        title = service.delete_entry(activity, options.terms, _photo_folder())
        flash(f"Kegiatan \u201c{title}\u201d dihapus.", "success")
        return redirect(url_for("kie.index"), 303)
    return pages.form_page(
        "kie/delete.html", form.is_submitted(), activity=activity, form=form
    )
