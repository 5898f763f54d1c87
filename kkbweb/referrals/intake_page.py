"""The intake page of a case (registered as referrals.new by views.py): the
document type first, then the persons in roles, the KK and the event; the
destination follows the routing rules (intake.py). No SQL here."""

from types import SimpleNamespace
from uuid import uuid4

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kkbweb.extensions import db
from kkbweb.referrals import case_queries, intake, pages, routing, service
from kkbweb.requests import parse_id
from kkbweb.timeutil import today_wib, utcnow


def new():
    """Open a case: document type, persons in roles, KK, event, destination."""
    resident_id = parse_id(request.args.get("warga"))
    if resident_id is None:
        flash("Pilih atau daftarkan warganya dulu, lalu buat kasus.", "info")
        return redirect(url_for("referrals.residents.index"), 303)
    doc_type = request.values.get("doc_type") or request.args.get("jenis") or ""
    if doc_type not in routing.DOC_TYPES:
        doc_type = ""
    known = {}
    if request.method == "POST" and doc_type:
        # The resident and every person named, in one query within scope.
        known = case_queries.residents_by_id(
            [resident_id, *intake.posted_ids(request.form, doc_type)], current_user
        )
        if resident_id not in known:
            abort(404)
        resident = known[resident_id]
    else:
        resident = pages.load_resident(resident_id, with_kecamatan=True)
    if not doc_type:
        form = intake.form_class("kk")(formdata=None)
        if request.method == "POST":
            form.doc_type.errors = ["Pilih jenis dokumen."]
        return render_template(
            "referrals/new.html", form=form, resident=resident, doc_type="", case=None
        )
    form = intake.form_class(doc_type)()
    form.doc_type.data = doc_type
    if not form.intake_key.data:
        form.intake_key.data = uuid4().hex
    if request.method == "GET":
        intake.anchor(resident, doc_type, form)
    elif not any(key.startswith("p_") for key in request.form):
        # A form without person fields (an older page): the resident is the
        # case's main person.
        intake.anchor(resident, doc_type, form, main=True)
    case = None
    if form.validate_on_submit():
        found = intake.chosen_persons(form, doc_type, resident, known)
        if found is not None:
            persons, grouped = found
            fields = intake.case_fields(form)
            case = intake.work_out(
                doc_type,
                fields,
                grouped,
                today_wib(),
                resident.pokja.kecamatan.display_name,
            )
            main_id = persons[0][1]
            try:
                referral_id, code = service.create_referral(
                    resident=SimpleNamespace(id=main_id, pokja_id=resident.pokja_id),
                    doc_type=doc_type,
                    destination=intake.destination(form, resident, case),
                    notes=form.notes.data or None,
                    user=current_user,
                    intake_key=(form.intake_key.data or "")[:32] or None,
                    now=utcnow(),
                    case=fields,
                    persons=persons,
                    held=case.held,
                )
            except service.DuplicateIntake as duplicate:
                db.session.rollback()
                flash("Kasus ini sudah tersimpan sebelumnya.", "info")
                return redirect(
                    url_for("referrals.detail", referral_id=duplicate.referral_id), 303
                )
            db.session.commit()
            flash(
                f"Kasus {code} dibuat. Centang berkas yang sudah dibawa warga.",
                "success",
            )
            return redirect(url_for("referrals.detail", referral_id=referral_id), 303)
    intake.fill_choices(form, doc_type, resident.pokja_id)
    return render_template(
        "referrals/new.html",
        form=form,
        resident=resident,
        doc_type=doc_type,
        roles=intake.vocab.DOC_ROLES.get(doc_type, ()),
        case=case,
    )
