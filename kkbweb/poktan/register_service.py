"""Writes of the registers: the "diserahkan" mark and the admin's layouts, each
with its audit row in the same transaction (the caller commits)."""

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.poktan.models import Poktan
from kkbweb.poktan.register_columns import Period
from kkbweb.poktan.register_models import RegisterColumn, RegisterSubmission


def mark_submitted(poktan: Poktan, period: Period, user) -> bool:
    """Mark the poktan's register of the period as handed in; False if it was.

    A savepoint keeps a parallel double tap from failing the request: the
    unique (poktan, register, year, month) lets one mark through.
    """
    mark = RegisterSubmission(
        poktan_id=poktan.id,
        pokja_id=poktan.pokja_id,
        register=period.register,
        year=period.year,
        month=period.month,
        submitted_by_id=user.id,
        submitted_by_name=(user.full_name or user.username or "")[:100],
    )
    try:
        with db.session.begin_nested():
            db.session.add(mark)
            db.session.flush()
    except IntegrityError:
        return False
    record("register.submit", mark, after=mark.audit_dict())
    return True


def unmark_submitted(mark: RegisterSubmission) -> None:
    """Withdraw a mark set by mistake, recording what it said."""
    before = {
        **mark.audit_dict(),
        "submitted_at": mark.submitted_at.isoformat(timespec="seconds"),
        "submitted_by": mark.submitted_by_name,
    }
    record("register.unsubmit", mark, before=before)
    db.session.delete(mark)


def save_layout(register: str, kind: str, rows: list[tuple[str, str]], user) -> bool:
    """Replace a layout's columns by these (label, formula) rows, in order.

    Returns False (and writes nothing) when the stored layout is the same.
    """
    stored = db.session.scalars(
        db.select(RegisterColumn)
        .where(RegisterColumn.register == register, RegisterColumn.kind == kind)
        .order_by(RegisterColumn.position)
    ).all()
    before = [[c.label, c.formula] for c in stored]
    after = [[label, formula] for label, formula in rows]
    if before == after:
        return False
    db.session.execute(
        delete(RegisterColumn).where(
            RegisterColumn.register == register, RegisterColumn.kind == kind
        )
    )
    for position, (label, formula) in enumerate(rows, start=1):
        db.session.add(
            RegisterColumn(
                register=register,
                kind=kind,
                position=position,
                label=label,
                formula=formula,
                updated_by_id=user.id,
            )
        )
    record(
        "register.layout",
        entity_type="register_layout",
        entity_id=f"{register}:{kind}",
        before={"columns": before},
        after={"columns": after},
    )
    return True
