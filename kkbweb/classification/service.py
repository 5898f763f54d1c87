"""Writes of the classification, each with its audit row in the same transaction."""

from kkbweb.audit.log import record
from kkbweb.classification import figures as fig
from kkbweb.classification import formula
from kkbweb.classification.models import KampungKb, KampungProfile, Pkb
from kkbweb.extensions import db


def add_profile(
    kampung: KampungKb,
    figures: dict,
    prefilled: list[str],
    instansi_ids,
    period: tuple[int, int],
    user_id: int | None,
) -> KampungProfile:
    """Append a snapshot (the history keeps every earlier one) with the class
    the formula gives it today."""
    result = formula.classify(fig.to_inputs(figures, instansi_ids))
    profile = KampungProfile(
        kampung_kb_id=kampung.id,
        pokja_id=kampung.pokja_id,
        year=period[0],
        month=period[1],
        figures=figures,
        prefilled=prefilled,
        klass=result.klass,
        index_input=result.index_input,
        index_proses=result.index_proses,
        index_output=result.index_output,
        scores=result.scores,
        created_by_id=user_id,
    )
    db.session.add(profile)
    db.session.flush()
    record("classification.profile", profile, after=profile.audit_dict())
    return profile


def update_kampung(kampung: KampungKb, values: dict) -> bool:
    """Apply the identity form; record and return True only if something changed."""
    before = kampung.audit_dict()
    for name, value in values.items():
        setattr(kampung, name, value)
    if before == kampung.audit_dict():
        return False
    record("classification.kampung", kampung, before=before, after=kampung.audit_dict())
    return True


def save_pkb(pkb: Pkb | None, values: dict) -> Pkb | None:
    """Add a PKB (pkb None) or apply the form to one; audited. Returns the PKB,
    or None when an edit changed nothing."""
    if pkb is None:
        pkb = Pkb(**values)
        db.session.add(pkb)
        db.session.flush()
        record("classification.pkb_add", pkb, after=pkb.audit_dict())
        return pkb
    before = pkb.audit_dict()
    for name, value in values.items():
        setattr(pkb, name, value)
    if before == pkb.audit_dict():
        return None
    record("classification.pkb_edit", pkb, before=before, after=pkb.audit_dict())
    return pkb


def delete_pkb(pkb: Pkb) -> None:
    """Remove a PKB (its kelurahan become "Belum ada PKB"); audited."""
    record("classification.pkb_delete", pkb, before=pkb.audit_dict())
    db.session.delete(pkb)
