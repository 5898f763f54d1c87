"""The Kampung KB identity form and the profile (profil, penduduk, KKBPK) form."""

from wtforms import (
    BooleanField,
    DateField,
    FileField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kkbweb import reference
from kkbweb.classification import figures as fig
from kkbweb.classification import rules, vocab
from kkbweb.forms import Form, IntegerField, line_field
from kkbweb.formtokens import FormTokenField

BOOL3 = [("1", "Ada"), ("0", "Tidak Ada"), ("", "Belum diisi")]


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _number(label: str):
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(0, rules.FIGURE_MAX, "Isi angka 0 sampai 100.000."),
        ],
    )


def kelurahan_choices() -> list[tuple[str, str]]:
    return [(k.code, f"{k.name} (Kec. {k.kecamatan})") for k in reference.kelurahan()]


class KampungForm(Form):
    name = line_field("Nama Kampung KB", rules.NAME_MAX)
    kelurahan_code = SelectField("Kelurahan", choices=[])
    rw_coverage = line_field("Cakupan RW", rules.RW_MAX)
    launched_on = DateField("Tanggal pencanangan", validators=[Optional()])
    sk_camat_number = line_field("Nomor SK Camat", rules.SK_MAX)
    sk_camat_date = DateField("Tanggal SK Camat", validators=[Optional()])
    portal_ref = line_field("ID atau alamat di portal Kampung KB", rules.PORTAL_REF_MAX)
    sk_scan = FileField(
        "Scan SK Camat",
        description=(
            "Foto (JPEG, PNG, HEIC) diperkecil dan dibersihkan dari data lokasi; "
            "PDF hasil pindaian disimpan apa adanya (maksimal 10 MB, 40 halaman)."
        ),
        render_kw={"accept": "image/*,application/pdf"},
    )
    # A good scan of a refused form, kept on the server (classification.scans).
    sk_scan_kept = HiddenField()
    remove_scan = BooleanField("Hapus scan SK yang tersimpan")

    def chosen_scan(self):
        """The file chosen, or None (browsers send an empty part for none)."""
        data = self.sk_scan.data
        return data if data is not None and getattr(data, "filename", "") else None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kelurahan_code.choices = kelurahan_choices()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.name.data or "").strip():
            self.name.errors = [*self.name.errors, "Isi nama Kampung KB."]
            ok = False
        return ok


class PkbForm(Form):
    """A PKB (penyuluh KB): name, WhatsApp number and the kelurahan covered."""

    name = line_field("Nama PKB", rules.PKB_NAME_MAX)
    phone = line_field("Nomor WhatsApp", rules.PHONE_MAX)
    kelurahan_codes = MultiCheckbox("Kelurahan yang dibina", choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kelurahan_codes.choices = kelurahan_choices()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.name.data or "").strip():
            self.name.errors = [*self.name.errors, "Isi nama PKB."]
            ok = False
        phone = self.phone.data or ""
        if phone and not rules.phone_ok(phone):
            self.phone.errors = [
                *self.phone.errors,
                "Isi nomor HP seperti 0812 3456 7890 atau +62 812 3456 7890.",
            ]
            ok = False
        return ok


class NewPkbForm(PkbForm):
    """A new PKB: the form token makes a double tap one PKB."""

    form_token = FormTokenField()


def _flag(label: str):
    return RadioField(label, choices=BOOL3, default="", validate_choice=True)


class ProfileForm(Form):
    """One snapshot. Field names follow figures.py; the dynamic parts (per
    mekanisme, per keluarga, per method) are added below the class."""

    form_token = FormTokenField()
    pokja_pengurusan = _flag("Pengurus Pokja")
    pokja_sk = _flag("SK Pokja")
    pokja_jumlah = _number("Jumlah anggota Pokja")
    pokja_pelatihan = _flag("Pelatihan/sosialisasi pengurus Pokja")
    pokja_jumlah_terlatih = _number("Jumlah anggota Pokja terlatih")
    sumber_dana = MultiCheckbox("Sumber dana", choices=vocab.SUMBER_DANA, coerce=int)
    program = MultiCheckbox(
        "Poktan dan sarana yang ada", choices=vocab.PROGRAMS, coerce=int
    )
    plkb_pendamping = _flag("PKB/PLKB pendamping")
    regulasi = _flag("Regulasi dari pemerintah setempat")
    penggunaan_data = MultiCheckbox(
        "Penggunaan data dalam perencanaan", choices=vocab.PENGGUNAAN_DATA, coerce=int
    )

    def validate(self, extra_validators=None) -> bool:
        """Refuse a profile with nothing answered (an empty POST saves nothing)."""
        ok = super().validate(extra_validators)
        if ok and is_empty(figures_from(self)):
            self.form_errors.append(
                "Profil masih kosong: isi paling sedikit satu isian."
            )
            return False
        return ok


FREKUENSI_CHOICES = [("", "Tidak Ada")] + [(str(i), n) for i, n in vocab.FREKUENSI]
for _id, _name in vocab.OPERASIONAL:
    setattr(
        ProfileForm,
        f"op_{_id}",
        SelectField(_name, choices=FREKUENSI_CHOICES, default=""),
    )
for _id, _name in vocab.KELUARGA:
    setattr(ProfileForm, f"pen_{_id}", _number(_name))
for _id, _name in vocab.PROGRAMS[:5]:
    setattr(ProfileForm, f"kk_program_{_id}", _number(f"Keluarga ikut {_name}"))
for _id, _name in vocab.KONTRASEPSI:
    setattr(ProfileForm, f"kk_kontrasepsi_{_id}", _number(f"PUS ber-KB {_name}"))
for _id, _name in vocab.NON_KONTRASEPSI:
    setattr(ProfileForm, f"kk_non_kontrasepsi_{_id}", _number(_name))


def is_empty(figures: dict) -> bool:
    """Nothing answered at all (an empty POST is refused, never saved)."""
    return not any(value not in (None, [], {}) for key, value in figures.items())


def _bool(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


def _radio(value: bool | None) -> str:
    return {True: "1", False: "0"}.get(value, "")


def figures_from(form: ProfileForm) -> dict:
    """The snapshot's figures from a validated form (figures.py layout)."""
    out: dict = {name: _bool(form[name].data) for name in fig.FLAGS}
    out |= {name: form[name].data for name in fig.NUMBERS}
    out |= {name: sorted(set(form[name].data or ())) for name in fig.ID_LISTS}
    out["operasional"] = {
        str(i): int(form[f"op_{i}"].data)
        for i, _n in vocab.OPERASIONAL
        if form[f"op_{i}"].data
    }
    pen = {str(i): form[f"pen_{i}"].data for i, _n in vocab.KELUARGA}
    out["penduduk"] = (
        {k: v for k, v in pen.items() if v is not None}
        if any(v is not None for v in pen.values())
        else None
    )
    parts = {
        "program": vocab.PROGRAMS[:5],
        "kontrasepsi": vocab.KONTRASEPSI,
        "non_kontrasepsi": vocab.NON_KONTRASEPSI,
    }
    kk = {
        part: {
            str(i): form[f"kk_{part}_{i}"].data
            for i, _n in items
            if form[f"kk_{part}_{i}"].data is not None
        }
        for part, items in parts.items()
    }
    out["kkbpk"] = kk if any(kk.values()) else None
    return out


def fill(form: ProfileForm, figures: dict) -> None:
    """Put stored or prefilled figures into an unsubmitted form."""
    for name in fig.FLAGS:
        form[name].data = _radio(figures.get(name))
    for name in fig.NUMBERS:
        form[name].data = figures.get(name)
    for name in fig.ID_LISTS:
        form[name].data = list(figures.get(name) or [])
    ops = figures.get("operasional") or {}
    for i, _n in vocab.OPERASIONAL:
        value = ops.get(str(i))
        form[f"op_{i}"].data = str(value) if value else ""
    pen = figures.get("penduduk") or {}
    for i, _n in vocab.KELUARGA:
        form[f"pen_{i}"].data = pen.get(str(i))
    kk = figures.get("kkbpk") or {}
    for part in ("program", "kontrasepsi", "non_kontrasepsi"):
        for key, value in (kk.get(part) or {}).items():
            name = f"kk_{part}_{key}"
            if name in form:
                form[name].data = value
