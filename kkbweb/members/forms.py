"""Forms of the member registry and the member import."""

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from kkbweb.forms import Form, optional_int
from kkbweb.formtokens import FormTokenField
from kkbweb.meetings import vocab
from kkbweb.meetings.forms import sensible_date
from kkbweb.requests import clean_line

PHONE = Regexp(r"^[0-9+ -]+$", message="Hanya angka, spasi, + atau -.")


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
    pokja_id = SelectField("Pokja", coerce=optional_int)
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


class NewMemberForm(MemberForm):
    form_token = FormTokenField()


class ImportForm(Form):
    file = FileField("Berkas CSV atau XLSX")
    pokja_id = SelectField(
        "Pokja (bila berkas tidak memuat kolom Pokja)",
        coerce=optional_int,
        validators=[Optional()],
    )


class ConfirmImportForm(Form):
    # One token per preview: it names the stored rows and makes one import of them.
    form_token = FormTokenField()
