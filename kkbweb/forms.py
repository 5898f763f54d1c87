"""The base form: WTForms' built-in messages in Bahasa Indonesia."""

import re

import wtforms
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

# Control characters: nobody types them, they break printing and CSV files, and
# PostgreSQL refuses NUL. Multi-line text keeps tab and line breaks.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")

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


class Form(FlaskForm):
    """Every kkbweb form derives from this."""

    class Meta:
        def get_translations(self, form):
            return _Indonesian()


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
            raise ValidationError("Isian memuat karakter yang tidak diizinkan.")

    return check


def clean_line(value):
    """Trim a one-line text and drop control characters."""
    if value is None:
        return None
    return CONTROL_CHARS_ONE_LINE.sub("", str(value)).strip()


def clean_text(value):
    """Trim a multi-line text and drop control characters (keeping newlines)."""
    if value is None:
        return None
    return CONTROL_CHARS.sub("", str(value)).replace("\r\n", "\n").strip()
