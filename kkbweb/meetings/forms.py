"""Forms for meetings, minutes and walk-in guests."""

from wtforms import (
    BooleanField,
    DateField,
    MultipleFileField,
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
    NumberRange,
    Optional,
    ValidationError,
)

# The ground floor's IntegerField: a 300-digit number gets a message, not a 500.
from kkbweb.forms import Form, IntegerField, Required, optional_int
from kkbweb.formtokens import FormTokenField
from kkbweb.meetings import vocab
from kkbweb.requests import FIRST_YEAR, LAST_YEAR, clean_line, clean_text


def sensible_date(_form, field) -> None:
    """Refuse dates far outside the programme's life (typos such as 0224)."""
    if field.data and not (FIRST_YEAR <= field.data.year <= LAST_YEAR):
        raise ValidationError(f"Tahun harus antara {FIRST_YEAR} dan {LAST_YEAR}.")


class MeetingForm(Form):
    kind = SelectField(
        "Jenis pertemuan",
        description=vocab.RETIRED_KINDS_HINT,
        choices=vocab.kind_choices(),
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
        "Penyelenggara", coerce=optional_int, validators=[Optional()]
    )
    pokja_ids = SelectMultipleField("Pokja yang diundang", coerce=int)
    # Plain form controls, so "every Pokja" and "a kecamatan's Pokja" need no
    # JavaScript: the server adds their Pokja to the ticked ones.
    all_pokja = BooleanField("Semua Pokja")
    kecamatan_ids = SelectMultipleField("Semua Pokja di kecamatan", coerce=int)
    invite_mode = RadioField(
        "Yang diundang dari Pokja (yang baru ditambahkan)",
        choices=[
            (vocab.ALL_MEMBERS, "Semua anggota aktif"),
            (vocab.DELEGATES, "Utusan: dipilih di halaman Peserta diundang"),
        ],
        default=vocab.ALL_MEMBERS,
        validators=[Optional()],
    )
    # kecamatan id -> its Pokja ids, set by the view with the choices.
    pokja_of_kecamatan: dict[int, list[int]] = {}

    def chosen_pokja_ids(self) -> list[int]:
        """The ticked Pokja plus those of the ticked kecamatan (or all)."""
        chosen = set(self.pokja_ids.data or [])
        if self.all_pokja.data:
            chosen |= {pid for pid, _name in self.pokja_ids.choices}
        for kecamatan_id in self.kecamatan_ids.data or []:
            chosen |= set(self.pokja_of_kecamatan.get(kecamatan_id, []))
        return sorted(chosen)

    def validate_pokja_ids(self, field) -> None:
        if not self.chosen_pokja_ids():
            raise ValidationError("Pilih minimal satu Pokja.")

    @property
    def mode(self) -> str:
        return self.invite_mode.data or vocab.ALL_MEMBERS


class ExternalForm(Form):
    """An invited person outside the Pokja: narasumber, dinas, mitra."""

    form_token = FormTokenField()

    name = StringField(
        "Nama",
        filters=[clean_line],
        validators=[DataRequired("Isi nama yang diundang."), Length(max=100)],
    )
    role = StringField(
        "Jabatan/instansi",
        description="Mis. Narasumber, Dinkes Kota Cilegon.",
        filters=[clean_line],
        validators=[Optional(), Length(max=100)],
    )
    sex = RadioField(
        "Jenis kelamin",
        choices=list(vocab.SEXES.items()),
        validators=[DataRequired("Pilih L atau P.")],
    )


class PickForm(Form):
    """The delegate picker of one Pokja (or of all): mode, members, quick picks.

    The member checkboxes are checked against the Pokja's members by the view.
    """

    mode = RadioField(
        "Yang diundang",
        choices=list(vocab.INVITE_MODES.items()),
        validators=[Optional()],
    )
    member_ids = SelectMultipleField("Utusan", coerce=int, validate_choice=False)
    n = IntegerField(
        "Jumlah per Pokja",
        default=2,
        validators=[
            Optional(),
            NumberRange(min=1, max=50, message="Isi 1 sampai 50 orang."),
        ],
    )
    pick = StringField("Pilihan cepat", validators=[Optional(), Length(max=20)])


class NewMeetingForm(MeetingForm):
    form_token = FormTokenField()


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
        "Datang bersama Pokja", coerce=optional_int, validators=[Optional()]
    )
    form_token = FormTokenField()


class EvidenceForm(Form):
    """Photos or PDF scans of the signed daftar hadir, notulen, the activity."""

    kind = RadioField(
        "Jenis bukti",
        choices=list(vocab.EVIDENCE_KINDS.items()),
        default=vocab.SIGNED_SHEET,
        validators=[Required("Pilih jenis bukti.")],
    )
    files = MultipleFileField(
        "Foto atau pindaian",
        description=(
            "Foto (JPEG, PNG, HEIC) diperkecil dan dibersihkan dari data lokasi; "
            "PDF hasil pindaian disimpan apa adanya (maksimal 10 MB, 40 halaman)."
        ),
        render_kw={"accept": "image/*,application/pdf"},
    )

    def chosen(self) -> list:
        """The files actually chosen (browsers send an empty part for none)."""
        return [f for f in (self.files.data or []) if f and getattr(f, "filename", "")]
