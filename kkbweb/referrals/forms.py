"""Forms of the referral pages: residents, intake, moves, edits, checklists."""

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
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

from kkbweb.forms import Form, IntegerField, no_control_chars, optional_int, strip
from kkbweb.formtokens import FormTokenField
from kkbweb.referrals import routing, vocab
from kkbweb.referrals.fullnik import NikInput
from kkbweb.referrals.service import AUTO, DESTINATION_LABELS
from kkbweb.timeutil import today_wib

# Tab and line breaks allowed, as before in every referral text field.
plain_text = no_control_chars(multiline=True)


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
        filters=[strip],
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
        filters=[strip],
        validators=[
            Optional(),
            Length(max=20),
            Regexp(r"^[0-9+ \-]+$", message="Hanya angka, spasi, + atau -."),
        ],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    address = StringField(
        "Alamat (jalan, kampung, nomor rumah)",
        filters=[strip],
        validators=[DataRequired("Isi alamat."), Length(max=200), plain_text],
    )
    rt = StringField(
        "RT",
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^[0-9]{1,3}$", message="RT berupa 1-3 angka."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    rw = StringField(
        "RW",
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^[0-9]{1,3}$", message="RW berupa 1-3 angka."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    pokja_id = SelectField("Pokja (kelurahan)", coerce=optional_int)
    nik = StringField(
        "NIK",
        filters=[strip],
        validators=[Optional(), Length(max=40), plain_text],
        description="16 digit, boleh kosong. Di daftar dan cetakan selalu disamarkan.",
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        widget=NikInput(),
    )
    confirm = BooleanField("Tetap simpan: saya sudah memeriksa peringatan di atas")
    intake_key = HiddenField()
    version = HiddenField()

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        # The resident whose stored NIK the input may refill (NikInput audits it).
        self.nik.owner = obj


class NikSearchForm(Form):
    nik = StringField(
        "Cari dengan NIK",
        filters=[strip],
        validators=[DataRequired("Isi NIK yang dicari."), Length(max=40), plain_text],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        # Never refilled with a NIK: a search shows no resident's number.
        widget=NikInput(echo=False),
    )


def event_date_check(form, field) -> None:
    """An event within reason: a birth or death in the past, an akad ahead."""
    if field.data is None:
        return
    if field.data.year < 1900:
        raise ValidationError("Tanggal sebelum tahun 1900 tidak masuk akal.")
    doc_type = form.doc_type.data
    if doc_type not in ("buku_nikah",) and field.data > today_wib():
        raise ValidationError("Tanggal peristiwa tidak boleh di masa depan.")


KK_STATUS_CHOICES = [("", "— belum diisi —"), *vocab.MARITAL_LABELS.items()]
KECAMATAN_CHOICES = [("", "— pilih kecamatan —")] + [
    (name, name) for name in routing.KECAMATAN_NAMES
]
KTP_REASON_CHOICES = [("", "— pilih —"), *vocab.KTP_REASONS.items()]


class CaseFieldsForm(Form):
    """The KK and the event of a case: the same fields and messages at intake
    and when they are corrected later (the persons' fields are added at
    runtime, role_fields)."""

    kk_number = StringField(
        "Nomor KK",
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^[0-9]{16}$", message="Nomor KK berupa 16 angka."),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    marital_status = SelectField(
        "Status perkawinan di KK",
        choices=KK_STATUS_CHOICES,
        validators=[Optional()],
        description="Tulis persis seperti tercetak di KK (untuk akta anak: "
        "status orang tua).",
    )
    unregistered = BooleanField(
        "Perkawinan (orang tua) belum tercatat: tidak ada buku nikah/akta perkawinan"
    )
    event_date = DateField(
        "Tanggal peristiwa",
        validators=[Optional(), event_date_check],
        description="Tanggal lahir, tanggal akad/upacara, atau tanggal meninggal: "
        "menentukan batas waktu pelaporan.",
    )
    event_place = StringField(
        "Tempat peristiwa",
        filters=[strip],
        validators=[Optional(), Length(max=120), plain_text],
    )
    event_kecamatan = SelectField(
        "Kecamatan tempat akad",
        choices=KECAMATAN_CHOICES,
        validators=[Optional()],
        description="Nikah dicatat KUA kecamatan tempat akad, bukan tempat tinggal.",
    )
    ktp_reason = SelectField(
        "Keperluan KTP-el", choices=KTP_REASON_CHOICES, validators=[Optional()]
    )


class CaseEditForm(CaseFieldsForm):
    """Correct a case's persons, KK and event after intake (version-checked)."""

    # Set from the case by the page, never from the post (event_date_check).
    doc_type = HiddenField()
    version = HiddenField()


class ReferralForm(CaseFieldsForm):
    """A case: its document type, persons in roles, the KK, the event."""

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
        filters=[strip],
        validators=[Optional(), Length(max=120), plain_text],
    )
    destination_address = StringField(
        "Alamat kantor tujuan",
        filters=[strip],
        validators=[Optional(), Length(max=200), plain_text],
    )
    notes = TextAreaField(
        "Catatan",
        filters=[strip],
        validators=[Optional(), Length(max=1000), plain_text],
    )
    intake_key = HiddenField()


class ReferralEditForm(Form):
    destination_code = SelectField("Tujuan", choices=DESTINATION_CHOICES)
    destination_name = StringField(
        "Nama kantor tujuan",
        filters=[strip],
        validators=[
            DataRequired("Isi nama kantor tujuan."),
            Length(max=120),
            plain_text,
        ],
    )
    destination_address = StringField(
        "Alamat kantor tujuan",
        filters=[strip],
        validators=[Optional(), Length(max=200), plain_text],
    )
    assigned_to_id = SelectField("Petugas dinas", coerce=optional_int)
    notes = TextAreaField(
        "Catatan",
        filters=[strip],
        validators=[Optional(), Length(max=1000), plain_text],
    )
    version = HiddenField()


def role_fields(doc_type: str) -> dict:
    """The person fields of a document type (added to ReferralForm at runtime)."""
    fields = {}
    for role in vocab.DOC_ROLES.get(doc_type, ()):
        label = vocab.ROLE_LABELS[role]
        # The choices are checked against the Pokja's residents by the intake
        # (intake.chosen_persons), in the query that loads them anyway.
        if role in vocab.MANY:
            fields[f"p_{role}"] = SelectMultipleField(
                label, coerce=int, validate_choice=False
            )
        else:
            fields[f"p_{role}"] = SelectField(
                label, coerce=optional_int, validate_choice=False
            )
    return fields


class MoveForm(Form):
    # A free string, not a choice field: a step the flow refuses must get the
    # workflow's own explanation, not "not a valid choice".
    target = StringField("Langkah", validators=[Length(max=30), plain_text])
    happened_on = DateField(
        "Tanggal langkah sebenarnya",
        validators=[Optional()],
        description="Hari berkas diserahkan ke loket, dokumen terbit, atau "
        "dikirim/diserahkan. Kosongkan bila hari ini.",
    )
    document = FileField(
        "Dokumen terbit (PDF atau foto)",
        description="Boleh dilampirkan saat dokumen terbit atau dikirim: hanya "
        "terlihat oleh yang boleh melihat kasus ini.",
        render_kw={"accept": "image/*,application/pdf"},
    )
    note = TextAreaField(
        "Catatan atau alasan",
        filters=[strip],
        validators=[Optional(), Length(max=1000), plain_text],
        description="Wajib untuk penolakan dan pembatalan.",
    )
    version = HiddenField()


class ChecklistItemForm(Form):
    doc_type = SelectField("Jenis dokumen", choices=list(routing.DOC_TYPES.items()))
    label = StringField(
        "Berkas",
        filters=[strip],
        validators=[DataRequired("Isi nama berkas."), Length(max=200), plain_text],
    )
    sort = IntegerField(
        "Urutan",
        default=100,
        validators=[InputRequired("Isi urutan."), NumberRange(min=0, max=9999)],
    )
    active = BooleanField("Dipakai", default=True)
    condition = SelectField(
        "Berlaku",
        choices=list(vocab.CONDITION_LABELS.items()),
        validators=[Optional()],
        description="Berkas bersyarat hanya masuk ke kasus yang memenuhinya.",
    )


class NewChecklistItemForm(ChecklistItemForm):
    form_token = FormTokenField()


class DocumentForm(Form):
    document = FileField(
        "Dokumen terbit (PDF atau foto)",
        render_kw={"accept": "image/*,application/pdf"},
    )


class IsbatSessionForm(Form):
    """A sidang isbat terpadu: one day, court, KUA and Disdukcapil together."""

    date = DateField("Tanggal sidang", validators=[InputRequired("Isi tanggal.")])
    place = StringField(
        "Tempat",
        filters=[strip],
        validators=[DataRequired("Isi tempat sidang."), Length(max=160), plain_text],
    )
    court = StringField(
        "Pengadilan",
        default="Pengadilan Agama Cilegon Kelas IB",
        filters=[strip],
        validators=[DataRequired("Isi pengadilan."), Length(max=120), plain_text],
    )
    kua = StringField(
        "KUA",
        filters=[strip],
        validators=[DataRequired("Isi KUA yang hadir."), Length(max=120), plain_text],
    )
    disdukcapil = StringField(
        "Disdukcapil",
        default="Disdukcapil Kota Cilegon",
        filters=[strip],
        validators=[DataRequired("Isi petugas Disdukcapil."), Length(max=160)],
    )
    notes = TextAreaField(
        "Catatan", filters=[strip], validators=[Optional(), Length(max=1000)]
    )
    form_token = FormTokenField()
