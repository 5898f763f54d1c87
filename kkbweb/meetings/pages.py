"""What the meeting pages share: query-string readers, the roll call's and the
meeting page's context, the walk-in form, the locked-meeting answer.

One floor below the views (views.py, roll_call.py, documents.py import it, it
imports none of them).
"""

from flask import abort, current_app, flash, redirect, url_for
from flask_login import current_user

from kkbweb.access import can_see_pokja
from kkbweb.meetings import evidence_queries, queries, rules, vocab
from kkbweb.meetings.forms import GuestForm
from kkbweb.requests import query_int, query_text

# True for everyone it is shown to: who may reopen is rules.may_reopen.
LOCKED_MESSAGE = (
    "Rapat sudah selesai dan dikunci. Penyelenggara rapat atau staf dinas "
    "dapat membukanya kembali."
)
ROLL_LIMIT = 80  # people listed at once; larger rosters go one Pokja at a time


def seksi() -> dict[str, str]:
    """The configured seksi list (MEETINGS_SEKSI) or the 8 fungsi keluarga."""
    return vocab.seksi_choices(current_app.config)


def roll_filters(loaded: queries.LoadedMeeting) -> dict:
    """The roll call's filters from the query string: name and one invited Pokja."""
    pokja_id = query_int("pokja")
    return {
        "q": query_text("q") or None,
        "pokja": pokja_id if pokja_id in loaded.pokja else None,
    }


def roll_context(
    loaded: queries.LoadedMeeting, filters: dict, totals: queries.Totals
) -> dict:
    """What the roll call templates need: rows grouped by Pokja and permissions.

    A roster longer than ROLL_LIMIT (a department meeting of many Pokja) is not
    listed whole: the page offers one Pokja at a time, or a name search.
    """
    meeting = loaded.meeting
    visible = [(pid, name) for pid, name in loaded.pokja.items() if can_see_pokja(pid)]
    groups: dict[str, list] = {}
    picker, externals = [], []
    if (
        totals.roster > ROLL_LIMIT
        and len(visible) > 1
        and not filters["q"]
        and not filters["pokja"]
    ):
        picker = queries.roster_by_pokja(meeting.id, meeting.date)
    else:
        # A name search also finds the invited Pokja's members who were not
        # invited, to add them as they arrive ("hadir, tidak diundang").
        rows = queries.roster(
            meeting.id,
            meeting.date,
            filters["q"] or "",
            filters["pokja"],
            with_addable=bool(filters["q"]),
        )
        for row in rows:
            if row.kind == queries.OUTSIDER:
                externals.append(row)
            else:
                groups.setdefault(row.pokja_name, []).append(row)
    return {
        "groups": groups,
        "picker": picker,
        "externals": externals,
        "has_delegates": vocab.DELEGATES in loaded.modes.values(),
        "filters": filters,
        "back": {k: v for k, v in filters.items() if v},
        "roll_pokja": visible if len(visible) > 1 else [],
        # The Pokja chosen in a many-Pokja roll call: its own print link.
        "print_pokja": loaded.pokja.get(filters["pokja"]) if len(visible) > 1 else None,
        "can_mark": current_user.role in rules.ORGANISER_ROLES,
        "locked": rules.is_locked(meeting.status, current_user, loaded.pokja_ids),
    }


def guest_form(loaded: queries.LoadedMeeting, blank: bool = False) -> GuestForm:
    """The walk-in form; Pokja-scoped users add guests of their own Pokja."""
    form = GuestForm(formdata=None) if blank else GuestForm()
    choices = [(pid, name) for pid, name in loaded.pokja.items() if can_see_pokja(pid)]
    if current_user.sees_all_pokja:
        choices = [("", "— tamu dinas/umum —"), *choices]
    form.pokja_id.choices = choices
    return form


def page_context(loaded: queries.LoadedMeeting, **extra) -> dict:
    """Everything the meeting page renders, in a fixed number of queries."""
    meeting = loaded.meeting
    totals = queries.totals(meeting.id, meeting.date)
    context = {
        "loaded": loaded,
        "meeting": meeting,
        "totals": totals,
        "guests": queries.guests(meeting.id),
        "evidence": evidence_queries.of_meeting(meeting.id),
        "may_manage": rules.may_manage(current_user, loaded.pokja_ids),
        "may_reopen": rules.may_reopen(current_user, loaded.pokja_ids),
        "statuses": vocab.ATTENDANCE_STATUSES,
        **roll_context(loaded, roll_filters(loaded), totals),
    }
    context["guest_form"] = extra.pop("guest_form", None) or guest_form(loaded)
    context.update(extra)
    return context


def require_manage(loaded: queries.LoadedMeeting) -> None:
    """403 unless the user may manage this meeting (see rules.may_manage)."""
    if not rules.may_manage(current_user, loaded.pokja_ids):
        abort(403)


def locked_redirect(meeting_id: int):
    """Tell a user that a finished meeting is closed, back on its page."""
    flash(LOCKED_MESSAGE, "warning")
    return redirect(url_for("meetings.detail", meeting_id=meeting_id), 303)
