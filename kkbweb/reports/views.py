"""The city dashboard, each Pokja's monthly recap, the hand-in and the exports."""

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from kkbweb.access import can_see_pokja, role_required
from kkbweb.audit.log import record_read
from kkbweb.classification.figures import class_snapshot
from kkbweb.classification.formula import INDICATORS
from kkbweb.database import keeping_loaded
from kkbweb.htmx import is_htmx, render
from kkbweb.kie.vocab import ACTIVITY_TYPES
from kkbweb.pokja.models import Pokja
from kkbweb.reports import (
    exports,
    handin,
    metrics,
    queries,
    recap,
    rules,
    service,
    table,
)
from kkbweb.reports.forms import ReturnForm, SubmitForm, VerifyForm
from kkbweb.reports.models import (
    RETURNED,
    STATUS_LABELS,
    VERIFIED,
    MonthlyReport,
)
from kkbweb.reports.months import Month
from kkbweb.spreadsheets import MIMETYPES, download
from kkbweb.timeutil import to_wib, today_wib, utcnow

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_app_template_global(table.trend_svg, "trend_bars")

POKJA = "/pokja/<int:pokja_id>"
INDICATOR_LABELS = {code: label for code, _index, label in INDICATORS}
HANDIN = POKJA + "/<bulan>"


# --- helpers ------------------------------------------------------------------


@bp.context_processor
def _helpers() -> dict:
    """Formatting and labels for this blueprint's templates."""
    return {
        "fmt": table.fmt,
        "show": metrics.show,
        "kie_table": metrics.KIE_BY_TYPE,
        "referral_table": metrics.REFERRALS_BY_TYPE,
        "poktan_table": metrics.POKTAN_BY_KIND,
        "unit_table": metrics.UNITS_BY_KIND,
        "status_labels": STATUS_LABELS,
        "values": exports.values,
        "activity_types": ACTIVITY_TYPES,
        "indicator_labels": INDICATOR_LABELS,
    }


def _month_arg() -> Month:
    """?bulan=YYYY-MM, at most the running month; the last closed month by default."""
    current = Month.of(today_wib())
    month = Month.parse(request.args.get("bulan")) or current.previous()
    return min(month, current)


def _month_path(bulan: str) -> Month:
    """A month in a URL path; 404 when malformed or in the future."""
    month = Month.parse(bulan)
    if month is None or month > Month.of(today_wib()):
        abort(404)
    return month


def _deadline_day() -> int:
    return handin.deadline_day(current_app.config.get("REPORT_DEADLINE_DAY", 10))


def _overdue_days() -> dict | None:
    """Per-status overdue limits for referrals (REFERRAL_OVERDUE_DAYS)."""
    return current_app.config.get("REFERRAL_OVERDUE_DAYS")


def _compute(pokja_ids, month: Month) -> recap.Recap:
    return recap.compute(pokja_ids, month, now=utcnow(), overdue_days=_overdue_days())


def _state(month: Month, status, first_submitted_at: datetime | None, changes=()):
    """The hand-in state of a report row (or none) as of today."""
    first = to_wib(first_submitted_at).date() if first_submitted_at else None
    return handin.state(month, today_wib(), status, first, _deadline_day(), changes)


def _changes(status, frozen: dict | None, figures: recap.Figures) -> list:
    """Figures that differ from the snapshot of a report handed in or verified."""
    if status not in handin.FROZEN:
        return []
    return recap.differences(frozen, figures)


def _load(pokja_id: int, month: Month) -> tuple[Pokja, MonthlyReport | None]:
    """A Pokja the user may see and its report of the month; else 404. One query."""
    if not can_see_pokja(pokja_id):
        abort(404)
    row = queries.pokja_and_report(pokja_id, month)
    if row is None:
        abort(404)
    return row[0], row[1]


def _city_rows(
    month: Month, with_trend: bool = True
) -> tuple[list[table.CityRow], recap.Recap, recap.Trend | None]:
    """Every visible Pokja's figures, trend and hand-in state; three queries
    (two without the trend, which exports and the print do not show)."""
    pokja = queries.city_pokja(month)
    ids = [p.id for p in pokja]
    figures = _compute(ids, month)
    trend = recap.trend(ids, month) if with_trend else None
    rows = [
        table.CityRow(
            p.id,
            p.display_name,
            figures.of(p.id),
            trend.of(p.id) if trend else [],
            _state(
                month,
                p.status,
                p.first_submitted_at,
                _changes(p.status, p.figures, figures.of(p.id)),
            ),
            table.trend_svg(trend.of(p.id), trend.months, trend.peak, p.display_name)
            if trend
            else Markup(""),
        )
        for p in pokja
    ]
    return rows, figures, trend


# --- the city -------------------------------------------------------------------


@bp.get("/")
@login_required
def dashboard():
    """The Pokja side by side for a month, sortable, with trends and hand-ins."""
    if not rules.sees_city(current_user):
        # A Pokja user is refused the city view and pointed to their own page.
        return render_template("reports/refused.html"), 403
    month = _month_arg()
    key, direction = table.parse_sort(
        request.args.get("urut"), request.args.get("arah")
    )
    rows, figures, trend = _city_rows(month)
    return render(
        "reports/dashboard.html",
        "reports/_city.html",
        month=month,
        current=Month.of(today_wib()),
        rows=table.sort_rows(rows, key, direction),
        city=figures.city,
        city_bars=table.trend_svg(
            trend.city, trend.months, max(trend.city), "Kota Cilegon"
        ),
        columns=table.COLUMNS,
        sort_key=key,
        sort_direction=direction,
        next_direction=table.next_direction,
        deadline_day=_deadline_day(),
    )


@bp.get("/cetak")
@login_required
def city_print():
    """The city table on an A4 sheet."""
    if not rules.sees_city(current_user):
        abort(403)
    month = _month_arg()
    rows, figures, _trend = _city_rows(month, with_trend=False)
    return render_template(
        "reports/print_city.html",
        month=month,
        rows=rows,
        city=figures.city,
        columns=exports.CITY_COLUMNS,
        printed=utcnow(),
    )


@bp.get("/ekspor.<fmt>")
@login_required
def city_export(fmt: str):
    """The month's recap of every Pokja as XLSX (city, sections, each Pokja) or CSV."""
    if fmt not in MIMETYPES:
        abort(404)
    if not rules.sees_city(current_user):
        abort(403)
    month = _month_arg()
    rows, figures, _trend = _city_rows(month, with_trend=False)
    if fmt == "csv":
        body = exports.city_csv(rows, figures.city)
    else:
        body = exports.city_xlsx(month, rows, figures.city)
    # The audit commit must not expire (and re-read) what the page loaded.
    with keeping_loaded():
        record_read(
            "report.export",
            None,
            note=f"rekap kota {month}, {fmt}, {len(rows)} Pokja",
        )
    return download(body, fmt, f"rekap-kampung-kb-{month}.{fmt}")


# --- one Pokja --------------------------------------------------------------------


def _recap_context(pokja: Pokja, report: MonthlyReport | None, month: Month) -> dict:
    """Figures, trend, hand-in state and history of one Pokja's month."""
    figures = _compute([pokja.id], month)
    trend = recap.trend([pokja.id], month)
    mine = figures.of(pokja.id)
    events = queries.report_events(report.id) if report is not None else []
    status = report.status if report else None
    today = today_wib()
    changes = recap.differences(report.figures, mine) if report else []
    first = report.first_submitted_at if report else None
    frozen_figures = report.figures if report else None
    return {
        "pokja": pokja,
        "report": report,
        "month": month,
        "current": Month.of(today),
        "figures": mine,
        "trend": trend.of(pokja.id),
        "trend_months": trend.months,
        "handin": _state(month, status, first, _changes(status, frozen_figures, mine)),
        "events": events,
        "changes": changes,
        "frozen": recap.snapshot_lines(report.figures) if report else [],
        "may_submit": current_user.role in rules.SUBMITTER_ROLES
        and handin.submit_problem(status, month, today) is None,
        "may_review": current_user.role in rules.REVIEWER_ROLES
        and handin.review_problem(status, month) is None,
        "submit_form": SubmitForm(formdata=None, prefix="serahkan"),
        "return_form": ReturnForm(formdata=None, prefix="kembalikan"),
        "verify_form": VerifyForm(formdata=None, prefix="verifikasi"),
    }


@bp.get(POKJA)
@login_required
def pokja(pokja_id: int):
    """One Pokja's recap for a month, its 12-month trend and its hand-in."""
    month = _month_arg()
    pokja, report = _load(pokja_id, month)
    return render_template("reports/pokja.html", **_recap_context(pokja, report, month))


@bp.get(POKJA + "/cetak")
@login_required
def pokja_print(pokja_id: int):
    """One Pokja's recap on an A4 sheet."""
    month = _month_arg()
    pokja, report = _load(pokja_id, month)
    figures = _compute([pokja.id], month).of(pokja.id)
    return render_template(
        "reports/print_pokja.html",
        pokja=pokja,
        month=month,
        figures=figures,
        handin=_state(
            month,
            report.status if report else None,
            report.first_submitted_at if report else None,
        ),
        printed=utcnow(),
    )


@bp.get(POKJA + "/ekspor.<fmt>")
@login_required
def pokja_export(pokja_id: int, fmt: str):
    """One Pokja's recap of a month as XLSX (one sheet per section) or CSV."""
    if fmt not in MIMETYPES:
        abort(404)
    month = _month_arg()
    pokja, _report = _load(pokja_id, month)
    figures = _compute([pokja.id], month).of(pokja.id)
    if fmt == "csv":
        body = exports.pokja_csv(figures)
    else:
        body = exports.pokja_xlsx(month, pokja.display_name, figures)
    with keeping_loaded():
        record_read(
            "report.export",
            pokja,
            note=f"rekap {pokja.display_name} {month}, {fmt}",
        )
    slug = pokja.display_name.lower().replace(" ", "-")
    return download(body, fmt, f"rekap-{slug}-{month}.{fmt}")


# --- the hand-in -------------------------------------------------------------------


def _back(pokja_id: int, month: Month):
    """PRG: back to the Pokja's recap of that month, at the hand-in panel."""
    url = url_for("reports.pokja", pokja_id=pokja_id, bulan=str(month))
    return redirect(url + "#laporan", 303)


def _form_page(pokja: Pokja, report, month: Month, form, action: str):
    """A refused hand-in form again, with its message and what was typed."""
    return (
        render_template(
            "reports/handin_form.html",
            pokja=pokja,
            report=report,
            month=month,
            form=form,
            action=action,
        ),
        200 if is_htmx() else 400,
    )


def _conflict(pokja_id: int, month: Month):
    """Someone else changed the report first: say so, show the current state."""
    flash(
        "Laporan ini baru saja diubah oleh pengguna lain. Periksa statusnya.",
        "warning",
    )
    return _back(pokja_id, month)


@bp.post(HANDIN + "/serahkan")
@role_required(*rules.SUBMITTER_ROLES)
def submit(pokja_id: int, bulan: str):
    """Hand in a closed month: freeze the figures as the snapshot (audited)."""
    month = _month_path(bulan)
    if not can_see_pokja(pokja_id):
        abort(404)
    row = queries.pokja_report_and_class(pokja_id, month)
    if row is None:
        abort(404)
    pokja, report, has_kampung, profile_figures, instansi = row
    status = report.status if report else None
    problem = handin.submit_problem(status, month, today_wib())
    if problem:
        flash(problem, "warning")
        return _back(pokja_id, month)
    form = SubmitForm(prefix="serahkan")
    if not form.validate():
        return _form_page(pokja, report, month, form, "serahkan")
    now = utcnow()
    snapshot = recap.snapshot(_compute([pokja.id], month).of(pokja.id), now)
    note = form.note.data or None
    klass = class_snapshot(profile_figures, instansi or []) if has_kampung else None
    report_id = service.submit(
        pokja.id, month, report, snapshot, note, current_user, now, klass
    )
    if report_id is None:
        return _conflict(pokja_id, month)
    again = " ulang" if report is not None else ""
    flash(
        f"Laporan {month.label} diserahkan{again}. Angka bulan itu dibekukan "
        "dan menunggu pemeriksaan dinas.",
        "success",
    )
    return _back(pokja_id, month)


def _review(pokja_id: int, bulan: str, target: str, form, action: str):
    """Verify or return a handed-in report (staf, admin; audited)."""
    month = _month_path(bulan)
    pokja, report = _load(pokja_id, month)
    status = report.status if report else None
    problem = handin.review_problem(status, month)
    if problem:
        flash(problem, "warning")
        return _back(pokja_id, month)
    if not form.validate():
        return _form_page(pokja, report, month, form, action)
    note = form.note.data or None
    if not service.review(report, month, target, note, current_user, utcnow()):
        return _conflict(pokja_id, month)
    if target == VERIFIED:
        flash(f"Laporan {pokja.display_name} {month.label} diverifikasi.", "success")
    else:
        flash(
            f"Laporan {pokja.display_name} {month.label} dikembalikan ke Pokja "
            "dengan catatan.",
            "success",
        )
    return _back(pokja_id, month)


@bp.post(HANDIN + "/verifikasi")
@role_required(*rules.REVIEWER_ROLES)
def verify(pokja_id: int, bulan: str):
    """Verify a handed-in report."""
    form = VerifyForm(prefix="verifikasi")
    return _review(pokja_id, bulan, VERIFIED, form, "verifikasi")


@bp.post(HANDIN + "/kembalikan")
@role_required(*rules.REVIEWER_ROLES)
def return_report(pokja_id: int, bulan: str):
    """Return a handed-in report to the Pokja with a note saying what to fix."""
    form = ReturnForm(prefix="kembalikan")
    return _review(pokja_id, bulan, RETURNED, form, "kembalikan")
