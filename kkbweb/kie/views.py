"""KIE pages: activity list and entry form, exports, photos, campaigns and terms."""

import re
import secrets
from functools import wraps
from pathlib import Path
from types import SimpleNamespace

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
from sqlalchemy import delete, exists, func, insert, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from kkbweb.audit.log import record
from kkbweb.auth import roles
from kkbweb.auth.access import (
    get_scoped_or_404,
    pokja_condition,
    role_required,
    scoped,
)
from kkbweb.extensions import db
from kkbweb.htmx import is_htmx, render, wants_partial
from kkbweb.kie import exports, photos, rules
from kkbweb.kie.forms import (
    TOKEN_PATTERN,
    ActivityForm,
    CampaignForm,
    ConfirmForm,
    PhotosForm,
    TermEditForm,
    TermForm,
)
from kkbweb.kie.models import (
    KieActivity,
    KieCampaign,
    KiePhoto,
    KieTerm,
    kie_activity_term,
    kie_campaign_pokja,
)
from kkbweb.kie.queries import (
    Filters,
    Options,
    detail_stmt,
    export_stmt,
    last_method_id,
    list_stmt,
    load_options,
    scoped_conditions,
    term_usage,
    totals_stmt,
)
from kkbweb.kie.vocab import ACTIVITY_TYPES, KINDS, LINKED_KINDS
from kkbweb.pagination import paginate
from kkbweb.pokja.models import Pokja
from kkbweb.spreadsheets import download
from kkbweb.timeutil import tanggal, today_wib, utcnow

bp = Blueprint("kie", __name__, url_prefix="/kie")

EXPORT_FORMATS = {
    # format: (layout, file type, file name stem)
    "csv": ("full", "csv", "kie"),
    "xlsx": ("full", "xlsx", "kie"),
    "portal_csv": ("portal", "csv", "portal-kampung-kb"),
    "portal_xlsx": ("portal", "xlsx", "portal-kampung-kb"),
}
LINK_FIELDS = {"topic": "topic_ids", "audience": "audience_ids", "media": "media_ids"}


# -- helpers -----------------------------------------------------------------


def writer_required(view):
    """Only roles that record KIE activities (see rules.can_write); others 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not rules.can_write(current_user.role, current_user.pokja_id):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _require_change(activity: KieActivity) -> None:
    """403 unless the user may still edit or delete this (visible) entry."""
    if not rules.can_change(
        current_user.role, current_user.pokja_id, activity.created_at, utcnow()
    ):
        abort(403)


def _load_or_404(activity_id: int) -> KieActivity:
    """An entry with its terms and photos, within the user's Pokja scope."""
    stmt = scoped(detail_stmt(activity_id), KieActivity.pokja_id)
    activity = db.session.scalars(stmt).unique().first()
    if activity is None:
        abort(404)
    return activity


def _form_status() -> int:
    """A refused form: 400, but 200 for htmx, which does not swap error codes."""
    return 200 if is_htmx() else 400


def _photo_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "kie"


def _release_transaction() -> None:
    """End the transaction before decoding photos.

    On SQLite a POST holds the write lock (BEGIN IMMEDIATE) for its whole
    transaction; decoding phone photos takes a few hundred milliseconds that
    other writers (roll calls) must not wait for. Loaded objects are detached
    first so that they stay readable without new queries.
    """
    db.session.expunge_all()
    db.session.commit()


def _uploads(field) -> list:
    """The files actually chosen in a file input (browsers send an empty part)."""
    return [f for f in (field.data or []) if f and getattr(f, "filename", "")]


def _process_photos(files) -> tuple[list[photos.Processed], list[str]]:
    """Re-encode the uploads; return the results and the problems found."""
    done, problems = [], []
    for upload in files:
        raw = upload.read()
        if not raw:
            problems.append(f"Berkas \u201c{upload.filename}\u201d kosong.")
            continue
        try:
            done.append(photos.process(raw, upload.filename))
        except photos.PhotoError as error:
            problems.append(str(error))
    return done, problems


def _store_photos(activity_id: int, processed, user_id: int) -> list[str]:
    """Write the files and add their rows; return the file names written."""
    folder = _photo_folder()
    written = []
    for item in processed:
        filename = photos.new_filename()
        photos.write(folder, filename, item.data)
        written.append(filename)
        db.session.add(
            KiePhoto(
                activity_id=activity_id,
                filename=filename,
                width=item.width,
                height=item.height,
                size_bytes=len(item.data),
                created_by_id=user_id,
            )
        )
    return written


def snapshot(activity: KieActivity, term_ids, options: Options) -> dict:
    """An entry as the audit trail records it: values and term labels."""
    linked = [options.terms[t] for t in term_ids if t in options.terms]

    def labels(kind: str) -> list[str]:
        return sorted(t.label for t in linked if t.kind == kind)

    return {
        "pokja_id": activity.pokja_id,
        "activity_date": activity.activity_date.isoformat(),
        "activity_type": activity.activity_type,
        "method": options.label(activity.method_id),
        "kategori": options.label(activity.kategori_id),
        "topics": labels("topic"),
        "audiences": labels("audience"),
        "media": labels("media"),
        "title": activity.title,
        "place": activity.place,
        "speaker": activity.speaker,
        "mitra": activity.mitra,
        "participants_male": activity.participants_male,
        "participants_female": activity.participants_female,
        "estimated_reach": activity.estimated_reach,
        "campaign_id": activity.campaign_id,
        "notes": activity.notes,
    }


def _set_choices(form: ActivityForm, options: Options, activity=None) -> None:
    """Offer active terms (plus inactive ones the entry already uses)."""
    keep: set[int] = set()
    if activity is not None:
        keep = {t.id for t in activity.terms}
        keep |= {activity.method_id, activity.kategori_id}
    form.method_id.choices = [(0, "— pilih metode —")] + options.choices("method", keep)
    form.kategori_id.choices = [(0, "— pilih kategori —")] + options.choices(
        "kategori", keep
    )
    for kind, name in LINK_FIELDS.items():
        getattr(form, name).choices = options.choices(kind, keep)
    campaigns = options.sorted_campaigns()
    if activity is not None:
        campaigns = [c for c in campaigns if activity.pokja_id in c.pokja_ids]
    form.campaign_id.choices = [(0, "— bukan bagian kampanye —")] + [
        (c.id, f"{c.name} ({tanggal(c.start)} – {tanggal(c.end)})") for c in campaigns
    ]
    if "pokja_id" in form:
        form.pokja_id.choices = [(0, "— pilih Pokja —")] + [
            (p.id, p.name) for p in options.active_pokja()
        ]


def _check_entry(form: ActivityForm, options: Options, pokja_id: int | None) -> bool:
    """Rules across fields: a real Pokja, and a campaign that covers this entry."""
    ok = True
    if "pokja_id" in form and pokja_id not in options.pokja:
        form.pokja_id.errors.append("Pilih Pokja.")
        return False
    if form.campaign_id.data:
        campaign = options.campaigns.get(form.campaign_id.data)
        day = form.activity_date.data
        if campaign is None or pokja_id not in campaign.pokja_ids:
            name = options.pokja[pokja_id].name if pokja_id in options.pokja else ""
            form.campaign_id.errors.append(
                f"Kampanye ini tidak mencakup Pokja {name}.".replace("  ", " ")
            )
            ok = False
        elif day is not None and not campaign.covers(day):
            form.campaign_id.errors.append(
                "Tanggal kegiatan di luar periode kampanye "
                f"({tanggal(campaign.start)} – {tanggal(campaign.end)})."
            )
            ok = False
    return ok


def _apply(form: ActivityForm, activity: KieActivity) -> set[int]:
    """Copy the form onto the entry; return the linked term ids."""
    activity.activity_date = form.activity_date.data
    activity.activity_type = form.activity_type.data
    activity.method_id = form.method_id.data
    activity.kategori_id = form.kategori_id.data
    activity.campaign_id = form.campaign_id.data or None
    activity.title = form.title.data
    activity.place = form.place.data
    activity.speaker = form.speaker.data or None
    activity.mitra = form.mitra.data or None
    activity.participants_male = form.participants_male.data or 0
    activity.participants_female = form.participants_female.data or 0
    activity.estimated_reach = form.estimated_reach.data
    activity.notes = form.notes.data or None
    return {term for name in LINK_FIELDS.values() for term in getattr(form, name).data}


def _form_values(activity: KieActivity) -> SimpleNamespace:
    """The entry as the form's `obj` (with the term lists the form expects)."""
    values = {
        column: getattr(activity, column)
        for column in (
            "activity_date",
            "activity_type",
            "method_id",
            "kategori_id",
            "title",
            "place",
            "speaker",
            "mitra",
            "participants_male",
            "participants_female",
            "estimated_reach",
            "notes",
        )
    }
    values["campaign_id"] = activity.campaign_id or 0
    for kind, name in LINK_FIELDS.items():
        values[name] = [t.id for t in activity.terms_of(kind)]
    return SimpleNamespace(**values)


def _entry_page(form, options: Options, activity=None, status: int = 200):
    """The entry form, new or edit."""
    mitra = [t.label for t in options.of_kind("mitra")]
    own_pokja = None
    if "pokja_id" not in form:
        pokja_id = activity.pokja_id if activity else current_user.pokja_id
        own_pokja = options.pokja.get(pokja_id)
    return (
        render_template(
            "kie/form.html",
            form=form,
            activity=activity,
            own_pokja=own_pokja,
            mitra_suggestions=mitra,
        ),
        status,
    )


# -- activity list and exports ---------------------------------------------------


@bp.get("/")
@login_required
def index():
    """Entries newest first, filtered; htmx swaps only the results."""
    filters = Filters.parse(request.args, current_user.sees_all_pokja, today_wib())
    conditions = scoped_conditions(filters)
    page = paginate(list_stmt(conditions))
    totals = db.session.execute(totals_stmt(conditions)).one()
    context = {
        "page": page,
        "totals": totals,
        "filters": filters,
        "args": filters.args(),
        "can_write": rules.can_write(current_user.role, current_user.pokja_id),
    }
    if not wants_partial():
        context["options"] = load_options(current_user)
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
    stmt = export_stmt(scoped_conditions(filters)).limit(limit + 1)
    rows = db.session.scalars(stmt).unique().all()
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
    record(
        "kie.export",
        entity_type="kie_activity",
        after={"format": chosen, "rows": len(rows), "filters": filters.args()},
    )
    db.session.commit()
    filename = f"{stem}-{today_wib().isoformat()}.{file_type}"
    return download(body, file_type, filename)


# -- one entry -------------------------------------------------------------------


@bp.route("/baru", methods=["GET", "POST"])
@writer_required
def new():
    """Record an activity: a short form meant to be filled in on a phone."""
    user = current_user._get_current_object()
    options = load_options(user)
    form = ActivityForm()
    if not rules.chooses_pokja(user.role):
        del form.pokja_id
    _set_choices(form, options)
    if not form.is_submitted():
        form.form_token.data = secrets.token_hex(16)
        form.activity_date.data = today_wib()
        last = last_method_id(user.id)
        if last and options.terms.get(last) and options.terms[last].active:
            form.method_id.data = last
        return _entry_page(form, options)
    pokja_id = form.pokja_id.data if "pokja_id" in form else user.pokja_id
    files = _uploads(form.photos)
    valid = form.validate_on_submit() & _check_entry(form, options, pokja_id)
    if len(files) > rules.MAX_PHOTOS:
        form.photos.errors.append(f"Maksimal {rules.MAX_PHOTOS} foto per kegiatan.")
        valid = False
    if not TOKEN_PATTERN.match(form.form_token.data or ""):
        form.form_token.data = secrets.token_hex(16)
    if not valid:
        return _entry_page(form, options, status=_form_status())
    processed = []
    if files:
        _release_transaction()
        processed, problems = _process_photos(files)
        if problems:
            form.photos.errors.extend(problems)
            form.photos.errors.append("Pilih ulang foto yang benar lalu simpan lagi.")
            return _entry_page(form, options, status=_form_status())
    now = utcnow()
    activity = KieActivity(
        pokja_id=pokja_id,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,  # equal: the page says "diubah" only after an edit
        form_token=form.form_token.data,
    )
    term_ids = _apply(form, activity)
    db.session.add(activity)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return _already_saved(form, options)
    activity_id, title = activity.id, activity.title
    written: list[str] = []
    try:
        if term_ids:
            db.session.execute(
                insert(kie_activity_term),
                [{"activity_id": activity_id, "term_id": t} for t in term_ids],
            )
        written = _store_photos(activity_id, processed, user.id)
        after = snapshot(activity, term_ids, options)
        after["photos"] = len(written)
        record("kie.create", activity, after=after)
        db.session.commit()
    except Exception:
        db.session.rollback()
        photos.remove(_photo_folder(), written)
        raise
    flash(f"Kegiatan \u201c{title}\u201d tersimpan.", "success")
    return redirect(url_for("kie.detail", activity_id=activity_id), 303)


def _already_saved(form: ActivityForm, options: Options):
    """A resend of a saved form: show the entry it made instead of a copy."""
    existing = db.session.scalar(
        scoped(
            select(KieActivity.id).where(
                KieActivity.form_token == form.form_token.data
            ),
            KieActivity.pokja_id,
        )
    )
    if existing is not None:
        flash("Kegiatan ini sudah tersimpan sebelumnya.", "info")
        return redirect(url_for("kie.detail", activity_id=existing), 303)
    form.form_token.data = secrets.token_hex(16)
    form.form_token.errors = ["Gagal menyimpan. Periksa isian lalu simpan lagi."]
    return _entry_page(form, options, status=409)


@bp.get("/<int(max=2147483647):activity_id>")
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
        can_change=can_change,
        types=ACTIVITY_TYPES,
        edit_days=rules.EDIT_WINDOW.days,
    )


@bp.route("/<int(max=2147483647):activity_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(activity_id: int):
    """Correct an entry (Pokja users: within 30 days of typing it in)."""
    activity = _load_or_404(activity_id)
    _require_change(activity)
    options = load_options(current_user)
    form = ActivityForm(obj=_form_values(activity))
    del form.pokja_id, form.form_token, form.photos
    _set_choices(form, options, activity)
    if form.validate_on_submit() & _check_entry(form, options, activity.pokja_id):
        old_links = {t.id for t in activity.terms}
        before = snapshot(activity, old_links, options)
        new_links = _apply(form, activity)
        after = snapshot(activity, new_links, options)
        if after != before:
            # Set before the link statements so that one UPDATE carries it all.
            activity.updated_at = utcnow()
            if removed := old_links - new_links:
                db.session.execute(
                    delete(kie_activity_term).where(
                        kie_activity_term.c.activity_id == activity.id,
                        kie_activity_term.c.term_id.in_(removed),
                    )
                )
            if added := new_links - old_links:
                db.session.execute(
                    insert(kie_activity_term),
                    [{"activity_id": activity.id, "term_id": t} for t in added],
                )
            record("kie.update", activity, before=before, after=after)
            db.session.commit()
            flash("Perubahan kegiatan disimpan.", "success")
        return redirect(url_for("kie.detail", activity_id=activity_id), 303)
    status = _form_status() if form.is_submitted() else 200
    return _entry_page(form, options, activity, status)


@bp.route("/<int(max=2147483647):activity_id>/foto", methods=["GET", "POST"])
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
        files = _uploads(form.photos)
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
    status = _form_status() if form.is_submitted() else 200
    return render_template("kie/photos.html", activity=activity, form=form), status


def _save_photos(activity: KieActivity, files, remove: set[int], form: PhotosForm):
    """Re-encode and store new photos, drop the removed ones, audit both."""
    processed = []
    if files:
        _release_transaction()
        processed, problems = _process_photos(files)
        if problems:
            form.photos.errors.extend(problems)
            return (
                render_template("kie/photos.html", activity=activity, form=form),
                _form_status(),
            )
    gone = [p.filename for p in activity.photos if p.id in remove]
    written: list[str] = []
    try:
        written = _store_photos(activity.id, processed, current_user.id)
        if remove:
            db.session.execute(
                delete(KiePhoto).where(
                    KiePhoto.activity_id == activity.id, KiePhoto.id.in_(remove)
                )
            )
        record(
            "kie.photos",
            activity,
            before={"photos": len(activity.photos)},
            after={
                "photos": len(activity.photos) - len(remove) + len(written),
                "added": len(written),
                "removed": sorted(remove),
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        photos.remove(_photo_folder(), written)
        raise
    photos.remove(_photo_folder(), gone)
    flash("Foto dokumentasi diperbarui.", "success")
    return redirect(url_for("kie.detail", activity_id=activity.id), 303)


@bp.get("/foto/<int(max=2147483647):photo_id>")
@login_required
def photo(photo_id: int):
    """Serve a photo to users who may see its entry; never cached."""
    stmt = (
        select(KiePhoto.filename)
        .join(KieActivity, KieActivity.id == KiePhoto.activity_id)
        .where(KiePhoto.id == photo_id)
    )
    filename = get_scoped_or_404(stmt, KieActivity.pokja_id)
    response = send_from_directory(
        _photo_folder(), filename, mimetype="image/jpeg", max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int(max=2147483647):activity_id>/hapus", methods=["GET", "POST"])
@login_required
def delete_entry(activity_id: int):
    """Confirm, then delete an entry with its photos (audited with its values)."""
    activity = _load_or_404(activity_id)
    _require_change(activity)
    form = ConfirmForm()
    if form.validate_on_submit():
        options = load_options(current_user)
        before = snapshot(activity, [t.id for t in activity.terms], options)
        before["photos"] = len(activity.photos)
        files = [p.filename for p in activity.photos]
        record("kie.delete", activity, before=before)
        db.session.delete(activity)
        db.session.commit()
        photos.remove(_photo_folder(), files)
        flash(f"Kegiatan \u201c{before['title']}\u201d dihapus.", "success")
        return redirect(url_for("kie.index"), 303)
    status = _form_status() if form.is_submitted() else 200
    return (
        render_template("kie/delete.html", activity=activity, form=form),
        status,
    )


# -- campaigns -------------------------------------------------------------------


def _campaign_visible():
    """Campaigns that include a Pokja the user may see."""
    return pokja_condition(
        lambda pokja_id: KieCampaign.id.in_(
            select(kie_campaign_pokja.c.campaign_id).where(
                kie_campaign_pokja.c.pokja_id == pokja_id
            )
        )
    )


@bp.get("/kampanye")
@login_required
def campaigns():
    """Campaigns, newest first, with the number and reach of their activities."""
    stmt = (
        select(KieCampaign)
        .where(_campaign_visible())
        .options(selectinload(KieCampaign.pokja))
        .order_by(KieCampaign.start_date.desc(), KieCampaign.id.desc())
    )
    page = paginate(stmt)
    stats = {}
    if page.items:
        rows = db.session.execute(
            select(
                KieActivity.campaign_id,
                func.count(KieActivity.id),
                func.coalesce(func.sum(KieActivity.participants_male), 0),
                func.coalesce(func.sum(KieActivity.participants_female), 0),
            )
            .where(
                KieActivity.campaign_id.in_([c.id for c in page.items]),
                pokja_condition(KieActivity.pokja_id),
            )
            .group_by(KieActivity.campaign_id)
        )
        stats = {row[0]: row[1:] for row in rows}
    manageable = {
        c.id
        for c in page.items
        if rules.can_manage_campaign(
            current_user.role, current_user.pokja_id, {p.id for p in c.pokja}
        )
    }
    return render_template(
        "kie/campaigns.html",
        page=page,
        stats=stats,
        manageable=manageable,
        can_write=rules.can_write(current_user.role, current_user.pokja_id),
    )


@bp.route("/kampanye/baru", methods=["GET", "POST"])
@writer_required
def campaign_new():
    """Start a campaign for one Pokja (Pokja users: their own) or several."""
    form = CampaignForm()
    if rules.chooses_pokja(current_user.role):
        form.pokja_ids.choices = [
            (row.id, row.display_name)
            for row in db.session.execute(
                select(Pokja.id, Pokja.display_name)
                .where(Pokja.is_active.is_(True))
                .order_by(Pokja.display_name)
            )
        ]
    else:
        del form.pokja_ids
    if form.validate_on_submit():
        pokja_ids = (
            form.pokja_ids.data if "pokja_ids" in form else [current_user.pokja_id]
        )
        campaign = KieCampaign(created_by_id=current_user.id)
        _apply_campaign(form, campaign)
        db.session.add(campaign)
        db.session.flush()
        db.session.execute(
            insert(kie_campaign_pokja),
            [{"campaign_id": campaign.id, "pokja_id": p} for p in pokja_ids],
        )
        record("kie.campaign_create", campaign, after=campaign.audit_dict(pokja_ids))
        name = campaign.name
        db.session.commit()
        flash(f"Kampanye \u201c{name}\u201d dibuat.", "success")
        return redirect(url_for("kie.campaigns"), 303)
    status = _form_status() if form.is_submitted() else 200
    return (
        render_template("kie/campaign_form.html", form=form, campaign=None),
        status,
    )


@bp.route("/kampanye/<int(max=2147483647):campaign_id>/ubah", methods=["GET", "POST"])
@login_required
def campaign_edit(campaign_id: int):
    """Rename a campaign, move its period or change its Pokja."""
    member = (
        exists()
        .where(kie_campaign_pokja.c.campaign_id == KieCampaign.id)
        .where(kie_campaign_pokja.c.pokja_id == Pokja.id)
    )
    # One row per Pokja: the campaign, every Pokja and whether it takes part.
    rows = db.session.execute(
        select(KieCampaign, Pokja.id, Pokja.display_name, Pokja.is_active, member)
        .join(Pokja, true())
        .where(KieCampaign.id == campaign_id, _campaign_visible())
        .order_by(Pokja.display_name)
    ).all()
    if not rows:
        abort(404)
    campaign = rows[0][0]
    members = {pokja_id for _, pokja_id, _, _, is_member in rows if is_member}
    if not rules.can_manage_campaign(current_user.role, current_user.pokja_id, members):
        abort(403)
    form = CampaignForm(obj=SimpleNamespace(**_campaign_values(campaign, members)))
    if rules.chooses_pokja(current_user.role):
        form.pokja_ids.choices = [
            (pokja_id, name)
            for _, pokja_id, name, active, is_member in rows
            if active or is_member
        ]
    else:
        del form.pokja_ids
    if form.validate_on_submit():
        chosen = set(form.pokja_ids.data) if "pokja_ids" in form else members
        before = campaign.audit_dict(sorted(members))
        _apply_campaign(form, campaign)
        after = campaign.audit_dict(sorted(chosen))
        if after == before:
            return redirect(url_for("kie.campaigns"), 303)
        try:
            if removed := members - chosen:
                db.session.execute(
                    delete(kie_campaign_pokja).where(
                        kie_campaign_pokja.c.campaign_id == campaign_id,
                        kie_campaign_pokja.c.pokja_id.in_(removed),
                    )
                )
            if added := chosen - members:
                db.session.execute(
                    insert(kie_campaign_pokja),
                    [{"campaign_id": campaign_id, "pokja_id": p} for p in added],
                )
            record("kie.campaign_update", campaign, before=before, after=after)
            db.session.commit()
        except IntegrityError:
            # The database refuses to drop a Pokja that has entries in it.
            db.session.rollback()
            form.pokja_ids.errors.append(
                "Pokja yang sudah mencatat kegiatan dalam kampanye ini "
                "tidak dapat dilepas."
            )
        else:
            flash("Perubahan kampanye disimpan.", "success")
            return redirect(url_for("kie.campaigns"), 303)
    status = _form_status() if form.is_submitted() else 200
    return (
        render_template(
            "kie/campaign_form.html", form=form, campaign=_campaign_view(form)
        ),
        status,
    )


def _campaign_values(campaign: KieCampaign, members: set[int]) -> dict:
    return {
        "name": campaign.name,
        "theme": campaign.theme,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "pokja_ids": sorted(members),
        "id": campaign.id,
    }


def _campaign_view(form: CampaignForm) -> SimpleNamespace:
    """What the edit page shows of the campaign without touching the session."""
    return SimpleNamespace(id=request.view_args["campaign_id"], name=form.name.data)


def _apply_campaign(form: CampaignForm, campaign: KieCampaign) -> None:
    campaign.name = form.name.data
    campaign.theme = form.theme.data or None
    campaign.start_date = form.start_date.data
    campaign.end_date = form.end_date.data


# -- vocabularies (admin) ------------------------------------------------------------


def _terms_page(form: TermForm, status: int = 200):
    """Every vocabulary with usage counts, and the form to add a term."""
    terms = db.session.scalars(
        select(KieTerm).order_by(KieTerm.kind, KieTerm.sort, KieTerm.label)
    ).all()
    grouped = {kind: [t for t in terms if t.kind == kind] for kind in KINDS}
    return (
        render_template(
            "kie/terms.html",
            grouped=grouped,
            usage=term_usage(),
            kinds=KINDS,
            linked_kinds=LINKED_KINDS,
            form=form,
        ),
        status,
    )


@bp.get("/istilah")
@role_required(roles.ADMIN)
def terms():
    """The vocabularies the KIE form offers."""
    return _terms_page(TermForm())


def _code_for(label: str, taken: set[str]) -> str:
    """A stable code from a label: lower case, underscores, unique in its kind."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:34] or "istilah"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}_{n}"
    return code


@bp.post("/istilah/baru")
@role_required(roles.ADMIN)
def term_new():
    """Add a term to a vocabulary."""
    form = TermForm()
    if form.validate_on_submit():
        existing = db.session.execute(
            select(KieTerm.code, KieTerm.label, KieTerm.sort).where(
                KieTerm.kind == form.kind.data
            )
        ).all()
        if form.label.data.lower() in {row.label.lower() for row in existing}:
            form.label.errors.append("Nama ini sudah ada di daftar tersebut.")
        else:
            term = KieTerm(
                kind=form.kind.data,
                code=_code_for(form.label.data, {row.code for row in existing}),
                label=form.label.data,
                sort=form.sort.data
                if form.sort.data is not None
                else max((row.sort for row in existing), default=0) + 10,
                active=True,
            )
            db.session.add(term)
            db.session.flush()
            record("kie.term_create", term, after=term.audit_dict())
            kind, label = term.kind, term.label
            db.session.commit()
            flash(f"\u201c{label}\u201d ditambahkan ke {KINDS[kind]}.", "success")
            return redirect(url_for("kie.terms", _anchor=f"daftar-{kind}"), 303)
    return _terms_page(form, _form_status())


@bp.route("/istilah/<int(max=2147483647):term_id>", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def term_edit(term_id: int):
    """Rename, reorder or deactivate a term (old entries keep it)."""
    term = db.get_or_404(KieTerm, term_id)
    form = TermEditForm(obj=term)
    if form.validate_on_submit():
        duplicate = db.session.scalar(
            select(KieTerm.id).where(
                KieTerm.kind == term.kind,
                func.lower(KieTerm.label) == form.label.data.lower(),
                KieTerm.id != term.id,
            )
        )
        if duplicate is not None:
            form.label.errors.append("Nama ini sudah ada di daftar tersebut.")
        else:
            before, kind = term.audit_dict(), term.kind
            term.label = form.label.data
            term.sort = form.sort.data if form.sort.data is not None else term.sort
            term.active = form.active.data
            if term.audit_dict() != before:
                record("kie.term_update", term, before=before, after=term.audit_dict())
                db.session.commit()
                flash("Perubahan istilah disimpan.", "success")
            return redirect(url_for("kie.terms", _anchor=f"daftar-{kind}"), 303)
    status = _form_status() if form.is_submitted() else 200
    return (
        render_template("kie/term_form.html", form=form, term=term, kinds=KINDS),
        status,
    )
