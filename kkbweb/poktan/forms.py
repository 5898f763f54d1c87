"""Forms of the poktan registry, their families, sessions, walk-ins and photos."""

from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from kkbweb.forms import Form, line_field, no_control_chars, optional_int, strip
from kkbweb.formtokens import FormTokenField
from kkbweb.meetings.forms import sensible_date
from kkbweb.poktan import vocab

PHONE = Regexp(r"^[0-9+ -]+$", message="Hanya angka, spasi, + atau -.")
RT_RW = Regexp(r"^[0-9]{1,3}$", message="Tulis angka saja, mis. 03.")


class PoktanForm(Form):
    kind = SelectField(
        "Jenis poktan",
        choices=list(vocab.KINDS.items()),
        validators=[DataRequired("Pilih jenis poktan.")],
    )
    name = line_field(
        "Nama poktan",
        100,
        DataRequired("Isi nama poktan, mis. BKB Melati RW 03."),
        description="Mis. BKB Melati RW 03.",
    )
    rw = line_field("RW", 3, Optional(), RT_RW, render_kw={"inputmode": "numeric"})
    pokja_id = SelectField("Pokja", coerce=optional_int)
    ketua_member_id = SelectField(
        "Ketua (anggota Pokja)", coerce=optional_int, validators=[Optional()]
    )
    ketua_name = line_field(
        "atau nama ketua", 100, Optional(), description="Bila bukan anggota Pokja."
    )
    kader_member_id = SelectField(
        "Kader (anggota Pokja)", coerce=optional_int, validators=[Optional()]
    )
    kader_name = line_field("atau nama kader", 100, Optional())
    sk_number = line_field("Nomor SK", 80, Optional())
    sk_date = DateField("Tanggal SK", validators=[Optional(), sensible_date])
    since = DateField("Berdiri sejak", validators=[Optional(), sensible_date])
    is_active = BooleanField("Masih aktif", default=True)

    def validate_ketua_name(self, field) -> None:
        """One ketua: a member or a typed name, not both."""
        if field.data and self.ketua_member_id.data:
            raise ValidationError(
                "Pilih anggota Pokja atau tulis nama, bukan keduanya."
            )

    def validate_kader_name(self, field) -> None:
        """One kader: a member or a typed name, not both."""
        if field.data and self.kader_member_id.data:
            raise ValidationError(
                "Pilih anggota Pokja atau tulis nama, bukan keduanya."
            )


class NewPoktanForm(PoktanForm):
    form_token = FormTokenField()


class FamilyForm(Form):
    """A family in a poktan: its household (new or already registered) and the
    target member this poktan is about."""

    household_id = SelectField(
        "Keluarga yang sudah terdaftar",
        coerce=optional_int,
        validators=[Optional()],
        description="Mis. sudah anggota BKL. Kosongkan untuk keluarga baru.",
    )
    head_name = line_field("Nama kepala keluarga", 100, Optional())
    address = line_field("Alamat", 200, Optional())
    rt = line_field("RT", 3, Optional(), RT_RW, render_kw={"inputmode": "numeric"})
    rw = line_field("RW", 3, Optional(), RT_RW, render_kw={"inputmode": "numeric"})
    phone = line_field(
        "Telepon/WA",
        20,
        Optional(),
        PHONE,
        description="Boleh dikosongkan.",
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    target_name = line_field("Nama", 100, Optional())
    target_sex = RadioField(
        "Jenis kelamin", choices=list(vocab.SEXES.items()), validators=[Optional()]
    )
    target_birth_date = DateField(
        "Tanggal lahir", validators=[Optional(), sensible_date]
    )
    business = line_field("Nama usaha", 100, Optional())
    sub_sector = SelectField(
        "Subsektor usaha",
        choices=[("", "— pilih —"), *vocab.UPPKA_SUBSECTORS.items()],
        validators=[Optional()],
    )
    is_pus = BooleanField("Pasangan usia subur (PUS)")
    uses_kb = BooleanField("Ber-KB (memakai kontrasepsi)")
    kb_method = SelectField(
        "Metode KB",
        choices=[("", "— tidak diisi —"), *vocab.KB_METHODS.items()],
        validators=[Optional()],
    )
    joined_on = DateField("Bergabung sejak", validators=[Optional(), sensible_date])
    left_on = DateField(
        "Keluar pada",
        description="Isi bila keluarga keluar; ia tetap tercatat di pertemuan lalu.",
        validators=[Optional(), sensible_date],
    )

    def check_for(self, kind: str, editing: bool = False) -> bool:
        """The checks that depend on the poktan's kind; False with messages."""
        ok = True
        if (editing or not self.household_id.data) and not self.head_name.data:
            self.head_name.errors.append("Isi nama kepala keluarga.")
            ok = False
        if kind == vocab.UPPKA:
            if not self.business.data:
                self.business.errors.append("Isi nama usaha keluarga.")
                ok = False
        elif not self.target_name.data:
            self.target_name.errors.append(f"Isi {vocab.TARGET_LABELS[kind].lower()}.")
            ok = False
        if kind == vocab.BKB and not self.target_birth_date.data:
            self.target_birth_date.errors.append(
                "Isi tanggal lahir balita: kelompok umurnya dihitung dari sini."
            )
            ok = False
        if self.kb_method.data and not self.uses_kb.data:
            self.uses_kb.data = True  # a method named means the family uses KB
        start, end = self.joined_on.data, self.left_on.data
        if start and end and end < start:
            self.left_on.errors.append("Tanggal keluar tidak boleh sebelum bergabung.")
            ok = False
        return ok


class NewFamilyForm(FamilyForm):
    form_token = FormTokenField()


class SessionForm(Form):
    date = DateField(
        "Tanggal", validators=[DataRequired("Isi tanggal pertemuan."), sensible_date]
    )
    place = line_field("Tempat", 200, DataRequired("Isi tempat pertemuan."))
    topic = line_field("Materi", 200, DataRequired("Isi materi penyuluhan."))
    speaker = line_field("Narasumber", 100, Optional())
    kader_present = line_field(
        "Kader yang hadir", 200, Optional(), description="Nama, pisahkan dengan koma."
    )
    notes = TextAreaField(
        "Catatan",
        filters=[strip],
        validators=[Optional(), Length(max=2000), no_control_chars(multiline=True)],
    )


class NewSessionForm(SessionForm):
    form_token = FormTokenField()


class GuestForm(Form):
    """A family that came without being a member."""

    name = line_field("Nama keluarga / peserta", 100, DataRequired("Isi nama."))
    note = line_field(
        "Keterangan", 200, Optional(), description="Mis. warga RT 02, ingin bergabung."
    )
    form_token = FormTokenField()


class PhotoForm(Form):
    photos = MultipleFileField(
        "Foto kegiatan",
        description="JPEG, PNG atau HEIC; diperkecil dan dibersihkan dari data lokasi.",
        render_kw={"accept": "image/*"},
    )

    def chosen(self) -> list:
        """The files actually chosen (browsers send an empty part for none)."""
        return [f for f in (self.photos.data or []) if f and getattr(f, "filename", "")]


class ImportForm(Form):
    file = FileField("Berkas CSV atau XLSX")


class ConfirmImportForm(Form):
    # One token per preview: it names the stored rows and makes one import of them.
    form_token = FormTokenField()


class ConfirmForm(Form):
    """A bare confirmation (delete a photo, a walk-in)."""
