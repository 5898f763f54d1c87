"""Forms of the monthly report hand-in: a note on submit, a note on return.

One page shows several of them, so each is built with a prefix (its action:
serahkan, verifikasi, kembalikan): the fields are posted as e.g.
`kembalikan-note` and every textarea has its own id.
"""

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from kkbweb.forms import Form
from kkbweb.reports.handin import NOTE_MAX
from kkbweb.requests import clean_text


class SubmitForm(Form):
    """Hand in a month: the figures are frozen; the note is optional."""

    note = TextAreaField(
        "Catatan untuk dinas (boleh kosong)",
        filters=[clean_text],
        validators=[Optional(), Length(max=NOTE_MAX)],
    )


class ReturnForm(Form):
    """Return a report to the Pokja: say what to fix."""

    note = TextAreaField(
        "Alasan dikembalikan",
        description="Tulis apa yang perlu diperbaiki atau dilengkapi Pokja.",
        filters=[clean_text],
        validators=[
            DataRequired("Tulis alasan laporan dikembalikan."),
            Length(max=NOTE_MAX),
        ],
    )


class VerifyForm(Form):
    """Verify a report; a note is optional."""

    note = TextAreaField(
        "Catatan verifikasi (boleh kosong)",
        filters=[clean_text],
        validators=[Optional(), Length(max=NOTE_MAX)],
    )
