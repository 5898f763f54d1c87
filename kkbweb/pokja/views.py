"""Pokja pages: each Pokja's home, and the admin's list and form."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy import func, select

from kkbweb.audit.log import record
from kkbweb.auth import roles
from kkbweb.auth.access import can_see_pokja, role_required
from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.pokja.forms import PokjaForm
from kkbweb.pokja.models import Kecamatan, Pokja

bp = Blueprint("pokja", __name__, url_prefix="/pokja")


@bp.get("/")
@role_required(roles.ADMIN)
def index():
    """List every Pokja with its kecamatan and number of users."""
    user_counts = (
        select(User.pokja_id, func.count().label("n"))
        .where(User.active.is_(True))
        .group_by(User.pokja_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Pokja, Kecamatan.display_name, func.coalesce(user_counts.c.n, 0))
        .join(Kecamatan, Pokja.kecamatan_id == Kecamatan.id)
        .outerjoin(user_counts, user_counts.c.pokja_id == Pokja.id)
        .order_by(Pokja.display_name)
    ).all()
    return render_template("pokja/index.html", rows=rows)


@bp.get("/<int:pokja_id>")
@login_required
def detail(pokja_id: int):
    """A Pokja's home page."""
    if not can_see_pokja(pokja_id):
        abort(404)
    row = db.session.execute(
        select(Pokja, Kecamatan)
        .join(Kecamatan, Pokja.kecamatan_id == Kecamatan.id)
        .where(Pokja.id == pokja_id)
    ).first()
    if row is None:
        abort(404)
    pokja, kecamatan = row
    return render_template("pokja/detail.html", pokja=pokja, kecamatan=kecamatan)


@bp.route("/new", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def new():
    """Add a Pokja (a 13th kelurahan needs no code change)."""
    form = PokjaForm()
    form.kecamatan_id.choices = _kecamatan_choices()
    if form.is_submitted() and all([form.validate(), _check_unique(form)]):
        pokja = Pokja()
        _fill(pokja, form)
        db.session.add(pokja)
        db.session.flush()
        record("pokja.create", pokja, after=pokja.audit_dict())
        db.session.commit()
        flash(f"Pokja {pokja.display_name} ditambahkan.", "success")
        return redirect(url_for("pokja.index"), 303)
    return render_template("pokja/form.html", form=form, pokja=None)


@bp.route("/<int:pokja_id>/edit", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def edit(pokja_id: int):
    """Edit a Pokja's names, codes and contact."""
    pokja = db.get_or_404(Pokja, pokja_id)
    form = PokjaForm(obj=pokja)
    form.kecamatan_id.choices = _kecamatan_choices()
    if form.is_submitted() and all([form.validate(), _check_unique(form, pokja.id)]):
        before = pokja.audit_dict()
        _fill(pokja, form)
        if before != pokja.audit_dict():
            record("pokja.update", pokja, before=before, after=pokja.audit_dict())
            db.session.commit()
            flash(f"Perubahan Pokja {pokja.display_name} disimpan.", "success")
        return redirect(url_for("pokja.index"), 303)
    return render_template("pokja/form.html", form=form, pokja=pokja)


def _kecamatan_choices() -> list[tuple[int, str]]:
    """Kecamatan options, by display name."""
    return [
        (k.id, f"{k.display_name} ({k.code})")
        for k in db.session.scalars(select(Kecamatan).order_by(Kecamatan.display_name))
    ]


def _check_unique(form: PokjaForm, exclude_id: int | None = None) -> bool:
    """Refuse a duplicate code or display name with a message on the field."""
    ok = True
    for field, column in (
        (form.code, Pokja.code),
        (form.display_name, Pokja.display_name),
    ):
        stmt = select(Pokja.id).where(column == (field.data or "").strip())
        if exclude_id is not None:
            stmt = stmt.where(Pokja.id != exclude_id)
        if db.session.scalar(stmt) is not None:
            field.errors.append("Sudah dipakai Pokja lain.")
            ok = False
    return ok


def _fill(pokja: Pokja, form: PokjaForm) -> None:
    """Copy the form onto the Pokja, trimming text."""
    pokja.display_name = form.display_name.data.strip()
    pokja.official_name = form.official_name.data.strip()
    pokja.code = form.code.data.strip()
    pokja.kecamatan_id = form.kecamatan_id.data
    pokja.kampung_kb_class = form.kampung_kb_class.data or None
    pokja.address = (form.address.data or "").strip() or None
    pokja.contact_phone = (form.contact_phone.data or "").strip() or None
    pokja.is_active = form.is_active.data
