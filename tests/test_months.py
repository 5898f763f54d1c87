"""Month arithmetic and hand-in deadlines."""

from datetime import date, datetime

import pytest

from kkbweb.reports.months import Month, deadline, is_closed, is_late, trailing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05", Month(2024, 5)),
        ("2024-12", Month(2024, 12)),
        ("2024-13", None),
        ("2024-00", None),
        ("24-05", None),
        ("1999-05", None),
        ("2024-5", None),
        ("", None),
        (None, None),
        ("2024-05\x00", None),
    ],
)
def test_parse(raw, expected):
    assert Month.parse(raw) == expected


def test_labels_and_navigation():
    may = Month(2024, 5)
    assert may.label == "Mei 2024" and str(may) == "2024-05"
    assert Month(2024, 12).next() == Month(2025, 1)
    assert Month(2024, 1).previous() == Month(2023, 12)
    assert may.minus(5) == Month(2023, 12)
    assert trailing(may, 3) == [Month(2024, 3), Month(2024, 4), Month(2024, 5)]


def test_utc_bounds_follow_wib_midnight():
    start, end = Month(2024, 5).utc_bounds
    assert start == datetime(2024, 4, 30, 17, 0)
    assert end == datetime(2024, 5, 31, 17, 0)


def test_deadline_and_lateness():
    may = Month(2024, 5)
    assert deadline(may) == date(2024, 6, 10)
    assert deadline(may, 15) == date(2024, 6, 15)
    assert not is_late(may, date(2024, 6, 10), None)
    assert is_late(may, date(2024, 6, 11), None)
    assert not is_late(may, date(2024, 7, 1), submitted_on=date(2024, 6, 9))
    assert is_late(may, date(2024, 7, 1), submitted_on=date(2024, 6, 12))


def test_a_month_can_be_handed_in_once_it_has_ended():
    may = Month(2024, 5)
    assert not is_closed(may, date(2024, 5, 31))
    assert is_closed(may, date(2024, 6, 1))
