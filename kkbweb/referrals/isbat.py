"""Unregistered marriages and the sidang isbat terpadu (referrals.isbat.*).

Couples are marked "nikah belum tercatat" from a case (Pokja or staff); the list
shows them per Pokja and kelurahan. Staff plan a session (date, place, court,
KUA, Disdukcapil), add couples of several Pokja in a batch (each gets its itsbat
case and checklist: the papers it still lacks show on the session), record every
couple's outcome on one screen after the day, and open the follow-up cases (KK,
akta for each child) in one step. A Pokja user sees the sessions with only their
own couples; another Pokja's couple is never shown.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.forms import Form
from kkbweb.formtokens import creates, redirect_once
from kkbweb.pagination import paginate
from kkbweb.pokja.queries import pokja_choices
from kkbweb.referrals import (
    case_queries,
    case_service,
    isbat_queries,
    isbat_service,
    pages,
    routing,
    rules,
)
from kkbweb.referrals.forms import IsbatSessionForm
from kkbweb.requests import parse_id
from kkbweb.timeutil import utcnow

bp = Blueprint("isbat", __name__, url_prefix="/isbat")

PAIRS = {
    "akta_kelahiran": ("ayah", "ibu"),
    "itsbat_nikah": ("suami", "istri"),
    "buku_nikah": ("calon_suami", "calon_istri"),
    "akta_perkawinan": ("calon_suami", "calon_istri"),
    "kk": ("kepala_keluarga", "anggota"),
}


def _session_or_404(session_id: int):
    found = isbat_queries.session(session_id)
    if found is None:
        abort(404)
    return found


@bp.get("/pasangan")
@role_required(*rules.VIEW_ROLES)
def couples():
    """Couples marked "nikah belum tercatat", per Pokja and kelurahan."""
    pokja_id = parse_id(request.args.get("pokja"))
    return render_template(
        "referrals/couples.html",
        page=paginate(case_queries.couples(current_user, pokja_id)),
        pokja_id=pokja_id,
        pokja_choices=pokja_choices() if current_user.sees_all_pokja else [],
    )


@bp.post("/tandai/<int:referral_id>")
@role_required(*rules.WORK_ROLES)
def mark(referral_id: int):
    """Mark the case's couple (parents or spouses) as "nikah belum tercatat"."""
    referral = pages.load_referral(referral_id, pages.PERSONS)
    form = Form()
    back = redirect(url_for("referrals.detail", referral_id=referral_id), 303)
    if not form.validate():
        return back
    husband_role, wife_role = PAIRS.get(referral.doc_type, ("", ""))
    people = {}
    for person in referral.persons:
        people.setdefault(person.role, person.resident_id)
    husband, wife = people.get(husband_role), people.get(wife_role)
    if not (husband and wife):
        flash(
            "Kasus ini belum mencantumkan suami dan istri (atau ayah dan ibu).", "error"
        )
        return back
    _couple, new = case_service.mark_couple(
        pokja_id=referral.pokja_id,
        husband_id=husband,
        wife_id=wife,
        referral_id=referral.id,
        user=current_user,
    )
    db.session.commit()
    flash(
        "Pasangan dicatat sebagai nikah belum tercatat."
        if new
        else "Pasangan ini sudah ada di daftar nikah belum tercatat.",
        "success" if new else "info",
    )
    return back


@bp.get("")
@role_required(*rules.VIEW_ROLES)
def index():
    """The sessions, newest first."""
    return render_template(
        "referrals/isbat_sessions.html",
        page=paginate(isbat_queries.sessions()),
        can_plan=current_user.role in rules.DINAS_ROLES,
    )


@bp.route("/baru", methods=["GET", "POST"])
@role_required(*rules.DINAS_ROLES)
@creates
def new():
    """Plan a sidang isbat terpadu."""
    form = IsbatSessionForm()
    if request.method == "GET" and not form.kua.data:
        form.kua.data = routing.KUA_BY_KECAMATAN.get("jombang", "")
    if form.validate_on_submit():

        def make() -> str:
            fields = {
                name: form[name].data or None
                for name in ("date", "place", "court", "kua", "disdukcapil", "notes")
            }
            session = isbat_service.create_session(fields, current_user, utcnow())
            return url_for("referrals.isbat.detail", session_id=session.id)

        return redirect_once(form, make, "Sidang isbat terpadu direncanakan.")
    return render_template("referrals/isbat_form.html", form=form)


@bp.get("/<int:session_id>")
@role_required(*rules.VIEW_ROLES)
def detail(session_id: int):
    """A session: its couples (of the user's scope), the papers each lacks."""
    session = _session_or_404(session_id)
    entries = isbat_queries.entries(session.id, current_user)
    staff = current_user.role in rules.DINAS_ROLES
    return render_template(
        "referrals/isbat_session.html",
        session=session,
        entries=entries,
        missing=isbat_queries.missing_papers(
            [e.referral_id for e in entries if e.referral_id]
        ),
        candidates=isbat_queries.candidates(session.id, current_user) if staff else [],
        followups=isbat_queries.followup_cases(session.id, current_user),
        staff=staff,
        form=Form(),
    )


@bp.post("/<int:session_id>/pasangan")
@role_required(*rules.DINAS_ROLES)
def add(session_id: int):
    """Add the ticked couples (several Pokja at once), each with an itsbat case,
    in a constant number of statements (no read before the writes)."""
    form = Form()
    ids = [parse_id(value) for value in request.form.getlist("couple")]
    ids = [number for number in ids if number]
    added = []
    if form.validate() and ids:
        added = isbat_service.add_couples(session_id, ids, current_user, utcnow())
    if added:
        db.session.commit()
        flash(
            f"{len(added)} pasangan ditambahkan, masing-masing dengan kasus itsbat.",
            "success",
        )
    else:
        _session_or_404(session_id)
        flash(
            "Centang pasangan yang akan ditambahkan."
            if not ids
            else "Tidak ada pasangan baru: yang dicentang sudah ikut sidang ini.",
            "error",
        )
    return redirect(url_for("referrals.isbat.detail", session_id=session_id), 303)


def _outcomes(entries) -> dict:
    """Every row's outcome from the one form: granted (ya/tidak/belum), ticks."""
    granted = {"ya": True, "tidak": False}
    return {
        entry.id: {
            "granted": granted.get(request.form.get(f"granted-{entry.id}", "")),
            "buku_nikah": request.form.get(f"buku-{entry.id}") == "1",
            "kk_updated": request.form.get(f"kk-{entry.id}") == "1",
            "children_akta": request.form.get(f"akta-{entry.id}") == "1",
        }
        for entry in entries
    }


@bp.route("/<int:session_id>/hasil", methods=["GET", "POST"])
@role_required(*rules.DINAS_ROLES)
def outcomes(session_id: int):
    """Every couple's outcome on one screen."""
    session = _session_or_404(session_id)
    entries = isbat_queries.entries(session.id, current_user)
    form = Form()
    if request.method == "POST" and form.validate():
        count = isbat_service.record_outcomes(
            session, entries, _outcomes(entries), current_user
        )
        db.session.commit()
        flash(f"Hasil sidang disimpan ({count} pasangan berubah).", "success")
        return redirect(url_for("referrals.isbat.detail", session_id=session_id), 303)
    return render_template(
        "referrals/isbat_outcomes.html", session=session, entries=entries, form=form
    )


@bp.post("/<int:session_id>/lanjutan")
@role_required(*rules.DINAS_ROLES)
def followups(session_id: int):
    """Open the KK and akta cases of every granted couple in one step (no read
    before the writes)."""
    form = Form()
    count = 0
    if form.validate():
        count = isbat_service.open_followups(
            session_id,
            current_user,
            utcnow(),
            (routing.DISDUKCAPIL, routing.DISDUKCAPIL_NAME, None),
        )
    if count:
        db.session.commit()
        flash(f"{count} kasus lanjutan dibuka (KK dan akta anak).", "success")
    else:
        _session_or_404(session_id)
        flash("Tidak ada pasangan dikabulkan yang belum ditindaklanjuti.", "info")
    return redirect(url_for("referrals.isbat.detail", session_id=session_id), 303)
