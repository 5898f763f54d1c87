"""The checklists of papers per document type (/referrals/daftar-berkas), edited
by the admin; a new referral copies the active items of its type."""

from flask import Blueprint, flash, redirect, render_template, url_for

from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.formtokens import creates, redirect_once
from kkbweb.referrals import case_service, queries, routing, rules
from kkbweb.referrals.forms import ChecklistItemForm, NewChecklistItemForm
from kkbweb.referrals.models import ChecklistItem

bp = Blueprint("checklists", __name__, url_prefix="/daftar-berkas")


def _checklist_page(add_form, bound: ChecklistItemForm | None = None, bound_id=None):
    """Every checklist item with its own small form."""
    items = queries.checklist_items()
    forms = {}
    for item in items:
        if item.id == bound_id:
            forms[item.id] = bound
        else:
            forms[item.id] = ChecklistItemForm(
                formdata=None, obj=item, prefix=f"i{item.id}"
            )
            forms[item.id].condition.data = item.condition or ""
            del forms[item.id].doc_type
    groups = {code: [] for code in routing.DOC_TYPES}
    for item in items:
        groups.setdefault(item.doc_type, []).append(item)
    return render_template(
        "referrals/checklists.html",
        add_form=add_form,
        groups=groups,
        forms=forms,
        doc_types=routing.DOC_TYPES,
    )


@bp.route("", methods=["GET", "POST"])
@role_required(*rules.CHECKLIST_ROLES)
@creates
def index():
    """The admin's list of papers per document type; POST adds one."""
    add_form = NewChecklistItemForm(prefix="baru")
    if add_form.validate_on_submit():

        def make() -> str:
            item = case_service.create_checklist_item(
                add_form.doc_type.data,
                add_form.label.data,
                add_form.sort.data,
                add_form.active.data,
                add_form.condition.data,
            )
            return url_for("referrals.checklists.index", _anchor=item.doc_type)

        return redirect_once(add_form, make, "Berkas ditambahkan ke daftar.")
    return _checklist_page(add_form)


@bp.post("/<int:item_id>")
@role_required(*rules.CHECKLIST_ROLES)
def update(item_id: int):
    """Rename, reorder or switch off one checklist item (new referrals only)."""
    item = db.get_or_404(ChecklistItem, item_id)
    form = ChecklistItemForm(prefix=f"i{item.id}")
    del form.doc_type
    if form.validate():
        if case_service.update_checklist_item(
            item, form.label.data, form.sort.data, form.active.data, form.condition.data
        ):
            db.session.commit()
            flash("Daftar berkas disimpan.", "success")
        return redirect(
            url_for("referrals.checklists.index", _anchor=item.doc_type), 303
        )
    return _checklist_page(
        NewChecklistItemForm(prefix="baru", formdata=None), form, item.id
    )
