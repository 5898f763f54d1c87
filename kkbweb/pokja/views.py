"""Pokja pages: each Pokja's home, and the admin's list and form."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from kkbweb.access import can_see_pokja, role_required
from kkbweb.classification import pages as classification_pages
from kkbweb.classification import queries as classification_queries
from kkbweb.extensions import db
from kkbweb.formtokens import creates, redirect_once
from kkbweb.pokja import queries, rules, service
from kkbweb.pokja.forms import NewPokjaForm, PokjaForm
from kkbweb.pokja.models import Pokja

bp = Blueprint("pokja", __name__, url_prefix="/pokja")


@bp.get("/")
@role_required(*rules.POKJA_ADMIN_ROLES)
def index():
    """List every Pokja with its kecamatan and number of users."""
    return render_template("pokja/index.html", rows=queries.pokja_with_user_counts())


@bp.get("/<int:pokja_id>")
@login_required
def detail(pokja_id: int):
    """A Pokja's home page."""
    if not can_see_pokja(pokja_id):
        abort(404)
    row = queries.pokja_and_kecamatan(pokja_id)
    if row is None:
        abort(404)
    pokja, kecamatan = row
    found = classification_queries.class_of_pokja(pokja_id)
    verdict = None
    if found is not None:
        profile = found[1]
        verdict = classification_pages.verdict(
            profile.figures if profile else None,
            classification_queries.instansi_pairs(pokja_id),
        )
    return render_template(
        "pokja/detail.html", pokja=pokja, kecamatan=kecamatan, verdict=verdict
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*rules.POKJA_ADMIN_ROLES)
@creates
def new():
    """Add a Pokja (a 13th kelurahan needs no code change)."""
    form = NewPokjaForm()
    form.kecamatan_id.choices = queries.kecamatan_choices()
    if form.is_submitted() and all([form.validate(), _check_unique(form)]):
        values = _values(form)

        def make() -> str:
            service.create_pokja(values)
            return url_for("pokja.index")

        return redirect_once(form, make, f"Pokja {values['display_name']} ditambahkan.")
    return render_template("pokja/form.html", form=form, pokja=None)


@bp.route("/<int:pokja_id>/edit", methods=["GET", "POST"])
@role_required(*rules.POKJA_ADMIN_ROLES)
def edit(pokja_id: int):
    """Edit a Pokja's names, codes and contact."""
    pokja = db.get_or_404(Pokja, pokja_id)
    form = PokjaForm(obj=pokja)
    form.kecamatan_id.choices = queries.kecamatan_choices()
    if form.is_submitted() and all([form.validate(), _check_unique(form, pokja.id)]):
        if service.update_pokja(pokja, _values(form)):
            db.session.commit()
            flash(f"Perubahan Pokja {pokja.display_name} disimpan.", "success")
        return redirect(url_for("pokja.index"), 303)
    return render_template("pokja/form.html", form=form, pokja=pokja)


def _check_unique(form: PokjaForm, exclude_id: int | None = None) -> bool:
    """Refuse a duplicate code or display name with a message on the field."""
    ok = True
    for field, column in (
        (form.code, Pokja.code),
        (form.display_name, Pokja.display_name),
    ):
        if queries.taken(column, (field.data or "").strip(), exclude_id):
            field.errors.append("Sudah dipakai Pokja lain.")
            ok = False
    return ok


def _values(form: PokjaForm) -> dict:
    """The form's values for the Pokja's columns, text trimmed."""
    return {
        "display_name": form.display_name.data.strip(),
        "official_name": form.official_name.data.strip(),
        "code": form.code.data.strip(),
        "kecamatan_id": form.kecamatan_id.data,
        "address": (form.address.data or "").strip() or None,
        "contact_phone": (form.contact_phone.data or "").strip() or None,
        "is_active": form.is_active.data,
    }
