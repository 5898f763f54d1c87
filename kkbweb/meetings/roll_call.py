"""The one-tap roll call and walk-in guests (meetings.roll_call.*)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kkbweb.access import role_required
from kkbweb.database import keeping_loaded
from kkbweb.extensions import db
from kkbweb.formtokens import DUPLICATE_MESSAGE, creates
from kkbweb.htmx import is_htmx
from kkbweb.meetings import pages, queries, rules, service, vocab
from kkbweb.meetings.forms import GuestForm
from kkbweb.requests import query_int, query_text

bp = Blueprint("roll_call", __name__)

MEETING = "/<int:meeting_id>"


@bp.post(f"{MEETING}/attendance/<int:member_id>")
@role_required(*rules.ORGANISER_ROLES)
def mark(meeting_id: int, member_id: int):
    """One tap: set a person's status. htmx gets the row and the totals back."""
    status = _tapped_status()
    ctx = queries.mark_context(meeting_id, member_id, current_user)
    if ctx is None:
        abort(404)
    totals = queries.Totals.from_row(ctx)
    locked = rules.is_locked(
        ctx.meeting_status,
        current_user,
        lambda: queries.invited_pokja_ids(meeting_id),
    )
    current = ctx.status
    if not locked:
        result = service.mark(
            meeting_id=meeting_id,
            member_id=member_id,
            pokja_id=ctx.pokja_id,
            name=ctx.name,
            status=status,
            user=current_user,
        )
        if result.changed:
            totals = totals.moved(result.previous, status, bool(ctx.invited))
        current = status
    return _answer(
        meeting_id,
        locked,
        "meetings/_mark.html",
        {"row": ctx, "status": current, "totals": totals},
        f"{ctx.name}: {vocab.ATTENDANCE_STATUSES[status]}.",
        {"_anchor": f"m-{member_id}", "pokja": query_int("pokja")},
    )


@bp.post(f"{MEETING}/external/<int:external_id>")
@role_required(*rules.ORGANISER_ROLES)
def mark_external(meeting_id: int, external_id: int):
    """One tap for an invited person outside the Pokja (narasumber, dinas)."""
    status = _tapped_status()
    ctx = queries.external_context(meeting_id, external_id)
    if ctx is None:
        abort(404)
    person, totals = ctx.MeetingExternal, queries.Totals.from_row(ctx)
    locked = rules.is_locked(
        ctx.meeting_status,
        current_user,
        lambda: queries.invited_pokja_ids(meeting_id),
    )
    if not locked:
        previous = service.mark_external(person, status, current_user)
        if previous != status:
            totals = totals.moved(previous, status)
    return _answer(
        meeting_id,
        locked,
        "meetings/_mark_external.html",
        {"person": person, "totals": totals},
        f"{person.name}: {vocab.ATTENDANCE_STATUSES[status]}.",
        {"_anchor": f"x-{external_id}"},
    )


def _tapped_status() -> str:
    """The status a roll-call button sent; anything else is a bad request."""
    status = request.form.get("status", "")
    if status not in vocab.ATTENDANCE_STATUSES:
        abort(400)
    return status


def _answer(meeting_id, locked, fragment, context, message, back):
    """Commit a tap, then answer it: the row and the totals for htmx; without
    JavaScript back to the same person on the roll call, with its filters."""
    # Rendering after the commit must not reload the user: no extra query a tap.
    with keeping_loaded():
        db.session.commit()
    if is_htmx():
        return render_template(
            fragment,
            meeting_id=meeting_id,
            statuses=vocab.ATTENDANCE_STATUSES,
            can_mark=True,
            locked=locked,
            back={},
            **context,
        )
    if locked:
        return pages.locked_redirect(meeting_id)
    flash(message, "success")
    return redirect(
        url_for(
            "meetings.detail", meeting_id=meeting_id, q=query_text("q") or None, **back
        ),
        303,
    )


@bp.post(f"{MEETING}/guests")
@role_required(*rules.ORGANISER_ROLES)
@creates
def add_guest(meeting_id: int):
    """Add a walk-in guest on the spot."""
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    if rules.is_locked(meeting.status, current_user, loaded.pokja_ids):
        return pages.locked_redirect(meeting.id)
    form = pages.guest_form(loaded)
    if (
        not current_user.sees_all_pokja
        and form.pokja_id.choices
        and not form.pokja_id.data
    ):
        form.pokja_id.data = form.pokja_id.choices[0][0]
    if form.validate_on_submit():
        # A copy of the form (double tap, resend) answers as the save did.
        guest = service.add_guest(meeting, form, current_user)
        if guest is not None:
            with keeping_loaded():
                db.session.commit()
        if not is_htmx():
            if guest is None:
                flash(DUPLICATE_MESSAGE, "info")
            else:
                flash(f"Tamu {guest.name} dicatat hadir.", "success")
            return redirect(
                url_for("meetings.detail", meeting_id=meeting_id, _anchor="tamu"), 303
            )
        return _guests_fragment(loaded, pages.guest_form(loaded, blank=True))
    if is_htmx():
        return _guests_fragment(loaded, form)
    return render_template(
        "meetings/detail.html", **pages.page_context(loaded, guest_form=form)
    )


def _guests_fragment(loaded: queries.LoadedMeeting, form: GuestForm) -> str:
    """The walk-in section with fresh totals for an out-of-band swap."""
    meeting = loaded.meeting
    return render_template(
        "meetings/_guests.html",
        meeting=meeting,
        loaded=loaded,
        guests=queries.guests(meeting.id),
        guest_form=form,
        totals=queries.totals(meeting.id, meeting.date),
        statuses=vocab.ATTENDANCE_STATUSES,
        oob_totals=True,
        can_mark=True,
        locked=False,
    )


@bp.post(f"{MEETING}/guests/<int:guest_id>/delete")
@role_required(*rules.ORGANISER_ROLES)
def remove_guest(meeting_id: int, guest_id: int):
    """Remove a guest recorded by mistake."""
    row = queries.guest_of_meeting(meeting_id, guest_id)
    if row is None:
        abort(404)
    guest, meeting_status, meeting_date = row
    if rules.is_locked(
        meeting_status, current_user, lambda: queries.invited_pokja_ids(meeting_id)
    ):
        return pages.locked_redirect(meeting_id)
    service.remove_guest(guest, current_user)
    if is_htmx():
        with keeping_loaded():
            db.session.commit()
        return render_template(
            "meetings/_totals.html",
            totals=queries.totals(meeting_id, meeting_date),
            statuses=vocab.ATTENDANCE_STATUSES,
            oob=True,
        )
    db.session.commit()
    flash(f"Tamu {guest.name} dihapus dari daftar.", "success")
    return redirect(
        url_for("meetings.detail", meeting_id=meeting_id, _anchor="tamu"), 303
    )
