"""Meetings: the list, planning, the meeting page, minutes, status, deleting.

The roll call (roll_call.py) and the documents (documents.py) are sub-pages
registered on this blueprint; the member registry is kkbweb.members.
"""

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.forms import Form
from kkbweb.formtokens import creates, save_once
from kkbweb.htmx import render, wants_partial
from kkbweb.meetings import (
    documents,
    evidence,
    invitees,
    offline,
    pages,
    queries,
    roll_call,
    rules,
    service,
    vocab,
)
from kkbweb.meetings.forms import MeetingForm, MinutesForm, NewMeetingForm
from kkbweb.pagination import paginate
from kkbweb.pokja.queries import pokja_choices
from kkbweb.reports import frozen
from kkbweb.requests import query_date, query_int, query_text
from kkbweb.timeutil import today_wib

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
bp.register_blueprint(roll_call.bp)
bp.register_blueprint(documents.bp)
bp.register_blueprint(invitees.bp)
bp.register_blueprint(evidence.bp)
bp.register_blueprint(offline.bp)

MEETING = "/<int:meeting_id>"

STATUS_MESSAGES = {
    vocab.ONGOING: "Rapat berlangsung. Silakan catat kehadiran.",
    vocab.FINISHED: (
        "Rapat selesai. Daftar hadir dikunci untuk pengguna Pokja dan pengguna "
        "yang tidak mengelola rapat ini."
    ),
    vocab.SCHEDULED: "Rapat dikembalikan ke status dijadwalkan.",
}


@bp.context_processor
def _vocabulary() -> dict:
    """Labels of kinds, statuses, jabatan and unsur for this blueprint's pages."""
    return {"vocab": vocab}


@bp.get("/")
@login_required
def index():
    """List the meetings the user may see, newest first, with filters."""
    filters = {
        "q": query_text("q"),
        "jenis": request.args.get("jenis", ""),
        "status": request.args.get("status", ""),
        "pokja": query_int("pokja"),
        "dari": query_date("dari"),
        "sampai": query_date("sampai"),
    }
    page = paginate(queries.meeting_list(filters))
    invited = queries.invited_names([m.id for m in page.items])
    args = {
        k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items()
    }
    return render(
        "meetings/index.html",
        "meetings/_list.html",
        page=page,
        invited=invited,
        filters=filters,
        args={k: v for k, v in args.items() if v},
        # The filter form (and its Pokja options) is only in the full page.
        pokja_options=pokja_choices(current_user)
        if current_user.sees_all_pokja and not wants_partial()
        else [],
        may_create=current_user.role in rules.ORGANISER_ROLES,
        today=today_wib(),
    )


def _meeting_form(loaded: queries.LoadedMeeting | None = None) -> MeetingForm:
    """The meeting form with the Pokja and organisers this user may choose."""
    form = (NewMeetingForm if loaded is None else MeetingForm)(
        obj=loaded.meeting if loaded else None
    )
    form.kind.choices = vocab.kind_choices(loaded.meeting.kind if loaded else None)
    pokja_rows, organisers = queries.form_choices(current_user)
    pokja = [(pid, name) for pid, name, _kid, _kname in pokja_rows]
    if loaded is not None:
        # What the meeting already has stays a valid choice, even if the Pokja
        # is now inactive or the organiser is outside this user's Pokja.
        known = {pid for pid, _ in pokja}
        pokja += [(p, name) for p, name in loaded.pokja.items() if p not in known]
        organiser_id = loaded.meeting.organiser_id
        if organiser_id and organiser_id not in {uid for uid, _ in organisers}:
            organisers.append((organiser_id, loaded.organiser_name))
    form.pokja_ids.choices = pokja
    # The Pokja grouped by kecamatan: the checkboxes' fieldsets and the
    # "all Pokja of this kecamatan" choices.
    groups: dict[tuple[int, str], list] = {}
    for pid, name, kecamatan_id, kecamatan in pokja_rows:
        groups.setdefault((kecamatan_id, kecamatan), []).append((pid, name))
    form.kecamatan_groups = sorted(groups.items(), key=lambda kv: kv[0][1])
    form.pokja_of_kecamatan = {
        kid: [pid for pid, _ in members] for (kid, _), members in groups.items()
    }
    form.kecamatan_ids.choices = [(kid, name) for (kid, name), _ in groups.items()]
    # Choices kept only because the meeting has them (an inactive Pokja).
    grouped = {row[0] for row in pokja_rows}
    form.ungrouped_pokja = [(p, name) for p, name in pokja if p not in grouped]
    form.organiser_id.choices = [("", "— belum ditentukan —"), *organisers]
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*rules.ORGANISER_ROLES)
@creates
def new():
    """Plan a meeting and invite one or several Pokja."""
    form = _meeting_form()
    if request.method == "GET":
        form.date.data = today_wib()
        form.organiser_id.data = current_user.id
        if len(form.pokja_ids.choices) == 1:
            form.pokja_ids.data = [form.pokja_ids.choices[0][0]]
    if form.validate_on_submit():

        def make() -> str:
            meeting = service.create_meeting(form, current_user)
            if form.mode == vocab.DELEGATES:
                return url_for("meetings.invitees.show", meeting_id=meeting.id)
            return url_for("meetings.detail", meeting_id=meeting.id)

        location, created = save_once(form, make)
        if created and form.mode == vocab.DELEGATES:
            flash("Rapat dibuat. Pilih utusan tiap Pokja yang diundang.", "success")
        elif created:
            flash(
                "Rapat dibuat. Bagikan undangannya atau mulai mencatat kehadiran.",
                "success",
            )
        return redirect(location, 303)
    return render_template("meetings/form.html", form=form, meeting=None)


@bp.get(MEETING)
@login_required
def detail(meeting_id: int):
    """The meeting page: details, totals, the roll call and walk-ins."""
    loaded = queries.load_meeting(meeting_id)
    if wants_partial():
        # The filter swaps only the roll; guests and the rest need no loading.
        meeting = loaded.meeting
        context = {
            "meeting": meeting,
            "statuses": vocab.ATTENDANCE_STATUSES,
            **pages.roll_context(
                loaded,
                pages.roll_filters(loaded),
                queries.totals(meeting.id, meeting.date),
            ),
        }
    else:
        context = pages.page_context(loaded)
        # A month already handed in or verified: say so before the roll call or
        # an edit changes it (no query for the running month).
        context["frozen_note"] = _frozen_note(loaded)
    return render("meetings/detail.html", "meetings/_roll.html", **context)


def _frozen_note(loaded: queries.LoadedMeeting) -> str | None:
    """The warning when the meeting's month is frozen for an invited Pokja."""
    found = frozen.of_day(loaded.pokja_ids, loaded.meeting.date)
    return frozen.before_saving(found)


@bp.route(f"{MEETING}/edit", methods=["GET", "POST"])
@role_required(*rules.ORGANISER_ROLES)
def edit(meeting_id: int):
    """Change a meeting's details and invited Pokja."""
    loaded = queries.load_meeting(meeting_id, with_marks=True)
    pages.require_manage(loaded)
    meeting = loaded.meeting
    if rules.is_locked(meeting.status, current_user, loaded.pokja_ids):
        return pages.locked_redirect(meeting.id)
    form = _meeting_form(loaded)
    if request.method == "GET":
        form.pokja_ids.data = loaded.pokja_ids
    if form.validate_on_submit():
        removed = set(loaded.pokja_ids) - set(form.chosen_pokja_ids())
        if blocked := removed & loaded.marked_pokja:
            names = ", ".join(loaded.pokja[p] for p in sorted(blocked))
            form.pokja_ids.errors.append(
                f"Pokja {names} sudah memiliki catatan kehadiran, jadi tidak dapat "
                "dihapus dari undangan."
            )
        else:
            if service.update_meeting(loaded, form, current_user):
                db.session.commit()
                flash("Perubahan rapat disimpan.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)
    return render_template(
        "meetings/form.html",
        form=form,
        meeting=meeting,
        frozen_note=_frozen_note(loaded),
    )


@bp.route(f"{MEETING}/minutes", methods=["GET", "POST"])
@role_required(*rules.ORGANISER_ROLES)
def minutes(meeting_id: int):
    """Write the notulen and follow-up items (also after the meeting ended)."""
    loaded = queries.load_meeting(meeting_id)
    pages.require_manage(loaded)
    meeting = loaded.meeting
    form = MinutesForm(obj=meeting)
    if form.validate_on_submit():
        if service.save_minutes(
            meeting, form.minutes.data, form.follow_ups.data, current_user
        ):
            db.session.commit()
            flash("Notulen dan tindak lanjut disimpan.", "success")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)
    return render_template(
        "meetings/minutes.html", form=form, loaded=loaded, meeting=meeting
    )


@bp.get(f"{MEETING}/finish")
@role_required(*rules.ORGANISER_ROLES)
def finish(meeting_id: int):
    """Ask before finishing: who will be locked out, who may still reopen."""
    loaded = queries.load_meeting(meeting_id)
    pages.require_manage(loaded)
    meeting = loaded.meeting
    if meeting.status == vocab.FINISHED:
        return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)
    return render_template(
        "meetings/finish.html", loaded=loaded, meeting=meeting, form=Form()
    )


@bp.post(f"{MEETING}/status")
@role_required(*rules.ORGANISER_ROLES)
def set_status(meeting_id: int):
    """Start, finish (after the question page) or reopen a meeting."""
    loaded = queries.load_meeting(meeting_id)
    pages.require_manage(loaded)
    meeting = loaded.meeting
    form = Form()
    new_status = request.form.get("status", "")
    if not form.validate_on_submit():
        abort(400)
    if (
        new_status == vocab.FINISHED
        and meeting.status != vocab.FINISHED
        and request.form.get("yakin") != "1"
    ):
        # Finishing locks people out: only the question page's button does it.
        return redirect(url_for("meetings.finish", meeting_id=meeting.id), 303)
    if problem := rules.transition_problem(
        meeting.status, new_status, current_user, loaded.pokja_ids
    ):
        flash(problem, "error")
    elif new_status != meeting.status:
        action = service.set_status(meeting, new_status, current_user)
        db.session.commit()
        if action == "meeting.reopen":
            flash("Rapat dibuka kembali; kehadiran dapat diubah lagi.", "success")
        else:
            flash(STATUS_MESSAGES[new_status], "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)


@bp.post(f"{MEETING}/delete")
@role_required(*rules.ORGANISER_ROLES)
def delete_meeting(meeting_id: int):
    """Delete a meeting created by mistake, while nobody is recorded in it."""
    loaded = queries.load_meeting(meeting_id)
    pages.require_manage(loaded)
    meeting = loaded.meeting
    if rules.is_locked(meeting.status, current_user, loaded.pokja_ids):
        return pages.locked_redirect(meeting.id)
    if queries.meeting_in_use(meeting.id):
        flash(
            "Rapat ini sudah memiliki catatan kehadiran, tamu atau bukti, jadi "
            "tidak dapat dihapus. Ubah statusnya atau perbaiki datanya.",
            "error",
        )
        return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)
    title = meeting.title
    service.delete_meeting(loaded, current_user)
    db.session.commit()
    flash(f"Rapat “{title}” dihapus.", "success")
    return redirect(url_for("meetings.index"), 303)
