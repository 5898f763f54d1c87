"""The writes of the KIE pages, each with its audit row in the same transaction.

No Flask here beyond `db`: the views pass in the user, the form and the photo
folder. Photo files are written before the commit and removed again when it
fails; removed photos' files go only after it succeeded.
"""

import re
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.kie import photos
from kkbweb.kie.models import (
    KieActivity,
    KieCampaign,
    KiePhoto,
    KieTerm,
    kie_activity_term,
    kie_campaign_pokja,
)
from kkbweb.timeutil import utcnow

# -- entries ---------------------------------------------------------------------


def _store_photos(activity_id: int, processed, user_id: int, folder: Path) -> list:
    """Write the files and add their rows; return the file names written."""
    written = []
    for item in processed:
        filename = photos.new_filename()
        photos.write(folder, filename, item.data)
        written.append(filename)
        db.session.add(
            KiePhoto(
                activity_id=activity_id,
                filename=filename,
                width=item.width,
                height=item.height,
                size_bytes=len(item.data),
                created_by_id=user_id,
            )
        )
    return written


def _link(activity_id: int, term_ids) -> None:
    db.session.execute(
        insert(kie_activity_term),
        [{"activity_id": activity_id, "term_id": t} for t in term_ids],
    )


def create_entry(
    form, pokja_id: int, user, terms, processed, folder: Path
) -> int | None:
    """Save a new entry with its links and photos; return its id.

    None when the form's token already made an entry (a resend or a double
    tap): the transaction is rolled back and nothing is written.
    """
    now = utcnow()
    activity = KieActivity(
        pokja_id=pokja_id,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,  # equal: the page says "diubah" only after an edit
        form_token=form.form_token.data,
    )
    term_ids = form.populate_entry(activity)
    db.session.add(activity)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    activity_id = activity.id
    written: list[str] = []
    try:
        if term_ids:
            _link(activity_id, term_ids)
        written = _store_photos(activity_id, processed, user.id, folder)
        after = activity.audit_dict(terms, term_ids)
        after["photos"] = len(written)
        record("kie.create", activity, after=after, user=user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        photos.remove(folder, written)
        raise
    return activity_id


def update_entry(activity: KieActivity, form, terms) -> bool:
    """Apply an edit; write it with its audit row only if something changed."""
    old_links = {t.id for t in activity.terms}
    before = activity.audit_dict(terms, old_links)
    new_links = form.populate_entry(activity)
    after = activity.audit_dict(terms, new_links)
    if after == before:
        return False
    # Set before the link statements so that one UPDATE carries it all.
    activity.updated_at = utcnow()
    if removed := old_links - new_links:
        db.session.execute(
            delete(kie_activity_term).where(
                kie_activity_term.c.activity_id == activity.id,
                kie_activity_term.c.term_id.in_(removed),
            )
        )
    if added := new_links - old_links:
        _link(activity.id, added)
    record("kie.update", activity, before=before, after=after)
    db.session.commit()
    return True


def delete_entry(activity: KieActivity, terms, folder: Path) -> str:
    """Delete an entry (audited with its values), then its files; return its title."""
    before = activity.audit_dict(terms, [t.id for t in activity.terms])
    before["photos"] = len(activity.photos)
    files = [p.filename for p in activity.photos]
    record("kie.delete", activity, before=before)
    db.session.delete(activity)
    db.session.commit()
    photos.remove(folder, files)
    return before["title"]


def update_photos(
    activity: KieActivity, processed, remove: set[int], user_id: int, folder: Path
) -> None:
    """Store new photos and drop the removed ones, audited together."""
    gone = [p.filename for p in activity.photos if p.id in remove]
    written: list[str] = []
    try:
        written = _store_photos(activity.id, processed, user_id, folder)
        if remove:
            db.session.execute(
                delete(KiePhoto).where(
                    KiePhoto.activity_id == activity.id, KiePhoto.id.in_(remove)
                )
            )
        record(
            "kie.photos",
            activity,
            before={"photos": len(activity.photos)},
            after={
                "photos": len(activity.photos) - len(remove) + len(written),
                "added": len(written),
                "removed": sorted(remove),
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        photos.remove(folder, written)
        raise
    photos.remove(folder, gone)


def record_export(chosen: str, rows: int, filters: dict) -> None:
    """Audit a download: its format, size and filters."""
    record(
        "kie.export",
        entity_type="kie_activity",
        after={"format": chosen, "rows": rows, "filters": filters},
    )
    db.session.commit()


# -- campaigns -------------------------------------------------------------------


def _apply_campaign(form, campaign: KieCampaign) -> None:
    campaign.name = form.name.data
    campaign.theme = form.theme.data or None
    campaign.start_date = form.start_date.data
    campaign.end_date = form.end_date.data


def create_campaign(form, pokja_ids: list[int], user) -> KieCampaign:
    """Add a campaign for these Pokja with its audit row (the caller commits)."""
    campaign = KieCampaign(created_by_id=user.id)
    _apply_campaign(form, campaign)
    db.session.add(campaign)
    db.session.flush()
    db.session.execute(
        insert(kie_campaign_pokja),
        [{"campaign_id": campaign.id, "pokja_id": p} for p in pokja_ids],
    )
    record("kie.campaign_create", campaign, after=campaign.audit_dict(pokja_ids))
    return campaign


def update_campaign(
    campaign: KieCampaign, form, members: set[int], chosen: set[int]
) -> bool:
    """Save an edit and the Pokja taken in or out; False when nothing changed.

    Raises IntegrityError (rolled back) when a Pokja taken out has entries in
    the campaign: the database refuses it.
    """
    campaign_id = campaign.id
    before = campaign.audit_dict(sorted(members))
    _apply_campaign(form, campaign)
    after = campaign.audit_dict(sorted(chosen))
    if after == before:
        return False
    try:
        if removed := members - chosen:
            db.session.execute(
                delete(kie_campaign_pokja).where(
                    kie_campaign_pokja.c.campaign_id == campaign_id,
                    kie_campaign_pokja.c.pokja_id.in_(removed),
                )
            )
        if added := chosen - members:
            db.session.execute(
                insert(kie_campaign_pokja),
                [{"campaign_id": campaign_id, "pokja_id": p} for p in added],
            )
        record("kie.campaign_update", campaign, before=before, after=after)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise
    return True


# -- vocabularies ----------------------------------------------------------------


def _code_for(label: str, taken: set[str]) -> str:
    """A stable code from a label: lower case, underscores, unique in its kind."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:34] or "istilah"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}_{n}"
    return code


def create_term(kind: str, label: str, sort: int | None, existing) -> KieTerm:
    """Add a term after the others of its kind (or at `sort`), audited; the
    caller commits.

    `existing` are the kind's rows (code, sort), which the new code must avoid.
    """
    term = KieTerm(
        kind=kind,
        code=_code_for(label, {row.code for row in existing}),
        label=label,
        sort=sort
        if sort is not None
        else max((row.sort for row in existing), default=0) + 10,
        active=True,
    )
    db.session.add(term)
    db.session.flush()
    record("kie.term_create", term, after=term.audit_dict())
    return term


def update_term(term: KieTerm, label: str, sort: int | None, active: bool) -> bool:
    """Rename, reorder or (de)activate a term; audited only when it changed."""
    before = term.audit_dict()
    term.label = label
    term.sort = sort if sort is not None else term.sort
    term.active = active
    if term.audit_dict() != before:
        record("kie.term_update", term, before=before, after=term.audit_dict())
        db.session.commit()
        return True
    return False
