"""Correcting a case after intake (registered as referrals.case_edit by
views.py): its persons in their roles, the KK number and marital status, the
event date and place. The same fields, rules and messages as the intake
(intake.py, CaseFieldsForm); the deadline follows the new event date, and the
checklist follows the conditions that now hold. Version-checked like the other
edits; one history line and one audit row. No SQL here (case_queries)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from kkbweb.extensions import db
from kkbweb.referrals import case_queries, case_service, intake, pages, vocab
from kkbweb.referrals.forms import CaseEditForm, role_fields
from kkbweb.requests import parse_id
from kkbweb.timeutil import today_wib, utcnow

# Before the file reaches the desk, lateness is judged by today; after, the
# desk's date decided it (the late papers stay as they are).
LATE = "terlambat"


def form_class(doc_type: str):
    """CaseEditForm with one field per role of the document type."""
    return type("CaseEdit", (CaseEditForm,), role_fields(doc_type))


def _grouped(pairs, known: dict) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for role, rid in pairs:
        if rid in known:
            grouped.setdefault(role, []).append(known[rid])
    return grouped


def _held(referral, fields: dict, grouped: dict) -> frozenset[str]:
    case = intake.work_out(
        referral.doc_type,
        fields,
        grouped,
        today_wib(),
        referral.pokja.kecamatan.display_name,
    )
    held = case.held
    if referral.status not in pages.BEFORE_DESK:
        held = held - {LATE}
    return held


def _fill(form, referral) -> None:
    """The form from the stored case (a GET, or a conflict's fresh state)."""
    for name in intake.CASE_FIELDS:
        form[name].data = getattr(referral, name)
    roles = vocab.DOC_ROLES.get(referral.doc_type, ())
    for role in roles:
        ids = [p.resident_id for p in referral.persons if p.role == role]
        form[f"p_{role}"].data = ids if role in vocab.MANY else (ids or [None])[0]
    legacy = [p.resident_id for p in referral.persons if p.role not in roles]
    if roles and legacy and not any(p.role in roles for p in referral.persons):
        # A case from before roles (migration 0014, role "warga"): its resident
        # is offered in the main role, to be put where they belong.
        main = roles[0]
        form[f"p_{main}"].data = legacy[:1] if main in vocab.MANY else legacy[0]


def edit(referral_id: int):
    """The correction form (GET) and its save (POST)."""
    posted = []
    if request.method == "POST":
        # The doc type is the case's; the ids are read for the one query below.
        posted = [
            number
            for key in request.form
            if key.startswith("p_")
            for number in map(parse_id, request.form.getlist(key))
            if number is not None
        ]
    found = case_queries.case_for_edit(referral_id, posted, current_user)
    if found is None:
        abort(404)
    referral, known = found
    doc_type = referral.doc_type
    back = redirect(url_for("referrals.detail", referral_id=referral_id), 303)
    if not referral.is_open:
        flash("Kasus ini sudah ditutup; datanya tidak bisa diubah.", "error")
        return back
    form_type = form_class(doc_type)
    conflict = None
    if request.method == "GET":
        form = form_type(formdata=None)
        _fill(form, referral)
        form.version.data = referral.version
    else:
        form = form_type()
        form.doc_type.data = doc_type
        if pages.stale(referral, form.version.data):
            conflict = pages.CONFLICT
        elif form.validate():
            saved = _save(form, referral, known)
            if saved is not None:
                return saved
    form.version.data = referral.version
    intake.fill_choices(form, doc_type, referral.pokja_id)
    page = render_template(
        "referrals/case_edit.html",
        form=form,
        referral=referral,
        doc_type=doc_type,
        roles=vocab.DOC_ROLES.get(doc_type, ()),
        conflict=conflict,
    )
    return page, 409 if conflict else 200


def _save(form, referral, known):
    """Apply a valid form; a response, or None to show the form again."""
    doc_type = referral.doc_type
    found = intake.chosen_persons(form, doc_type, referral, known)
    if found is None:
        return None
    persons, grouped = found
    old_fields = {name: getattr(referral, name) for name in intake.CASE_FIELDS}
    shown = intake.shown_fields(doc_type)
    # A field the form does not show for this document keeps its value.
    fields = {
        name: value if name in shown else old_fields[name]
        for name, value in intake.case_fields(form).items()
    }
    old_pairs = [(p.role, p.resident_id) for p in referral.persons]
    held = (
        _held(referral, old_fields, _grouped(old_pairs, known)),
        _held(referral, fields, grouped),
    )
    changed = case_service.update_case(
        referral, fields, persons, held, current_user, utcnow()
    )
    back = redirect(url_for("referrals.detail", referral_id=referral.id), 303)
    if not changed:
        db.session.rollback()
        flash("Tidak ada yang berubah.", "info")
        return back
    message = f"Kasus {referral.code} diperbarui: {', '.join(changed)}."
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(pages.CONFLICT, "error")
        return back
    flash(message, "success")
    return back
