"""The one-tap family roll call of a poktan session, the BKB's KKA tick and
walk-in families (poktan.roll_call.*).

The same component as the meeting roll call (templates/_macros.html tap_row):
a real form per family, htmx swapping the row; one read, one upsert, one commit
a tap; without JavaScript a 303 back to the same family.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kkbweb.access import role_required
from kkbweb.database import keeping_loaded
from kkbweb.extensions import db
from kkbweb.formtokens import creates, redirect_once
from kkbweb.htmx import is_htmx
from kkbweb.poktan import pages, rules, service, session_queries, vocab
from kkbweb.poktan.forms import GuestForm

bp = Blueprint("roll_call", __name__)

SESSION = "/pertemuan/<int:session_id>"


def _answer(session_id: int, row, status, totals, message: str):
    """Commit a tap, then answer: the row and the totals for htmx; without
    JavaScript back to the same family on the session page."""
    # Rendering after the commit must not reload the user: no extra query a tap.
    with keeping_loaded():
        db.session.commit()
    if is_htmx():
        return render_template(
            "poktan/_mark.html",
            session_id=session_id,
            row=row,
            status=status,
            kka=row.kka_filled,
            totals=totals,
            kind=row.poktan_kind,
            on=row.session_date,
            can_mark=True,
        )
    flash(message, "success")
    return redirect(
        url_for("poktan.sessions.detail", session_id=session_id, _anchor=f"f-{row.id}"),
        303,
    )


class _Row:
    """The tapped family as the template reads it, with the new mark."""

    def __init__(self, ctx, status, kka):
        self.__dict__.update(ctx._mapping)
        self.status, self.kka_filled = status, kka


@bp.post(f"{SESSION}/hadir/<int:membership_id>")
@role_required(*rules.EDITOR_ROLES)
def mark(session_id: int, membership_id: int):
    """One tap: a family hadir or tidak hadir. htmx gets the row and totals."""
    status = request.form.get("status", "")
    if status not in vocab.ATTENDANCE_STATUSES:
        abort(400)
    ctx = session_queries.mark_context(session_id, membership_id)
    if ctx is None:
        abort(404)
    totals = session_queries.totals_of(ctx)
    kka = bool(ctx.kka_filled)
    result = service.mark(ctx, session_id=session_id, status=status, user=current_user)
    if result.changed:
        totals = totals.moved(ctx.status, status, kka)
        kka = False
    row = _Row(ctx, status, kka)
    label = vocab.ATTENDANCE_STATUSES[status]
    return _answer(session_id, row, status, totals, f"{ctx.head_name}: {label}.")


@bp.post(f"{SESSION}/kka/<int:membership_id>")
@role_required(*rules.EDITOR_ROLES)
def kka(session_id: int, membership_id: int):
    """Tick (or untick) that the child's KKA was filled at this session."""
    filled = request.form.get("kka") == "1"
    ctx = session_queries.mark_context(session_id, membership_id)
    if ctx is None or ctx.poktan_kind != vocab.BKB:
        abort(404)
    if ctx.status != vocab.PRESENT:
        abort(409)
    totals = session_queries.totals_of(ctx)
    if service.set_kka(session_id, ctx, filled, current_user):
        totals = totals.ticked(bool(ctx.kka_filled), filled)
    row = _Row(ctx, ctx.status, filled)
    state = "diisi" if filled else "belum diisi"
    return _answer(
        session_id, row, ctx.status, totals, f"KKA {ctx.target_name}: {state}."
    )


@bp.post(f"{SESSION}/tamu")
@role_required(*rules.EDITOR_ROLES)
@creates
def add_guest(session_id: int):
    """Record a family that came without being a member."""
    session = session_queries.load_session(session_id)
    form = GuestForm()
    if form.validate_on_submit():

        def make() -> str:
            service.add_guest(session, form, current_user)
            return url_for(
                "poktan.sessions.detail", session_id=session_id, _anchor="tamu"
            )

        return redirect_once(
            form, make, f"{form.name.data} dicatat hadir (bukan anggota)."
        )
    return pages.render_session(session, guest_form=form)


@bp.post(f"{SESSION}/tamu/<int:guest_id>/hapus")
@role_required(*rules.EDITOR_ROLES)
def remove_guest(session_id: int, guest_id: int):
    """Remove a walk-in recorded by mistake."""
    guest = session_queries.guest_of_session(session_id, guest_id)
    if guest is None:
        abort(404)
    name = guest.name
    service.remove_guest(guest, current_user)
    db.session.commit()
    flash(f"{name} dihapus dari daftar tamu.", "success")
    return redirect(
        url_for("poktan.sessions.detail", session_id=session_id, _anchor="tamu"), 303
    )
