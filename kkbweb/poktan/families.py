"""A poktan's member families: add, correct, import from CSV/XLSX
(poktan.families.*)."""

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

from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.formtokens import (
    confirm_import,
    creates,
    new_token,
    redirect_once,
)
from kkbweb.importing import PreviewStore, read_upload
from kkbweb.poktan import importer, pages, queries, rules, service, vocab
from kkbweb.poktan.forms import ConfirmImportForm, ImportForm
from kkbweb.spreadsheets import download

bp = Blueprint("families", __name__)

POKTAN = "/<int:poktan_id>"


def _family_page(poktan, form, membership=None):
    """The family form for this poktan's kind."""
    return render_template(
        "poktan/family_form.html",
        poktan=poktan,
        form=form,
        membership=membership,
        target_label=vocab.TARGET_LABELS[poktan.kind],
    )


@bp.route(f"{POKTAN}/keluarga/new", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
@creates
def new(poktan_id: int):
    """Add a member family (a new household, or one already registered)."""
    poktan = queries.get_poktan(poktan_id)
    form = pages.family_form(poktan)
    if form.validate_on_submit() and form.check_for(poktan.kind):

        def make() -> str:
            service.add_family(poktan, form, current_user)
            if request.form.get("lagi"):
                return url_for("poktan.families.new", poktan_id=poktan.id)
            return url_for("poktan.detail", poktan_id=poktan.id)

        name = form.head_name.data or "Keluarga"
        return redirect_once(form, make, f"{name} ditambahkan ke {poktan.name}.")
    return _family_page(poktan, form)


@bp.route(f"{POKTAN}/keluarga/<int:membership_id>/edit", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
def edit(poktan_id: int, membership_id: int):
    """Correct a family's data, or record that it left the poktan."""
    membership = queries.get_membership(poktan_id, membership_id)
    poktan = membership.poktan
    form = pages.family_form(poktan, membership)
    if form.validate_on_submit() and form.check_for(poktan.kind, editing=True):
        name = form.head_name.data
        if service.update_family(membership, form, current_user):
            db.session.commit()
            flash(f"Data keluarga {name} disimpan.", "success")
        return redirect(url_for("poktan.detail", poktan_id=poktan_id), 303)
    return _family_page(poktan, form, membership)


# --- import -------------------------------------------------------------------


def _previews() -> PreviewStore:
    """Where previews wait for confirmation (instance/uploads/poktan-imports)."""
    return PreviewStore(Path(current_app.config["UPLOAD_FOLDER"]) / "poktan-imports")


def _checked(poktan_id: int, rows: list[dict]):
    """The poktan (else 404) and the rows checked against its Pokja's households
    and its families, in one read."""
    poktan, households, existing = queries.import_context(poktan_id)
    return poktan, importer.check_rows(rows, poktan.kind, households, existing)


@bp.route(f"{POKTAN}/keluarga/impor", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
def import_upload(poktan_id: int):
    """Upload a CSV/XLSX of families and preview it; nothing is saved yet."""
    poktan = queries.get_poktan(poktan_id)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            filename, data = read_upload(form.file.data)
            rows = importer.read_table(filename, data)
        except importer.ImportProblem as problem:
            form.file.errors.append(str(problem))
        else:
            _poktan, checked = _checked(poktan_id, rows)
            token = new_token()
            _previews().save(
                token,
                {
                    "user_id": current_user.id,
                    "poktan_id": poktan.id,
                    "filename": filename,
                    "rows": rows,
                },
            )
            return render_template(
                "poktan/import_preview.html",
                poktan=poktan,
                checked=checked,
                ok=sum(1 for r in checked if r.ok),
                confirm=ConfirmImportForm(formdata=None, form_token=token),
                filename=filename,
                target_label=vocab.TARGET_LABELS[poktan.kind],
            )
    return render_template(
        "poktan/import.html",
        poktan=poktan,
        form=form,
        target_label=vocab.TARGET_LABELS[poktan.kind],
    )


@bp.post(f"{POKTAN}/keluarga/impor/simpan")
@role_required(*rules.EDITOR_ROLES)
@creates
def import_confirm(poktan_id: int):
    """Save the valid rows of a previewed import (once, whatever the resends)."""
    form = ConfirmImportForm()
    back = url_for("poktan.detail", poktan_id=poktan_id)

    def plan(stored: dict):
        # One read: the poktan (404 if not the user's) and what is registered.
        poktan, checked = _checked(poktan_id, stored["rows"])
        valid = [row.values for row in checked if row.ok]
        skipped = len(checked) - len(valid)
        message = f"{len(valid)} keluarga disimpan di {poktan.name}."
        if skipped:
            message += f" {skipped} baris dilewati karena bermasalah."

        def make() -> str:
            service.import_families(poktan, valid, stored.get("filename"), current_user)
            return back

        return len(valid), message, back, make

    def retry() -> str:
        queries.get_poktan(poktan_id)  # another Pokja's poktan: 404
        return url_for("poktan.families.import_upload", poktan_id=poktan_id)

    return confirm_import(
        form,
        _previews(),
        owns=lambda stored: (
            stored.get("user_id") == current_user.id
            and stored.get("poktan_id") == poktan_id
        ),
        plan=plan,
        retry=retry,
    )


@bp.get("/keluarga/impor/contoh.csv")
@login_required
def import_template():
    """An example file to fill in."""
    return download(
        "\ufeff" + importer.template_csv(), "csv", "contoh-keluarga-bkb.csv"
    )
