"""Who is invited: per Pokja all members or chosen delegates, and invited persons
outside the Pokja (meetings.invitees.*). Plain forms; htmx's boost only enhances.

A Pokja user sees and changes only their own Pokja's part; another Pokja's id is
404. Invitations can be changed until the meeting is finished (for everyone:
staff reopen it first).
"""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from kkbweb.access import can_see_pokja, role_required
from kkbweb.database import keeping_loaded
from kkbweb.extensions import db
from kkbweb.formtokens import creates, redirect_once
from kkbweb.meetings import invitation_queries, picks, queries, rules, service, vocab
from kkbweb.meetings.forms import ExternalForm, PickForm
from kkbweb.requests import parse_id

bp = Blueprint("invitees", __name__)

MEETING = "/<int:meeting_id>"
ALL = "semua"  # the pick form that applies to every Pokja the user may change


def _back(meeting_id: int, anchor: str | None = None):
    return redirect(
        url_for("meetings.invitees.show", meeting_id=meeting_id, _anchor=anchor), 303
    )


def _closed(meeting) -> bool:
    """Flash and tell when the meeting is finished: invitations are then fixed."""
    if meeting.status != vocab.FINISHED:
        return False
    _closed_message()
    return True


def _page(
    sheet: invitation_queries.InvitationSheet, external_form: ExternalForm, **extra
):
    meeting = sheet.loaded.meeting
    visible = [
        (pid, name) for pid, name in sheet.loaded.pokja.items() if can_see_pokja(pid)
    ]
    externals = invitation_queries.externals(meeting.id)
    invited = len(externals) + sum(
        len(sheet.members.get(pid, []))
        if sheet.loaded.mode(pid) == vocab.ALL_MEMBERS
        else len(sheet.picked(pid))
        for pid, _name in visible
    )
    return render_template(
        "meetings/invitees.html",
        sheet=sheet,
        loaded=sheet.loaded,
        meeting=meeting,
        visible=visible,
        externals=externals,
        external_form=external_form,
        invited=invited,
        closed=meeting.status == vocab.FINISHED,
        quick_picks=picks.QUICK_PICKS,
        pick_n=extra.pop("pick_n", 2),
        all_key=ALL,
        **extra,
    )


@bp.get(f"{MEETING}/invitees")
@role_required(*rules.ORGANISER_ROLES)
def show(meeting_id: int):
    """Per invited Pokja: all members or the chosen delegates; invited outsiders."""
    sheet = invitation_queries.invitation_sheet(meeting_id)
    return _page(sheet, ExternalForm(formdata=None))


@bp.post(f"{MEETING}/invitees")
@role_required(*rules.ORGANISER_ROLES)
def save(meeting_id: int):
    """One Pokja's mode and delegates, or a quick pick for one or every Pokja."""
    sheet = invitation_queries.invitation_sheet(meeting_id)
    meeting = sheet.loaded.meeting
    form = PickForm()
    target = _target(sheet)
    if _closed(meeting):
        return _back(meeting.id)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return _back(meeting.id, _anchor(target))
    pick = form.pick.data or ""
    if pick and pick not in picks.QUICK_PICKS:
        abort(400)
    pokja_ids = (
        [pid for pid in sheet.loaded.pokja if can_see_pokja(pid)]
        if target == ALL
        else [target]
    )
    if target == ALL and not pick:
        abort(400)
    wanted = {}
    for pokja_id in pokja_ids:
        members = sheet.members.get(pokja_id, [])
        if pick:
            wanted[pokja_id] = (
                vocab.DELEGATES,
                picks.quick_pick(members, pick, form.n.data or 2),
            )
        elif form.mode.data in vocab.INVITE_MODES:
            # Ids not among the Pokja's members (a tampered form) are ignored.
            known = {m.id for m in members}
            chosen = {i for i in form.member_ids.data or [] if i in known}
            wanted[pokja_id] = (form.mode.data, chosen)
        else:
            flash("Pilih: semua anggota aktif, atau utusan terpilih.", "error")
            return _back(meeting.id, _anchor(target))
    current = {pid: sheet.picked(pid) for pid in pokja_ids}
    if service.set_invitations(sheet.loaded, wanted, current, current_user):
        with keeping_loaded():
            db.session.commit()
        flash(_saved_message(sheet, wanted), "success")
    else:
        flash("Tidak ada perubahan undangan.", "info")
    return _back(meeting.id, _anchor(target))


def _target(sheet: invitation_queries.InvitationSheet):
    """The form's Pokja: ALL, or an invited Pokja the user may change (else 404)."""
    raw = request.form.get("pokja", "")
    if raw == ALL:
        return ALL
    pokja_id = parse_id(raw)
    if pokja_id not in sheet.loaded.pokja or not can_see_pokja(pokja_id):
        abort(404)
    return pokja_id


def _anchor(target) -> str | None:
    return None if target == ALL else f"p-{target}"


def _saved_message(sheet: invitation_queries.InvitationSheet, wanted: dict) -> str:
    """What the change means, in people: "Ciwedus: 2 utusan", "semua anggota"."""
    parts, empty = [], []
    for pokja_id, (mode, picked) in wanted.items():
        name = sheet.loaded.pokja[pokja_id]
        if mode == vocab.ALL_MEMBERS:
            parts.append(f"{name}: semua anggota aktif")
        else:
            parts.append(f"{name}: {len(picked)} utusan")
            if not picked:
                empty.append(name)
    message = "Undangan disimpan. " + "; ".join(parts) + "."
    if empty:
        message += " Belum ada utusan dari Pokja " + ", ".join(empty) + "."
    return message


@bp.post(f"{MEETING}/invitees/external")
@role_required(*rules.ORGANISER_ROLES)
@creates
def add_external(meeting_id: int):
    """Invite a person outside the Pokja by name (narasumber, dinas, mitra)."""
    sheet = invitation_queries.invitation_sheet(meeting_id)
    meeting = sheet.loaded.meeting
    if _closed(meeting):
        return _back(meeting.id)
    form = ExternalForm()
    if not form.validate_on_submit():
        return _page(sheet, form)
    # A Pokja user's invitee belongs to their Pokja; the department's to none.
    pokja_id = None if current_user.sees_all_pokja else current_user.pokja_id

    def make() -> str:
        service.add_external(meeting, form, pokja_id, current_user)
        return url_for("meetings.invitees.show", meeting_id=meeting.id, _anchor="luar")

    return redirect_once(form, make, f"{form.name.data} ditambahkan ke undangan.")


@bp.post(f"{MEETING}/invitees/external/<int:external_id>/delete")
@role_required(*rules.ORGANISER_ROLES)
def remove_external(meeting_id: int, external_id: int):
    """Withdraw an outsider's invitation, while they are not marked."""
    row = queries.external_context(meeting_id, external_id)
    if row is None:
        abort(404)
    person = row.MeetingExternal
    if row.meeting_status == vocab.FINISHED:
        _closed_message()
        return _back(meeting_id)
    if person.status is not None:
        flash(
            f"{person.name} sudah ditandai {vocab.ATTENDANCE_STATUSES[person.status]}"
            ", jadi tidak dapat dihapus dari undangan.",
            "error",
        )
        return _back(meeting_id, "luar")
    service.remove_external(person, current_user)
    db.session.commit()
    flash(f"{person.name} dihapus dari undangan.", "success")
    return _back(meeting_id, "luar")


def _closed_message() -> None:
    flash(
        "Rapat sudah selesai, jadi undangan tidak dapat diubah lagi. "
        "Buka kembali rapat bila undangan perlu diperbaiki.",
        "error",
    )
