"""Forms of the portal pages: one record's fields, the upload mark, a mapping.

The record form's photo slots (foto-<n>-ref, -berkas, -jenis, -keterangan) are
read by pages.read_slots: a slot is a photo chosen from those at hand or a new
file, its portal type and its caption.
"""

import re

from wtforms import DateField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from kkbweb.forms import Form, Required, line_field, no_control_chars, optional_int
from kkbweb.kie.forms import CheckboxField
from kkbweb.portal import rules
from kkbweb.requests import clean_text

TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def _lines(value):
    """Free-text rows, one per line (the portal's "Tambah" rows)."""
    return clean_text(value) if isinstance(value, str) else value


def _lainnya_field(label: str, description: str):
    """Free-text rows under Lainnya, one per line (the portal's "Tambah" rows)."""
    return TextAreaField(
        label,
        description=description,
        filters=[_lines],
        validators=[Length(max=2000), no_control_chars(multiline=True)],
        render_kw={"rows": 2},
    )


class RecordForm(Form):
    """The portal's fields of one activity, in the portal's order."""

    judul = line_field(
        "Judul Kegiatan", rules.JUDUL_MAX, Required("Judul kegiatan wajib diisi.")
    )
    tanggal = DateField(
        "Tanggal", validators=[Required("Tanggal wajib diisi.")], format="%Y-%m-%d"
    )
    tempat = line_field("Tempat", rules.TEMPAT_MAX, Required("Tempat wajib diisi."))
    deskripsi = TextAreaField(
        "Deskripsi",
        filters=[_lines],
        validators=[
            Required("Deskripsi wajib diisi."),
            Length(max=rules.DESKRIPSI_MAX),
            no_control_chars(multiline=True),
        ],
        render_kw={"rows": 8},
    )
    kategori_id = RadioField(
        "Seksi Kegiatan",
        coerce=int,
        validators=[Required("Pilih satu Seksi Kegiatan.")],
    )
    inpres_id = SelectField(
        "Kategori Kegiatan (Inpres)", coerce=optional_int, validators=[Optional()]
    )
    sasaran_ids = CheckboxField("Peserta Kegiatan", coerce=int)
    sasaran_lainnya = _lainnya_field(
        "Peserta Kegiatan Lainnya", "Satu baris untuk setiap peserta lainnya."
    )
    instansi_ids = CheckboxField("Instansi", coerce=int)
    instansi_lainnya = _lainnya_field(
        "Instansi Lainnya", "Satu baris untuk setiap instansi yang tidak ada di daftar."
    )
    jenis_post_id = RadioField(
        "Jenis Post", coerce=int, validators=[Required("Jenis post harus dipilih.")]
    )
    token = HiddenField()


class UploadForm(Form):
    """The mark "sudah diunggah ke portal", with the portal's URL or id."""

    portal_ref = line_field(
        "URL atau nomor kegiatan di portal (boleh kosong)", rules.PORTAL_REF_MAX
    )


class ConfirmForm(Form):
    """A bare POST form (CSRF only): take the upload mark back."""


class MappingForm(Form):
    """Where one kkbweb value lands on the portal."""

    portal_id = SelectField("Nilai portal", coerce=optional_int)
    lainnya = line_field("Teks isian (untuk \u201cLainnya\u201d)", 200)
