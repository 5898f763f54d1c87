"""The mapping pages (admin): where each kkbweb value lands on the portal."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from kkbweb import reference
from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.htmx import render_refused
from kkbweb.kie.vocab import DEFAULT_TERMS
from kkbweb.meetings import vocab as meeting_vocab
from kkbweb.poktan import vocab as poktan_vocab
from kkbweb.portal import mapping, queries, rules, service
from kkbweb.portal.forms import MappingForm
from kkbweb.portal.mapping import VOCABS, Target
from kkbweb.portal.vocab import SERVICE_SASARAN
from kkbweb.units import vocab as units_vocab

bp = Blueprint("mappings", __name__, url_prefix="/pemetaan")

KIE_KINDS = {
    "kie_kategori": "kategori",
    "kie_audience": "audience",
    "kie_mitra": "mitra",
}


def values() -> dict[str, list[tuple[str, str]]]:
    """vocab -> (code, label) of every kkbweb value that maps onto the portal."""
    found: dict[str, list[tuple[str, str]]] = {key: [] for key in VOCABS}
    by_kind = {kind: key for key, kind in KIE_KINDS.items()}
    for kind, code, label in queries.kie_terms(tuple(KIE_KINDS.values())):
        found[by_kind[kind]].append((code, label))
    for key, kind in KIE_KINDS.items():
        if not found[key]:  # vocabularies not seeded yet: the starting terms
            found[key] = list(DEFAULT_TERMS[kind])
    kinds = list(meeting_vocab.MEETING_KINDS.items())
    found["meeting_kind_kategori"] = kinds
    found["meeting_kind_sasaran"] = kinds
    found["member_unsur"] = list(meeting_vocab.UNSUR.items())
    for key in ("poktan_kategori", "poktan_sasaran", "poktan_instansi"):
        found[key] = list(poktan_vocab.KINDS.items())
    for key in ("unit_kategori", "unit_instansi"):
        found[key] = list(units_vocab.KINDS.items())
    found["unit_sasaran"] = [
        (column, units_vocab.COUNT_LABELS[column])
        for columns in SERVICE_SASARAN.values()
        for column in columns
    ]
    found["pokja_seksi"] = list(meeting_vocab.seksi_choices(current_app.config).items())
    return found


@bp.get("/")
@role_required(*rules.MAPPING_ROLES)
def index():
    """Every kkbweb value and the portal value it lands on."""
    overrides = queries.overrides()
    sections = []
    for key, items in values().items():
        vocab_def = VOCABS[key]
        rows = []
        for code, label in items:
            target = mapping.resolve(key, code, label, overrides)
            rows.append(
                (
                    code,
                    label,
                    mapping.text_of(vocab_def.target, target),
                    (key, code) in overrides,
                )
            )
        sections.append((vocab_def, rows))
    return render_template("portal/mapping.html", sections=sections)


@bp.route("/<vocab_key>/<code>", methods=["GET", "POST"])
@role_required(*rules.MAPPING_ROLES)
def edit(vocab_key: str, code: str):
    """Correct where one value lands (or put it back to the default)."""
    if vocab_key not in VOCABS:
        abort(404)
    label = dict(values()[vocab_key]).get(code)
    if label is None:
        abort(404)
    vocab_def = VOCABS[vocab_key]
    overrides = queries.overrides()
    current = mapping.resolve(vocab_key, code, label, overrides)
    default = mapping.default_target(vocab_key, code, label)
    form = MappingForm()
    form.portal_id.choices = [
        (0, f"Bawaan: {mapping.text_of(vocab_def.target, default)}")
    ] + [(i.id, f"{i.id}. {i.name}") for i in reference.LISTS[vocab_def.target]()]
    if not form.is_submitted():
        if (vocab_key, code) in overrides:
            form.portal_id.data = current.portal_id
            form.lainnya.data = current.lainnya
        else:
            form.portal_id.data = 0
    elif form.validate():
        target = None
        if form.portal_id.data:
            problem = mapping.problem(vocab_key, form.portal_id.data, form.lainnya.data)
            if problem:
                form.lainnya.errors.append(problem)
            target = Target(form.portal_id.data, form.lainnya.data or None)
        if not form.lainnya.errors:
            if service.save_mapping(vocab_key, code, target, current, current_user):
                db.session.commit()
                flash(f"Pemetaan \u201c{label}\u201d disimpan.", "success")
            return redirect(url_for("portal.mappings.index"), 303)
    context = {
        "form": form,
        "vocab": vocab_def,
        "code": code,
        "label": label,
        "current": mapping.text_of(vocab_def.target, current),
    }
    if form.is_submitted():
        return render_refused(
            "portal/mapping_edit.html", "portal/mapping_edit.html", **context
        )
    return render_template("portal/mapping_edit.html", **context)
