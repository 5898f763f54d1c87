"""Page-context builders and form setup shared by the poktan views."""

from pathlib import Path

from flask import current_app, render_template, request
from flask_login import current_user

from kkbweb.pokja.queries import pokja_choices
from kkbweb.poktan import ages, queries, rules, session_queries, vocab
from kkbweb.poktan.forms import FamilyForm, GuestForm, NewFamilyForm, PhotoForm
from kkbweb.poktan.models import PoktanMembership, PoktanSession
from kkbweb.timeutil import today_wib


def photo_folder() -> Path:
    """Where session photos live (UPLOAD_FOLDER/poktan)."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / "poktan"


def may_edit() -> bool:
    """The user keeps poktan (a Pokja user their own; scoping does the rest)."""
    return current_user.role in rules.EDITOR_ROLES


def _asked(*names: str) -> bool:
    """A form page to show, or a POST that chose one of these selects."""
    return request.method != "POST" or any(request.form.get(n) for n in names)


def setup_poktan_form(form, pokja_id: int | None, pokja_name: str | None = None):
    """Fill the Pokja select (fixed to `pokja_name` when editing) and the
    ketua/kader selects with that Pokja's members. A POST that picked no member
    needs no member list to be valid: one query less a save."""
    if pokja_name is not None:
        form.pokja_id.choices = [(pokja_id, pokja_name)]
    else:
        form.pokja_id.choices = pokja_choices(current_user)
    members = [("", "— tidak dipilih —")]
    if _asked("ketua_member_id", "kader_member_id"):
        members += queries.member_choices(pokja_id)
    form.ketua_member_id.choices = members
    form.kader_member_id.choices = members


def family_form(poktan, membership: PoktanMembership | None = None) -> FamilyForm:
    """The family form, with the Pokja's registered households to pick from."""
    if membership is None:
        form = NewFamilyForm()
        # The Pokja's households (scoped): what a POST may pick, what a page shows.
        form.household_id.choices = [("", "— keluarga baru —")]
        if _asked("household_id"):
            form.household_id.choices += queries.household_choices(poktan.pokja_id)
        return form
    home = membership.household
    form = FamilyForm(
        obj=membership,
        head_name=home.head_name,
        address=home.address,
        rt=home.rt,
        rw=home.rw,
        phone=home.phone,
    )
    # The household is fixed: its fields below correct it.
    form.household_id.choices = [(membership.household_id, home.head_name)]
    form.household_id.data = membership.household_id
    return form


def target_text(row, kind: str, on) -> str:
    """What the roll call and lists say about a family's target member."""
    if kind == vocab.UPPKA:
        return row.business or ""
    text = row.target_name or ""
    if kind == vocab.BKB and row.target_birth_date:
        return f"{text}, {ages.age_text(row.target_birth_date, on)}"
    return text


def session_context(session: PoktanSession, **extra) -> dict:
    """Everything the session page shows: details, roll call, walk-ins, photos."""
    rows = session_queries.roll(session)
    guests = session_queries.guests(session.id)
    can_mark = may_edit()
    return {
        "session": session,
        "poktan": session.poktan,
        "rows": rows,
        "guests": guests,
        "photos": session_queries.photos(session.id),
        "totals": session_queries.Totals.of_rows(rows, len(guests)),
        "can_mark": can_mark,
        "guest_form": extra.pop("guest_form", None)
        or (GuestForm() if can_mark else None),
        "photo_form": extra.pop("photo_form", None)
        or (PhotoForm() if can_mark else None),
        **extra,
    }


def render_session(session: PoktanSession, **extra):
    """The session page (its forms refused or fresh)."""
    return render_template("poktan/session.html", **session_context(session, **extra))


def today():
    """Today in WIB (for active memberships and ages)."""
    return today_wib()
