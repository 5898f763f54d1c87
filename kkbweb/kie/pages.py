"""Page builders shared by the KIE views: the entry form's choices, its rules
across fields and its context, and the one way a form page answers."""

from flask import render_template

from kkbweb.htmx import render_refused
from kkbweb.kie.forms import LINK_FIELDS, ActivityForm
from kkbweb.kie.queries import Options
from kkbweb.reports import frozen
from kkbweb.timeutil import tanggal, today_wib


def form_page(template: str, submitted: bool, **context):
    """A form page: plain when first shown, as a refused form after a submission."""
    if submitted:
        return render_refused(template, template, **context)
    return render_template(template, **context)


def edit_form(activity) -> ActivityForm:
    """The entry form over a stored entry: its own fields, its linked terms."""
    links = {
        name: [t.id for t in activity.terms_of(kind)]
        for kind, name in LINK_FIELDS.items()
    }
    form = ActivityForm(obj=activity, **links)
    # The Pokja is fixed once saved; photos have their own page.
    del form.pokja_id, form.form_token, form.photos, form.drop_photos
    return form


def set_choices(form: ActivityForm, options: Options, activity=None) -> None:
    """Offer active terms (plus inactive ones the entry already uses)."""
    keep: set[int] = set()
    if activity is not None:
        keep = {t.id for t in activity.terms}
        keep |= {activity.method_id, activity.kategori_id}
    form.method_id.choices = [(0, "— pilih metode —")] + options.choices("method", keep)
    form.kategori_id.choices = [(0, "— pilih kategori —")] + options.choices(
        "kategori", keep
    )
    for kind, name in LINK_FIELDS.items():
        getattr(form, name).choices = options.choices(kind, keep)
    campaigns = options.sorted_campaigns()
    if activity is not None:
        campaigns = [c for c in campaigns if activity.pokja_id in c.pokja_ids]
    form.campaign_id.choices = [(0, "— bukan bagian kampanye —")] + [
        (c.id, f"{c.name} ({tanggal(c.start)} – {tanggal(c.end)})") for c in campaigns
    ]
    if "pokja_id" in form:
        form.pokja_id.choices = [(0, "— pilih Pokja —")] + [
            (p.id, p.name) for p in options.active_pokja()
        ]


def check_entry(form: ActivityForm, options: Options, pokja_id: int | None) -> bool:
    """Rules across fields: a real Pokja, and a campaign that covers this entry."""
    ok = True
    if "pokja_id" in form and pokja_id not in options.pokja:
        form.pokja_id.errors.append("Pilih Pokja.")
        return False
    if form.campaign_id.data:
        campaign = options.campaigns.get(form.campaign_id.data)
        day = form.activity_date.data
        if campaign is None or pokja_id not in campaign.pokja_ids:
            name = options.pokja[pokja_id].name if pokja_id in options.pokja else ""
            form.campaign_id.errors.append(
                f"Kampanye ini tidak mencakup Pokja {name}.".replace("  ", " ")
            )
            ok = False
        elif day is not None and not campaign.covers(day):
            form.campaign_id.errors.append(
                "Tanggal kegiatan di luar periode kampanye "
                f"({tanggal(campaign.start)} – {tanggal(campaign.end)})."
            )
            ok = False
    return ok


def entry_context(
    form, options: Options, user, activity=None, kept: list[str] | None = None
) -> dict:
    """What the entry form (new or edit) shows beside the form itself."""
    own_pokja = None
    if "pokja_id" not in form:
        pokja_id = activity.pokja_id if activity else user.pokja_id
        own_pokja = options.pokja.get(pokja_id)
    return {
        "form": form,
        "activity": activity,
        "own_pokja": own_pokja,
        "mitra_suggestions": [t.label for t in options.of_kind("mitra")],
        # Photos of a refused submission, kept under the form token.
        "kept": kept or [],
        # Saving into a month already handed in or verified marks its report.
        "frozen_note": frozen_notice(activity)
        if activity is not None
        else new_entry_note(user),
    }


def frozen_notice(activity, saved: bool = False) -> str | None:
    """A warning when the entry's month is already handed in or verified.

    saved: on the entry's page, say so if it was saved after the hand-in (the
    report is now marked changed); otherwise warn before a change is saved.
    """
    found = frozen.of_day([activity.pokja_id], activity.activity_date)
    if saved and (notice := frozen.after_saving(found, activity.updated_at)):
        return notice
    return frozen.before_saving(found)


def new_entry_note(user) -> str | None:
    """On a new-entry form: the recent months of the user's Pokja already frozen."""
    return frozen.months_note(frozen.recent(user.pokja_id, today_wib()))
