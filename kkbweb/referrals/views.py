"""Referral pages: the queue, intake, a referral's page and slip, residents, checklists.

Roles: Pokja users register residents, open referrals, tick papers, hand documents
over and cancel, all within their own Pokja; staf and admin do everything; pimpinan
reads (NIK masked); penyelenggara has no business with residents' personal data and
gets 403 (see docs/referrals.md).
"""

import hashlib
from contextlib import contextmanager
from uuid import uuid4

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from kkbweb.audit.log import record, record_read
from kkbweb.auth import roles
from kkbweb.auth.access import get_scoped_or_404, role_required, scoped
from kkbweb.auth.models import User
from kkbweb.auth.views import is_local_path
from kkbweb.extensions import db
from kkbweb.htmx import hx_redirect, render, wants_partial
from kkbweb.pagination import paginate
from kkbweb.pokja.models import Pokja
from kkbweb.referrals import exports, routing, service, workflow
from kkbweb.referrals.forms import (
    ChecklistItemForm,
    MoveForm,
    NikSearchForm,
    ReferralEditForm,
    ReferralForm,
    ResidentForm,
)
from kkbweb.referrals.models import (
    ChecklistItem,
    Referral,
    ReferralEvent,
    ReferralPaper,
    Resident,
)
from kkbweb.referrals.nik import ERR_FORMAT, mask_nik, validate_nik, warnings_for
from kkbweb.referrals.service import AUTO, QueueFilters, clean_text
from kkbweb.requests import parse_id
from kkbweb.timeutil import utcnow

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
# Process-wide and idempotent: mask NIKs in whatever a library logs.

VIEW_ROLES = (roles.ADMIN, roles.STAF, roles.PIMPINAN, roles.POKJA)
WORK_ROLES = (roles.ADMIN, roles.STAF, roles.POKJA)
DINAS_ROLES = (roles.ADMIN, roles.STAF)
# Scoping already keeps Pokja users to their own Pokja's residents, so "own Pokja"
# needs no extra test here; pimpinan reads masked NIKs.
FULL_NIK_ROLES = WORK_ROLES

STATUS_BADGES = {
    workflow.DIAJUKAN: "badge-info",
    workflow.BERKAS_TIDAK_LENGKAP: "badge-warn",
    workflow.BERKAS_LENGKAP: "badge-info",
    workflow.DITERUSKAN: "badge-info",
    workflow.DIPROSES: "badge-info",
    workflow.SELESAI: "badge-ok",
    workflow.DISERAHKAN: "badge-ok",
    workflow.DITOLAK: "badge-bad",
    workflow.DIBATALKAN: "badge-muted",
}
NIK_IN_QUERY = (
    "NIK tidak dicari lewat kotak ini, supaya tidak tersimpan di alamat halaman. "
    "Gunakan pencarian NIK di halaman Warga."
)
CONFLICT = (
    "Rujukan ini baru saja diubah orang lain. Perubahan Anda belum disimpan. "
    "Keadaan terbaru ditampilkan di bawah; ulangi bila masih perlu."
)
ROW_OPTIONS = (
    joinedload(Referral.resident),
    joinedload(Referral.pokja),
    joinedload(Referral.assigned_to),
)
DETAIL_OPTIONS = (
    joinedload(Referral.resident),
    joinedload(Referral.pokja).joinedload(Pokja.kecamatan),
    joinedload(Referral.assigned_to),
    joinedload(Referral.created_by),
    selectinload(Referral.papers),
    selectinload(Referral.events).joinedload(ReferralEvent.user),
)


@bp.app_template_global()
def referral_badge(status: str) -> str:
    """The badge class of a status."""
    return STATUS_BADGES.get(status, "badge-muted")


# -- helpers ---------------------------------------------------------------------


@contextmanager
def _keep_loaded():
    """Commit inside without expiring what the request has loaded.

    The page is already built from these objects; reloading them (and the user)
    after a commit would only cost queries.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = True


def _audit_nik_view(resident: Resident, note: str | None = None) -> None:
    """The read-audit row for a page that showed a full NIK."""
    with _keep_loaded():
        record_read("resident.nik.view", resident, note=note)


def _load(referral_id: int, *options, fresh: bool = False) -> Referral:
    """A referral the current user may see, or 404."""
    stmt = select(Referral).where(Referral.id == referral_id).options(*options)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return get_scoped_or_404(stmt, Referral.pokja_id)


def _stale(referral: Referral, posted_version) -> bool:
    """True when the form was made from an older version of the referral."""
    return parse_id(posted_version) != referral.version


def _safe_next(target: str | None) -> str | None:
    """A same-site path to return to, or None."""
    return target if is_local_path(target) and len(target) < 2000 else None


def _filter_out_nik(text: str) -> tuple[str, bool]:
    """Drop a search text that holds a NIK; say so."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 12:
        return "", True
    return text, False


def _dinas_users() -> list[tuple[int, str]]:
    """Active staf and admin users, for the assignee choices."""
    return db.session.execute(
        select(User.id, User.full_name)
        .where(User.role.in_(DINAS_ROLES), User.active.is_(True))
        .order_by(User.full_name)
    ).all()


def _queue_context(filters: QueueFilters, now, limits, next_url: str) -> dict:
    """What the queue and its rows need."""
    return {
        "filters": filters,
        "now": now,
        "limits": limits,
        "next_url": next_url,
        "show_pokja": current_user.sees_all_pokja,
        "can_take": current_user.role in DINAS_ROLES,
        "can_export": current_user.role in DINAS_ROLES,
        "days_waiting": workflow.days_waiting,
        "is_overdue": workflow.is_overdue,
        "statuses": workflow.STATUS_LABELS,
        "closed_statuses": workflow.TERMINAL_STATUSES,
        "doc_types": routing.DOC_TYPES,
    }


# -- the queue -------------------------------------------------------------------


@bp.get("/")
@role_required(*VIEW_ROLES)
def index():
    """The queue: open referrals (a Pokja user's own), filtered, counted by status."""
    filters = QueueFilters.from_args(request.args)
    filters.q, nik_in_query = _filter_out_nik(filters.q)
    now, limits = utcnow(), service.overdue_limits()
    stmt = (
        select(Referral)
        .where(*filters.conditions(current_user, now, limits))
        .options(*ROW_OPTIONS)
        .order_by(*filters.order())
    )
    page = paginate(stmt)
    context = _queue_context(
        filters, now, limits, url_for("referrals.index", **filters.as_args())
    )
    context.update(
        page=page,
        counts=service.status_counts(filters, current_user, now, limits),
        nik_in_query=nik_in_query,
    )
    if not wants_partial():
        # The filter form lives outside the fragment: only full pages need these.
        context["pokja_choices"] = (
            db.session.execute(
                select(Pokja.id, Pokja.display_name).order_by(Pokja.display_name)
            ).all()
            if current_user.sees_all_pokja
            else []
        )
        context["assignee_choices"] = (
            _dinas_users() if current_user.role in DINAS_ROLES else []
        )
    return render("referrals/index.html", "referrals/_queue.html", **context)


@bp.get("/ekspor")
@role_required(*DINAS_ROLES)
def export():
    """The filtered queue as CSV or XLSX (NIK masked), recorded in the audit trail."""
    kind = request.args.get("format", "csv")
    if kind not in exports.KINDS:
        abort(404)
    filters = QueueFilters.from_args(request.args)
    filters.q, _ = _filter_out_nik(filters.q)
    now, limits = utcnow(), service.overdue_limits()
    rows = exports.query_rows(filters, current_user, now, limits)
    # An export is a read of personal data: its own committed audit row.
    with _keep_loaded():
        db.session.commit()
        record(
            "referral.export",
            entity_type="referral",
            note=f"{kind.upper()}, {len(rows)} baris; saringan: "
            f"{filters.as_args() or '-'}",
        )
        db.session.commit()
    return exports.build(kind, rows, now, limits)


@bp.post("/<int(max=2147483647):referral_id>/ambil")
@role_required(*DINAS_ROLES)
def take(referral_id: int):
    """Assign the referral to the current staff member (one click)."""
    referral = _load(referral_id, *ROW_OPTIONS)
    next_url = _safe_next(request.form.get("next"))
    if _stale(referral, request.form.get("version")):
        return _take_conflict(referral, next_url)
    if not referral.is_open:
        flash("Rujukan ini sudah ditutup.", "error")
        return hx_redirect(url_for("referrals.detail", referral_id=referral.id))
    me = current_user._get_current_object()
    service.assign(referral, me, me, utcnow())
    try:
        # Flushed, not yet committed: the row is rendered with the new version
        # while everything is still loaded (a commit would expire it all).
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        return _take_conflict(_load(referral_id, *ROW_OPTIONS, fresh=True), next_url)
    if wants_partial():
        response = _row(referral, next_url)
        db.session.commit()
        return response
    message = f"Rujukan {referral.code} kini Anda tangani."
    db.session.commit()
    flash(message, "success")
    return redirect(
        next_url or url_for("referrals.detail", referral_id=referral_id), 303
    )


def _row(referral: Referral, next_url: str | None, conflict: bool = False, status=200):
    """One queue row, for htmx."""
    now, limits = utcnow(), service.overdue_limits()
    context = _queue_context(
        QueueFilters(), now, limits, next_url or url_for("referrals.index")
    )
    return render(
        "referrals/_row.html",
        "referrals/_row.html",
        _status=status,
        r=referral,
        conflict=conflict,
        **context,
    )


def _take_conflict(referral: Referral, next_url: str | None):
    """Someone changed the row: show its current state (409)."""
    if wants_partial():
        response = _row(referral, next_url, conflict=True, status=409)
        response.headers["HX-Retarget"] = f"#rujukan-{referral.id}"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return _conflict_page(referral.id)


# -- one referral ----------------------------------------------------------------


@bp.get("/<int(max=2147483647):referral_id>")
@role_required(*VIEW_ROLES)
def detail(referral_id: int):
    """A referral: resident, destination, papers, next steps and full history."""
    referral = _load(referral_id, *DETAIL_OPTIONS)
    return _detail_page(referral)


def _detail_page(
    referral: Referral,
    *,
    move_form: MoveForm | None = None,
    edit_form: ReferralEditForm | None = None,
    move_error: str | None = None,
    conflict: bool = False,
    status: int = 200,
):
    """Render the referral page (and audit a full NIK view on GET)."""
    resident = referral.resident
    # Only the full page shows the resident card (and so the full NIK).
    full_nik = (
        request.method == "GET"
        and not wants_partial()
        and current_user.role in FULL_NIK_ROLES
        and bool(resident.nik)
    )
    can_work = current_user.role in WORK_ROLES and referral.is_open
    if edit_form is None and can_work:
        edit_form = ReferralEditForm(formdata=None, obj=referral)
    if edit_form is not None:
        _prepare_edit_form(edit_form, referral)
    if move_form is None:
        move_form = MoveForm(formdata=None)
    move_form.version.data = referral.version
    kecamatan = referral.pokja.kecamatan
    suggestion = routing.suggest_destination(
        referral.doc_type, resident.religion, kecamatan.display_name
    )
    now = utcnow()
    context = {
        "referral": referral,
        "resident": resident,
        "full_nik": full_nik,
        "can_work": can_work,
        "can_tick": can_work,
        "moves": workflow.allowed_moves(referral.status, current_user.role),
        "move_form": move_form,
        "move_error": move_error,
        "edit_form": edit_form if can_work else None,
        "conflict": CONFLICT if conflict else None,
        "suggestion": suggestion,
        "days": workflow.days_waiting(referral.status_changed_at, now),
        "overdue": workflow.is_overdue(
            referral.status, referral.status_changed_at, now, service.overdue_limits()
        ),
        "received": sum(1 for paper in referral.papers if paper.received),
        "last_event": referral.events[-1] if referral.events else None,
    }
    response = render(
        "referrals/detail.html", "referrals/_panel.html", _status=status, **context
    )
    if conflict and wants_partial():
        response.headers["HX-Retarget"] = "#rujukan"
        response.headers["HX-Reswap"] = "outerHTML"
    if full_nik:
        # The page is built first; it is only sent once the read is on record.
        _audit_nik_view(resident, note=f"rujukan {referral.code}")
    return response


def _prepare_edit_form(form: ReferralEditForm, referral: Referral) -> None:
    """Assignee choices for staff; Pokja users do not assign."""
    form.version.data = referral.version
    if current_user.role in DINAS_ROLES:
        form.assigned_to_id.choices = [(None, "— belum ada —")] + [
            (user_id, name) for user_id, name in _dinas_users()
        ]
    elif "assigned_to_id" in form:
        del form.assigned_to_id


def _conflict_page(referral_id: int, edit_form: ReferralEditForm | None = None):
    """The referral's current state with the conflict message (409)."""
    referral = _load(referral_id, *DETAIL_OPTIONS, fresh=True)
    return _detail_page(referral, edit_form=edit_form, conflict=True, status=409)


@bp.post("/<int(max=2147483647):referral_id>/status")
@role_required(*WORK_ROLES)
def move(referral_id: int):
    """Move the referral one step along the flow, if the flow and the role allow."""
    referral = _load(referral_id)
    form = MoveForm()
    if _stale(referral, form.version.data):
        return _conflict_page(referral_id)
    error = None
    if form.validate():
        try:
            service.move(
                referral, form.target.data or "", current_user, form.note.data, utcnow()
            )
        except workflow.WorkflowError as problem:
            error = problem.message
        else:
            # Read before the commit, which expires the object.
            message = f"Status rujukan {referral.code} kini: {referral.status_label}."
            try:
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                return _conflict_page(referral_id)
            flash(message, "success")
            return redirect(url_for("referrals.detail", referral_id=referral_id), 303)
    referral = _load(referral_id, *DETAIL_OPTIONS, fresh=True)
    return _detail_page(referral, move_form=form, move_error=error)


@bp.post("/<int(max=2147483647):referral_id>/ubah")
@role_required(*WORK_ROLES)
def edit(referral_id: int):
    """Change destination, notes and (staff) the assignee, with a version check."""
    referral = _load(referral_id)
    form = ReferralEditForm()
    _prepare_edit_form(form, referral)
    if _stale(referral, request.form.get("version")):
        return _conflict_page(referral_id, edit_form=form)
    if not referral.is_open:
        flash("Rujukan ini sudah ditutup; datanya tidak bisa diubah.", "error")
        return redirect(url_for("referrals.detail", referral_id=referral_id), 303)
    if form.validate():
        changes = {
            "destination_code": form.destination_code.data,
            "destination_name": form.destination_name.data,
            "destination_address": form.destination_address.data or None,
            "notes": form.notes.data or None,
        }
        if "assigned_to_id" in form:
            changes["assigned_to_id"] = form.assigned_to_id.data
        if service.edit(referral, changes, current_user, utcnow()):
            message = f"Perubahan rujukan {referral.code} disimpan."
            try:
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                return _conflict_page(referral_id, edit_form=form)
            flash(message, "success")
        else:
            flash("Tidak ada yang berubah.", "info")
        return redirect(url_for("referrals.detail", referral_id=referral_id), 303)
    referral = _load(referral_id, *DETAIL_OPTIONS, fresh=True)
    return _detail_page(referral, edit_form=form)


@bp.post("/<int(max=2147483647):referral_id>/berkas/<int(max=2147483647):paper_id>")
@role_required(*WORK_ROLES)
def paper(referral_id: int, paper_id: int):
    """Tick (or untick) one paper as received; htmx swaps just that row."""
    row = db.session.execute(
        scoped(
            select(ReferralPaper, Referral.status)
            .join(Referral, ReferralPaper.referral_id == Referral.id)
            .where(ReferralPaper.id == paper_id, Referral.id == referral_id),
            Referral.pokja_id,
        )
    ).first()
    if row is None:
        abort(404)
    item, status = row
    message = None
    if not workflow.is_open(status):
        message = "Rujukan sudah ditutup; daftar berkas tidak bisa diubah."
    else:
        wanted = request.form.get("received") == "1"
        if item.received != wanted:
            item.received = wanted
            item.received_at = utcnow() if wanted else None
            item.received_by_id = current_user.id if wanted else None
            record(
                "referral.paper",
                entity_type="referral",
                entity_id=referral_id,
                before={"label": item.label, "received": not wanted},
                after={"label": item.label, "received": wanted},
            )
            with _keep_loaded():
                db.session.commit()
    if wants_partial():
        return render(
            "referrals/_paper.html",
            "referrals/_paper.html",
            paper=item,
            referral_id=referral_id,
            can_tick=message is None,
            message=message,
        )
    if message:
        flash(message, "error")
    return redirect(
        url_for("referrals.detail", referral_id=referral_id, _anchor="berkas"), 303
    )


@bp.get("/<int(max=2147483647):referral_id>/surat")
@role_required(*VIEW_ROLES)
def slip(referral_id: int):
    """The referral slip (surat pengantar) to print on A4 or half A4; NIK masked."""
    referral = _load(
        referral_id,
        joinedload(Referral.resident),
        joinedload(Referral.pokja).joinedload(Pokja.kecamatan),
        joinedload(Referral.created_by),
        selectinload(Referral.papers),
    )
    return render_template("referrals/slip.html", referral=referral, today=utcnow())


# -- intake ----------------------------------------------------------------------


def _intake_destination(form: ReferralForm, resident: Resident) -> tuple:
    """(code, name, address) from the form, filling gaps with the suggestion."""
    pokja = resident.pokja
    kecamatan = pokja.kecamatan
    if form.destination.data == AUTO:
        suggestion = routing.suggest_destination(
            form.doc_type.data, resident.religion, kecamatan.display_name
        )
        code, name = suggestion.code, suggestion.name
    else:
        code = form.destination.data
        name = service.destination_name(code, kecamatan.display_name)
    return (
        code,
        form.destination_name.data or name,
        form.destination_address.data
        or service.destination_address(code, pokja, kecamatan),
    )


@bp.route("/baru", methods=["GET", "POST"])
@role_required(*WORK_ROLES)
def new():
    """Open a referral for a resident: document type, destination, notes."""
    resident_id = parse_id(request.args.get("warga"))
    if resident_id is None:
        flash("Pilih atau daftarkan warganya dulu, lalu buat rujukan.", "info")
        return redirect(url_for("referrals.residents"), 303)
    resident = get_scoped_or_404(
        select(Resident)
        .where(Resident.id == resident_id)
        .options(joinedload(Resident.pokja).joinedload(Pokja.kecamatan)),
        Resident.pokja_id,
    )
    form = ReferralForm()
    if not form.intake_key.data:
        form.intake_key.data = uuid4().hex
    if request.method == "GET" and request.args.get("jenis") in routing.DOC_TYPES:
        form.doc_type.data = request.args["jenis"]
    if form.validate_on_submit():
        try:
            referral_id, code = service.create_referral(
                resident=resident,
                doc_type=form.doc_type.data,
                destination=_intake_destination(form, resident),
                notes=form.notes.data or None,
                user=current_user,
                intake_key=(form.intake_key.data or "")[:32] or None,
                now=utcnow(),
            )
        except service.DuplicateIntake as duplicate:
            db.session.rollback()
            flash("Rujukan ini sudah tersimpan sebelumnya.", "info")
            return redirect(
                url_for("referrals.detail", referral_id=duplicate.referral_id), 303
            )
        db.session.commit()
        flash(
            f"Rujukan {code} dibuat. Centang berkas yang sudah dibawa warga.", "success"
        )
        return redirect(url_for("referrals.detail", referral_id=referral_id), 303)
    return render_template(
        "referrals/new.html",
        form=form,
        resident=resident,
        suggestions=service.suggestions(resident, resident.pokja.kecamatan),
    )


# -- residents -------------------------------------------------------------------


@bp.get("/warga")
@role_required(*VIEW_ROLES)
def residents():
    """Residents of the user's scope, searched by name (NIK search is a POST)."""
    q, nik_in_query = _filter_out_nik(clean_text(request.args.get("q")))
    stmt = scoped(
        select(Resident).options(joinedload(Resident.pokja)), Resident.pokja_id
    ).order_by(Resident.name, Resident.id)
    if q:
        stmt = stmt.where(
            func.lower(Resident.name).contains(q.lower(), autoescape=True)
        )
    return render(
        "referrals/residents.html",
        "referrals/_residents.html",
        page=paginate(stmt),
        q=q,
        nik_in_query=nik_in_query,
        nik_form=NikSearchForm(formdata=None),
        can_work=current_user.role in WORK_ROLES,
    )


@bp.post("/warga/cari-nik")
@role_required(*VIEW_ROLES)
def nik_search():
    """Find residents by NIK, sent by POST so the NIK never lands in a URL."""
    form = NikSearchForm()
    results, searched = None, None
    if form.validate():
        check = validate_nik(form.nik.data)
        if ERR_FORMAT in check.errors:
            # Other problems (an unknown province, say) still deserve a search:
            # the resident may have been registered with exactly that number.
            form.nik.errors.append(ERR_FORMAT)
        else:
            results = (
                db.session.scalars(
                    scoped(
                        select(Resident)
                        .where(Resident.nik == check.nik)
                        .options(joinedload(Resident.pokja)),
                        Resident.pokja_id,
                    ).order_by(Resident.name)
                )
                .unique()
                .all()
            )
            searched = mask_nik(check.nik)
            form.nik.data = ""  # never echo a NIK back into the page
    return render_template(
        "referrals/residents.html",
        page=None,
        q="",
        nik_form=form,
        nik_results=results,
        nik_searched=searched,
        can_work=current_user.role in WORK_ROLES,
    )


def _prepare_resident_form(form: ResidentForm, resident: Resident | None) -> None:
    """Pokja choice for department users at registration; fixed otherwise."""
    if resident is None and current_user.sees_all_pokja:
        rows = db.session.execute(
            select(Pokja.id, Pokja.display_name)
            .where(Pokja.is_active.is_(True))
            .order_by(Pokja.display_name)
        )
        form.pokja_id.choices = [(None, "— pilih Pokja —")] + [
            (pokja_id, name) for pokja_id, name in rows
        ]
    else:
        del form.pokja_id


def _resident_checks(form: ResidentForm, exclude_id: int | None) -> tuple:
    """(normalised NIK or None, warnings) after NIK errors were put on the field."""
    nik = None
    warnings: list[dict] = []
    if form.nik.data:
        check = validate_nik(form.nik.data)
        if check.errors:
            form.nik.errors.extend(check.errors)
            return None, []
        nik = check.nik
        warnings += [
            {"text": text}
            for text in warnings_for(check, form.birth_date.data, form.sex.data)
        ]
    # A resent form (same intake key) is found by the same query.
    conditions = [Resident.intake_key == (form.intake_key.data or "")[:32]]
    if nik:
        conditions.append(Resident.nik == nik)
    if form.birth_date.data:
        conditions.append(
            and_(
                func.lower(Resident.name) == form.name.data.lower(),
                Resident.birth_date == form.birth_date.data,
            )
        )
    if exclude_id is not None:
        conditions = conditions[1:]  # editing: no intake key
    if conditions:
        # Within the user's own scope only: a Pokja user learns nothing about
        # residents of other Pokja, not even that a NIK is registered there.
        stmt = scoped(
            select(
                Resident.id,
                Resident.name,
                Resident.nik,
                Pokja.display_name,
                Resident.intake_key,
            )
            .join(Pokja, Resident.pokja_id == Pokja.id)
            .where(or_(*conditions)),
            Resident.pokja_id,
        ).limit(5)
        if exclude_id is not None:
            stmt = stmt.where(Resident.id != exclude_id)
        for other_id, name, other_nik, pokja_name, key in db.session.execute(stmt):
            if key and key == form.intake_key.data:
                raise AlreadySaved(other_id)
            why = (
                "NIK yang sama"
                if nik and other_nik == nik
                else "nama dan tanggal lahir yang sama"
            )
            warnings.append(
                {
                    "text": f"Sudah ada warga dengan {why}: {name} "
                    f"(Pokja {pokja_name}).",
                    "url": url_for("referrals.resident_detail", resident_id=other_id),
                }
            )
    return nik, warnings


class AlreadySaved(Exception):
    """This very form was saved before (a double tap or a resend)."""

    def __init__(self, resident_id: int) -> None:
        super().__init__(resident_id)
        self.resident_id = resident_id


def _digest(warnings: list[dict]) -> str:
    """Fingerprint of the warnings a user accepted, so new ones need a new tick."""
    text = "\n".join(w["text"] for w in warnings)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _fill_resident(resident: Resident, form: ResidentForm, nik: str | None) -> None:
    """Copy the form onto the resident."""
    resident.name = form.name.data
    resident.sex = form.sex.data
    resident.birth_date = form.birth_date.data
    resident.religion = form.religion.data or None
    resident.phone = form.phone.data or None
    resident.address = form.address.data
    resident.rt = form.rt.data or None
    resident.rw = form.rw.data or None
    resident.nik = nik


def _warnings_accepted(warnings: list[dict], form: ResidentForm) -> bool:
    """No warnings, or the user ticked "Tetap simpan" for exactly these."""
    return not warnings or (
        form.confirm.data and request.form.get("accepted") == _digest(warnings)
    )


@bp.route("/warga/baru", methods=["GET", "POST"])
@role_required(*WORK_ROLES)
def resident_new():
    """Register a resident; NIK mismatches and duplicates warn, never block."""
    form = ResidentForm()
    _prepare_resident_form(form, None)
    if not form.intake_key.data:
        form.intake_key.data = uuid4().hex
    warnings: list[dict] = []
    if form.validate_on_submit() and _pokja_chosen(form):
        try:
            nik, warnings = _resident_checks(form, None)
        except AlreadySaved as saved:
            flash("Data warga ini sudah tersimpan sebelumnya.", "info")
            return redirect(
                url_for("referrals.resident_detail", resident_id=saved.resident_id),
                303,
            )
        if not any(field.errors for field in form) and _warnings_accepted(
            warnings, form
        ):
            pokja_id = (
                form.pokja_id.data if "pokja_id" in form else current_user.pokja_id
            )
            resident = Resident(
                pokja_id=pokja_id,
                created_by_id=current_user.id,
                intake_key=(form.intake_key.data or "")[:32] or None,
            )
            _fill_resident(resident, form, nik)
            try:
                with db.session.begin_nested():
                    db.session.add(resident)
                    db.session.flush()
            except IntegrityError:
                existing = db.session.scalar(
                    select(Resident.id).where(
                        Resident.intake_key == resident.intake_key
                    )
                )
                if existing is None:
                    raise
                flash("Data warga ini sudah tersimpan sebelumnya.", "info")
                return redirect(
                    url_for("referrals.resident_detail", resident_id=existing), 303
                )
            record("resident.create", resident, after=resident.audit_dict())
            resident_id, name = resident.id, resident.name
            db.session.commit()
            flash(f"Warga {name} terdaftar.", "success")
            if request.form.get("lanjut") == "rujukan":
                return redirect(url_for("referrals.new", warga=resident_id), 303)
            return redirect(
                url_for("referrals.resident_detail", resident_id=resident_id), 303
            )
    return render_template(
        "referrals/resident_form.html",
        form=form,
        resident=None,
        warnings=warnings,
        accepted=_digest(warnings) if warnings else "",
    )


def _pokja_chosen(form: ResidentForm) -> bool:
    """Department users must say which Pokja the resident belongs to."""
    if "pokja_id" in form and form.pokja_id.data is None:
        form.pokja_id.errors.append("Pilih Pokja warga.")
        return False
    return True


def _load_resident(resident_id: int) -> Resident:
    """A resident the user may see, or 404."""
    return get_scoped_or_404(
        select(Resident)
        .where(Resident.id == resident_id)
        .options(joinedload(Resident.pokja)),
        Resident.pokja_id,
    )


@bp.get("/warga/<int(max=2147483647):resident_id>")
@role_required(*VIEW_ROLES)
def resident_detail(resident_id: int):
    """A resident's data (full NIK for those allowed, audited) and referrals."""
    resident = _load_resident(resident_id)
    referrals = db.session.scalars(
        select(Referral)
        .where(Referral.resident_id == resident.id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    ).all()
    full_nik = current_user.role in FULL_NIK_ROLES and bool(resident.nik)
    response = render(
        "referrals/resident.html",
        "referrals/resident.html",
        resident=resident,
        referrals=referrals,
        full_nik=full_nik,
        can_work=current_user.role in WORK_ROLES,
    )
    if full_nik:
        _audit_nik_view(resident)
    return response


@bp.route("/warga/<int(max=2147483647):resident_id>/ubah", methods=["GET", "POST"])
@role_required(*WORK_ROLES)
def resident_edit(resident_id: int):
    """Correct a resident's data, with a version check against parallel edits."""
    resident = _load_resident(resident_id)
    form = ResidentForm(obj=resident)
    _prepare_resident_form(form, resident)
    warnings: list[dict] = []
    conflict = None
    status = 200
    if request.method == "GET":
        form.version.data = resident.version
    elif form.validate_on_submit():
        if parse_id(form.version.data) != resident.version:
            conflict = resident
            form.version.data = resident.version
            status = 409
        else:
            nik, warnings = _resident_checks(form, resident.id)
            if not any(field.errors for field in form) and _warnings_accepted(
                warnings, form
            ):
                before = resident.audit_dict()
                _fill_resident(resident, form, nik)
                after = resident.audit_dict()
                if before != after:
                    resident.updated_at = utcnow()
                    record("resident.update", resident, before=before, after=after)
                    name = resident.name
                    try:
                        db.session.commit()
                    except StaleDataError:
                        db.session.rollback()
                        flash(CONFLICT, "error")
                        return redirect(
                            url_for("referrals.resident_edit", resident_id=resident_id),
                            303,
                        )
                    flash(f"Data warga {name} disimpan.", "success")
                return redirect(
                    url_for("referrals.resident_detail", resident_id=resident_id), 303
                )
    full_nik = request.method == "GET" and bool(resident.nik)
    response = render(
        "referrals/resident_form.html",
        "referrals/resident_form.html",
        _status=status,
        form=form,
        resident=resident,
        conflict=conflict,
        warnings=warnings,
        accepted=_digest(warnings) if warnings else "",
    )
    if full_nik:
        _audit_nik_view(resident, note="formulir ubah data")
    return response


# -- checklists (admin) ----------------------------------------------------------


def _checklist_page(add_form, bound: ChecklistItemForm | None = None, bound_id=None):
    """Every checklist item with its own small form."""
    items = db.session.scalars(
        select(ChecklistItem).order_by(
            ChecklistItem.doc_type, ChecklistItem.sort, ChecklistItem.id
        )
    ).all()
    forms = {}
    for item in items:
        if item.id == bound_id:
            forms[item.id] = bound
        else:
            forms[item.id] = ChecklistItemForm(
                formdata=None, obj=item, prefix=f"i{item.id}"
            )
            del forms[item.id].doc_type
    groups = {code: [] for code in routing.DOC_TYPES}
    for item in items:
        groups.setdefault(item.doc_type, []).append(item)
    return render_template(
        "referrals/checklists.html",
        add_form=add_form,
        groups=groups,
        forms=forms,
        doc_types=routing.DOC_TYPES,
    )


@bp.route("/daftar-berkas", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def checklists():
    """The admin's list of papers per document type; POST adds one."""
    add_form = ChecklistItemForm(prefix="baru")
    if add_form.validate_on_submit():
        item = ChecklistItem(
            doc_type=add_form.doc_type.data,
            label=add_form.label.data,
            sort=add_form.sort.data,
            active=add_form.active.data,
        )
        db.session.add(item)
        db.session.flush()
        record("checklist.create", item, after=item.audit_dict())
        db.session.commit()
        flash("Berkas ditambahkan ke daftar.", "success")
        return redirect(url_for("referrals.checklists", _anchor=item.doc_type), 303)
    return _checklist_page(add_form)


@bp.post("/daftar-berkas/<int(max=2147483647):item_id>")
@role_required(roles.ADMIN)
def checklist_update(item_id: int):
    """Rename, reorder or switch off one checklist item (new referrals only)."""
    item = db.get_or_404(ChecklistItem, item_id)
    form = ChecklistItemForm(prefix=f"i{item.id}")
    del form.doc_type
    if form.validate():
        before = item.audit_dict()
        item.label, item.sort, item.active = (
            form.label.data,
            form.sort.data,
            form.active.data,
        )
        if before != item.audit_dict():
            record("checklist.update", item, before=before, after=item.audit_dict())
            db.session.commit()
            flash("Daftar berkas disimpan.", "success")
        return redirect(url_for("referrals.checklists", _anchor=item.doc_type), 303)
    return _checklist_page(
        ChecklistItemForm(prefix="baru", formdata=None), form, item.id
    )
