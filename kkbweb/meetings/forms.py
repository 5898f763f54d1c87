"""Forms for meetings, minutes, walk-in guests, members and the member import."""

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from kkbweb.forms import Form, clean_line, clean_text
from kkbweb.meetings import vocab

FIRST_YEAR, LAST_YEAR = 2000, 2100


def sensible_date(_form, field) -> None:
    """Refuse dates far outside the programme's life (typos such as 0224)."""
    if field.data and not (FIRST_YEAR <= field.data.year <= LAST_YEAR):
        raise ValidationError(f"Tahun harus antara {FIRST_YEAR} dan {LAST_YEAR}.")


class Required:
    """Like DataRequired, but a value that could not be parsed keeps its own
    message ("Tanggal tidak valid") instead of being reported as missing."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, _form, field) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data is None or field.data == "":
            field.errors[:] = []
            raise StopValidation(self.message)


def _optional_int(value):
    """Coerce a select value: empty means none."""
    if value in (None, "", "None"):
        return None
    return int(value)


PHONE = Regexp(r"^[0-9+ -]+$", message="Hanya angka, spasi, + atau -.")


class MeetingForm(Form):
    kind = SelectField(
        "Jenis pertemuan",
        choices=list(vocab.MEETING_KINDS.items()),
        validators=[DataRequired("Pilih jenis pertemuan.")],
    )
    title = StringField(
        "Judul",
        description="Mis. Rapat koordinasi bulan Juni.",
        filters=[clean_line],
        validators=[DataRequired("Isi judul."), Length(max=200)],
    )
    date = DateField(
        "Tanggal",
        validators=[Required("Isi tanggal rapat."), sensible_date],
    )
    start_time = TimeField(
        "Jam mulai (WIB)",
        description="Mis. 08:30.",
        validators=[Optional()],
    )
    place = StringField(
        "Tempat",
        filters=[clean_line],
        validators=[DataRequired("Isi tempat rapat."), Length(max=200)],
    )
    agenda = TextAreaField(
        "Acara/agenda",
        filters=[clean_text],
        validators=[Optional(), Length(max=5000)],
    )
    organiser_id = SelectField(
        "Penyelenggara", coerce=_optional_int, validators=[Optional()]
    )
    pokja_ids = SelectMultipleField(
        "Pokja yang diundang",
        coerce=int,
        validators=[DataRequired("Pilih minimal satu Pokja.")],
    )


class MinutesForm(Form):
    minutes = TextAreaField(
        "Notulen",
        description="Ringkasan pembahasan dan keputusan rapat.",
        filters=[clean_text],
        validators=[Optional(), Length(max=20000)],
    )
    follow_ups = TextAreaField(
        "Tindak lanjut",
        description="Satu tindak lanjut per baris, mis. siapa melakukan apa, kapan.",
        filters=[clean_text],
        validators=[Optional(), Length(max=5000)],
    )


class GuestForm(Form):
    name = StringField(
        "Nama tamu",
        filters=[clean_line],
        validators=[DataRequired("Isi nama tamu."), Length(max=100)],
    )
    sex = RadioField(
        "Jenis kelamin",
        choices=list(vocab.SEXES.items()),
        validators=[DataRequired("Pilih L atau P.")],
    )
    affiliation = StringField(
        "Unsur/instansi",
        description="Mis. Puskesmas Ciwedus, Babinsa, RW 03.",
        filters=[clean_line],
        validators=[Optional(), Length(max=100)],
    )
    pokja_id = SelectField(
        "Datang bersama Pokja", coerce=_optional_int, validators=[Optional()]
    )


class MemberForm(Form):
    name = StringField(
        "Nama lengkap",
        filters=[clean_line],
        validators=[DataRequired("Isi nama."), Length(max=100)],
    )
    sex = RadioField(
        "Jenis kelamin",
        choices=list(vocab.SEXES.items()),
        validators=[DataRequired("Pilih laki-laki atau perempuan.")],
    )
    pokja_id = SelectField("Pokja", coerce=_optional_int)
    jabatan = SelectField(
        "Jabatan", choices=list(vocab.JABATAN.items()), default="anggota"
    )
    seksi = SelectField("Seksi", validators=[Optional()])
    unsur = SelectField("Unsur", choices=list(vocab.UNSUR.items()))
    phone = StringField(
        "Telepon/WA",
        description="Boleh dikosongkan.",
        filters=[clean_line],
        validators=[Optional(), Length(max=20), PHONE],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    active_from = DateField("Aktif sejak", validators=[Optional(), sensible_date])
    active_until = DateField(
        "Aktif sampai",
        description="Isi bila anggota berhenti; ia tetap tercatat di rapat sebelumnya.",
        validators=[Optional(), sensible_date],
    )
    is_active = BooleanField("Masih aktif", default=True)

    def validate_active_until(self, field) -> None:
        """The end cannot come before the start."""
        start = self.active_from.data
        if field.data and start and field.data < start:
            raise ValidationError("Tanggal berhenti tidak boleh sebelum tanggal mulai.")


class ImportForm(Form):
    file = FileField("Berkas CSV atau XLSX")
    pokja_id = SelectField(
        "Pokja (bila berkas tidak memuat kolom Pokja)",
        coerce=_optional_int,
        validators=[Optional()],
    )


class ConfirmImportForm(Form):
    token = StringField(validators=[DataRequired(), Length(max=64)])
