"""The member registry of each Pokja, and the member import from CSV/XLSX."""

from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from kkbweb.access import can_see_pokja, role_required
from kkbweb.extensions import db
from kkbweb.formtokens import (
    confirm_import,
    creates,
    new_token,
    redirect_once,
)
from kkbweb.htmx import render, wants_partial
from kkbweb.importing import PreviewStore, read_upload
from kkbweb.meetings import rules as meeting_rules
from kkbweb.meetings import vocab
from kkbweb.meetings.pages import seksi
from kkbweb.members import importer, queries, rules, service
from kkbweb.members.forms import (
    ConfirmImportForm,
    ImportForm,
    MemberForm,
    NewMemberForm,
)
from kkbweb.members.models import Member
from kkbweb.pagination import paginate
from kkbweb.pokja.queries import pokja_choices
from kkbweb.requests import query_int, query_text
from kkbweb.spreadsheets import download

bp = Blueprint("members", __name__, url_prefix="/members")

MEMBER = "/<int:member_id>"


@bp.context_processor
def _vocabulary() -> dict:
    """Labels of sexes, jabatan and unsur for this blueprint's pages."""
    return {"vocab": vocab}


@bp.get("/")
@login_required
def index():
    """The member registry of the Pokja the user may see."""
    filters = {
        "q": query_text("q"),
        "pokja": query_int("pokja"),
        "status": request.args.get("status", "aktif"),
    }
    page = paginate(queries.member_list(filters))
    return render(
        "members/index.html",
        "members/_list.html",
        page=page,
        filters=filters,
        args={k: v for k, v in filters.items() if v},
        # The filter form (and its Pokja options) is only in the full page.
        pokja_options=pokja_choices(current_user)
        if current_user.sees_all_pokja and not wants_partial()
        else [],
        may_edit=current_user.role in rules.EDITOR_ROLES,
    )


def _member_form(member: Member | None = None) -> MemberForm:
    """The member form with the Pokja this user may choose and the seksi list."""
    form = NewMemberForm() if member is None else MemberForm(obj=member)
    form.pokja_id.choices = pokja_choices(current_user)
    form.seksi.choices = [("", "— tidak ada —"), *seksi().items()]
    if member is not None and member.seksi and member.seksi not in seksi():
        form.seksi.choices.append((member.seksi, member.seksi))
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
@creates
def new():
    """Register a member of a Pokja."""
    form = _member_form()
    if request.method == "GET" and len(form.pokja_id.choices) == 1:
        form.pokja_id.data = form.pokja_id.choices[0][0]
    if form.validate_on_submit():

        def make() -> str:
            member = service.create_member(form, current_user)
            if request.form.get("lagi"):
                return url_for("members.new")
            return url_for("members.index", pokja=member.pokja_id)

        return redirect_once(form, make, f"{form.name.data} ditambahkan.")
    return render_template("members/form.html", form=form, member=None)


@bp.route(f"{MEMBER}/edit", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
def edit(member_id: int):
    """Correct a member's data, or record that they left."""
    member = queries.get_member(member_id)
    form = _member_form(member)
    if form.validate_on_submit():
        moved = form.pokja_id.data != member.pokja_id
        if moved and queries.has_attendance(member.id):
            form.pokja_id.errors.append(
                "Anggota ini sudah tercatat di rapat, jadi Pokja-nya tidak dapat "
                "diubah. Nonaktifkan lalu daftarkan di Pokja baru."
            )
        else:
            if service.update_member(member, form, current_user):
                db.session.commit()
                flash(f"Data {member.name} disimpan.", "success")
            return redirect(url_for("members.detail", member_id=member.id), 303)
    return render_template("members/form.html", form=form, member=member)


@bp.get(MEMBER)
@login_required
def detail(member_id: int):
    """A member's data and attendance history."""
    member, pokja_name = queries.member_with_pokja(member_id)
    page = paginate(queries.member_history(member.id))
    marks = queries.member_statuses(member.id, [m.id for m in page.items])
    counts = queries.member_history_counts(member.id)
    total = sum(counts.values())
    return render(
        "members/detail.html",
        "members/_history.html",
        member=member,
        pokja_name=pokja_name,
        page=page,
        marks=marks,
        counts=counts,
        total=total,
        rate_text=meeting_rules.percent_text(
            meeting_rules.attendance_rate(counts.get(vocab.PRESENT, 0), total)
        ),
        seksi=seksi(),
        statuses=vocab.ATTENDANCE_STATUSES,
        may_edit=current_user.role in rules.EDITOR_ROLES,
    )


# --- import -------------------------------------------------------------------


def _previews() -> PreviewStore:
    """Where previews wait for confirmation (instance/uploads/member-imports)."""
    return PreviewStore(Path(current_app.config["UPLOAD_FOLDER"]) / "member-imports")


def _check_import(rows: list[dict], default_pokja_id: int | None) -> list:
    """Check rows against the Pokja the user may use and existing members."""
    by_name = queries.importable_pokja()
    if default_pokja_id is not None and not can_see_pokja(default_pokja_id):
        default_pokja_id = None
    return importer.check_rows(
        rows,
        pokja_by_name=by_name,
        default_pokja_id=default_pokja_id,
        seksi=seksi(),
        existing=queries.existing_names(),
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
def import_upload():
    """Upload a CSV/XLSX of members and preview it; nothing is saved yet."""
    form = ImportForm()
    form.pokja_id.choices = [("", "— dari kolom Pokja di berkas —")] + pokja_choices(
        current_user
    )
    if not current_user.sees_all_pokja:
        form.pokja_id.choices = form.pokja_id.choices[1:]
    if form.validate_on_submit():
        try:
            filename, data = read_upload(form.file.data)
            rows = importer.read_table(filename, data)
        except importer.ImportProblem as problem:
            form.file.errors.append(str(problem))
        else:
            return _preview(form, filename, rows)
    return render_template("members/import.html", form=form)


def _preview(form: ImportForm, filename: str, rows: list[dict]):
    """Check the rows, store them under a fresh token and show the preview."""
    default = form.pokja_id.data
    if not current_user.sees_all_pokja:
        default = current_user.pokja_id
    checked = _check_import(rows, default)
    token = new_token()
    _previews().save(
        token,
        {
            "user_id": current_user.id,
            "default_pokja_id": default,
            "filename": filename,
            "rows": rows,
        },
    )
    return render_template(
        "members/import_preview.html",
        checked=checked,
        ok=sum(1 for r in checked if r.ok),
        confirm=ConfirmImportForm(formdata=None, form_token=token),
        filename=filename,
        pokja_names=dict(pokja_choices(current_user)),
        seksi=seksi(),
    )


@bp.post("/import/confirm")
@role_required(*rules.EDITOR_ROLES)
@creates
def import_confirm():
    """Save the valid rows of a previewed import (once, whatever the resends)."""
    form = ConfirmImportForm()

    def plan(stored: dict):
        checked = _check_import(stored["rows"], stored["default_pokja_id"])
        valid = [row.values for row in checked if row.ok]
        skipped = len(checked) - len(valid)
        message = f"{len(valid)} anggota disimpan."
        if skipped:
            message += f" {skipped} baris dilewati karena bermasalah."
        pokja_ids = {v["pokja_id"] for v in valid}
        target = {"pokja": pokja_ids.pop()} if len(pokja_ids) == 1 else {}

        def make() -> str:
            service.import_members(valid, stored.get("filename"), current_user)
            return url_for("members.index", **target)

        return len(valid), message, url_for("members.index", **target), make

    return confirm_import(
        form,
        _previews(),
        owns=lambda stored: stored.get("user_id") == current_user.id,
        plan=plan,
        retry=lambda: url_for("members.import_upload"),
    )


@bp.get("/import/template.csv")
@login_required
def import_template():
    """An example file to fill in."""
    return download("\ufeff" + importer.template_csv(), "csv", "contoh-anggota.csv")
