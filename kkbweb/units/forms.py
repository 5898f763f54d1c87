"""Forms for a service unit and for one session's counts."""

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from kkbweb.forms import Form, IntegerField, Required, optional_int
from kkbweb.formtokens import FormTokenField
from kkbweb.requests import clean_line, clean_text
from kkbweb.units import rules, vocab


class UnitForm(Form):
    kind = SelectField(
        "Jenis layanan",
        choices=list(vocab.KINDS.items()),
        validators=[DataRequired("Pilih Posyandu atau PAUD.")],
    )
    name = StringField(
        "Nama",
        description="Mis. Posyandu Mawar RW 03 atau PAUD Tunas Bangsa.",
        filters=[clean_line],
        validators=[DataRequired("Isi nama unit layanan."), Length(max=120)],
    )
    rw = StringField(
        "RW",
        description="Mis. 03.",
        filters=[clean_line],
        validators=[
            Optional(),
            Length(max=10),
            Regexp(r"^[0-9]{1,3}$", message="Isi nomor RW dengan angka, mis. 03."),
        ],
    )
    pokja_id = SelectField(
        "Pokja", coerce=optional_int, validators=[Required("Pilih Pokja.")]
    )
    is_active = BooleanField("Masih aktif", default=True)


class NewUnitForm(UnitForm):
    form_token = FormTokenField()


def _count(label: str, hint: str) -> IntegerField:
    return IntegerField(
        label,
        description=hint,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=rules.MAX_COUNT,
                message=f"Isi angka 0 sampai {rules.MAX_COUNT}.",
            ),
        ],
        render_kw={"inputmode": "numeric", "min": 0},
    )


class SessionForm(Form):
    """One session: the date, the counts of the unit's kind (the view drops the
    other kind's fields), a note."""

    date = DateField("Tanggal", validators=[Required("Isi tanggal sesi.")])
    note = TextAreaField(
        "Catatan",
        description="Mis. ada imunisasi, penyuluhan gizi oleh bidan.",
        filters=[clean_text],
        validators=[Optional(), Length(max=500)],
    )

    def keep_counts_of(self, kind: str) -> None:
        """Drop the count fields another kind records."""
        mine = {column for column, *_ in vocab.COUNTS.get(kind, ())}
        for column in vocab.COUNT_COLUMNS:
            if column not in mine:
                delattr(self, column)

    def count_fields(self) -> list:
        return [self[c] for c in vocab.COUNT_COLUMNS if c in self]

    def counts(self) -> dict[str, int | None]:
        return {c: self[c].data for c in vocab.COUNT_COLUMNS if c in self}


for _column, _label, _hint in (
    row for counts in vocab.COUNTS.values() for row in counts
):
    setattr(SessionForm, _column, _count(_label, _hint))


class NewSessionForm(SessionForm):
    form_token = FormTokenField()
