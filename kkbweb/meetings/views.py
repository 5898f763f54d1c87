"""Meetings, the one-tap roll call, walk-ins, daftar hadir, recaps and members."""

import datetime as dt
import json
import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import delete, exists, insert, or_, select
from sqlalchemy.orm import contains_eager

from kkbweb.audit.log import record, record_read
from kkbweb.auth.access import can_see_pokja, get_scoped_or_404, role_required, scoped
from kkbweb.extensions import db
from kkbweb.forms import Form, clean_line
from kkbweb.htmx import is_htmx, render, wants_partial
from kkbweb.meetings import exports, importer, queries, recap, rules, vocab
from kkbweb.meetings.forms import (
    ConfirmImportForm,
    GuestForm,
    ImportForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
)
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingGuest,
    MeetingPokja,
    Member,
    mark_attendance,
)
from kkbweb.pagination import paginate
from kkbweb.pokja.models import Pokja
from kkbweb.requests import parse_id
from kkbweb.spreadsheets import MIMETYPES, download
from kkbweb.timeutil import today_wib

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

# Ids beyond a 32-bit integer can only be typos or probes: 404 before any SQL.
ID = "int"  # bounded to INTEGER ids by the app-wide converter
MEETING = f"/<{ID}:meeting_id>"
MEMBER = f"/members/<{ID}:member_id>"
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_AGE = 3600  # seconds a previewed import waits for confirmation
ROLL_LIMIT = 80  # people listed at once; larger rosters go one Pokja at a time


# --- helpers --------------------------------------------------------------


@bp.context_processor
def _vocabulary() -> dict:
    """Labels of kinds, statuses, jabatan and unsur for this blueprint's pages."""
    return {"vocab": vocab}


def _seksi() -> dict[str, str]:
    """The configured seksi list (MEETINGS_SEKSI) or the 8 fungsi keluarga."""
    return vocab.seksi_choices(current_app.config)


def _query_text(name: str, limit: int = 100) -> str:
    """A cleaned, bounded text query parameter."""
    return (clean_line(request.args.get(name, "")) or "")[:limit]


def _query_int(name: str) -> int | None:
    """A positive id query parameter, or None."""
    return parse_id(request.args.get(name))


def _query_date(name: str) -> dt.date | None:
    """A yyyy-mm-dd query parameter within sensible years, or None."""
    try:
        value = dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 2000 <= value.year <= 2100 else None


def _roll_filters(loaded: queries.LoadedMeeting) -> dict:
    """The roll call's filters from the query string: name and one invited Pokja."""
    pokja_id = _query_int("pokja")
    return {
        "q": _query_text("q") or None,
        "pokja": pokja_id if pokja_id in loaded.pokja else None,
    }


def _roll_context(
    loaded: queries.LoadedMeeting, filters: dict, totals: queries.Totals
) -> dict:
    """What the roll call templates need: rows grouped by Pokja and permissions.

    A roster longer than ROLL_LIMIT (a department meeting of many Pokja) is not
    listed whole: the page offers one Pokja at a time, or a name search.
    """
    meeting = loaded.meeting
    visible = [(pid, name) for pid, name in loaded.pokja.items() if can_see_pokja(pid)]
    groups: dict[str, list] = {}
    picker = []
    if (
        totals.roster > ROLL_LIMIT
        and len(visible) > 1
        and not filters["q"]
        and not filters["pokja"]
    ):
        picker = queries.roster_by_pokja(meeting.id, meeting.date)
    else:
        rows = queries.roster(
            meeting.id, meeting.date, filters["q"] or "", filters["pokja"]
        )
        for row in rows:
            groups.setdefault(row.pokja_name, []).append(row)
    return {
        "groups": groups,
        "picker": picker,
        "filters": filters,
        "back": {k: v for k, v in filters.items() if v},
        "roll_pokja": visible if len(visible) > 1 else [],
        "can_mark": current_user.role in rules.ORGANISER_ROLES,
        "locked": rules.is_locked(meeting.status, current_user),
    }


def _guest_form(loaded: queries.LoadedMeeting, blank: bool = False) -> GuestForm:
    """The walk-in form; Pokja-scoped users add guests of their own Pokja."""
    form = GuestForm(formdata=None) if blank else GuestForm()
    choices = [(pid, name) for pid, name in loaded.pokja.items() if can_see_pokja(pid)]
    if current_user.sees_all_pokja:
        choices = [("", "— tamu dinas/umum —"), *choices]
    form.pokja_id.choices = choices
    return form


def _page_context(loaded: queries.LoadedMeeting, **extra) -> dict:
    """Everything the meeting page renders, in a fixed number of queries."""
    meeting = loaded.meeting
    totals = queries.totals(meeting.id, meeting.date)
    context = {
        "loaded": loaded,
        "meeting": meeting,
        "totals": totals,
        "guests": queries.guests(meeting.id),
        "may_manage": rules.may_manage(current_user, loaded.pokja_ids),
        "may_reopen": current_user.role in rules.STAFF_ROLES,
        "statuses": vocab.ATTENDANCE_STATUSES,
        **_roll_context(loaded, _roll_filters(loaded), totals),
    }
    context["guest_form"] = extra.pop("guest_form", None) or _guest_form(loaded)
    context.update(extra)
    return context


def _require_manage(loaded: queries.LoadedMeeting) -> None:
    """403 unless the user may manage this meeting (see rules.may_manage)."""
    if not rules.may_manage(current_user, loaded.pokja_ids):
        abort(403)


def _locked_redirect(meeting_id: int):
    """Tell a user that a finished meeting is closed, back on its page."""
    flash(
        "Rapat sudah selesai dan dikunci. "
        "Hubungi staf dinas bila perlu dibuka kembali.",
        "warning",
    )
    return redirect(url_for("meetings.detail", meeting_id=meeting_id), 303)


# --- meetings ---------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    """List the meetings the user may see, newest first, with filters."""
    filters = {
        "q": _query_text("q"),
        "jenis": request.args.get("jenis", ""),
        "status": request.args.get("status", ""),
        "pokja": _query_int("pokja"),
        "dari": _query_date("dari"),
        "sampai": _query_date("sampai"),
    }
    stmt = select(Meeting).order_by(Meeting.date.desc(), Meeting.id.desc())
    if filters["q"]:
        stmt = stmt.where(Meeting.title.icontains(filters["q"], autoescape=True))
    if filters["jenis"] in vocab.MEETING_KINDS:
        stmt = stmt.where(Meeting.kind == filters["jenis"])
    if filters["status"] in vocab.MEETING_STATUSES:
        stmt = stmt.where(Meeting.status == filters["status"])
    if filters["pokja"]:
        stmt = stmt.where(queries.meeting_in_pokja(filters["pokja"]))
    if filters["dari"]:
        stmt = stmt.where(Meeting.date >= filters["dari"])
    if filters["sampai"]:
        stmt = stmt.where(Meeting.date <= filters["sampai"])
    page = paginate(queries.visible_meetings(stmt))
    ids = [m.id for m in page.items]
    invited: dict[int, list[str]] = {}
    if ids:
        rows = db.session.execute(
            select(MeetingPokja.meeting_id, Pokja.display_name)
            .join(Pokja, Pokja.id == MeetingPokja.pokja_id)
            .where(MeetingPokja.meeting_id.in_(ids))
            .order_by(Pokja.display_name)
        )
        for meeting_id, name in rows:
            invited.setdefault(meeting_id, []).append(name)
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
        pokja_options=queries.pokja_choices(current_user)
        if current_user.sees_all_pokja and not wants_partial()
        else [],
        may_create=current_user.role in rules.ORGANISER_ROLES,
        today=today_wib(),
    )


def _meeting_form(loaded: queries.LoadedMeeting | None = None) -> MeetingForm:
    """The meeting form with the Pokja and organisers this user may choose."""
    form = MeetingForm(obj=loaded.meeting if loaded else None)
    pokja, organisers = queries.form_choices(current_user)
    if loaded is not None:
        # What the meeting already has stays a valid choice, even if the Pokja
        # is now inactive or the organiser is outside this user's Pokja.
        known = {pid for pid, _ in pokja}
        pokja += [(p, name) for p, name in loaded.pokja.items() if p not in known]
        organiser_id = loaded.meeting.organiser_id
        if organiser_id and organiser_id not in {uid for uid, _ in organisers}:
            organisers.append((organiser_id, loaded.organiser_name))
    form.pokja_ids.choices = pokja
    form.organiser_id.choices = [("", "— belum ditentukan —"), *organisers]
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*rules.ORGANISER_ROLES)
def new():
    """Plan a meeting and invite one or several Pokja."""
    form = _meeting_form()
    if request.method == "GET":
        form.date.data = today_wib()
        form.organiser_id.data = current_user.id
        if len(form.pokja_ids.choices) == 1:
            form.pokja_ids.data = [form.pokja_ids.choices[0][0]]
    if form.validate_on_submit():
        meeting = Meeting(created_by_id=current_user.id, status=vocab.SCHEDULED)
        _fill_meeting(meeting, form)
        db.session.add(meeting)
        db.session.flush()
        pokja_ids = sorted(set(form.pokja_ids.data))
        db.session.execute(
            insert(MeetingPokja),
            [{"meeting_id": meeting.id, "pokja_id": pid} for pid in pokja_ids],
        )
        record(
            "meeting.create",
            meeting,
            after={**meeting.audit_dict(), "pokja_ids": pokja_ids},
        )
        db.session.commit()
        flash(
            "Rapat dibuat. Bagikan undangannya atau mulai mencatat kehadiran.",
            "success",
        )
        return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)
    return render_template("meetings/form.html", form=form, meeting=None)


def _fill_meeting(meeting: Meeting, form: MeetingForm) -> None:
    """Copy the form onto the meeting."""
    meeting.kind = form.kind.data
    meeting.title = form.title.data
    meeting.date = form.date.data
    meeting.start_time = form.start_time.data
    meeting.place = form.place.data
    meeting.agenda = form.agenda.data or None
    meeting.organiser_id = form.organiser_id.data


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
            **_roll_context(
                loaded,
                _roll_filters(loaded),
                queries.totals(meeting.id, meeting.date),
            ),
        }
    else:
        context = _page_context(loaded)
    return render("meetings/detail.html", "meetings/_roll.html", **context)


@bp.route(f"{MEETING}/edit", methods=["GET", "POST"])
@role_required(*rules.ORGANISER_ROLES)
def edit(meeting_id: int):
    """Change a meeting's details and invited Pokja."""
    loaded = queries.load_meeting(meeting_id, with_marks=True)
    _require_manage(loaded)
    meeting = loaded.meeting
    if rules.is_locked(meeting.status, current_user):
        return _locked_redirect(meeting.id)
    form = _meeting_form(loaded)
    if request.method == "GET":
        form.pokja_ids.data = loaded.pokja_ids
    if form.validate_on_submit():
        old, new_ids = set(loaded.pokja_ids), set(form.pokja_ids.data)
        removed, added = old - new_ids, new_ids - old
        if blocked := removed & loaded.marked_pokja:
            names = ", ".join(loaded.pokja[p] for p in sorted(blocked))
            form.pokja_ids.errors.append(
                f"Pokja {names} sudah memiliki catatan kehadiran, jadi tidak dapat "
                "dihapus dari undangan."
            )
        else:
            before = {**meeting.audit_dict(), "pokja_ids": sorted(old)}
            _fill_meeting(meeting, form)
            if removed:
                db.session.execute(
                    delete(MeetingPokja).where(
                        MeetingPokja.meeting_id == meeting.id,
                        MeetingPokja.pokja_id.in_(removed),
                    )
                )
            if added:
                db.session.execute(
                    insert(MeetingPokja),
                    [{"meeting_id": meeting.id, "pokja_id": p} for p in sorted(added)],
                )
            after = {**meeting.audit_dict(), "pokja_ids": sorted(new_ids)}
            if after != before:
                record("meeting.update", meeting, before=before, after=after)
                db.session.commit()
                flash("Perubahan rapat disimpan.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)
    return render_template("meetings/form.html", form=form, meeting=meeting)


@bp.route(f"{MEETING}/minutes", methods=["GET", "POST"])
@role_required(*rules.ORGANISER_ROLES)
def minutes(meeting_id: int):
    """Write the notulen and follow-up items (also after the meeting ended)."""
    loaded = queries.load_meeting(meeting_id)
    _require_manage(loaded)
    meeting = loaded.meeting
    form = MinutesForm(obj=meeting)
    if form.validate_on_submit():
        before = {"minutes": meeting.minutes, "follow_ups": meeting.follow_ups}
        meeting.minutes = form.minutes.data or None
        meeting.follow_ups = form.follow_ups.data or None
        after = {"minutes": meeting.minutes, "follow_ups": meeting.follow_ups}
        if after != before:
            record("meeting.minutes", meeting, before=before, after=after)
            db.session.commit()
            flash("Notulen dan tindak lanjut disimpan.", "success")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)
    return render_template(
        "meetings/minutes.html", form=form, loaded=loaded, meeting=meeting
    )


@bp.post(f"{MEETING}/status")
@role_required(*rules.ORGANISER_ROLES)
def set_status(meeting_id: int):
    """Start, finish or (staff only) reopen a meeting."""
    loaded = queries.load_meeting(meeting_id)
    _require_manage(loaded)
    meeting = loaded.meeting
    form = Form()
    new_status = request.form.get("status", "")
    if not form.validate_on_submit():
        abort(400)
    if problem := rules.transition_problem(meeting.status, new_status, current_user):
        flash(problem, "error")
    elif new_status != meeting.status:
        before = {"status": meeting.status}
        action = (
            "meeting.reopen" if meeting.status == vocab.FINISHED else "meeting.status"
        )
        meeting.status = new_status
        record(action, meeting, before=before, after={"status": new_status})
        db.session.commit()
        messages = {
            vocab.ONGOING: "Rapat berlangsung. Silakan catat kehadiran.",
            vocab.FINISHED: "Rapat selesai. Daftar hadir dikunci untuk pengguna Pokja.",
            vocab.SCHEDULED: "Rapat dikembalikan ke status dijadwalkan.",
        }
        if action == "meeting.reopen":
            flash("Rapat dibuka kembali; kehadiran dapat diubah lagi.", "success")
        else:
            flash(messages[new_status], "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)


@bp.post(f"{MEETING}/delete")
@role_required(*rules.ORGANISER_ROLES)
def delete_meeting(meeting_id: int):
    """Delete a meeting created by mistake, while nobody is recorded in it."""
    loaded = queries.load_meeting(meeting_id)
    _require_manage(loaded)
    meeting = loaded.meeting
    if rules.is_locked(meeting.status, current_user):
        return _locked_redirect(meeting.id)
    used = db.session.scalar(
        select(
            or_(
                exists().where(Attendance.meeting_id == meeting.id),
                exists().where(MeetingGuest.meeting_id == meeting.id),
            )
        )
    )
    if used:
        flash(
            "Rapat ini sudah memiliki catatan kehadiran atau tamu, jadi tidak dapat "
            "dihapus. Ubah statusnya atau perbaiki datanya.",
            "error",
        )
        return redirect(url_for("meetings.detail", meeting_id=meeting.id), 303)
    before = {**meeting.audit_dict(), "pokja_ids": loaded.pokja_ids}
    db.session.execute(
        delete(MeetingPokja).where(MeetingPokja.meeting_id == meeting.id)
    )
    record("meeting.delete", meeting, before=before)
    db.session.delete(meeting)
    db.session.commit()
    flash(f"Rapat “{meeting.title}” dihapus.", "success")
    return redirect(url_for("meetings.index"), 303)


# --- roll call ----------------------------------------------------------------


@bp.post(f"{MEETING}/attendance/<{ID}:member_id>")
@role_required(*rules.ORGANISER_ROLES)
def mark(meeting_id: int, member_id: int):
    """One tap: set a person's status. htmx gets the row and the totals back."""
    status = request.form.get("status", "")
    if status not in vocab.ATTENDANCE_STATUSES:
        abort(400)
    ctx = queries.mark_context(meeting_id, member_id)
    if ctx is None:
        abort(404)
    totals = queries.Totals.from_row(ctx)
    locked = rules.is_locked(ctx.meeting_status, current_user)
    current = ctx.status
    if not locked:
        result = mark_attendance(
            meeting_id=meeting_id,
            member_id=member_id,
            pokja_id=ctx.pokja_id,
            status=status,
            user_id=current_user.id,
        )
        if result.changed:
            record(
                "attendance.mark",
                entity_type="attendance",
                entity_id=result.id,
                before={"status": result.previous},
                after={
                    "status": status,
                    "meeting_id": meeting_id,
                    "member_id": member_id,
                },
                note=ctx.name,
            )
            totals = totals.moved(result.previous, status)
        current = status
    body = None
    if is_htmx():
        # Rendered before the commit, which would expire the loaded user and
        # cost the shared template context one more query.
        body = render_template(
            "meetings/_mark.html",
            meeting_id=meeting_id,
            row=ctx,
            status=current,
            totals=totals,
            statuses=vocab.ATTENDANCE_STATUSES,
            can_mark=True,
            locked=locked,
            back={},
        )
    db.session.commit()
    if body is not None:
        return body
    if locked:
        return _locked_redirect(meeting_id)
    flash(f"{ctx.name}: {vocab.ATTENDANCE_STATUSES[status]}.", "success")
    back = {"q": _query_text("q") or None, "pokja": _query_int("pokja")}
    return redirect(
        url_for(
            "meetings.detail",
            meeting_id=meeting_id,
            _anchor=f"m-{member_id}",
            **back,
        ),
        303,
    )


@bp.post(f"{MEETING}/guests")
@role_required(*rules.ORGANISER_ROLES)
def add_guest(meeting_id: int):
    """Add a walk-in guest on the spot."""
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    if rules.is_locked(meeting.status, current_user):
        return _locked_redirect(meeting.id)
    form = _guest_form(loaded)
    if (
        not current_user.sees_all_pokja
        and form.pokja_id.choices
        and not form.pokja_id.data
    ):
        form.pokja_id.data = form.pokja_id.choices[0][0]
    if form.validate_on_submit():
        guest = MeetingGuest(
            meeting_id=meeting.id,
            name=form.name.data,
            sex=form.sex.data,
            affiliation=form.affiliation.data or None,
            pokja_id=form.pokja_id.data,
            created_by_id=current_user.id,
        )
        db.session.add(guest)
        db.session.flush()
        record("meeting.guest_add", guest, after=guest.audit_dict())
        if not is_htmx():
            db.session.commit()
            flash(f"Tamu {guest.name} dicatat hadir.", "success")
            return redirect(
                url_for("meetings.detail", meeting_id=meeting.id, _anchor="tamu"), 303
            )
        db.session.flush()
        body = _guests_fragment(loaded, _guest_form(loaded, blank=True))
        db.session.commit()  # after rendering: see mark()
        return body
    if is_htmx():
        return _guests_fragment(loaded, form)
    return render_template(
        "meetings/detail.html", **_page_context(loaded, guest_form=form)
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


@bp.post(f"{MEETING}/guests/<{ID}:guest_id>/delete")
@role_required(*rules.ORGANISER_ROLES)
def remove_guest(meeting_id: int, guest_id: int):
    """Remove a guest recorded by mistake."""
    row = db.session.execute(
        scoped(
            select(MeetingGuest, Meeting.status, Meeting.date)
            .join(Meeting, Meeting.id == MeetingGuest.meeting_id)
            .where(MeetingGuest.id == guest_id, MeetingGuest.meeting_id == meeting_id),
            MeetingGuest.pokja_id,
        )
    ).first()
    if row is None:
        abort(404)
    guest, meeting_status, meeting_date = row
    if rules.is_locked(meeting_status, current_user):
        return _locked_redirect(meeting_id)
    record("meeting.guest_remove", guest, before=guest.audit_dict())
    db.session.delete(guest)
    if is_htmx():
        db.session.flush()
        body = render_template(
            "meetings/_totals.html",
            totals=queries.totals(meeting_id, meeting_date),
            statuses=vocab.ATTENDANCE_STATUSES,
            oob=True,
        )
        db.session.commit()  # after rendering: see mark()
        return body
    db.session.commit()
    flash(f"Tamu {guest.name} dihapus dari daftar.", "success")
    return redirect(
        url_for("meetings.detail", meeting_id=meeting_id, _anchor="tamu"), 303
    )


# --- documents: invitation, daftar hadir, recap, export ------------------------


@bp.get(f"{MEETING}/invitation")
@login_required
def invitation(meeting_id: int):
    """The invitation text to copy, and a link that opens it in WhatsApp."""
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    text = rules.invitation_text(
        kind_label=meeting.kind_label,
        title=meeting.title,
        date=meeting.date,
        start_time=meeting.start_time,
        place=meeting.place,
        agenda=meeting.agenda,
        pokja_names=list(loaded.pokja.values()),
    )
    return render_template(
        "meetings/invitation.html",
        loaded=loaded,
        meeting=meeting,
        text=text,
        whatsapp=rules.whatsapp_link(text),
    )


@bp.get(f"{MEETING}/sign-sheet")
@login_required
def sign_sheet(meeting_id: int):
    """The paper daftar hadir for A4: blank before the meeting, filled after."""
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    variant = request.args.get("varian", "kosong")
    if variant not in ("kosong", "hasil"):
        variant = "kosong"
    # ?pokja= prints one Pokja's sheet of a many-Pokja meeting.
    pokja_id = _roll_filters(loaded)["pokja"]
    rows = queries.roster(meeting.id, meeting.date, "", pokja_id)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.pokja_name, []).append(row)
    guests = queries.guests(meeting.id, pokja_id) if variant == "hasil" else []
    blank_rows = max(10, 20 - len(rows) - len(guests)) if rows else 25
    return render_template(
        "meetings/sign_sheet.html",
        loaded=loaded,
        meeting=meeting,
        variant=variant,
        groups=groups,
        guests=guests,
        blank_rows=blank_rows,
        statuses=vocab.ATTENDANCE_STATUSES,
        pokja_names=[loaded.pokja[pokja_id]]
        if pokja_id
        else list(loaded.pokja.values()),
        back={"pokja": pokja_id} if pokja_id else {},
    )


@bp.get(f"{MEETING}/summary")
@login_required
def summary(meeting_id: int):
    """Counts by status, sex and Pokja, and the attendance rate."""
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    marks, guests = queries.summary(meeting.id, meeting.date)
    return render_template(
        "meetings/summary.html",
        loaded=loaded,
        meeting=meeting,
        recap=recap.build(marks, guests),
        statuses=vocab.ATTENDANCE_STATUSES,
    )


@bp.get(f"{MEETING}/export.<fmt>")
@login_required
def export(meeting_id: int, fmt: str):
    """Download the attendance list as CSV or XLSX (audited)."""
    if fmt not in MIMETYPES:
        abort(404)
    loaded = queries.load_meeting(meeting_id)
    meeting = loaded.meeting
    roster = queries.roster(meeting.id, meeting.date)
    guests = queries.guests(meeting.id)
    rows = exports.attendance_rows(roster, guests, _seksi())
    if fmt == "csv":
        body = exports.to_csv(rows)
    else:
        body = exports.to_xlsx(
            meeting,
            list(loaded.pokja.values()),
            rows,
            recap.from_loaded(roster, guests),
        )
    filename = f"daftar-hadir-{meeting.date:%Y-%m-%d}-{meeting.id}.{fmt}"
    record_read("meeting.export", meeting, note=f"{fmt}, {len(rows)} baris")
    return download(body, fmt, filename)


# --- members ------------------------------------------------------------------


@bp.get("/members/")
@login_required
def members():
    """The member registry of the Pokja the user may see."""
    filters = {
        "q": _query_text("q"),
        "pokja": _query_int("pokja"),
        "status": request.args.get("status", "aktif"),
    }
    stmt = (
        select(Member)
        .join(Pokja, Pokja.id == Member.pokja_id)
        .options(contains_eager(Member.pokja))
        .order_by(Pokja.display_name, Member.name, Member.id)
    )
    if filters["q"]:
        stmt = stmt.where(Member.name.icontains(filters["q"], autoescape=True))
    if filters["pokja"]:
        stmt = stmt.where(Member.pokja_id == filters["pokja"])
    if filters["status"] == "aktif":
        stmt = stmt.where(Member.is_active.is_(True))
    elif filters["status"] == "nonaktif":
        stmt = stmt.where(Member.is_active.is_(False))
    else:
        filters["status"] = "semua"
    page = paginate(scoped(stmt, Member.pokja_id))
    return render(
        "meetings/members.html",
        "meetings/_members.html",
        page=page,
        filters=filters,
        args={k: v for k, v in filters.items() if v},
        # The filter form (and its Pokja options) is only in the full page.
        pokja_options=queries.pokja_choices(current_user)
        if current_user.sees_all_pokja and not wants_partial()
        else [],
        may_edit=current_user.role in rules.MEMBER_EDITOR_ROLES,
    )


def _member_form(member: Member | None = None) -> MemberForm:
    """The member form with the Pokja this user may choose and the seksi list."""
    form = MemberForm(obj=member)
    form.pokja_id.choices = queries.pokja_choices(current_user)
    form.seksi.choices = [("", "— tidak ada —"), *_seksi().items()]
    if member is not None and member.seksi and member.seksi not in _seksi():
        form.seksi.choices.append((member.seksi, member.seksi))
    return form


def _fill_member(member: Member, form: MemberForm) -> None:
    """Copy the form onto the member; leaving without an end date ends today."""
    member.name = form.name.data
    member.sex = form.sex.data
    member.jabatan = form.jabatan.data
    member.seksi = form.seksi.data or None
    member.unsur = form.unsur.data
    member.phone = form.phone.data or None
    member.active_from = form.active_from.data
    member.active_until = form.active_until.data
    member.is_active = form.is_active.data
    if not member.is_active and member.active_until is None:
        member.active_until = today_wib()


@bp.route("/members/new", methods=["GET", "POST"])
@role_required(*rules.MEMBER_EDITOR_ROLES)
def member_new():
    """Register a member of a Pokja."""
    form = _member_form()
    if request.method == "GET" and len(form.pokja_id.choices) == 1:
        form.pokja_id.data = form.pokja_id.choices[0][0]
    if form.validate_on_submit():
        member = Member(pokja_id=form.pokja_id.data)
        _fill_member(member, form)
        db.session.add(member)
        db.session.flush()
        record("member.create", member, after=member.audit_dict())
        db.session.commit()
        flash(f"{member.name} ditambahkan.", "success")
        if request.form.get("lagi"):
            return redirect(url_for("meetings.member_new"), 303)
        return redirect(url_for("meetings.members", pokja=member.pokja_id), 303)
    return render_template("meetings/member_form.html", form=form, member=None)


@bp.route(f"{MEMBER}/edit", methods=["GET", "POST"])
@role_required(*rules.MEMBER_EDITOR_ROLES)
def member_edit(member_id: int):
    """Correct a member's data, or record that they left."""
    member = get_scoped_or_404(
        select(Member).where(Member.id == member_id), Member.pokja_id
    )
    form = _member_form(member)
    if form.validate_on_submit():
        moved = form.pokja_id.data != member.pokja_id
        if moved and db.session.scalar(
            select(exists().where(Attendance.member_id == member.id))
        ):
            form.pokja_id.errors.append(
                "Anggota ini sudah tercatat di rapat, jadi Pokja-nya tidak dapat "
                "diubah. Nonaktifkan lalu daftarkan di Pokja baru."
            )
        else:
            before = member.audit_dict()
            member.pokja_id = form.pokja_id.data
            _fill_member(member, form)
            if member.audit_dict() != before:
                record(
                    "member.update", member, before=before, after=member.audit_dict()
                )
                db.session.commit()
                flash(f"Data {member.name} disimpan.", "success")
            return redirect(url_for("meetings.member_detail", member_id=member.id), 303)
    return render_template("meetings/member_form.html", form=form, member=member)


@bp.get(MEMBER)
@login_required
def member_detail(member_id: int):
    """A member's data and attendance history."""
    row = db.session.execute(
        scoped(
            select(Member, Pokja.display_name)
            .join(Pokja, Pokja.id == Member.pokja_id)
            .where(Member.id == member_id),
            Member.pokja_id,
        )
    ).first()
    if row is None:
        abort(404)
    member, pokja_name = row
    page = paginate(queries.member_history(member.id))
    marks = queries.member_statuses(member.id, [m.id for m in page.items])
    counts = queries.member_history_counts(member.id)
    total = sum(counts.values())
    return render(
        "meetings/member_detail.html",
        "meetings/_history.html",
        member=member,
        pokja_name=pokja_name,
        page=page,
        marks=marks,
        counts=counts,
        total=total,
        rate_text=rules.percent_text(
            rules.attendance_rate(counts.get(vocab.PRESENT, 0), total)
        ),
        seksi=_seksi(),
        statuses=vocab.ATTENDANCE_STATUSES,
        may_edit=current_user.role in rules.MEMBER_EDITOR_ROLES,
    )


# --- member import -------------------------------------------------------------


def _import_folder() -> Path:
    """Where previews wait for confirmation (instance/uploads/member-imports)."""
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "member-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _import_file(token: str) -> Path | None:
    """The stored preview for a token, if the token has the expected shape."""
    if (
        not token
        or len(token) > 64
        or not token.replace("-", "").replace("_", "").isalnum()
    ):
        return None
    return _import_folder() / f"{token}.json"


def _sweep_imports() -> None:
    """Remove previews nobody confirmed within the hour."""
    limit = time.time() - IMPORT_MAX_AGE
    for path in _import_folder().glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _check_import(rows: list[dict], default_pokja_id: int | None) -> list:
    """Check rows against the Pokja the user may use and existing members."""
    pokja = db.session.execute(
        scoped(select(Pokja.id, Pokja.display_name, Pokja.official_name), Pokja.id)
    ).all()
    by_name = {}
    for pid, display, official in pokja:
        by_name[display.lower()] = pid
        by_name[official.lower()] = pid
    if default_pokja_id is not None and not can_see_pokja(default_pokja_id):
        default_pokja_id = None
    existing = {
        (pid, name.lower())
        for pid, name in db.session.execute(
            scoped(select(Member.pokja_id, Member.name), Member.pokja_id)
        )
    }
    return importer.check_rows(
        rows,
        pokja_by_name=by_name,
        default_pokja_id=default_pokja_id,
        seksi=_seksi(),
        existing=existing,
    )


@bp.route("/members/import", methods=["GET", "POST"])
@role_required(*rules.MEMBER_EDITOR_ROLES)
def member_import():
    """Upload a CSV/XLSX of members and preview it; nothing is saved yet."""
    form = ImportForm()
    form.pokja_id.choices = [
        ("", "— dari kolom Pokja di berkas —")
    ] + queries.pokja_choices(current_user)
    if not current_user.sees_all_pokja:
        form.pokja_id.choices = form.pokja_id.choices[1:]
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(IMPORT_MAX_BYTES + 1) if upload else b""
        if not upload or not upload.filename:
            form.file.errors.append("Pilih berkas CSV atau XLSX.")
        elif len(data) > IMPORT_MAX_BYTES:
            form.file.errors.append(
                "Berkas lebih dari 2 MB. Bagi menjadi beberapa berkas."
            )
        elif not data:
            form.file.errors.append("Berkas kosong.")
        else:
            try:
                filename = (clean_line(upload.filename) or "berkas")[:100]
                rows = importer.read_table(filename, data)
            except importer.ImportProblem as problem:
                form.file.errors.append(str(problem))
            else:
                default = form.pokja_id.data
                if not current_user.sees_all_pokja:
                    default = current_user.pokja_id
                checked = _check_import(rows, default)
                _sweep_imports()
                token = secrets.token_urlsafe(24)
                _import_file(token).write_text(
                    json.dumps(
                        {
                            "user_id": current_user.id,
                            "default_pokja_id": default,
                            "filename": filename,
                            "rows": rows,
                        }
                    ),
                    encoding="utf-8",
                )
                pokja_names = dict(queries.pokja_choices(current_user))
                return render_template(
                    "meetings/import_preview.html",
                    checked=checked,
                    ok=sum(1 for r in checked if r.ok),
                    confirm=ConfirmImportForm(formdata=None, token=token),
                    filename=filename,
                    pokja_names=pokja_names,
                    seksi=_seksi(),
                )
    return render_template("meetings/import.html", form=form)


@bp.post("/members/import/confirm")
@role_required(*rules.MEMBER_EDITOR_ROLES)
def member_import_confirm():
    """Save the valid rows of a previewed import."""
    form = ConfirmImportForm()
    path = _import_file(form.token.data or "") if form.validate_on_submit() else None
    stored = None
    if (
        path is not None
        and path.exists()
        and time.time() - path.stat().st_mtime < IMPORT_MAX_AGE
    ):
        stored = json.loads(path.read_text(encoding="utf-8"))
    if stored is None or stored.get("user_id") != current_user.id:
        flash(
            "Pratinjau impor tidak ditemukan atau kedaluwarsa. Unggah berkas lagi.",
            "error",
        )
        return redirect(url_for("meetings.member_import"), 303)
    checked = _check_import(stored["rows"], stored["default_pokja_id"])
    valid = [row.values for row in checked if row.ok]
    if valid:
        db.session.execute(insert(Member), [{**v, "is_active": True} for v in valid])
        record(
            "member.import",
            entity_type="member",
            after={
                "count": len(valid),
                "pokja_ids": sorted({v["pokja_id"] for v in valid}),
                "names": [v["name"] for v in valid][:200],
            },
            note=stored.get("filename"),
        )
        db.session.commit()
    path.unlink(missing_ok=True)
    skipped = len(checked) - len(valid)
    message = f"{len(valid)} anggota disimpan."
    if skipped:
        message += f" {skipped} baris dilewati karena bermasalah."
    flash(message, "success" if valid else "warning")
    pokja_ids = {v["pokja_id"] for v in valid}
    target = {"pokja": pokja_ids.pop()} if len(pokja_ids) == 1 else {}
    return redirect(url_for("meetings.members", **target), 303)


@bp.get("/members/import/template.csv")
@login_required
def member_import_template():
    """An example file to fill in."""
    return download("\ufeff" + importer.template_csv(), "csv", "contoh-anggota.csv")
