"""Unit tests for NIK validation, mismatch warnings and masking."""

from datetime import date, datetime

import pytest

from kkbweb.nik import (
    ERR_BIRTH_DATE,
    ERR_FORMAT,
    ERR_PROVINCE,
    ERR_SERIAL,
    PROVINCE_CODES,
    mask_nik,
    normalize_nik,
    validate_nik,
    warnings_for,
)
from kkbweb.timeutil import today_wib

# Fixed "today" so the century rule does not drift as years pass.
TODAY = date(2024, 5, 27)


def nik(province="36", rest="7201", ddmmyy="150590", serial="0001"):
    """Build a NIK from its parts, so each vector shows what it varies."""
    return f"{province}{rest}{ddmmyy}{serial}"


@pytest.mark.parametrize(
    ("value", "birth_date", "sex"),
    [
        # Cilegon man born 15 May 1990.
        (nik(), date(1990, 5, 15), "L"),
        # Woman: 12 + 40 = 52.
        (nik(ddmmyy="520590"), date(1990, 5, 12), "P"),
        # Leap day of 2000, which is a leap year (divisible by 400).
        (nik(ddmmyy="290200"), date(2000, 2, 29), "L"),
        (nik(ddmmyy="690200"), date(2000, 2, 29), "P"),
        (nik(ddmmyy="290296"), date(1996, 2, 29), "L"),
        # Lowest and highest days for each sex.
        (nik(ddmmyy="010190"), date(1990, 1, 1), "L"),
        (nik(ddmmyy="310190"), date(1990, 1, 31), "L"),
        (nik(ddmmyy="410190"), date(1990, 1, 1), "P"),
        (nik(ddmmyy="710190"), date(1990, 1, 31), "P"),
        (nik(ddmmyy="311290"), date(1990, 12, 31), "L"),
        # Century: a birthday not later than today is 20YY ...
        (nik(ddmmyy="270524"), date(2024, 5, 27), "L"),
        (nik(ddmmyy="150124"), date(2024, 1, 15), "L"),
        (nik(ddmmyy="010100"), date(2000, 1, 1), "L"),
        # ... and one later than today is 19YY.
        (nik(ddmmyy="280524"), date(1924, 5, 28), "L"),
        (nik(ddmmyy="150645"), date(1945, 6, 15), "L"),
        # Not from Cilegon: Jakarta Selatan, Surabaya, and the newest Papua provinces.
        (nik(province="31", rest="7401"), date(1990, 5, 15), "L"),
        (nik(province="35", rest="7802", ddmmyy="630885"), date(1985, 8, 23), "P"),
        (nik(province="93", rest="0101"), date(1990, 5, 15), "L"),
        (nik(province="96", rest="7101"), date(1990, 5, 15), "L"),
        (nik(province="11", rest="0101", serial="9999"), date(1990, 5, 15), "L"),
        # Separators typed while copying from a KK are ignored.
        ("3672 0115 0590 0001", date(1990, 5, 15), "L"),
        ("36.72.01.150590.0001", date(1990, 5, 15), "L"),
        ("3672-01-150590-0001", date(1990, 5, 15), "L"),
        (" 3672011505900001\n", date(1990, 5, 15), "L"),
    ],
)
def test_valid_nik(value, birth_date, sex):
    """A well-formed NIK has no errors and yields its birth date and sex."""
    check = validate_nik(value, today=TODAY)
    assert check.errors == []
    assert check.ok
    assert check.birth_date == birth_date
    assert check.sex == sex
    assert len(check.nik) == 16


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("", [ERR_FORMAT]),
        (None, [ERR_FORMAT]),
        ("367201150590001", [ERR_FORMAT]),  # 15 digits
        ("36720115059000011", [ERR_FORMAT]),  # 17 digits
        ("3672O11505900001", [ERR_FORMAT]),  # letter O for zero
        ("367201150590000A", [ERR_FORMAT]),
        ("3672/01/150590/0001", [ERR_FORMAT]),  # slashes are not a separator we drop
        ("٣٦٧٢٠١١٥٠٥٩٠٠٠٠١", [ERR_FORMAT]),  # Arabic-Indic digits
        (nik(province="00"), [ERR_PROVINCE]),
        (nik(province="20"), [ERR_PROVINCE]),
        (nik(province="99"), [ERR_PROVINCE]),
        # 97 is BPS's code for Papua Pegunungan, never a Dukcapil NIK prefix.
        (nik(province="97"), [ERR_PROVINCE]),
        (nik(ddmmyy="300224"), [ERR_BIRTH_DATE]),  # 30 Feb
        (nik(ddmmyy="310225"), [ERR_BIRTH_DATE]),  # 31 Feb
        (nik(ddmmyy="290223"), [ERR_BIRTH_DATE]),  # 2023 is no leap year
        (nik(ddmmyy="290201"), [ERR_BIRTH_DATE]),  # nor 2001
        (nik(ddmmyy="310490"), [ERR_BIRTH_DATE]),  # 31 Apr
        (nik(ddmmyy="710490"), [ERR_BIRTH_DATE]),  # 31 Apr, woman
        (nik(ddmmyy="000190"), [ERR_BIRTH_DATE]),  # day 00
        (nik(ddmmyy="320190"), [ERR_BIRTH_DATE]),  # day 32
        (nik(ddmmyy="400190"), [ERR_BIRTH_DATE]),  # day 40: neither man nor woman
        (nik(ddmmyy="720190"), [ERR_BIRTH_DATE]),  # day 72: 32 for a woman
        (nik(ddmmyy="990190"), [ERR_BIRTH_DATE]),
        (nik(ddmmyy="150090"), [ERR_BIRTH_DATE]),  # month 00
        (nik(ddmmyy="151390"), [ERR_BIRTH_DATE]),  # month 13
        (nik(serial="0000"), [ERR_SERIAL]),
        # Every problem at once, so the form shows them together.
        (
            nik(province="00", ddmmyy="320190", serial="0000"),
            [ERR_PROVINCE, ERR_BIRTH_DATE, ERR_SERIAL],
        ),
    ],
)
def test_invalid_nik(value, errors):
    """A malformed NIK gets exactly the blocking errors that describe it."""
    check = validate_nik(value, today=TODAY)
    assert check.errors == errors
    assert not check.ok


def test_errors_are_in_indonesian():
    """The messages shown to users are the agreed Bahasa Indonesia texts."""
    assert validate_nik("123", today=TODAY).errors == ["NIK harus 16 digit angka."]
    assert validate_nik(nik(province="00"), today=TODAY).errors == [
        "Kode provinsi NIK tidak dikenal."
    ]
    assert validate_nik(nik(ddmmyy="310225"), today=TODAY).errors == [
        "Tanggal lahir dalam NIK tidak valid."
    ]
    assert validate_nik(nik(serial="0000"), today=TODAY).errors == [
        "Nomor urut NIK tidak boleh 0000."
    ]


def test_province_list_has_the_38_provinces():
    """The province list matches the 38 provinces, Cilegon's Banten included."""
    assert len(PROVINCE_CODES) == 38
    assert "36" in PROVINCE_CODES
    assert {"91", "92", "93", "94", "95", "96"} <= PROVINCE_CODES


def test_birth_date_is_read_even_when_another_part_is_wrong():
    """A bad serial still lets the form compare the birth date."""
    check = validate_nik(nik(ddmmyy="520590", serial="0000"), today=TODAY)
    assert check.errors == [ERR_SERIAL]
    assert (check.birth_date, check.sex) == (date(1990, 5, 12), "P")


def test_leap_day_of_00_before_2000_falls_back_to_1900():
    """On a 'today' before 29 Feb 2000, 290200 means 1900, which has no 29 Feb."""
    check = validate_nik(nik(ddmmyy="290200"), today=date(1999, 12, 31))
    assert check.errors == [ERR_BIRTH_DATE]


def test_today_defaults_to_the_real_date():
    """Without a 'today', a birth date is never placed in the future."""
    check = validate_nik(nik(ddmmyy="010199"))
    assert check.birth_date is not None
    assert check.birth_date <= today_wib()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3672 0115 0590 0001", "3672011505900001"),
        ("36.72.01-150590-0001", "3672011505900001"),
        ("\t3672011505900001 ", "3672011505900001"),
        (None, ""),
        ("", ""),
        # Letters stay, so validation still sees the typo.
        ("3672 O115", "3672O115"),
    ],
)
def test_normalize_nik(raw, expected):
    """Normalizing drops separators only."""
    assert normalize_nik(raw) == expected


def date_warning(shown):
    """Return the birth-date mismatch warning for a date as the user sees it."""
    return f"Tanggal lahir di NIK ({shown}) berbeda dengan tanggal lahir yang diisi."


# 15 May 1990, man / 12 May 1990, woman.
MAN = validate_nik(nik(), today=TODAY)
WOMAN = validate_nik(nik(ddmmyy="520590"), today=TODAY)


@pytest.mark.parametrize(
    ("check", "birth_date", "sex", "expected"),
    [
        (MAN, date(1990, 5, 15), "L", []),
        (WOMAN, date(1990, 5, 12), "P", []),
        (WOMAN, date(1990, 5, 12), "perempuan", []),
        (MAN, date(1990, 5, 15), "laki-laki", []),
        # Nothing entered: nothing to compare.
        (MAN, None, None, []),
        (MAN, datetime(1990, 5, 15, 8, 30), "l", []),
        (
            WOMAN,
            date(1990, 5, 21),
            "P",
            [date_warning("12 Mei 1990")],
        ),
        (
            WOMAN,
            date(1990, 5, 12),
            "L",
            ["Jenis kelamin di NIK (perempuan) berbeda dengan yang diisi."],
        ),
        (
            MAN,
            date(1990, 1, 5),
            "P",
            [
                date_warning("15 Mei 1990"),
                "Jenis kelamin di NIK (laki-laki) berbeda dengan yang diisi.",
            ],
        ),
        # An unreadable NIK has nothing to compare against.
        (validate_nik("123", today=TODAY), date(1990, 5, 12), "P", []),
    ],
)
def test_warnings_for(check, birth_date, sex, expected):
    """Mismatches between NIK and form data warn, in Indonesian, without blocking."""
    assert warnings_for(check, birth_date=birth_date, sex=sex) == expected


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("3672011505900001", "3672********0001"),
        ("3672 0115 0590 0001", "3672********0001"),
        ("36.72.01.150590.0001", "3672********0001"),
        ("3171745505850123", "3171********0123"),
        (None, ""),
        ("", ""),
        ("   ", ""),
        # Wrong lengths: only the last 4 show.
        ("367201150590001", "***********0001"),
        ("36720115059000012", "*************0012"),
        ("12345", "*2345"),
        # Too short to show any part without showing all of it.
        ("1234", "****"),
        ("12", "**"),
    ],
)
def test_mask_nik(raw, masked):
    """Masked NIKs never show more than the first and last 4 digits."""
    assert mask_nik(raw) == masked


@pytest.mark.parametrize(
    "raw", ["3672011505900001", "367201150590001", "36720115059000012"]
)
def test_mask_never_shows_the_middle(raw):
    """The birth date and kecamatan digits never appear in a masked NIK."""
    masked = mask_nik(raw)
    assert masked != raw
    assert len(masked) == len(raw)
    assert "1505" not in masked
