"""The SIGA registers (poktan.registers.*): R/I per month, K/0 per year.

An overview of a month's registers with their "diserahkan" marks, each poktan's
A4 print and XLSX, a Pokja's registers in one print and one XLSX (a sheet per
poktan), the mark itself, and the admin's column layouts. See
docs/poktan-registers.md.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kkbweb.access import role_required
from kkbweb.audit.log import record_read
from kkbweb.database import keeping_loaded
from kkbweb.extensions import db
from kkbweb.pagination import paginate
from kkbweb.pokja.queries import pokja_choices
from kkbweb.poktan import queries as poktan_queries
from kkbweb.poktan import register_exports, register_sheets, vocab
from kkbweb.poktan import register_queries as queries
from kkbweb.poktan import register_rules as rules
from kkbweb.poktan import register_service as service
from kkbweb.poktan.register_columns import (
    DEFAULT_LAYOUTS,
    K0,
    MAX_COLUMNS,
    REGISTERS,
    RI,
    form_code,
    formula_choices,
    layout_problems,
)
from kkbweb.requests import is_local_path, query_int
from kkbweb.spreadsheets import download
from kkbweb.timeutil import today_wib

bp = Blueprint("registers", __name__, url_prefix="/register")

SHEET = "/<int:poktan_id>/<any(ri,k0):register>"
POKJA_SHEET = "/pokja/<int:pokja_id>/<any(ri,k0):register>"
BLANK_ROWS = 3


def _period(register: str):
    return register_sheets.period_of(
        register, request.values.get("bulan"), query_int("tahun"), today_wib()
    )


def _period_args(period) -> dict:
    if period.register == K0:
        return {"tahun": period.year}
    return {"bulan": f"{period.year:04d}-{period.month:02d}"}


def _poktan_or_404(poktan_id: int):
    """The poktan (Pokja, ketua, kader loaded) in the user's scope, else 404."""
    return poktan_queries.get_poktan(poktan_id)


@bp.get("/")
@role_required(*rules.READER_ROLES)
def index():
    """The month's R/I registers and the year's K/0 cards, with their marks."""
    ri = _period(RI)
    k0 = register_sheets.period_of(K0, None, ri.year, today_wib())
    pokja_id = query_int("pokja") if current_user.sees_all_pokja else None
    page = paginate(queries.overview(pokja_id))
    ids = [p.id for p in page.items]
    today = today_wib()
    return render_template(
        "poktan/registers/index.html",
        page=page,
        ri=ri,
        k0=k0,
        today=today,
        ri_marks=queries.submissions(ids, RI, ri.year, ri.month),
        k0_marks=queries.submissions(ids, K0, k0.year, 0),
        pokja_id=pokja_id,
        pokja_options=pokja_choices(current_user)
        if current_user.sees_all_pokja
        else [],
        args={k: v for k, v in {**_period_args(ri), "pokja": pokja_id}.items() if v},
        may_mark=current_user.role in rules.MARKER_ROLES,
        form_code=form_code,
    )


@bp.get(SHEET)
@role_required(*rules.READER_ROLES)
def sheet(poktan_id: int, register: str):
    """One poktan's register of the period, laid out for an A4 print."""
    poktan = _poktan_or_404(poktan_id)
    period = _period(register)
    [one] = register_sheets.build([poktan], period, today_wib())
    return render_template(
        "poktan/registers/sheet.html",
        sheets=[one],
        period=period,
        title=f"{one.code} {poktan.name}",
        back=url_for("poktan.registers.index", **_month_of(period)),
        xlsx=url_for(
            "poktan.registers.sheet_xlsx",
            poktan_id=poktan.id,
            register=register,
            **_period_args(period),
        ),
        may_mark=current_user.role in rules.MARKER_ROLES,
        period_args=_period_args(period),
    )


@bp.get(SHEET + ".xlsx")
@role_required(*rules.READER_ROLES)
def sheet_xlsx(poktan_id: int, register: str):
    """One poktan's register of the period as XLSX (audited: it lists families)."""
    poktan = _poktan_or_404(poktan_id)
    period = _period(register)
    sheets = register_sheets.build([poktan], period, today_wib())
    body = register_exports.workbook(sheets)
    with keeping_loaded():
        record_read("register.export", poktan, note=f"{register} {period.label}")
    name = f"{register}-{poktan.name}-{_stamp(period)}.xlsx"
    return download(body, "xlsx", name)


def _pokja_sheets(pokja_id: int, register: str):
    pokja = queries.pokja(pokja_id)
    if pokja is None:
        abort(404)
    period = _period(register)
    sheets = register_sheets.build(queries.pokja_poktan(pokja.id), period, today_wib())
    return pokja, period, sheets


@bp.get(POKJA_SHEET)
@role_required(*rules.READER_ROLES)
def pokja_sheet(pokja_id: int, register: str):
    """Every active poktan's register of a Pokja, one A4 page each."""
    pokja, period, sheets = _pokja_sheets(pokja_id, register)
    return render_template(
        "poktan/registers/sheet.html",
        sheets=sheets,
        period=period,
        title=f"{REGISTERS[register]} Pokja {pokja.display_name}",
        back=url_for(
            "poktan.registers.index",
            pokja=pokja.id if current_user.sees_all_pokja else None,
            **_month_of(period),
        ),
        xlsx=url_for(
            "poktan.registers.pokja_xlsx",
            pokja_id=pokja.id,
            register=register,
            **_period_args(period),
        ),
        may_mark=current_user.role in rules.MARKER_ROLES,
        period_args=_period_args(period),
        pokja=pokja,
    )


@bp.get(POKJA_SHEET + ".xlsx")
@role_required(*rules.READER_ROLES)
def pokja_xlsx(pokja_id: int, register: str):
    """A Pokja's registers of the period in one XLSX, one sheet per poktan."""
    pokja, period, sheets = _pokja_sheets(pokja_id, register)
    title = f"{REGISTERS[register]} Pokja {pokja.display_name}, {period.label}"
    body = register_exports.workbook(sheets, summary_title=title)
    with keeping_loaded():
        record_read("register.export", pokja, note=f"{register} {period.label}, Pokja")
    name = f"{register}-pokja-{pokja.display_name}-{_stamp(period)}.xlsx"
    return download(body, "xlsx", name)


@bp.post(SHEET + "/diserahkan")
@role_required(*rules.MARKER_ROLES)
def submit(poktan_id: int, register: str):
    """Mark the register of the period as handed in, or withdraw the mark."""
    poktan = _poktan_or_404(poktan_id)
    period = _period(register)
    target = request.form.get("next", "")
    if not is_local_path(target):
        target = url_for("poktan.registers.index", **_month_of(period))
    code = form_code(register, poktan.kind)
    if request.form.get("batal") == "ya":
        mark = queries.submission(poktan.id, register, period.year, period.month)
        if mark is not None:
            service.unmark_submitted(mark)
            db.session.commit()
            flash(f"Tanda diserahkan {code} {poktan.name} dibatalkan.", "success")
        return redirect(target, 303)
    if service.mark_submitted(poktan, period, current_user):
        db.session.commit()
        flash(f"{code} {poktan.name} {period.label} ditandai diserahkan.", "success")
    else:
        flash(f"{code} {poktan.name} {period.label} sudah ditandai diserahkan.", "info")
    return redirect(target, 303)


# --- the admin's layouts -----------------------------------------------------------


@bp.get("/kolom")
@role_required(*rules.LAYOUT_ROLES)
def layouts():
    """Every register layout, with whether it is stored or the default."""
    return render_template(
        "poktan/registers/layouts.html",
        stored=queries.stored_layout_sizes(),
        registers=REGISTERS,
        kinds=vocab.KINDS,
        defaults=DEFAULT_LAYOUTS,
        form_code=form_code,
    )


@bp.route("/kolom/<any(ri,k0):register>/<kind>", methods=["GET", "POST"])
@role_required(*rules.LAYOUT_ROLES)
def layout_edit(register: str, kind: str):
    """Edit one layout: each row a heading and a formula; empty rows drop."""
    if kind not in vocab.KINDS:
        abort(404)
    problems: dict[int, str] = {}
    general: list[str] = []
    if request.method == "POST":
        typed = _typed_rows()
        rows, problems = _layout_rows(typed, kind)
        if len(rows) > MAX_COLUMNS:
            general.append(f"Paling banyak {MAX_COLUMNS} kolom.")
        if not rows and not problems:
            general.append("Isi minimal satu kolom.")
        if not problems and not general:
            if service.save_layout(register, kind, rows, current_user):
                db.session.commit()
                flash(f"Kolom {form_code(register, kind)} disimpan.", "success")
            return redirect(url_for("poktan.registers.layouts"), 303)
    else:
        stored = queries.layouts(register, [kind])[kind]
        typed = [
            (str(i), label, formula) for i, (label, formula) in enumerate(stored, 1)
        ]
    start = len(typed) + 1
    blanks = [(str(n), "", "") for n in range(start, start + BLANK_ROWS)]
    return render_template(
        "poktan/registers/layout_form.html",
        register=register,
        kind=kind,
        code=form_code(register, kind),
        rows=typed + blanks,
        problems=problems,
        general=general,
        choices=formula_choices(kind),
    )


MAX_ROWS = MAX_COLUMNS + BLANK_ROWS + 10


def _typed_rows() -> list[tuple[str, str, str]]:
    """The rows as typed, (order, heading, formula), in the form's order."""
    lists = [request.form.getlist(n)[:MAX_ROWS] for n in ("urut", "label", "formula")]
    count = max(len(values) for values in lists)
    return [
        tuple(values[i] if i < len(values) else "" for values in lists)
        for i in range(count)
    ]


def _layout_rows(typed, kind: str) -> tuple[list[tuple[str, str]], dict[int, str]]:
    """The (heading, formula) rows to save, sorted by their order number (a
    number moves a row), and the messages by typed row; empty rows drop."""
    kept, problems = [], {}
    for index, (raw, label, formula) in enumerate(typed):
        label, raw = " ".join(label.split()), raw.strip()
        if not label and not formula:
            continue
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
            problems[index] = "Isi nomor urut dengan angka (1 sampai 999)."
            continue
        kept.append((int(raw) if raw else index + 1, index, label, formula))
    kept.sort()
    rows = [(label, formula) for _order, _index, label, formula in kept]
    for position, message in layout_problems(rows, kind).items():
        problems[kept[position][1]] = message
    return rows, problems


def _month_of(period) -> dict:
    """The overview's month for a period (a K/0: January of its year)."""
    if period.register == K0:
        return {"bulan": f"{period.year:04d}-01"}
    return _period_args(period)


def _stamp(period) -> str:
    if period.register == K0:
        return str(period.year)
    return f"{period.year:04d}-{period.month:02d}"
