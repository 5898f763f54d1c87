"""Forms of the referral pages: residents, intake, moves, edits, checklists."""

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from kkbweb.forms import Form, IntegerField, no_control_chars
from kkbweb.referrals import routing
from kkbweb.referrals.service import AUTO, DESTINATION_LABELS
from kkbweb.timeutil import today_wib

# Tab and line breaks allowed, as before in every referral text field.
plain_text = no_control_chars(multiline=True)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    """Coerce a select value: empty means None."""
    if value in (None, "", "None"):
        return None
    return int(value)


def past_date(form, field) -> None:
    """A birth date between 1900 and today."""
    if field.data is None:
        return
    if field.data > today_wib():
        raise ValidationError("Tanggal lahir tidak boleh di masa depan.")
    if field.data.year < 1900:
        raise ValidationError("Tanggal lahir sebelum tahun 1900 tidak masuk akal.")


SEX_CHOICES = [("L", "Laki-laki"), ("P", "Perempuan")]
RELIGION_CHOICES = [("", "— belum diisi —"), *routing.RELIGIONS.items()]
DOC_TYPE_CHOICES = [("", "— pilih jenis dokumen —"), *routing.DOC_TYPES.items()]
DESTINATION_CHOICES = list(DESTINATION_LABELS.items())


class ResidentForm(Form):
    name = StringField(
        "Nama lengkap",
        filters=[_strip],
        validators=[DataRequired("Isi nama warga."), Length(max=100), plain_text],
        render_kw={"autocomplete": "off"},
    )
    sex = RadioField(
        "Jenis kelamin",
        choices=SEX_CHOICES,
        validators=[DataRequired("Pilih jenis kelamin.")],
    )
    birth_date = DateField(
        "Tanggal lahir", validators=[Optional(), past_date], description="Boleh kosong."
    )
    religion = SelectField(
        "Agama",
        choices=RELIGION_CHOICES,
        validators=[Optional()],
        description="Menentukan tujuan rujukan nikah: KUA untuk Islam, "
        "Disdukcapil untuk agama lain.",
    )
    phone = StringField(
        "Telepon/WA",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=20),
            Regexp(r"^[0-9+ \-]+$", message="Hanya angka, spasi, + atau -."),
        ],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    address = StringField(
        "Alamat (jalan, kampung, nomor rumah)",
        filters=[_strip],
        validators=[DataRequired("Isi alamat."), Length(max=200), plain_text],
    )
    rt = StringField(
        "RT",
        filters=[_strip],
        validators=[
            Optional(),
            Regexp(r"^[0-9]{1,3}$", message="RT berupa 1-3 angka."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    rw = StringField(
        "RW",
        filters=[_strip],
        validators=[
            Optional(),
            Regexp(r"^[0-9]{1,3}$", message="RW berupa 1-3 angka."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    pokja_id = SelectField("Pokja (kelurahan)", coerce=_optional_int)
    nik = StringField(
        "NIK",
        filters=[_strip],
        validators=[Optional(), Length(max=40), plain_text],
        description="16 digit, boleh kosong. Di daftar dan cetakan selalu disamarkan.",
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    confirm = BooleanField("Tetap simpan: saya sudah memeriksa peringatan di atas")
    intake_key = HiddenField()
    version = HiddenField()


class NikSearchForm(Form):
    nik = StringField(
        "Cari dengan NIK",
        filters=[_strip],
        validators=[DataRequired("Isi NIK yang dicari."), Length(max=40), plain_text],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class ReferralForm(Form):
    doc_type = SelectField(
        "Jenis dokumen",
        choices=DOC_TYPE_CHOICES,
        validators=[DataRequired("Pilih jenis dokumen.")],
    )
    destination = SelectField(
        "Tujuan",
        choices=[(AUTO, "Sesuai saran (dari jenis dokumen dan agama)")]
        + DESTINATION_CHOICES,
        default=AUTO,
    )
    destination_name = StringField(
        "Nama kantor tujuan (bila berbeda dari saran)",
        filters=[_strip],
        validators=[Optional(), Length(max=120), plain_text],
    )
    destination_address = StringField(
        "Alamat kantor tujuan",
        filters=[_strip],
        validators=[Optional(), Length(max=200), plain_text],
    )
    notes = TextAreaField(
        "Catatan",
        filters=[_strip],
        validators=[Optional(), Length(max=1000), plain_text],
    )
    intake_key = HiddenField()


class ReferralEditForm(Form):
    destination_code = SelectField("Tujuan", choices=DESTINATION_CHOICES)
    destination_name = StringField(
        "Nama kantor tujuan",
        filters=[_strip],
        validators=[
            DataRequired("Isi nama kantor tujuan."),
            Length(max=120),
            plain_text,
        ],
    )
    destination_address = StringField(
        "Alamat kantor tujuan",
        filters=[_strip],
        validators=[Optional(), Length(max=200), plain_text],
    )
    assigned_to_id = SelectField("Petugas dinas", coerce=_optional_int)
    notes = TextAreaField(
        "Catatan",
        filters=[_strip],
        validators=[Optional(), Length(max=1000), plain_text],
    )
    version = HiddenField()


class MoveForm(Form):
    # A free string, not a choice field: a step the flow refuses must get the
    # workflow's own explanation, not "not a valid choice".
    target = StringField("Langkah", validators=[Length(max=30), plain_text])
    note = TextAreaField(
        "Catatan atau alasan",
        filters=[_strip],
        validators=[Optional(), Length(max=1000), plain_text],
        description="Wajib untuk penolakan dan pembatalan.",
    )
    version = HiddenField()


class ChecklistItemForm(Form):
    doc_type = SelectField("Jenis dokumen", choices=list(routing.DOC_TYPES.items()))
    label = StringField(
        "Berkas",
        filters=[_strip],
        validators=[DataRequired("Isi nama berkas."), Length(max=200), plain_text],
    )
    sort = IntegerField(
        "Urutan",
        default=100,
        validators=[InputRequired("Isi urutan."), NumberRange(min=0, max=9999)],
    )
    active = BooleanField("Dipakai", default=True)
