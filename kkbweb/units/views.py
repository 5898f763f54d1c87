"""Posyandu and PAUD: the unit list, a unit with its sessions, their forms.

A service session records counts, not a roll call (see docs/units.md).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.formtokens import creates, redirect_once
from kkbweb.htmx import render, wants_partial
from kkbweb.pagination import paginate
from kkbweb.pokja.queries import pokja_choices
from kkbweb.requests import query_int
from kkbweb.timeutil import today_wib
from kkbweb.units import pages, queries, rules, service, vocab
from kkbweb.units.forms import NewSessionForm, NewUnitForm, SessionForm, UnitForm

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.context_processor
def _vocabulary() -> dict:
    """The kinds and count labels for this blueprint's pages."""
    return {"vocab": vocab}


def _unit_or_404(unit_id: int):
    row = queries.unit(unit_id)
    if row is None:
        abort(404)
    return row


def _session_or_404(session_id: int):
    row = queries.session(session_id)
    if row is None:
        abort(404)
    return row


def _require_write(pokja_id: int | None) -> None:
    """403 unless the user writes for this (visible) Pokja."""
    if not rules.can_write(current_user.role, current_user.pokja_id):
        abort(403)
    if not rules.chooses_pokja(current_user.role) and pokja_id != current_user.pokja_id:
        abort(404)


@bp.get("/")
@login_required
def index():
    """The Posyandu and PAUD units the user may see, with their sessions."""
    kind = request.args.get("jenis", "")
    kind = kind if kind in vocab.KINDS else ""
    pokja_id = query_int("pokja") if current_user.sees_all_pokja else None
    page = paginate(queries.unit_list(kind or None, pokja_id))
    args = {k: v for k, v in {"jenis": kind, "pokja": pokja_id}.items() if v}
    return render(
        "units/index.html",
        "units/_list.html",
        page=page,
        stats=queries.session_stats([unit.id for unit in page.items]),
        args=args,
        kind=kind,
        pokja_id=pokja_id,
        # The filter form (and its Pokja options) is only in the full page.
        pokja_options=pokja_choices(current_user)
        if current_user.sees_all_pokja and not wants_partial()
        else [],
        can_write=rules.can_write(current_user.role, current_user.pokja_id),
    )


@bp.route("/baru", methods=["GET", "POST"])
@role_required(*rules.WRITER_ROLES)
@creates
def new():
    """Add a Posyandu or PAUD of a Pokja."""
    user = current_user._get_current_object()
    if not rules.can_write(user.role, user.pokja_id):
        abort(403)
    form = NewUnitForm()
    pages.prepare_unit_form(form, user, editing=False)
    if form.is_submitted():
        pokja_id = form.pokja_id.data if "pokja_id" in form else user.pokja_id
        if form.validate() & pages.check_unit(form, pokja_id):
            values = {**pages.unit_values(form, user), "pokja_id": pokja_id}

            def make() -> str:
                unit = service.create_unit(values)
                return url_for("units.detail", unit_id=unit.id)

            return redirect_once(form, make, f"{values['name']} ditambahkan.")
    return render_template("units/unit_form.html", form=form, unit=None)


@bp.get("/<int:unit_id>")
@login_required
def detail(unit_id: int):
    """A unit and its sessions, newest first."""
    unit, pokja_name = _unit_or_404(unit_id)
    page = paginate(queries.session_list(unit.id))
    return render(
        "units/detail.html",
        "units/_sessions.html",
        unit=unit,
        pokja_name=pokja_name,
        page=page,
        counts=vocab.COUNTS.get(unit.kind, ()),
        can_write=rules.can_write(current_user.role, current_user.pokja_id),
    )


@bp.route("/<int:unit_id>/ubah", methods=["GET", "POST"])
@role_required(*rules.WRITER_ROLES)
def edit(unit_id: int):
    """Change a unit's name, kind, RW or whether it is still active."""
    unit, pokja_name = _unit_or_404(unit_id)
    _require_write(unit.pokja_id)
    form = UnitForm(obj=unit)
    pages.prepare_unit_form(form, current_user, editing=True)
    if form.is_submitted() and form.validate() & pages.check_unit(
        form, unit.pokja_id, unit.id
    ):
        if form.kind.data != unit.kind and queries.has_sessions(unit.id):
            form.kind.errors = ["Unit yang sudah punya sesi tidak bisa ganti jenis."]
        else:
            if service.update_unit(unit, pages.unit_values(form, current_user)):
                db.session.commit()
                flash(f"Perubahan {unit.name} disimpan.", "success")
            return redirect(url_for("units.detail", unit_id=unit.id), 303)
    return render_template(
        "units/unit_form.html", form=form, unit=unit, pokja_name=pokja_name
    )


@bp.route("/<int:unit_id>/sesi/baru", methods=["GET", "POST"])
@role_required(*rules.WRITER_ROLES)
@creates
def session_new(unit_id: int):
    """Record one day of the unit's service: its counts."""
    unit, pokja_name = _unit_or_404(unit_id)
    _require_write(unit.pokja_id)
    form = NewSessionForm()
    form.keep_counts_of(unit.kind)
    if not form.is_submitted():
        form.date.data = today_wib()
    elif form.validate() & pages.check_session(form, unit.kind, unit.id):
        values = pages.session_values(form)

        def make() -> str:
            service.create_session(unit, values, current_user)
            return url_for("units.detail", unit_id=unit.id)

        return redirect_once(form, make, "Sesi layanan dicatat.")
    return render_template(
        "units/session_form.html",
        form=form,
        unit=unit,
        pokja_name=pokja_name,
        session=None,
    )


@bp.get("/sesi/<int:session_id>")
@login_required
def session_detail(session_id: int):
    """One session: its counts and note, and its "Salin ke portal" screen."""
    session, unit, pokja_name = _session_or_404(session_id)
    return render_template(
        "units/session.html",
        session=session,
        unit=unit,
        pokja_name=pokja_name,
        counts=vocab.COUNTS.get(unit.kind, ()),
        can_write=rules.can_write(current_user.role, current_user.pokja_id),
    )


@bp.route("/sesi/<int:session_id>/ubah", methods=["GET", "POST"])
@role_required(*rules.WRITER_ROLES)
def session_edit(session_id: int):
    """Correct a session's date or counts."""
    session, unit, pokja_name = _session_or_404(session_id)
    _require_write(unit.pokja_id)
    form = SessionForm(obj=session)
    form.keep_counts_of(unit.kind)
    if form.is_submitted() and form.validate() & pages.check_session(
        form, unit.kind, unit.id, session.id
    ):
        if service.update_session(session, pages.session_values(form)):
            db.session.commit()
            flash("Perubahan sesi disimpan.", "success")
        return redirect(url_for("units.detail", unit_id=unit.id), 303)
    return render_template(
        "units/session_form.html",
        form=form,
        unit=unit,
        pokja_name=pokja_name,
        session=session,
    )


@bp.post("/sesi/<int:session_id>/hapus")
@role_required(*rules.WRITER_ROLES)
def session_delete(session_id: int):
    """Delete a session typed by mistake, once the box is ticked."""
    session, unit, _pokja_name = _session_or_404(session_id)
    _require_write(unit.pokja_id)
    if request.form.get("yakin") != "ya":
        flash("Centang konfirmasi untuk menghapus sesi.", "error")
        return redirect(url_for("units.session_edit", session_id=session.id), 303)
    service.delete_session(session)
    db.session.commit()
    flash("Sesi dihapus.", "success")
    return redirect(url_for("units.detail", unit_id=unit.id), 303)
