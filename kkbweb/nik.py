"""NIK (Nomor Induk Kependudukan) checks: structure, birth date, sex and masking."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from kkbweb.timeutil import tanggal, today_wib

# The 38 province codes Dukcapil writes into a NIK (Kemendagri kode wilayah, not BPS
# codes, which differ for Papua). Papua after the 2022 split: 91 Papua,
# 92 Papua Barat, 93 Papua Selatan, 94 Papua Tengah, 95 Papua Pegunungan,
# 96 Papua Barat Daya. 97 is deliberately absent: it is the BPS statistical code
# for Papua Pegunungan (BPS also uses 94 for Papua), and Dukcapil never issues it.
# A NIK keeps its code when a province splits, so older NIKs from the new Papua
# provinces still start 91 or 92; that is why no code is ever retired here.
# fmt: off
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19",  # Sumatra
        "21",  # Kepulauan Riau
        "31", "32", "33", "34", "35", "36",  # Jawa (36 = Banten, Cilegon is 36.72)
        "51", "52", "53",  # Bali, NTB, NTT
        "61", "62", "63", "64", "65",  # Kalimantan
        "71", "72", "73", "74", "75", "76",  # Sulawesi
        "81", "82",  # Maluku, Maluku Utara
        "91", "92", "93", "94", "95", "96",  # Papua (six provinces since 2022)
    }
)
# fmt: on

# Women's NIKs carry the birth day plus 40, so one number encodes both facts.
FEMALE_DAY_OFFSET = 40

SEX_LABELS = {"L": "laki-laki", "P": "perempuan"}

ERR_FORMAT = "NIK harus 16 digit angka."
ERR_PROVINCE = "Kode provinsi NIK tidak dikenal."
ERR_BIRTH_DATE = "Tanggal lahir dalam NIK tidak valid."
ERR_SERIAL = "Nomor urut NIK tidak boleh 0000."

# People type NIKs copied from a KK or KTP, where they are often grouped with spaces,
# dots or dashes; anything else (letters, slashes) is a real typo and must show.
_SEPARATORS = re.compile(r"[\s.\-]+")
# [0-9], not \d: \d also matches Arabic-Indic and other Unicode digits.
_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")


@dataclass(frozen=True)
class NikCheck:
    """Result of validating one NIK: blocking errors plus what could be read from it."""

    nik: str
    errors: list[str] = field(default_factory=list)
    birth_date: date | None = None
    sex: str | None = None

    @property
    def ok(self) -> bool:
        """Return True when the NIK has no blocking error."""
        return not self.errors


def normalize_nik(raw: str | None) -> str:
    """Return the NIK without spaces, dots or dashes (16 digits when it is valid)."""
    # Letters are kept on purpose: dropping them would turn a typo into a valid NIK.
    return _SEPARATORS.sub("", raw or "")


def _birth_year(yy: int, month: int, day: int, today: date) -> int:
    """Return 20YY unless that birthday is still in the future, else 19YY."""
    # Compare tuples, not dates: 29 Feb of a non-leap year cannot be built as a date.
    year = 2000 + yy
    if (year, month, day) > (today.year, today.month, today.day):
        year = 1900 + yy
    return year


def _parse_birth(segment: str, today: date) -> tuple[date, str] | None:
    """Read the DDMMYY segment into (birth date, sex), or None if it is impossible."""
    day, month, yy = int(segment[0:2]), int(segment[2:4]), int(segment[4:6])
    sex = "L"
    if day > FEMALE_DAY_OFFSET:
        day -= FEMALE_DAY_OFFSET
        sex = "P"
    # Days 32-40 and 72+ fall here too: after the offset they leave 1-31.
    if not 1 <= day <= 31 or not 1 <= month <= 12:
        return None
    try:
        return date(_birth_year(yy, month, day, today), month, day), sex
    except ValueError:
        # 30 Feb, 31 Apr, 29 Feb of a non-leap year.
        return None


def validate_nik(nik: str | None, today: date | None = None) -> NikCheck:
    """Check a NIK's structure and read its birth date and sex."""
    clean = normalize_nik(nik)
    if not _SIXTEEN_DIGITS.fullmatch(clean):
        # Nothing past this point means anything unless the shape is right.
        return NikCheck(nik=clean, errors=[ERR_FORMAT])

    errors = []
    if clean[0:2] not in PROVINCE_CODES:
        errors.append(ERR_PROVINCE)
    parsed = _parse_birth(clean[6:12], today or today_wib())
    if parsed is None:
        errors.append(ERR_BIRTH_DATE)
    if clean[12:16] == "0000":
        errors.append(ERR_SERIAL)

    # Birth date and sex are returned even beside other errors, so a form can show
    # every problem at once instead of one per submit.
    birth_date, sex = parsed if parsed else (None, None)
    return NikCheck(nik=clean, errors=errors, birth_date=birth_date, sex=sex)


def _normalize_sex(value: str | None) -> str | None:
    """Map 'L'/'P' or 'laki-laki'/'perempuan' (any case) to 'L'/'P', else None."""
    if not value:
        return None
    value = value.strip().lower()
    if value in ("l", "laki-laki", "laki laki", "pria"):
        return "L"
    if value in ("p", "perempuan", "wanita"):
        return "P"
    return None


def warnings_for(
    nik_check: NikCheck, birth_date: date | None = None, sex: str | None = None
) -> list[str]:
    """List non-blocking warnings where the NIK disagrees with the entered data."""
    # Warnings only, never errors: some NIKs really carry a wrong birth date
    # (registration mistakes) and the resident still needs the referral.
    warnings = []
    if isinstance(birth_date, datetime):
        # A datetime never equals a date, so compare the calendar day only.
        birth_date = birth_date.date()
    if nik_check.birth_date and birth_date and nik_check.birth_date != birth_date:
        warnings.append(
            f"Tanggal lahir di NIK ({tanggal(nik_check.birth_date)}) berbeda dengan "
            "tanggal lahir yang diisi."
        )
    entered_sex = _normalize_sex(sex)
    if nik_check.sex and entered_sex and nik_check.sex != entered_sex:
        warnings.append(
            f"Jenis kelamin di NIK ({SEX_LABELS[nik_check.sex]}) berbeda dengan "
            "yang diisi."
        )
    return warnings


def mask_nik(nik: str | None) -> str:
    """Mask a NIK for lists, prints and exports, e.g. '3672********0001'."""
    clean = normalize_nik(nik)
    if not clean:
        return ""
    if len(clean) == 16:
        # Province+city and serial stay visible so staff can tell records apart.
        return f"{clean[:4]}{'*' * 8}{clean[-4:]}"
    if len(clean) <= 4:
        # Showing "the last 4" of a short value would show all of it.
        return "*" * len(clean)
    return "*" * (len(clean) - 4) + clean[-4:]


# How a NIK looks inside free text: 16 digits not part of a longer number,
# written straight or grouped with single spaces, dots or dashes
# (3672 0141 0790 0099, 3672-0141-0790-0099, 3672.0141.0790.0099).
_NIK_IN_TEXT = re.compile(r"(?<![0-9])[0-9](?:[ .\-]?[0-9]){15}(?![0-9])")


def redact(text: str) -> str:
    """Mask every 16-digit run in a text the way mask_nik masks one NIK."""
    return _NIK_IN_TEXT.sub(lambda match: mask_nik(match.group()), text)
