"""Context builders the units views share: form choices and the form checks.

One floor below the views (no import circles); reads go through queries.
"""

from kkbweb.pokja.queries import pokja_choices
from kkbweb.timeutil import today_wib
from kkbweb.units import queries, rules, vocab
from kkbweb.units.forms import SessionForm, UnitForm


def prepare_unit_form(form: UnitForm, user, editing: bool) -> None:
    """Department writers choose the Pokja of a new unit; nobody moves a unit."""
    if editing or not rules.chooses_pokja(user.role):
        del form.pokja_id
    else:
        form.pokja_id.choices = [("", "— pilih Pokja —"), *pokja_choices(user)]


def unit_values(form: UnitForm, user) -> dict:
    """The form's values for the unit's columns."""
    values = {
        "kind": form.kind.data,
        "name": form.name.data,
        "rw": form.rw.data or None,
        "is_active": bool(form.is_active.data),
    }
    if "pokja_id" in form:
        values["pokja_id"] = form.pokja_id.data
    return values


def check_unit(form: UnitForm, pokja_id: int | None, exclude_id=None) -> bool:
    """Refuse a second unit of the same kind and name in the Pokja."""
    if pokja_id is None or not form.name.data or form.kind.data not in vocab.KINDS:
        return True
    if queries.name_taken(pokja_id, form.kind.data, form.name.data, exclude_id):
        form.name.errors = [*form.name.errors, "Nama ini sudah dipakai di Pokja ini."]
        return False
    return True


def check_session(form: SessionForm, kind: str, unit_id: int, exclude_id=None) -> bool:
    """The date in range and free for this unit; counts consistent."""
    ok = True
    if form.date.data and not form.date.errors:
        problem = rules.date_problem(form.date.data, today_wib())
        if problem is None and queries.day_taken(unit_id, form.date.data, exclude_id):
            problem = "Sesi tanggal ini sudah dicatat; ubah sesi yang ada."
        if problem:
            form.date.errors = [*form.date.errors, problem]
            ok = False
    counts = form.counts()
    for column, message in rules.count_problems(kind, counts).items():
        if not form[column].errors:
            form[column].errors = [*form[column].errors, message]
            ok = False
    return ok


def session_values(form: SessionForm) -> dict:
    """The form's values for the session's columns."""
    return {"date": form.date.data, "note": form.note.data or None, **form.counts()}
