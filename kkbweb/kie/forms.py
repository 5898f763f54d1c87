"""Forms of the KIE pages: the activity entry, campaigns, vocabulary terms."""

import re

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from kkbweb.forms import Form, IntegerField, no_control_chars
from kkbweb.kie import rules
from kkbweb.kie.vocab import ACTIVITY_TYPES, KINDS
from kkbweb.requests import MAX_ID
from kkbweb.timeutil import today_wib

# Control characters (NUL and friends) break PostgreSQL text and CSV files;
# a textarea may still hold line breaks and tabs.
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def strip(value):
    """Trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


def optional_id(value) -> int:
    """Coerce a select value where "" means none (0)."""
    if value in (None, ""):
        return 0
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError("out of range")
    return number


def term_id(value) -> int:
    """Coerce a submitted term id, refusing silly numbers before they reach SQL."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("out of range")
    return number


class Required:
    """Require a value; what was typed but not understood keeps its own message.

    Unlike InputRequired it also accepts data that came from the stored object
    (an edit POST with no form data keeps the entry as it is).
    """

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data not in (None, ""):
            return
        if field.raw_data and str(field.raw_data[0]).strip():
            return  # typed but invalid: the field's own error explains it
        field.errors[:] = []
        raise StopValidation(self.message)


class CheckboxField(SelectMultipleField):
    """A multi-select shown as a group of checkboxes, with Indonesian messages."""

    def process_data(self, value):
        try:
            self.data = [self.coerce(v) for v in value or []]
        except (ValueError, TypeError):
            self.data = []

    def process_formdata(self, valuelist):
        self._bad_input = False
        try:
            self.data = list(dict.fromkeys(self.coerce(v) for v in valuelist))
        except (ValueError, TypeError):
            self.data = []
            self._bad_input = True

    def pre_validate(self, form):
        if getattr(self, "_bad_input", False):
            raise ValidationError("Pilihan tidak valid.")
        allowed = {value for value, *_ in self.choices or []}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError("Pilihan tidak valid atau sudah tidak aktif.")


class AtLeastOne:
    """Require at least one ticked box."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise ValidationError(self.message)


def _count_field(label: str, maximum: int, description: str = ""):
    return IntegerField(
        label,
        description=description,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=maximum,
                message=f"Isi angka 0 sampai {maximum:,}.".replace(",", "."),
            ),
        ],
        render_kw={"min": 0, "max": maximum, "inputmode": "numeric"},
    )


class ActivityForm(Form):
    """One KIE or advokasi activity; choices are filled in by the view."""

    pokja_id = SelectField("Pokja", coerce=optional_id, default=0)
    activity_date = DateField(
        "Tanggal kegiatan",
        validators=[Required("Isi tanggal kegiatan.")],
    )
    activity_type = RadioField(
        "Jenis",
        choices=list(ACTIVITY_TYPES.items()),
        default="kie",
        validators=[Required("Pilih jenis kegiatan.")],
    )
    method_id = SelectField(
        "Metode",
        coerce=optional_id,
        default=0,
        validators=[DataRequired("Pilih metode.")],
    )
    title = StringField(
        "Judul kegiatan",
        description="Mis. Sosialisasi pencegahan stunting di Posyandu Mawar RW 03.",
        filters=[strip],
        validators=[
            DataRequired("Isi judul kegiatan."),
            Length(max=150),
            no_control_chars(),
        ],
    )
    place = StringField(
        "Tempat",
        filters=[strip],
        validators=[
            DataRequired("Isi tempat kegiatan."),
            Length(max=150),
            no_control_chars(),
        ],
    )
    topic_ids = CheckboxField(
        "Topik", coerce=term_id, validators=[AtLeastOne("Pilih minimal satu topik.")]
    )
    audience_ids = CheckboxField(
        "Sasaran",
        coerce=term_id,
        validators=[AtLeastOne("Pilih minimal satu sasaran.")],
    )
    media_ids = CheckboxField("Media", coerce=term_id)
    participants_male = _count_field("Peserta laki-laki", rules.MAX_PARTICIPANTS)
    participants_female = _count_field("Peserta perempuan", rules.MAX_PARTICIPANTS)
    estimated_reach = _count_field(
        "Perkiraan jangkauan",
        rules.MAX_REACH,
        "Untuk KIE massa, radio, media sosial: perkiraan jumlah orang terjangkau.",
    )
    kategori_id = SelectField(
        "Kategori (fungsi keluarga)",
        coerce=optional_id,
        default=0,
        validators=[DataRequired("Pilih kategori.")],
    )
    speaker = StringField(
        "Narasumber",
        filters=[strip],
        validators=[Optional(), Length(max=100), no_control_chars()],
    )
    mitra = StringField(
        "Mitra",
        description="Instansi mitra, pisahkan dengan koma.",
        filters=[strip],
        validators=[Optional(), Length(max=200), no_control_chars()],
        render_kw={"list": "kie-mitra", "autocomplete": "off"},
    )
    campaign_id = SelectField("Kampanye", coerce=optional_id, default=0)
    notes = TextAreaField(
        "Catatan/deskripsi",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=2000, message="Maksimal 2.000 karakter."),
            no_control_chars(multiline=True),
        ],
        render_kw={"maxlength": 2000, "rows": 4},
    )
    photos = MultipleFileField(
        "Foto dokumentasi",
        description="Maksimal 3 foto (JPEG, PNG atau HEIC); diperkecil otomatis.",
        render_kw={"accept": "image/*"},
    )
    form_token = HiddenField(
        validators=[
            Regexp(
                TOKEN_PATTERN,
                message="Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.",
            )
        ]
    )

    def validate_activity_date(self, field):
        """Today or earlier, and not before the programme started."""
        if field.data is not None and (
            problem := rules.date_problem(field.data, today_wib())
        ):
            raise ValidationError(problem)

    def validate(self, extra_validators=None) -> bool:
        """Field rules, then: an activity reached somebody."""
        valid = super().validate(extra_validators)
        counts = (
            self.participants_male,
            self.participants_female,
            self.estimated_reach,
        )
        if not any(f.errors for f in counts) and not any(f.data for f in counts):
            self.participants_male.errors.append(
                "Isi jumlah peserta atau perkiraan jangkauan."
            )
            valid = False
        return valid


class PhotosForm(Form):
    """Add photos to an entry or remove some of its photos."""

    remove_ids = CheckboxField("Hapus foto", coerce=term_id)
    photos = MultipleFileField(
        "Tambah foto",
        description="JPEG, PNG atau HEIC; diperkecil otomatis.",
        render_kw={"accept": "image/*"},
    )


class ConfirmForm(Form):
    """A deletion, confirmed by the button of the confirmation page."""

    confirm = HiddenField(
        validators=[AnyOf(["ya"], message="Penghapusan belum dikonfirmasi.")]
    )


class CampaignForm(Form):
    name = StringField(
        "Nama kampanye",
        description="Mis. Cegah Stunting Juni 2024.",
        filters=[strip],
        validators=[
            DataRequired("Isi nama kampanye."),
            Length(max=120),
            no_control_chars(),
        ],
    )
    theme = StringField(
        "Tema",
        filters=[strip],
        validators=[Optional(), Length(max=200), no_control_chars()],
    )
    start_date = DateField("Mulai", validators=[Required("Isi tanggal mulai.")])
    end_date = DateField("Selesai", validators=[Required("Isi tanggal selesai.")])
    pokja_ids = CheckboxField(
        "Pokja", coerce=term_id, validators=[AtLeastOne("Pilih minimal satu Pokja.")]
    )

    def validate_end_date(self, field):
        """The period runs forwards and stays within a year."""
        start, end = self.start_date.data, field.data
        if start is None or end is None:
            return
        if end < start:
            raise ValidationError("Tanggal selesai tidak boleh sebelum tanggal mulai.")
        if (end - start).days > 366:
            raise ValidationError("Periode kampanye paling lama satu tahun.")
        if start < rules.EARLIEST_DATE:
            raise ValidationError("Kampanye dicatat mulai tahun 2015.")
        if end.year > 2100:
            raise ValidationError("Tanggal selesai tidak masuk akal.")


class TermForm(Form):
    kind = SelectField("Jenis daftar", choices=list(KINDS.items()))
    label = StringField(
        "Nama",
        filters=[strip],
        validators=[DataRequired("Isi nama."), Length(max=80), no_control_chars()],
    )
    sort = IntegerField(
        "Urutan",
        description="Angka kecil tampil lebih dulu.",
        validators=[
            Optional(),
            NumberRange(min=0, max=9999, message="Isi angka 0 sampai 9.999."),
        ],
    )


class TermEditForm(Form):
    label = StringField(
        "Nama",
        filters=[strip],
        validators=[DataRequired("Isi nama."), Length(max=80), no_control_chars()],
    )
    sort = IntegerField(
        "Urutan",
        description="Angka kecil tampil lebih dulu.",
        validators=[
            Optional(),
            NumberRange(min=0, max=9999, message="Isi angka 0 sampai 9.999."),
        ],
    )
    active = BooleanField(
        "Aktif", description="Istilah nonaktif tetap ada pada catatan lama."
    )
