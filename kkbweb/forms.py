"""The base form: what a form reads from a request, WTForms' built-in messages in
Bahasa Indonesia, and the field recipes every feature shares."""

import wtforms
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto as AUTO  # FlaskForm's "read the request" marker
from werkzeug.datastructures import ImmutableMultiDict
from wtforms.validators import Length, StopValidation, ValidationError

from kkbweb.requests import CONTROL_CHARS, CONTROL_CHARS_ONE_LINE, MAX_ID

STALE_FORM = "Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."

# WTForms ships no Indonesian catalogue; these are the messages its fields and
# validators produce on their own.
INDONESIAN = {
    "This field is required.": "Wajib diisi.",
    "Not a valid integer value.": "Harus berupa bilangan bulat.",
    "Not a valid decimal value.": "Harus berupa angka.",
    "Not a valid float value.": "Harus berupa angka.",
    "Not a valid date value.": "Tanggal tidak valid (format: tahun-bulan-tanggal).",
    "Not a valid datetime value.": "Tanggal dan jam tidak valid.",
    "Not a valid time value.": "Jam tidak valid (format: jam:menit).",
    "Not a valid choice.": "Pilihan tidak valid.",
    "Invalid Choice: could not coerce.": "Pilihan tidak valid.",
    "Choices cannot be None.": "Pilihan tidak tersedia.",
    "'%(value)s' is not a valid choice for this field.": "Pilihan tidak valid.",
    "'%(value)s' are not valid choices for this field.": "Pilihan tidak valid.",
    "Invalid email address.": "Alamat email tidak valid.",
    "Invalid input.": "Isian tidak valid.",
    "Field must be equal to %(other_name)s.": "Isian harus sama dengan %(other_name)s.",
    "Field must be at least %(min)d character long.": "Minimal %(min)d karakter.",
    "Field must be at least %(min)d characters long.": "Minimal %(min)d karakter.",
    "Field cannot be longer than %(max)d character.": "Maksimal %(max)d karakter.",
    "Field cannot be longer than %(max)d characters.": "Maksimal %(max)d karakter.",
    "Field must be exactly %(max)d character long.": "Harus tepat %(max)d karakter.",
    "Field must be exactly %(max)d characters long.": "Harus tepat %(max)d karakter.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Panjang isian %(min)d sampai %(max)d karakter."
    ),
    "Number must be at least %(min)s.": "Angka minimal %(min)s.",
    "Number must be at most %(max)s.": "Angka maksimal %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka %(min)s sampai %(max)s.",
    "The CSRF token is missing.": STALE_FORM,
    "The CSRF token is invalid.": STALE_FORM,
    "The CSRF token has expired.": STALE_FORM,
    "The CSRF tokens do not match.": STALE_FORM,
}


class _Indonesian:
    """A gettext-like object that WTForms asks for message translations."""

    def gettext(self, string: str) -> str:
        return INDONESIAN.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return INDONESIAN.get(singular if n == 1 else plural, plural)


def submitted_data(file_fields: frozenset[str] = frozenset()) -> ImmutableMultiDict:
    """What a form may read from this request, whichever way it was sent.

    Text fields read text parts only and file fields file parts only: a text
    field sent as a file part (multipart `filename=`) is simply missing, never a
    FileStorage stored as a name. A JSON body counts only as a flat object of
    strings and numbers (lists of them for multi-value fields); anything else is
    missing too. The login counter reads the same data, so every way of sending
    credentials meets one counter.
    """
    pairs = [
        (key, value)
        for key, value in request.form.items(multi=True)
        if key not in file_fields
    ]
    pairs += [
        (key, value)
        for key, value in request.files.items(multi=True)
        if key in file_fields
    ]
    if not request.form and not request.files and request.is_json:
        pairs = _flat_json(request.get_json(silent=True))
    return ImmutableMultiDict(pairs)


def _flat_json(body) -> list[tuple[str, str]]:
    """(key, text) pairs of a flat JSON object; nested values are dropped."""
    if not isinstance(body, dict):
        return []
    pairs = []
    for key, value in body.items():
        values = value if isinstance(value, list) else [value]
        if all(_is_scalar(item) for item in values):
            pairs += [(key, _json_text(item)) for item in values if item is not False]
    return pairs


def _is_scalar(value) -> bool:
    """A JSON string, number or boolean (not null, a list or an object)."""
    return isinstance(value, (str, int, float))  # bool is an int


def _json_text(value) -> str:
    """The text a browser would have sent: true is a ticked checkbox."""
    return "y" if value is True else str(value)


CONTROL_CHARS_MESSAGE = "Isian memuat karakter yang tidak diizinkan."


def _control_chars_for(field):
    """The control characters a field may not hold; None for non-text fields.

    Passwords are the user's own secret and hidden fields are checked by their
    own validators (tokens, versions).
    """
    if isinstance(field, wtforms.TextAreaField):
        return CONTROL_CHARS
    if isinstance(field, wtforms.PasswordField | wtforms.HiddenField):
        return None
    if isinstance(field, wtforms.StringField):
        return CONTROL_CHARS_ONE_LINE
    return None


class Form(FlaskForm):
    """Every kkbweb form derives from this."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            """Read the request through submitted_data() (see there why)."""
            if formdata is not AUTO:
                return formdata
            if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
                return None
            file_fields = frozenset(
                name
                for name, field in form._fields.items()
                if isinstance(field, wtforms.FileField)
            )
            return submitted_data(file_fields) or None

        def get_translations(self, form):
            return _Indonesian()

    def validate(self, extra_validators=None) -> bool:
        """Validate, and refuse control characters in every text field.

        Nobody types them; they break printing, CSV and XLSX files (openpyxl
        refuses them) and PostgreSQL refuses NUL. A field whose filters already
        drop them (clean_line, clean_text) never sees one; every other text
        field, including those of admin forms added later, gets this message.
        """
        valid = super().validate(extra_validators)
        for field in self:
            pattern = _control_chars_for(field)
            if (
                pattern is not None
                and isinstance(field.data, str)
                and pattern.search(field.data)
                and CONTROL_CHARS_MESSAGE not in field.errors
            ):
                field.errors = [*field.errors, CONTROL_CHARS_MESSAGE]
                valid = False
        return valid


class IntegerField(wtforms.IntegerField):
    """WTForms' IntegerField, refusing absurdly long numbers with a message.

    NumberRange compares through float(), which overflows (a 500) on a number of
    hundreds of digits; no count in this app needs more than 15.
    """

    MAX_DIGITS = 15

    def process_formdata(self, valuelist):
        if valuelist and len(valuelist[0].strip().lstrip("+-")) > self.MAX_DIGITS:
            self.data = None
            raise ValueError("Angka terlalu besar.")
        super().process_formdata(valuelist)


def no_control_chars(multiline: bool = False):
    """A validator refusing control characters with an Indonesian message."""
    pattern = CONTROL_CHARS if multiline else CONTROL_CHARS_ONE_LINE

    def check(form, field):
        if field.data and pattern.search(field.data):
            raise ValidationError(CONTROL_CHARS_MESSAGE)

    return check


class Required:
    """Require a value, with one message; what was typed but not understood
    keeps the field's own message ("Tanggal tidak valid") instead.

    Unlike InputRequired it also accepts data that came from the stored object
    (an edit POST with no form data keeps the record as it is).
    """

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, _form, field) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data not in (None, ""):
            return
        if field.raw_data and str(field.raw_data[0]).strip():
            return  # typed but not understood: the field's own error explains it
        field.errors[:] = []
        raise StopValidation(self.message)


def strip(value):
    """Trim surrounding spaces from text input (a WTForms filter)."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value) -> int | None:
    """Coerce a select value where empty means none; ids beyond MAX_ID refused."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError("out of range")
    return number


def line_field(label: str, max_length: int, *validators, **kwargs):
    """The recipe of a one-line text field: trimmed, bounded, no control chars."""
    return wtforms.StringField(
        label,
        filters=[strip, *kwargs.pop("filters", ())],
        validators=[
            *validators,
            Length(max=max_length),
            no_control_chars(),
        ],
        **kwargs,
    )
