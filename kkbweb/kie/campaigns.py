"""KIE campaigns (/kie/kampanye): the list with its figures, new and edit."""

from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from kkbweb.access import role_required
from kkbweb.formtokens import creates, redirect_once
from kkbweb.kie import pages, queries, rules, service
from kkbweb.kie.forms import CampaignForm, NewCampaignForm
from kkbweb.kie.models import KieCampaign
from kkbweb.pagination import paginate
from kkbweb.pokja.queries import pokja_choices

bp = Blueprint("campaigns", __name__, url_prefix="/kampanye")


@bp.get("")
@login_required
def index():
    """Campaigns, newest first, with the number and reach of their activities."""
    page = paginate(queries.campaigns_stmt())
    stats = queries.campaign_stats([c.id for c in page.items]) if page.items else {}
    manageable = {
        c.id
        for c in page.items
        if rules.can_manage_campaign(
            current_user.role, current_user.pokja_id, {p.id for p in c.pokja}
        )
    }
    return render_template(
        "kie/campaigns.html",
        page=page,
        stats=stats,
        manageable=manageable,
        can_write=rules.can_write(current_user.role, current_user.pokja_id),
    )


@bp.route("/baru", methods=["GET", "POST"])
@role_required(*rules.WRITER_ROLES)
@creates
def new():
    """Start a campaign for one Pokja (Pokja users: their own) or several."""
    if not rules.can_write(current_user.role, current_user.pokja_id):
        abort(403)
    form = NewCampaignForm()
    if rules.chooses_pokja(current_user.role):
        form.pokja_ids.choices = pokja_choices()
    else:
        del form.pokja_ids
    if form.validate_on_submit():
        pokja_ids = (
            form.pokja_ids.data if "pokja_ids" in form else [current_user.pokja_id]
        )

        def make() -> str:
            service.create_campaign(form, pokja_ids, current_user)
            return url_for("kie.campaigns.index")

        return redirect_once(
            form, make, f"Kampanye \u201c{form.name.data}\u201d dibuat."
        )
    return pages.form_page(
        "kie/campaign_form.html", form.is_submitted(), form=form, campaign=None
    )


@bp.route("/<int:campaign_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int):
    """Rename a campaign, move its period or change its Pokja."""
    # One row per Pokja: the campaign, every Pokja and whether it takes part.
    rows = queries.campaign_with_pokja(campaign_id)
    if not rows:
        abort(404)
    campaign = rows[0][0]
    members = {pokja_id for _, pokja_id, _, _, is_member in rows if is_member}
    if not rules.can_manage_campaign(current_user.role, current_user.pokja_id, members):
        abort(403)
    form = CampaignForm(obj=SimpleNamespace(**_campaign_values(campaign, members)))
    if rules.chooses_pokja(current_user.role):
        form.pokja_ids.choices = [
            (pokja_id, name)
            for _, pokja_id, name, active, is_member in rows
            if active or is_member
        ]
    else:
        del form.pokja_ids
    if form.validate_on_submit():
        chosen = set(form.pokja_ids.data) if "pokja_ids" in form else members
        try:
            changed = service.update_campaign(campaign, form, members, chosen)
        except IntegrityError:
            # The database refuses to drop a Pokja that has entries in it.
            form.pokja_ids.errors.append(
                "Pokja yang sudah mencatat kegiatan dalam kampanye ini "
                "tidak dapat dilepas."
            )
        else:
            if changed:
                flash("Perubahan kampanye disimpan.", "success")
            return redirect(url_for("kie.campaigns.index"), 303)
    return pages.form_page(
        "kie/campaign_form.html",
        form.is_submitted(),
        form=form,
        campaign=_campaign_view(form),
    )


def _campaign_values(campaign: KieCampaign, members: set[int]) -> dict:
    return {
        "name": campaign.name,
        "theme": campaign.theme,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "pokja_ids": sorted(members),
        "id": campaign.id,
    }


def _campaign_view(form: CampaignForm) -> SimpleNamespace:
    """What the edit page shows of the campaign without touching the session."""
    return SimpleNamespace(id=request.view_args["campaign_id"], name=form.name.data)
