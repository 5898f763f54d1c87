"""The vocabularies the KIE form offers (/kie/istilah, admin): list, add, edit."""

from flask import Blueprint, flash, redirect, url_for

from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.formtokens import creates, redirect_once
from kkbweb.kie import pages, queries, rules, service
from kkbweb.kie.forms import TermEditForm, TermForm
from kkbweb.kie.models import KieTerm
from kkbweb.kie.vocab import KINDS, LINKED_KINDS

bp = Blueprint("terms", __name__, url_prefix="/istilah")


def _terms_page(form: TermForm, submitted: bool = False):
    """Every vocabulary with usage counts, and the form to add a term."""
    terms = queries.all_terms()
    grouped = {kind: [t for t in terms if t.kind == kind] for kind in KINDS}
    return pages.form_page(
        "kie/terms.html",
        submitted,
        grouped=grouped,
        usage=queries.term_usage(),
        kinds=KINDS,
        linked_kinds=LINKED_KINDS,
        form=form,
    )


@bp.get("")
@role_required(*rules.VOCABULARY_ROLES)
def index():
    """The vocabularies the KIE form offers."""
    return _terms_page(TermForm())


@bp.post("/baru")
@role_required(*rules.VOCABULARY_ROLES)
@creates
def new():
    """Add a term to a vocabulary."""
    form = TermForm()
    if form.validate_on_submit():
        kind, label = form.kind.data, form.label.data
        existing = queries.terms_of_kind(kind)
        if label.lower() in {row.label.lower() for row in existing}:
            form.label.errors.append("Nama ini sudah ada di daftar tersebut.")
        else:

            def make() -> str:
                service.create_term(kind, label, form.sort.data, existing)
                return url_for("kie.terms.index", _anchor=f"daftar-{kind}")

            return redirect_once(
                form, make, f"\u201c{label}\u201d ditambahkan ke {KINDS[kind]}."
            )
    return _terms_page(form, submitted=True)


@bp.route("/<int:term_id>", methods=["GET", "POST"])
@role_required(*rules.VOCABULARY_ROLES)
def edit(term_id: int):
    """Rename, reorder or deactivate a term (old entries keep it)."""
    term = db.get_or_404(KieTerm, term_id)
    form = TermEditForm(obj=term)
    if form.validate_on_submit():
        if queries.label_taken(term.kind, form.label.data, term.id):
            form.label.errors.append("Nama ini sudah ada di daftar tersebut.")
        else:
            kind = term.kind
            changed = service.update_term(
                term, form.label.data, form.sort.data, form.active.data
            )
            if changed:
                flash("Perubahan istilah disimpan.", "success")
            return redirect(url_for("kie.terms.index", _anchor=f"daftar-{kind}"), 303)
    return pages.form_page(
        "kie/term_form.html", form.is_submitted(), form=form, term=term, kinds=KINDS
    )
