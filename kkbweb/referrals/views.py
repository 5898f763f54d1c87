"""Referral pages: the queue, intake, a referral's page, status, papers and slip.

Roles (rules.py): Pokja users register residents, open referrals, tick papers, hand
documents over and cancel, all within their own Pokja; staf and admin do
everything; pimpinan reads (NIK masked); penyelenggara has no business with
residents' personal data and gets 403 (see docs/referrals.md). Residents and the
checklists are sub-blueprints (residents.py, checklists.py).
"""

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
from sqlalchemy.orm.exc import StaleDataError

from kkbweb.access import role_required
from kkbweb.database import commit_keeping_loaded, keeping_loaded
from kkbweb.extensions import db
from kkbweb.formtokens import creates
from kkbweb.htmx import (
    hx_redirect,
    render,
    render_fragment,
    render_refused,
    wants_partial,
)
from kkbweb.pagination import paginate
from kkbweb.pokja.queries import pokja_choices
from kkbweb.referrals import (
    case_edit,
    case_service,
    checklists,
    deadlines,
    documents,
    exports,
    fullnik,
    intake,
    intake_page,
    isbat,
    pages,
    queries,
    residents,
    routing,
    rules,
    service,
    workflow,
)
from kkbweb.referrals.forms import MoveForm, ReferralEditForm
from kkbweb.referrals.models import Referral
from kkbweb.referrals.queries import DETAIL_OPTIONS, ROW_OPTIONS, QueueFilters
from kkbweb.timeutil import today_wib, utcnow

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
bp.register_blueprint(residents.bp)
bp.register_blueprint(checklists.bp)
bp.register_blueprint(documents.bp)
bp.register_blueprint(isbat.bp)
# The one way a template shows a full NIK: audited (fullnik.py).
bp.add_app_template_global(fullnik.nik_full, "nik_full")


@bp.app_template_global()
def referral_badge(status: str) -> str:
    """The badge class of a status."""
    return workflow.STATUS_BADGES.get(status, "badge-muted")


# -- the queue -------------------------------------------------------------------


@bp.get("/")
@role_required(*rules.VIEW_ROLES)
def index():
    """The queue: open referrals (a Pokja user's own), filtered, counted by status."""
    filters = QueueFilters.from_args(request.args)
    filters.q, nik_in_query = pages.filter_out_nik(filters.q)
    now, limits = utcnow(), service.overdue_limits()
    page = paginate(queries.queue(filters, current_user, now, limits))
    context = pages.queue_context(
        filters, now, limits, url_for("referrals.index", **filters.as_args())
    )
    context.update(
        page=page,
        counts=queries.status_counts(filters, current_user, now, limits),
        nik_in_query=nik_in_query,
    )
    if not wants_partial():
        # The filter form lives outside the fragment: only full pages need these.
        context["pokja_choices"] = (
            pokja_choices(active_only=False) if current_user.sees_all_pokja else []
        )
        context["assignee_choices"] = (
            queries.dinas_users() if current_user.role in rules.DINAS_ROLES else []
        )
    return render("referrals/index.html", "referrals/_queue.html", **context)


@bp.get("/ekspor")
@role_required(*rules.DINAS_ROLES)
def export():
    """The filtered queue as CSV or XLSX (NIK masked), recorded in the audit trail."""
    kind = request.args.get("format", "csv")
    if kind not in exports.KINDS:
        abort(404)
    filters = QueueFilters.from_args(request.args)
    filters.q, _ = pages.filter_out_nik(filters.q)
    now, limits = utcnow(), service.overdue_limits()
    rows = exports.query_rows(filters, current_user, now, limits)
    # An export is a read of personal data: its own committed audit row.
    with keeping_loaded():
        db.session.commit()
        service.record_export(kind, len(rows), filters)
        db.session.commit()
    return exports.build(kind, rows, now, limits)


@bp.post("/<int:referral_id>/ambil")
@role_required(*rules.DINAS_ROLES)
def take(referral_id: int):
    """Assign the referral to the current staff member (one click)."""
    referral = pages.load_referral(referral_id, *ROW_OPTIONS)
    next_url = pages.safe_next(request.form.get("next"))
    if pages.stale(referral, request.form.get("version")):
        return _take_conflict(referral, next_url)
    if not referral.is_open:
        flash("Rujukan ini sudah ditutup.", "error")
        return hx_redirect(url_for("referrals.detail", referral_id=referral.id))
    me = current_user._get_current_object()
    service.assign(referral, me, me, utcnow())
    try:
        # The version check runs at the flush: a conflict is known before commit.
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        return _take_conflict(
            pages.load_referral(referral_id, *ROW_OPTIONS, fresh=True), next_url
        )
    commit_keeping_loaded()
    if wants_partial():
        return _row(referral, next_url)
    flash(f"Rujukan {referral.code} kini Anda tangani.", "success")
    return redirect(
        next_url or url_for("referrals.detail", referral_id=referral_id), 303
    )


def _row(referral: Referral, next_url: str | None, conflict: bool = False, status=200):
    """One queue row, for htmx."""
    now, limits = utcnow(), service.overdue_limits()
    context = pages.queue_context(
        QueueFilters(), now, limits, next_url or url_for("referrals.index")
    )
    return render_fragment(
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


@bp.get("/<int:referral_id>")
@role_required(*rules.VIEW_ROLES)
def detail(referral_id: int):
    """A referral: resident, destination, papers, next steps and full history."""
    referral = pages.load_referral(referral_id, *DETAIL_OPTIONS)
    return _detail_page(referral)


def _detail_page(
    referral: Referral,
    *,
    move_form: MoveForm | None = None,
    edit_form: ReferralEditForm | None = None,
    move_error: str | None = None,
    conflict: bool = False,
    status: int = 200,
    refused: bool = False,
):
    """Render the referral page (the resident card's full NIK is audited by
    fullnik.nik_full, on whichever path it shows).

    refused: a move or edit form came back with its messages.
    """
    resident = referral.resident
    can_work = current_user.role in rules.WORK_ROLES and referral.is_open
    if edit_form is None and can_work:
        edit_form = ReferralEditForm(formdata=None, obj=referral)
    if edit_form is not None:
        _prepare_edit_form(edit_form, referral)
    if move_form is None:
        move_form = MoveForm(formdata=None)
    move_form.version.data = referral.version
    now = utcnow()
    case = intake.of_referral(referral, today_wib())
    context = {
        "referral": referral,
        "resident": resident,
        "case": case,
        "can_work": can_work,
        "can_tick": can_work,
        "moves": workflow.allowed_moves(
            referral.status, current_user.role, referral.doc_type
        ),
        "move_form": move_form,
        "move_error": move_error,
        "edit_form": edit_form if can_work else None,
        "conflict": pages.CONFLICT if conflict else None,
        "suggestion": case.destination,
        "before_desk": referral.status in pages.BEFORE_DESK,
        "days": workflow.days_waiting(referral.status_changed_at, now),
        "overdue": workflow.is_overdue(
            referral.status, referral.status_changed_at, now, service.overdue_limits()
        ),
        "progress": routing.paper_progress(referral.papers),
        "last_event": referral.events[-1] if referral.events else None,
    }
    if refused:
        response = render_refused(
            "referrals/detail.html", "referrals/_panel.html", **context
        )
    else:
        response = render(
            "referrals/detail.html", "referrals/_panel.html", _status=status, **context
        )
    if conflict and wants_partial():
        response.headers["HX-Retarget"] = "#rujukan"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def _prepare_edit_form(form: ReferralEditForm, referral: Referral) -> None:
    """Assignee choices for staff; Pokja users do not assign."""
    form.version.data = referral.version
    if current_user.role in rules.DINAS_ROLES:
        form.assigned_to_id.choices = [(None, "— belum ada —")] + [
            (user_id, name) for user_id, name in queries.dinas_users()
        ]
    elif "assigned_to_id" in form:
        del form.assigned_to_id


def _conflict_page(referral_id: int, edit_form: ReferralEditForm | None = None):
    """The referral's current state with the conflict message (409)."""
    referral = pages.load_referral(referral_id, *DETAIL_OPTIONS, fresh=True)
    return _detail_page(referral, edit_form=edit_form, conflict=True, status=409)


@bp.post("/<int:referral_id>/status")
@role_required(*rules.WORK_ROLES)
def move(referral_id: int):
    """Move the referral one step along the flow, if the flow and the role allow."""
    referral = pages.load_referral(referral_id)
    form = MoveForm()
    if pages.stale(referral, form.version.data):
        return _conflict_page(referral_id)
    error = None
    if form.validate():
        prepared = None
        try:
            prepared = documents.prepare_upload(form.document.data)
            service.move(
                referral,
                form.target.data or "",
                current_user,
                form.note.data,
                utcnow(),
                form.happened_on.data,
            )
            if referral.status == workflow.DITERUSKAN and deadlines.is_late(
                referral.doc_type,
                referral.event_date,
                form.happened_on.data or today_wib(),
            ):
                # Late by the day the file reached the desk: the late papers.
                case_service.add_late_papers(referral, current_user)
            if prepared is not None:
                documents.store(referral, prepared)
        except (workflow.WorkflowError, documents.UploadError) as problem:
            db.session.rollback()
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
    referral = pages.load_referral(referral_id, *DETAIL_OPTIONS, fresh=True)
    return _detail_page(referral, move_form=form, move_error=error, refused=True)


@bp.post("/<int:referral_id>/ubah")
@role_required(*rules.WORK_ROLES)
def edit(referral_id: int):
    """Change destination, notes and (staff) the assignee, with a version check."""
    referral = pages.load_referral(referral_id)
    form = ReferralEditForm()
    _prepare_edit_form(form, referral)
    if pages.stale(referral, request.form.get("version")):
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
    referral = pages.load_referral(referral_id, *DETAIL_OPTIONS, fresh=True)
    return _detail_page(referral, edit_form=form, refused=True)


@bp.post("/<int:referral_id>/berkas/<int:paper_id>")
@role_required(*rules.WORK_ROLES)
def paper(referral_id: int, paper_id: int):
    """Tick (or untick) one paper as received; htmx swaps just that row."""
    row = queries.paper_with_status(referral_id, paper_id, current_user)
    if row is None:
        abort(404)
    item, status = row
    message = None
    if not workflow.is_open(status):
        message = "Rujukan sudah ditutup; daftar berkas tidak bisa diubah."
    elif service.tick_paper(
        item,
        referral_id,
        request.form.get("received") == "1",
        current_user,
        utcnow(),
    ):
        commit_keeping_loaded()
    if wants_partial():
        # The row, and the counter above the list out of band: both change.
        return render_fragment(
            "referrals/_paper_tick.html",
            paper=item,
            referral_id=referral_id,
            can_tick=message is None,
            message=message,
            progress=routing.paper_progress(queries.paper_ticks(referral_id)),
        )
    if message:
        flash(message, "error")
    return redirect(
        url_for("referrals.detail", referral_id=referral_id, _anchor="berkas"), 303
    )


@bp.get("/<int:referral_id>/surat")
@role_required(*rules.VIEW_ROLES)
def slip(referral_id: int):
    """The Lembar rujukan / daftar periksa berkas (no pengantar letter since
    Perpres 96/2018) on A4 or half A4: persons in roles, event, destination,
    checklist; NIK masked."""
    referral = pages.load_referral(referral_id, *queries.SLIP_OPTIONS)
    return render_template(
        "referrals/slip.html",
        referral=referral,
        today=utcnow(),
        case=intake.of_referral(referral, today_wib()),
        progress=routing.paper_progress(referral.papers),
    )


@bp.get("/terlambat")
@role_required(*rules.VIEW_ROLES)
def overdue():
    """Overdue cases by who holds the next action (from the steps' real dates)."""
    now, limits = utcnow(), service.overdue_limits()
    page = paginate(pages.overdue_query(current_user, now, limits))
    return render_template(
        "referrals/overdue.html",
        page=page,
        now=now,
        limits=limits,
        days_waiting=workflow.days_waiting,
        show_pokja=current_user.sees_all_pokja,
    )


# -- intake ----------------------------------------------------------------------


# Intake lives in intake_page.py (the page is long); registered here, on bp.
bp.add_url_rule(
    "/baru",
    "new",
    role_required(*rules.WORK_ROLES)(creates(intake_page.new)),
    methods=["GET", "POST"],
)
# Correcting a case's persons, KK and event: case_edit.py, registered here.
bp.add_url_rule(
    "/<int:referral_id>/kasus",
    "case_edit",
    role_required(*rules.WORK_ROLES)(case_edit.edit),
    methods=["GET", "POST"],
)
