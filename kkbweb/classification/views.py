"""Classification pages: a Kampung KB's class and next-class steps, its
profile form and identity (with the SK Camat scan), the city board (with its
XLSX), the PKB and their kelurahan, and the reporting calendar."""

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
from flask_login import current_user

from kkbweb import reference, uploads
from kkbweb.access import can_see_pokja, role_required
from kkbweb.classification import (
    deadlines,
    exports,
    forms,
    pages,
    queries,
    rules,
    scans,
    service,
    vocab,
)
from kkbweb.classification import figures as fig
from kkbweb.extensions import db
from kkbweb.forms import Form
from kkbweb.formtokens import creates, redirect_once
from kkbweb.htmx import REFUSED_FORM_STATUS
from kkbweb.images import remove as remove_files
from kkbweb.reports import handin as handin_rules
from kkbweb.spreadsheets import download
from kkbweb.timeutil import today_wib, utcnow

bp = Blueprint("classification", __name__, url_prefix="/klasifikasi")


@bp.get("/")
@role_required(*rules.READER_ROLES)
def index():
    """The department lands on the board, a Pokja user on their Kampung KB."""
    if current_user.sees_all_pokja:
        return redirect(url_for("classification.board"))
    if current_user.pokja_id is None:
        abort(404)
    return redirect(url_for("classification.kampung", pokja_id=current_user.pokja_id))


def _pokja_or_404(pokja_id: int) -> None:
    if not can_see_pokja(pokja_id):
        abort(404)


@bp.get("/pokja/<int:pokja_id>")
@role_required(*rules.READER_ROLES)
def kampung(pokja_id: int):
    """Class, the 12 scores as a chart, the weakest, the steps to the next class."""
    _pokja_or_404(pokja_id)
    row = queries.class_of_pokja(pokja_id)
    if row is None:
        abort(404)
    kampung, profile = row
    verdict = pages.verdict(
        profile.figures if profile else None, queries.instansi_pairs(pokja_id)
    )
    return render_template(
        "classification/kampung.html",
        kampung=kampung,
        profile=profile,
        verdict=verdict,
        history=queries.history(kampung),
        place=reference.kelurahan_by_code().get(kampung.kelurahan_code),
        can_edit=current_user.role in rules.EDITOR_ROLES,
        vocab=vocab,
    )


@bp.route("/pokja/<int:pokja_id>/profil", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
@creates
def profile(pokja_id: int):
    """A new profile snapshot, pre-filled with what kkbweb knows."""
    _pokja_or_404(pokja_id)
    kampung = queries.kampung_of_pokja(pokja_id)
    form = forms.ProfileForm()
    if form.is_submitted() and form.validate():
        figures = forms.figures_from(form)
        prefilled = [k for k in request.form.getlist("prefilled") if k in PREFILL_KEYS]
        instansi = fig.instansi_ids(queries.instansi_pairs(pokja_id))
        today = today_wib()
        user_id = current_user.id

        def make() -> str:
            service.add_profile(
                kampung,
                figures,
                prefilled,
                instansi,
                (today.year, today.month),
                user_id,
            )
            return url_for("classification.kampung", pokja_id=pokja_id)

        return redirect_once(form, make, "Profil Kampung KB disimpan.")
    taken: list[str] = []
    if not form.is_submitted():
        saved = queries.latest_profile(kampung.id)
        app = _app_figures(pokja_id)
        figures, taken = fig.prefill(saved.figures if saved else None, app)
        forms.fill(form, figures)
    else:
        taken = [k for k in request.form.getlist("prefilled") if k in PREFILL_KEYS]
    return render_template(
        "classification/profile.html",
        form=form,
        kampung=kampung,
        taken=taken,
        vocab=vocab,
    )


PREFILL_KEYS = ("program", "operasional", "kkbpk.program")


def _app_figures(pokja_id: int) -> dict:
    counts = queries.app_counts(pokja_id, today_wib())
    poktan = {key: n for (source, key), n in counts.items() if source == "poktan"}
    activity = {key: n for (source, key), n in counts.items() if source != "poktan"}
    return fig.app_figures(poktan, activity)


def _scan_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "kampung"


def _scan_of_form(form, folder: Path):
    """The scan this submission brings: a new upload (checked, kept pending) or
    the one kept from a refused submission. A bad file adds its message."""
    upload = form.chosen_scan()
    if upload is None:
        return scans.from_token(
            form.sk_scan_kept.data, current_user.id, current_app.secret_key, folder
        )
    try:
        checked = uploads.check(upload.read(), uploads.clean_name(upload.filename))
    except ValueError as error:
        form.sk_scan.errors = [
            *form.sk_scan.errors,
            str(error),
            "Scan tidak disimpan; isian lain tetap. Pilih berkas PDF atau foto "
            "SK yang benar lalu simpan lagi.",
        ]
        return None
    return scans.keep(folder, checked.data, checked.mimetype, checked.original_name)


@bp.route("/pokja/<int:pokja_id>/identitas", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
def identity(pokja_id: int):
    """The Kampung KB's name, kelurahan, RW, launch, SK Camat (with its scan)
    and portal link."""
    _pokja_or_404(pokja_id)
    kampung = queries.kampung_of_pokja(pokja_id)
    form = forms.KampungForm(obj=kampung)
    folder = _scan_folder()
    if not form.is_submitted():
        scans.sweep(folder)
        return _identity_page(form, kampung)
    valid = form.validate()
    scan = _scan_of_form(form, folder)
    if form.sk_scan.errors:
        valid = False
    if valid and queries.kelurahan_taken(form.kelurahan_code.data, kampung.id):
        form.kelurahan_code.errors.append("Kelurahan ini sudah punya Kampung KB.")
        valid = False
    if not valid:
        form.sk_scan_kept.data = (
            scans.token(scan, current_user.id, current_app.secret_key) if scan else ""
        )
        return _identity_page(form, kampung, kept=scan)
    values = {
        "name": form.name.data,
        "kelurahan_code": form.kelurahan_code.data,
        "rw_coverage": form.rw_coverage.data or None,
        "launched_on": form.launched_on.data,
        "sk_camat_number": form.sk_camat_number.data or None,
        "sk_camat_date": form.sk_camat_date.data,
        "portal_ref": form.portal_ref.data or None,
    }
    old = kampung.sk_scan_filename
    if scan is not None:
        scans.attach(folder, scan)
        values.update(
            sk_scan_filename=scan.filename,
            sk_scan_mimetype=scan.mimetype,
            sk_scan_original_name=scan.original_name,
            sk_scan_at=utcnow(),
        )
    elif form.remove_scan.data and old:
        values.update(
            sk_scan_filename=None,
            sk_scan_mimetype=None,
            sk_scan_original_name=None,
            sk_scan_at=None,
        )
    if service.update_kampung(kampung, values):
        db.session.commit()
        if old and old != kampung.sk_scan_filename:
            remove_files(folder, [old])
        flash("Identitas Kampung KB disimpan.", "success")
    return redirect(url_for("classification.kampung", pokja_id=pokja_id), 303)


def _identity_page(form, kampung, kept=None):
    return render_template(
        "classification/identity.html", form=form, kampung=kampung, kept=kept
    )


@bp.get("/pokja/<int:pokja_id>/sk-camat")
@role_required(*rules.READER_ROLES)
def sk_scan(pokja_id: int):
    """The SK Camat scan, to users who may see the Kampung KB (else 404); never
    cached; a PDF is downloaded, never rendered in our origin."""
    _pokja_or_404(pokja_id)
    kampung = queries.kampung_of_pokja(pokja_id)
    if not kampung.sk_scan_filename:
        abort(404)
    is_pdf = kampung.sk_scan_mimetype == scans.PDF
    response = send_from_directory(
        _scan_folder(),
        kampung.sk_scan_filename,
        mimetype=kampung.sk_scan_mimetype,
        max_age=0,
        as_attachment=is_pdf,
        download_name=f"sk-camat-{kampung.id}" + (".pdf" if is_pdf else ".jpg"),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _board_rows():
    return pages.board(
        queries.board_rows(),
        queries.board_instansi(),
        queries.class_history(),
        queries.pkb_list(),
    )


@bp.get("/kota")
@role_required(*rules.BOARD_ROLES)
def board():
    """Every Kampung KB's class and indices, by kecamatan or by PKB."""
    group = request.args.get("per", "kecamatan")
    if group not in pages.GROUPS:
        group = "kecamatan"
    sort = request.args.get("urut", "nama")
    if sort not in pages.SORTS:
        sort = "nama"
    rows = _board_rows()
    years = sorted({y for r in rows for y in r.history})[-5:]
    return render_template(
        "classification/board.html",
        groups=pages.grouped(rows, group, sort),
        counts=pages.class_counts(rows),
        total=len(rows),
        group=group,
        sort=sort,
        years=years,
        group_labels=pages.GROUPS,
        vocab=vocab,
        can_manage_pkb=current_user.role in rules.PKB_ROLES,
    )


@bp.get("/kota.xlsx")
@role_required(*rules.BOARD_ROLES)
def board_xlsx():
    rows = sorted(_board_rows(), key=lambda r: (r.kecamatan, r.name))
    return download(exports.board_xlsx(rows), "xlsx", "klasifikasi-kampung-kb.xlsx")


# --- PKB (penyuluh KB) and the kelurahan each covers --------------------------------


@bp.get("/pkb")
@role_required(*rules.PKB_ROLES)
def pkb_list():
    """Every PKB with the kelurahan they cover, and the kelurahan nobody covers."""
    pkbs = queries.pkb_list()
    places = reference.kelurahan_by_code()
    covered = {code for p in pkbs for code in p.kelurahan_codes or []}
    return render_template(
        "classification/pkb_list.html",
        pkbs=pkbs,
        places=places,
        uncovered=[k for k in reference.kelurahan() if k.code not in covered],
    )


def _pkb_form_page(form, pkb):
    return (
        render_template(
            "classification/pkb_form.html",
            form=form,
            pkb=pkb,
            delete_form=Form(formdata=None) if pkb else None,
        ),
        REFUSED_FORM_STATUS if form.is_submitted() else 200,
    )


def _pkb_save(form, pkb):
    """Validate and save the PKB form; the page again with messages otherwise."""
    if not (form.is_submitted() and form.validate()):
        return _pkb_form_page(form, pkb)
    codes = sorted(set(form.kelurahan_codes.data or []))
    places = reference.kelurahan_by_code()
    others = {
        code: other.name
        for other in queries.pkb_list()
        if pkb is None or other.id != pkb.id
        for code in other.kelurahan_codes or []
    }
    taken = [f"{places[c].name} ({others[c]})" for c in codes if c in others]
    if taken:
        form.kelurahan_codes.errors.append(
            "Satu kelurahan dibina satu PKB. Sudah dibina PKB lain: "
            + ", ".join(taken)
            + ". Lepaskan dulu dari PKB itu."
        )
        return _pkb_form_page(form, pkb)
    values = {
        "name": form.name.data,
        "phone": form.phone.data or None,
        "kelurahan_codes": codes,
    }
    message = f"PKB {form.name.data} disimpan."
    if pkb is None:

        def make() -> str:
            added = service.save_pkb(None, values)
            return url_for("classification.pkb_edit", pkb_id=added.id)

        return redirect_once(form, make, message)
    if service.save_pkb(pkb, values) is not None:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("classification.pkb_list"), 303)


@bp.route("/pkb/baru", methods=["GET", "POST"])
@role_required(*rules.PKB_ROLES)
@creates
def pkb_new():
    return _pkb_save(forms.NewPkbForm(), None)


@bp.route("/pkb/<int:pkb_id>", methods=["GET", "POST"])
@role_required(*rules.PKB_ROLES)
def pkb_edit(pkb_id: int):
    pkb = queries.pkb_or_404(pkb_id)
    return _pkb_save(forms.PkbForm(obj=pkb), pkb)


@bp.post("/pkb/<int:pkb_id>/hapus")
@role_required(*rules.PKB_ROLES)
def pkb_delete(pkb_id: int):
    pkb = queries.pkb_or_404(pkb_id)
    if not (Form().validate_on_submit() and request.form.get("yakin") == "1"):
        flash("Centang \u201cYa, hapus PKB ini\u201d untuk menghapus.", "warning")
        return redirect(url_for("classification.pkb_edit", pkb_id=pkb_id), 303)
    name = pkb.name
    service.delete_pkb(pkb)
    db.session.commit()
    flash(f"PKB {name} dihapus; kelurahannya kini tanpa PKB.", "success")
    return redirect(url_for("classification.pkb_list"), 303)


# --- the reporting calendar -----------------------------------------------------------


@bp.get("/kalender")
@role_required(*rules.CALENDAR_ROLES)
def calendar():
    """What each Pokja must hand in, done and late, with WhatsApp reminders."""
    today = today_wib()
    day = handin_rules.deadline_day(current_app.config.get("REPORT_DEADLINE_DAY", 10))
    months = deadlines.months_covered(today)
    rows = deadlines.rows(queries.calendar_facts(today, months), today, day)
    late_rows = [r for r in rows if r.late]
    reminders = current_user.role in rules.REMINDER_ROLES
    return render_template(
        "classification/calendar.html",
        rows=rows,
        late_rows=late_rows,
        today=today,
        deadline_day=day,
        months=months,
        reminders=reminders,
        pokja_links={
            r.pokja.id: deadlines.whatsapp_link(
                deadlines.pokja_reminder(r), r.pokja.phone
            )
            for r in late_rows
        }
        if reminders
        else {},
        pkb_reminders=deadlines.pkb_reminders(late_rows, queries.pkb_list())
        if reminders and current_user.sees_all_pokja
        else [],
    )
