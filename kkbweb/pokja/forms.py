"""The admin's Pokja form."""

import re

from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from kkbweb.forms import Form
from kkbweb.formtokens import FormTokenField

KODE_KELURAHAN = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


class PokjaForm(Form):
    display_name = StringField(
        "Nama tampilan",
        description="Nama yang dipakai sehari-hari, mis. Lebak Gede.",
        validators=[DataRequired("Isi nama tampilan."), Length(max=80)],
    )
    official_name = StringField(
        "Nama resmi kelurahan",
        description="Ejaan Kemendagri, mis. Lebakgede.",
        validators=[DataRequired("Isi nama resmi."), Length(max=80)],
    )
    code = StringField(
        "Kode kelurahan",
        description="Format 36.72.03.1002.",
        validators=[
            DataRequired("Isi kode kelurahan."),
            Regexp(KODE_KELURAHAN, message="Kode harus berformat 36.72.03.1002."),
        ],
    )
    kecamatan_id = SelectField("Kecamatan", coerce=int)
    address = StringField(
        "Alamat sekretariat", validators=[Optional(), Length(max=200)]
    )
    contact_phone = StringField(
        "Telepon/WA kontak",
        validators=[
            Optional(),
            Length(max=20),
            Regexp(r"^[0-9+ -]+$", message="Hanya angka, spasi, + atau -."),
        ],
    )
    is_active = BooleanField("Aktif", default=True)


class NewPokjaForm(PokjaForm):
    form_token = FormTokenField()
