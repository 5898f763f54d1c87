"""The poktan registry (poktan.*): a Pokja's groups, their families, sessions.

Registers the sub-pages: families.py (member families and their import),
sessions.py (sessions, photos), roll_call.py (the one-tap family roll call) and
registers.py (the SIGA registers R/I and K/0).
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kkbweb.access import can_see_pokja, role_required
from kkbweb.extensions import db
from kkbweb.formtokens import creates, redirect_once
from kkbweb.htmx import render, wants_partial
from kkbweb.pagination import paginate
from kkbweb.pokja.queries import pokja_choices
from kkbweb.poktan import (
    families,
    pages,
    queries,
    roll_call,
    rules,
    service,
    session_queries,
    vocab,
)
from kkbweb.poktan import sessions as sessions_pages
from kkbweb.poktan.forms import NewPoktanForm, PoktanForm
from kkbweb.poktan.registers import bp as registers_bp
from kkbweb.requests import query_int, query_text

bp = Blueprint("poktan", __name__, url_prefix="/poktan")
bp.register_blueprint(families.bp)
bp.register_blueprint(sessions_pages.bp)
bp.register_blueprint(roll_call.bp)
bp.register_blueprint(registers_bp)

POKTAN = "/<int:poktan_id>"


@bp.context_processor
def _vocabulary() -> dict:
    """The poktan's labels for this blueprint's pages."""
    return {
        "vocab": vocab,
        "may_edit": pages.may_edit(),
        "target_text": pages.target_text,
    }


@bp.get("/")
@role_required(*rules.VIEWER_ROLES)
def index():
    """The poktan of the Pokja the user may see, with their active families."""
    filters = {
        "kind": query_text("jenis", 10),
        "pokja": query_int("pokja"),
        "status": query_text("status", 10) or "aktif",
    }
    page = paginate(queries.poktan_list(filters, pages.today()))
    return render(
        "poktan/index.html",
        "poktan/_list.html",
        page=page,
        counts=queries.family_counts([p.id for p in page.items], pages.today()),
        filters=filters,
        args={
            k: v
            for k, v in {"jenis": filters["kind"], **filters}.items()
            if v and k != "kind"
        },
        pokja_options=pokja_choices(current_user)
        if current_user.sees_all_pokja and not wants_partial()
        else [],
    )


def _checked_members(form, pokja_id: int) -> bool:
    """The chosen ketua and kader are members of the poktan's Pokja."""
    members = {value for value, _label in form.ketua_member_id.choices if value}
    ok = True
    for field in (form.ketua_member_id, form.kader_member_id):
        if field.data and field.data not in members:
            field.errors.append("Pilih anggota Pokja poktan ini.")
            ok = False
    if not can_see_pokja(pokja_id):
        form.pokja_id.errors.append("Pilih Pokja.")
        ok = False
    return ok


@bp.route("/new", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
@creates
def new():
    """Register a poktan of a Pokja."""
    form = NewPoktanForm()
    pokja_id = (
        current_user.pokja_id
        if not current_user.sees_all_pokja
        else (form.pokja_id.data if request.method == "POST" else query_int("pokja"))
    )
    pages.setup_poktan_form(form, pokja_id)
    if request.method == "GET":
        form.pokja_id.data = pokja_id
        if kind := query_text("jenis", 10):
            form.kind.data = kind
    if not current_user.sees_all_pokja:
        form.pokja_id.data = pokja_id
    if form.validate_on_submit() and _checked_members(form, pokja_id):
        if queries.name_taken(pokja_id, form.name.data):
            form.name.errors.append("Nama ini sudah dipakai poktan lain di Pokja ini.")
        else:

            def make() -> str:
                poktan = service.create_poktan(form, pokja_id, current_user)
                return url_for("poktan.detail", poktan_id=poktan.id)

            return redirect_once(form, make, f"{form.name.data} didaftarkan.")
    return render_template("poktan/form.html", form=form, poktan=None)


@bp.get(POKTAN)
@role_required(*rules.VIEWER_ROLES)
def detail(poktan_id: int):
    """A poktan: its data, member families and latest sessions."""
    poktan = queries.get_poktan(poktan_id)
    today = pages.today()
    show = query_text("tampil", 10) or "aktif"
    page = paginate(queries.families(poktan.id, today, show))
    return render(
        "poktan/detail.html",
        "poktan/_families.html",
        poktan=poktan,
        page=page,
        show=show,
        today=today,
        sessions=[]
        if wants_partial()
        else session_queries.latest_sessions(poktan.id, 6),
        target_text=pages.target_text,
    )


@bp.route(f"{POKTAN}/edit", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
def edit(poktan_id: int):
    """Correct a poktan's data, or record that it stopped."""
    poktan = queries.get_poktan(poktan_id)
    form = PoktanForm(obj=poktan)
    pages.setup_poktan_form(form, poktan.pokja_id, poktan.pokja.display_name)
    form.pokja_id.data = poktan.pokja_id
    if form.validate_on_submit() and _checked_members(form, poktan.pokja_id):
        if queries.name_taken(poktan.pokja_id, form.name.data, poktan.id):
            form.name.errors.append("Nama ini sudah dipakai poktan lain di Pokja ini.")
        elif form.kind.data != poktan.kind and queries.has_families_or_sessions(
            poktan.id
        ):
            form.kind.errors.append(
                "Jenis tidak dapat diubah setelah ada keluarga atau pertemuan."
            )
        else:
            if service.update_poktan(poktan, form, current_user):
                db.session.commit()
                flash(f"Data {form.name.data} disimpan.", "success")
            return redirect(url_for("poktan.detail", poktan_id=poktan_id), 303)
    return render_template("poktan/form.html", form=form, poktan=poktan)
