"""Residents (/referrals/warga): the list, the NIK search, registration, a
resident's page and its correction. Full NIKs are shown only to FULL_NIK_ROLES,
and every response that shows one is on record (fullnik.py)."""

import hashlib
from uuid import uuid4

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.formtokens import creates
from kkbweb.htmx import render, render_fragment
from kkbweb.nik import ERR_FORMAT, mask_nik, validate_nik, warnings_for
from kkbweb.pagination import paginate
from kkbweb.pokja.queries import pokja_choices
from kkbweb.referrals import pages, queries, rules, service
from kkbweb.referrals.forms import NikSearchForm, ResidentForm
from kkbweb.referrals.models import Resident
from kkbweb.requests import parse_id
from kkbweb.timeutil import utcnow

bp = Blueprint("residents", __name__, url_prefix="/warga")

ALREADY_SAVED = "Data warga ini sudah tersimpan sebelumnya."


@bp.get("")
@role_required(*rules.VIEW_ROLES)
def index():
    """Residents of the user's scope, searched by name (NIK search is a POST)."""
    q, nik_in_query = pages.filter_out_nik(queries.search_text(request.args.get("q")))
    return render(
        "referrals/residents.html",
        "referrals/_residents.html",
        page=paginate(queries.residents(q, current_user)),
        q=q,
        nik_in_query=nik_in_query,
        nik_form=NikSearchForm(formdata=None),
        can_work=current_user.role in rules.WORK_ROLES,
    )


@bp.post("/cari-nik")
@role_required(*rules.VIEW_ROLES)
def nik_search():
    """Find residents by NIK, sent by POST so the NIK never lands in a URL."""
    form = NikSearchForm()
    results, searched = None, None
    if form.validate():
        check = validate_nik(form.nik.data)
        if ERR_FORMAT in check.errors:
            # Other problems (an unknown province, say) still deserve a search:
            # the resident may have been registered with exactly that number.
            form.nik.errors.append(ERR_FORMAT)
        else:
            results = queries.residents_with_nik(check.nik, current_user)
            searched = mask_nik(check.nik)
            form.nik.data = ""  # the input never refills a NIK (NikInput) anyway
    return render_template(
        "referrals/residents.html",
        page=None,
        q="",
        nik_form=form,
        nik_results=results,
        nik_searched=searched,
        can_work=current_user.role in rules.WORK_ROLES,
    )


def _prepare_resident_form(form: ResidentForm, resident: Resident | None) -> None:
    """Pokja choice for department users at registration; fixed otherwise."""
    if resident is None and current_user.sees_all_pokja:
        form.pokja_id.choices = [(None, "— pilih Pokja —")] + [
            (pokja_id, name) for pokja_id, name in pokja_choices()
        ]
    else:
        del form.pokja_id


def _resident_checks(form: ResidentForm, exclude_id: int | None) -> tuple:
    """(normalised NIK or None, warnings) after NIK errors were put on the field.

    Raises service.AlreadySaved when this very form was saved before.
    """
    nik = None
    warnings: list[dict] = []
    if form.nik.data:
        check = validate_nik(form.nik.data)
        if check.errors:
            form.nik.errors.extend(check.errors)
            return None, []
        nik = check.nik
        warnings += [
            {"text": text}
            for text in warnings_for(check, form.birth_date.data, form.sex.data)
        ]
    similar = queries.similar_residents(
        intake_key=form.intake_key.data,
        nik=nik,
        name=form.name.data,
        birth_date=form.birth_date.data,
        exclude_id=exclude_id,
        user=current_user,
    )
    for other_id, name, other_nik, pokja_name, key in similar:
        if key and key == form.intake_key.data:
            raise service.AlreadySaved(other_id)
        why = (
            "NIK yang sama"
            if nik and other_nik == nik
            else "nama dan tanggal lahir yang sama"
        )
        warnings.append(
            {
                "text": f"Sudah ada warga dengan {why}: {name} (Pokja {pokja_name}).",
                "url": url_for("referrals.residents.detail", resident_id=other_id),
            }
        )
    return nik, warnings


def _digest(warnings: list[dict]) -> str:
    """Fingerprint of the warnings a user accepted, so new ones need a new tick."""
    text = "\n".join(w["text"] for w in warnings)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _fields(form: ResidentForm, nik: str | None) -> dict:
    """The resident's fields from the form."""
    return {
        "name": form.name.data,
        "sex": form.sex.data,
        "birth_date": form.birth_date.data,
        "religion": form.religion.data or None,
        "phone": form.phone.data or None,
        "address": form.address.data,
        "rt": form.rt.data or None,
        "rw": form.rw.data or None,
        "nik": nik,
    }


def _warnings_accepted(warnings: list[dict], form: ResidentForm) -> bool:
    """No warnings, or the user ticked "Tetap simpan" for exactly these."""
    return not warnings or (
        form.confirm.data and request.form.get("accepted") == _digest(warnings)
    )


def _pokja_chosen(form: ResidentForm) -> bool:
    """Department users must say which Pokja the resident belongs to."""
    if "pokja_id" in form and form.pokja_id.data is None:
        form.pokja_id.errors.append("Pilih Pokja warga.")
        return False
    return True


@bp.route("/baru", methods=["GET", "POST"])
@role_required(*rules.WORK_ROLES)
@creates
def new():
    """Register a resident; NIK mismatches and duplicates warn, never block."""
    form = ResidentForm()
    _prepare_resident_form(form, None)
    if not form.intake_key.data:
        form.intake_key.data = uuid4().hex
    warnings: list[dict] = []
    if form.validate_on_submit() and _pokja_chosen(form):
        try:
            nik, warnings = _resident_checks(form, None)
            if not any(field.errors for field in form) and _warnings_accepted(
                warnings, form
            ):
                resident = service.create_resident(
                    _fields(form, nik),
                    pokja_id=(
                        form.pokja_id.data
                        if "pokja_id" in form
                        else current_user.pokja_id
                    ),
                    user=current_user,
                    intake_key=(form.intake_key.data or "")[:32] or None,
                )
                resident_id, name = resident.id, resident.name
                db.session.commit()
                flash(f"Warga {name} terdaftar.", "success")
                if request.form.get("lanjut") == "rujukan":
                    return redirect(url_for("referrals.new", warga=resident_id), 303)
                return redirect(
                    url_for("referrals.residents.detail", resident_id=resident_id), 303
                )
        except service.AlreadySaved as saved:
            flash(ALREADY_SAVED, "info")
            return redirect(
                url_for("referrals.residents.detail", resident_id=saved.resident_id),
                303,
            )
    return render_template(
        "referrals/resident_form.html",
        form=form,
        resident=None,
        warnings=warnings,
        accepted=_digest(warnings) if warnings else "",
    )


@bp.get("/<int:resident_id>")
@role_required(*rules.VIEW_ROLES)
def detail(resident_id: int):
    """A resident's data (full NIK for those allowed, audited) and referrals."""
    resident = pages.load_resident(resident_id)
    return render_fragment(
        "referrals/resident.html",
        resident=resident,
        referrals=queries.resident_referrals(resident.id),
        can_work=current_user.role in rules.WORK_ROLES,
    )


@bp.route("/<int:resident_id>/ubah", methods=["GET", "POST"])
@role_required(*rules.WORK_ROLES)
def edit(resident_id: int):
    """Correct a resident's data, with a version check against parallel edits."""
    resident = pages.load_resident(resident_id)
    form = ResidentForm(obj=resident)
    _prepare_resident_form(form, resident)
    warnings: list[dict] = []
    conflict = None
    status = 200
    if request.method == "GET":
        form.version.data = resident.version
    elif form.validate_on_submit():
        if parse_id(form.version.data) != resident.version:
            conflict = resident
            form.version.data = resident.version
            status = 409
        else:
            nik, warnings = _resident_checks(form, resident.id)
            if not any(field.errors for field in form) and _warnings_accepted(
                warnings, form
            ):
                if service.update_resident(resident, _fields(form, nik), utcnow()):
                    name = resident.name
                    try:
                        db.session.commit()
                    except StaleDataError:
                        db.session.rollback()
                        flash(pages.CONFLICT, "error")
                        return redirect(
                            url_for(
                                "referrals.residents.edit", resident_id=resident_id
                            ),
                            303,
                        )
                    flash(f"Data warga {name} disimpan.", "success")
                return redirect(
                    url_for("referrals.residents.detail", resident_id=resident_id), 303
                )
    # The NIK input refills the stored NIK on a GET, a refused save or a conflict:
    # its widget puts that on record (fullnik.NikInput).
    return render_fragment(
        "referrals/resident_form.html",
        _status=status,
        form=form,
        resident=resident,
        conflict=conflict,
        warnings=warnings,
        accepted=_digest(warnings) if warnings else "",
    )
