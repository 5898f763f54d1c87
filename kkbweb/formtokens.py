"""One form, one record: the form token every create form carries.

A double tap, a resend after a timeout or ten parallel submits of the same form
make one record. Each create form holds a random token (FormTokenField); the view
creates its record through save_once()/redirect_once() (create_once() below them),
which writes the token, with the record's URL, in the record's transaction under
a primary key. A copy of the form collides there: on SQLite it runs after the
first (BEGIN IMMEDIATE) and finds the token taken; on PostgreSQL its insert waits
for the first transaction (the primary key, or a unique column of the record
itself) and fails once that one commits. Either way the copy's IntegrityError
rolls back all it wrote, and it is sent to the record the first one made.

Create views are marked with @creates. The mark lets tests/test_form_tokens.py
find every create view from the routes; the wrapper also answers a copy that the
view refused as a form (e.g. "code already taken" by the first copy's record).
A POST without a token (a script, a page served before the field existed) gets
a fresh one and saves as before, without this protection; a malformed token is
refused with a message.

No foreign key to users: a token row is a receipt, kept whatever becomes of the
account, and the ground floor knows no feature's tables.
"""

import re
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from flask import current_app, flash, g, redirect, request
from flask_login import current_user
from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response
from wtforms import HiddenField
from wtforms.validators import ValidationError

from kkbweb.extensions import db
from kkbweb.forms import submitted_data
from kkbweb.htmx import REFUSED_FORM_STATUS, hx_redirect, wants_partial
from kkbweb.timeutil import utcnow

TOKEN = re.compile(r"^[0-9a-f]{32}$")
FIELD = "form_token"
DUPLICATE_MESSAGE = "Data ini sudah tersimpan sebelumnya."
_CLAIMED = "form_token_claimed"


class FormSubmission(db.Model):
    """A form token already used, and where its record is."""

    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    endpoint: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def new_token() -> str:
    """A fresh random token for a form being shown."""
    return secrets.token_hex(16)


def _check_token(_form, field) -> None:
    """A token that is not ours is replaced: the form still saves once."""
    if not TOKEN.match(field.data or ""):
        field.data = new_token()
        raise ValidationError("Formulir kedaluwarsa. Periksa isian lalu simpan lagi.")


class FormTokenField(HiddenField):
    """The hidden token of a create form; a new one for every form shown."""

    def __init__(self, label: str = "", **kwargs):
        super().__init__(label, validators=[_check_token], default=new_token, **kwargs)


def creates(view):
    """Mark a view as one that creates a record from a form, and guard it.

    When the view refuses the form (200) without having saved, and its token has
    made a record meanwhile, the answer is the one that save got (a redirect to
    the record, with DUPLICATE_MESSAGE): the refusal came from the first copy's
    record (a name now taken). The mark survives the decorators above it
    (functools.wraps copies it). Views with a key of their own (KIE's form_token
    column, referral intake keys) find no row here and answer as before.
    """

    @wraps(view)
    def guarded(*args, **kwargs):
        response = current_app.make_response(view(*args, **kwargs))
        if (
            response.status_code == REFUSED_FORM_STATUS
            and not g.get(_CLAIMED)
            and (token := _posted_token())
            and (location := first_location(token))
        ):
            db.session.rollback()
            return duplicate(location)
        return response

    guarded.creates_record = True
    return guarded


def _posted_token() -> str | None:
    """The form token of this POST (prefixed forms too), if it has the shape."""
    if request.method != "POST":
        return None
    for key, value in submitted_data().items():
        if (key == FIELD or key.endswith(f"-{FIELD}")) and TOKEN.match(value):
            return value
    return None


def duplicate(location: str) -> Response:
    """The answer to a copy of a saved form: to its record, as a save answers."""
    flash(DUPLICATE_MESSAGE, "info")
    if wants_partial():
        return hx_redirect(location)
    return redirect(location, 303)


def create_once(
    token: str, endpoint: str, user_id: int | None, make: Callable[[], str]
) -> tuple[str, bool]:
    """Run make() (which adds the record and returns its URL) once per token.

    Returns (location, created). The caller commits when created is True; when
    False the transaction was rolled back and location is the first record's.
    An IntegrityError that no earlier use of the token explains is raised.
    """
    g.setdefault(_CLAIMED, True)
    try:
        location = make()
        # Written with the record: one INSERT, and the URL known to every copy.
        db.session.add(
            FormSubmission(
                token=token, endpoint=endpoint, user_id=user_id, location=location
            )
        )
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if first := first_location(token):
            return first, False
        raise
    return location, True


def save_once(
    form, make: Callable[[], str], *, announce: bool = True
) -> tuple[str, bool]:
    """create_once() for a form with a FormTokenField, committed when created.

    make() adds the record with its audit row (no commit) and returns its URL. A
    copy gets the first record's URL (and DUPLICATE_MESSAGE flashed, if announce:
    an htmx fragment answer has no page to show it on).
    """
    user_id = current_user.id if current_user.is_authenticated else None
    location, created = create_once(
        form.form_token.data, request.endpoint, user_id, make
    )
    if created:
        db.session.commit()
    elif announce:
        flash(DUPLICATE_MESSAGE, "info")
    return location, created


def redirect_once(form, make: Callable[[], str], message: str) -> Response:
    """save_once(), then post/redirect/get to the record (flashing message if new)."""
    location, created = save_once(form, make)
    if created:
        flash(message, "success")
    return redirect(location, 303)


def first_location(token: str) -> str:
    """Where the record made with this token is ("" if none yet)."""
    return (
        db.session.scalar(
            select(FormSubmission.location).where(FormSubmission.token == token)
        )
        or ""
    )


EXPIRED_PREVIEW = (
    "Pratinjau impor tidak ditemukan atau kedaluwarsa. Unggah berkas lagi."
)


def confirm_import(form, store, *, owns, plan, retry) -> Response:
    """Save a previewed spreadsheet import once, whatever the resends.

    The preview's token (`form.form_token`) names its stored rows in `store`
    (kkbweb/importing.py PreviewStore) and is the import's form token. `owns`
    tells whether the stored preview belongs here (this user, this poktan);
    `plan(stored)` checks its rows again and returns (rows to save, message,
    URL to go back to, make) where make() adds them with their audit row. A
    parallel copy may have saved the rows meanwhile (then the preview is gone, or
    its rows are now "already registered"): it is answered as the save was.
    `retry()` gives the upload page's URL when there is no preview (and may
    answer 404 for a record the user may not see).
    """
    token = form.form_token.data if form.validate_on_submit() else ""
    path, stored = store.load(token)
    if stored is None or not owns(stored):
        if token and (first := first_location(token)):
            return duplicate(first)
        retry_url = retry()
        flash(EXPIRED_PREVIEW, "error")
        return redirect(retry_url, 303)
    count, message, back, make = plan(stored)
    if not count:
        if first := first_location(token):
            return duplicate(first)
        path.unlink(missing_ok=True)
        flash(message, "warning")
        return redirect(back, 303)
    location, created = save_once(form, make)
    if created:
        path.unlink(missing_ok=True)
        flash(message, "success")
    return redirect(location, 303)
