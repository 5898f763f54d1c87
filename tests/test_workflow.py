"""Unit tests for the referral status flow, role rules and overdue arithmetic."""

from datetime import datetime, timedelta
from itertools import product

import pytest

from kkbweb.referrals.workflow import (
    DEFAULT_OVERDUE_DAYS,
    HOLDER,
    HOLDER_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    WorkflowError,
    allowed_moves,
    check_move,
    days_waiting,
    is_open,
    is_overdue,
)

# Written out by hand from the agreed flow, NOT derived from TRANSITIONS, so a wrong
# row in the table shows up as a failing case here.
STATUSES = [
    "diajukan",
    "berkas_tidak_lengkap",
    "berkas_lengkap",
    "diteruskan",
    "diproses",
    "selesai",
    "diserahkan",
    "ditolak",
    "dibatalkan",
]
ROLES = ["admin", "staf", "pimpinan", "penyelenggara", "pokja"]

POKJA_MOVES = {
    ("diajukan", "berkas_tidak_lengkap"),
    ("diajukan", "berkas_lengkap"),
    ("berkas_tidak_lengkap", "berkas_lengkap"),
    ("berkas_lengkap", "berkas_tidak_lengkap"),
    ("ditolak", "berkas_tidak_lengkap"),
    ("selesai", "diserahkan"),
    ("diajukan", "dibatalkan"),
    ("berkas_tidak_lengkap", "dibatalkan"),
    ("berkas_lengkap", "dibatalkan"),
    ("diteruskan", "dibatalkan"),
    ("diproses", "dibatalkan"),
    ("ditolak", "dibatalkan"),
}
ALL_MOVES = {
    ("diajukan", "berkas_tidak_lengkap"),
    ("diajukan", "berkas_lengkap"),
    ("berkas_tidak_lengkap", "berkas_lengkap"),
    ("berkas_lengkap", "berkas_tidak_lengkap"),
    ("berkas_lengkap", "diteruskan"),
    ("diteruskan", "diproses"),
    ("diproses", "selesai"),
    ("selesai", "diserahkan"),
    ("berkas_lengkap", "ditolak"),
    ("diteruskan", "ditolak"),
    ("diproses", "ditolak"),
    ("ditolak", "berkas_tidak_lengkap"),
    ("diajukan", "dibatalkan"),
    ("berkas_tidak_lengkap", "dibatalkan"),
    ("berkas_lengkap", "dibatalkan"),
    ("diteruskan", "dibatalkan"),
    ("diproses", "dibatalkan"),
    ("ditolak", "dibatalkan"),
}
EXPECTED = {
    "admin": ALL_MOVES,
    "staf": ALL_MOVES,
    "pokja": POKJA_MOVES,
    "pimpinan": set(),
    "penyelenggara": set(),
}
NEEDS_REASON = {
    ("berkas_lengkap", "ditolak"),
    ("diteruskan", "ditolak"),
    ("diproses", "ditolak"),
    ("diajukan", "dibatalkan"),
    ("berkas_tidak_lengkap", "dibatalkan"),
    ("berkas_lengkap", "dibatalkan"),
    ("diteruskan", "dibatalkan"),
    ("diproses", "dibatalkan"),
    ("ditolak", "dibatalkan"),
}
TERMINAL = {"diserahkan", "dibatalkan"}


def test_status_and_role_lists_match_the_module():
    """The hand-written lists above cover the module's statuses, roles and moves."""
    assert list(STATUS_LABELS) == STATUSES
    assert list(ROLE_LABELS) == ROLES
    assert {(t.source, t.target) for t in TRANSITIONS} == ALL_MOVES


@pytest.mark.parametrize(
    ("source", "target", "role"), list(product(STATUSES, STATUSES, ROLES))
)
def test_every_move_for_every_role(source, target, role):
    """Each (source, target, role) is allowed or refused exactly as agreed."""
    if (source, target) in EXPECTED[role]:
        transition = check_move(source, target, role, reason="Sesuai permintaan warga")
        assert (transition.source, transition.target) == (source, target)
        assert role in transition.roles
        return

    with pytest.raises(WorkflowError) as excinfo:
        check_move(source, target, role, reason="Sesuai permintaan warga")
    message = excinfo.value.message
    # The message must say which rule was broken, not just "no".
    if source in TERMINAL:
        assert "tidak bisa diubah lagi" in message
    elif source == target:
        assert "sudah" in message
    elif (source, target) in ALL_MOVES:
        assert message.startswith("Peran Anda tidak boleh")
    else:
        assert message.startswith("Status tidak bisa langsung berubah")


@pytest.mark.parametrize(("status", "role"), list(product(STATUSES, ROLES)))
def test_allowed_moves_lists_exactly_the_permitted_targets(status, role):
    """The buttons offered to a role are exactly its permitted moves."""
    targets = {t.target for t in allowed_moves(status, role)}
    assert targets == {tgt for src, tgt in EXPECTED[role] if src == status}


def test_skip_message_names_the_next_steps():
    """Skipping steps explains which steps are possible instead."""
    with pytest.raises(WorkflowError) as excinfo:
        check_move("diajukan", "selesai", "staf", reason=None)
    assert excinfo.value.message == (
        "Status tidak bisa langsung berubah dari 'Diajukan' ke 'Dokumen selesai'. "
        "Langkah berikutnya yang boleh: Berkas tidak lengkap, Berkas lengkap, "
        "Dibatalkan."
    )
    assert str(excinfo.value) == excinfo.value.message


def test_role_message_names_who_may():
    """A refused role is told the move exists and who may make it."""
    with pytest.raises(WorkflowError) as excinfo:
        check_move("berkas_lengkap", "diteruskan", "pokja", reason=None)
    assert excinfo.value.message == (
        "Peran Anda tidak boleh mengubah status dari 'Berkas lengkap' ke "
        "'Diteruskan ke instansi'. Langkah ini hanya untuk: Admin, Staf dinas."
    )


def test_unknown_role_is_refused():
    """A role name the flow does not know gets no move at all."""
    assert allowed_moves("diajukan", "tamu") == []
    with pytest.raises(WorkflowError, match="Peran Anda tidak boleh"):
        check_move("diajukan", "berkas_lengkap", "tamu")


@pytest.mark.parametrize(
    ("status", "target"), [("menunggu", "diajukan"), ("diajukan", "menunggu")]
)
def test_unknown_status_is_refused(status, target):
    """A status outside the flow is reported as unknown."""
    with pytest.raises(WorkflowError, match="tidak dikenal"):
        check_move(status, target, "admin", reason="x")


def test_unknown_status_has_no_moves():
    """A status outside the flow offers no buttons."""
    assert allowed_moves("menunggu", "admin") == []


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_terminal_status_message(status):
    """A closed referral says it is closed, with its label."""
    with pytest.raises(WorkflowError) as excinfo:
        check_move(status, "diajukan", "admin", reason="x")
    assert f"'{STATUS_LABELS[status]}' sudah ditutup" in excinfo.value.message


@pytest.mark.parametrize(("source", "target"), sorted(ALL_MOVES))
@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_reason_rules(source, target, reason):
    """Rejecting and cancelling need a real reason; other moves do not."""
    if (source, target) in NEEDS_REASON:
        with pytest.raises(WorkflowError) as excinfo:
            check_move(source, target, "admin", reason=reason)
        label = STATUS_LABELS[target]
        assert excinfo.value.message == (
            f"Alasan wajib diisi untuk mengubah status ke '{label}'."
        )
    else:
        assert check_move(source, target, "admin", reason=reason).target == target


def test_needs_reason_flags_match():
    """Only rejection and cancellation rows are flagged as needing a reason."""
    flagged = {(t.source, t.target) for t in TRANSITIONS if t.needs_reason}
    assert flagged == NEEDS_REASON


def test_buttons_have_indonesian_labels():
    """The key buttons carry the agreed labels."""
    labels = {(t.source, t.target): t.label for t in TRANSITIONS}
    assert labels["berkas_lengkap", "diteruskan"] == "Teruskan ke instansi"
    assert labels["diajukan", "berkas_lengkap"] == "Tandai berkas lengkap"
    assert labels["selesai", "diserahkan"] == "Serahkan ke warga"
    assert labels["diproses", "ditolak"] == "Tolak"
    assert labels["ditolak", "dibatalkan"] == "Batalkan"
    assert all(t.label for t in TRANSITIONS)


@pytest.mark.parametrize("status", STATUSES)
def test_is_open(status):
    """Only handed-over and cancelled referrals are closed."""
    assert is_open(status) is (status not in TERMINAL)


def test_is_open_unknown_status():
    """An unknown status is not counted as open work."""
    assert is_open("menunggu") is False


def test_holder_covers_every_status():
    """Every open status has someone holding the next action; closed ones none."""
    assert set(HOLDER) == set(STATUSES)
    for status in STATUSES:
        holder = HOLDER[status]
        if status in TERMINAL:
            assert holder is None
        else:
            assert holder in HOLDER_LABELS
    assert HOLDER["berkas_tidak_lengkap"] == "pokja"
    assert HOLDER["diteruskan"] == "instansi"
    assert HOLDER_LABELS["instansi"] == "Instansi tujuan"


T0 = datetime(2024, 5, 27, 9, 0)


@pytest.mark.parametrize(
    ("elapsed", "days"),
    [
        (timedelta(0), 0),
        (timedelta(hours=23, minutes=59), 0),
        (timedelta(days=1), 1),
        (timedelta(days=2, hours=23), 2),
        (timedelta(days=14, minutes=1), 14),
        # Clock skew between servers must not show a negative wait.
        (timedelta(hours=-2), 0),
    ],
)
def test_days_waiting(elapsed, days):
    """Waiting time is counted in whole 24-hour periods."""
    assert days_waiting(T0, T0 + elapsed) == days


def test_default_overdue_days():
    """Open statuses have the agreed limits; closed ones have none."""
    assert DEFAULT_OVERDUE_DAYS == {
        "diajukan": 3,
        "berkas_tidak_lengkap": 14,
        "berkas_lengkap": 3,
        "diteruskan": 7,
        "diproses": 7,
        "selesai": 7,
        "ditolak": 14,
    }


@pytest.mark.parametrize(
    ("status", "elapsed", "overdue"),
    [
        ("diajukan", timedelta(days=2, hours=23), False),
        ("diajukan", timedelta(days=3), True),
        ("berkas_lengkap", timedelta(days=3), True),
        ("berkas_tidak_lengkap", timedelta(days=13), False),
        ("berkas_tidak_lengkap", timedelta(days=14), True),
        ("diteruskan", timedelta(days=6, hours=23), False),
        ("diproses", timedelta(days=7), True),
        ("selesai", timedelta(days=7), True),
        ("ditolak", timedelta(days=10), False),
        # Closed referrals are never overdue, however old.
        ("diserahkan", timedelta(days=365), False),
        ("dibatalkan", timedelta(days=365), False),
    ],
)
def test_is_overdue_defaults(status, elapsed, overdue):
    """A referral is overdue once it has waited its status's limit."""
    assert is_overdue(status, T0, T0 + elapsed) is overdue


def test_is_overdue_config_override():
    """A configured limit replaces the default for its status only."""
    config = {"diajukan": 1, "diteruskan": None}
    # diajukan: 1 day instead of 3.
    assert is_overdue("diajukan", T0, T0 + timedelta(days=1), config) is True
    assert is_overdue("diajukan", T0, T0 + timedelta(days=1)) is False
    # None switches the check off.
    assert is_overdue("diteruskan", T0, T0 + timedelta(days=30), config) is False
    # Unnamed statuses keep their default.
    assert is_overdue("diproses", T0, T0 + timedelta(days=7), config) is True
    # Even a configured limit cannot make a closed referral overdue.
    assert is_overdue("diserahkan", T0, T0 + timedelta(days=9), {"diserahkan": 1}) is (
        False
    )
