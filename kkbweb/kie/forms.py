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
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from kkbweb.forms import (
    Form,
    IntegerField,
    Required,
    line_field,
    no_control_chars,
    optional_int,
    strip,
)
from kkbweb.formtokens import FormTokenField
from kkbweb.kie import rules
from kkbweb.kie.vocab import ACTIVITY_TYPES, KINDS
from kkbweb.requests import MAX_ID
from kkbweb.timeutil import today_wib

TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
# The linked terms of an entry: kind -> the checkbox field that picks them.
LINK_FIELDS = {"topic": "topic_ids", "audience": "audience_ids", "media": "media_ids"}


def none_as_zero(value):
    """Show and keep "no choice" as the selects' 0 option (a WTForms filter).

    optional_int reads "" as None; these selects offer 0 for "none", and the
    entry's NULL campaign is shown as that option.
    """
    return 0 if value is None else value


def term_id(value) -> int:
    """Coerce a submitted term id, refusing silly numbers before they reach SQL."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("out of range")
    return number


def chosen_files(field) -> list:
    """The files actually chosen in a file input (browsers send an empty part)."""
    return [f for f in (field.data or []) if f and getattr(f, "filename", "")]


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
    """One KIE or advokasi activity; choices are filled in by the view.

    Every field is a column of the entry of the same name, except those in
    NOT_COLUMNS: a new plain field needs the column, this field and its
    template line, and nothing in the views or the service.
    """

    # The links (written as rows), the uploads, the resend token and the Pokja
    # (set by the view: the user's own, or the one a department writer picked).
    NOT_COLUMNS = frozenset(
        {
            *LINK_FIELDS.values(),
            "photos",
            "drop_photos",
            "form_token",
            "pokja_id",
            "csrf_token",
        }
    )

    pokja_id = SelectField(
        "Pokja", coerce=optional_int, filters=[none_as_zero], default=0
    )
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
        coerce=optional_int,
        filters=[none_as_zero],
        default=0,
        validators=[DataRequired("Pilih metode.")],
    )
    title = line_field(
        "Judul kegiatan",
        150,
        DataRequired("Isi judul kegiatan."),
        description="Mis. Sosialisasi pencegahan stunting di Posyandu Mawar RW 03.",
    )
    place = line_field("Tempat", 150, DataRequired("Isi tempat kegiatan."))
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
        coerce=optional_int,
        filters=[none_as_zero],
        default=0,
        validators=[DataRequired("Pilih kategori.")],
    )
    speaker = line_field("Narasumber", 100, Optional())
    mitra = line_field(
        "Mitra",
        200,
        Optional(),
        description="Instansi mitra, pisahkan dengan koma.",
        render_kw={"list": "kie-mitra", "autocomplete": "off"},
    )
    campaign_id = SelectField(
        "Kampanye", coerce=optional_int, filters=[none_as_zero], default=0
    )
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
    # Photos kept from a refused submission (kkbweb/kie/pending.py) to leave out.
    drop_photos = SelectMultipleField(
        "Hapus foto yang sudah tersimpan", coerce=str, validate_choice=False
    )
    form_token = HiddenField(
        validators=[
            Regexp(
                TOKEN_PATTERN,
                message="Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.",
            )
        ]
    )

    def populate_entry(self, activity) -> set[int]:
        """Copy the entry's own fields onto it; return the linked term ids.

        The model stores blanks as it needs them (NULL, or 0 for the counts).
        """
        for field in self:
            if field.name not in self.NOT_COLUMNS:
                setattr(activity, field.name, field.data)
        return {term for name in LINK_FIELDS.values() for term in self[name].data}

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
    name = line_field(
        "Nama kampanye",
        120,
        DataRequired("Isi nama kampanye."),
        description="Mis. Cegah Stunting Juni 2024.",
    )
    theme = line_field("Tema", 200, Optional())
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


class NewCampaignForm(CampaignForm):
    form_token = FormTokenField()


class TermForm(Form):
    form_token = FormTokenField()
    kind = SelectField("Jenis daftar", choices=list(KINDS.items()))
    label = line_field("Nama", 80, DataRequired("Isi nama."))
    sort = IntegerField(
        "Urutan",
        description="Angka kecil tampil lebih dulu.",
        validators=[
            Optional(),
            NumberRange(min=0, max=9999, message="Isi angka 0 sampai 9.999."),
        ],
    )


class TermEditForm(Form):
    label = line_field("Nama", 80, DataRequired("Isi nama."))
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
