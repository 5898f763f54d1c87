"""Unit tests for the referral status flow, role rules and overdue arithmetic."""

from datetime import date, datetime, timedelta
from itertools import product

import pytest

from kkbweb.referrals import routing
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
    check_step_date,
    days_waiting,
    is_open,
    is_overdue,
    step_time,
)

# Written out by hand from the agreed flow (issue 17), NOT derived from TRANSITIONS,
# so a wrong row in the table shows up as a failing case here.
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
    "akad",
]
ROLES = ["admin", "staf", "pimpinan", "penyelenggara", "pokja"]
DOC_TYPES = [
    "akta_kelahiran",
    "buku_nikah",
    "akta_perkawinan",
    "itsbat_nikah",
    "kk",
    "ktp_el",
    "kia",
    "akta_kematian",
    "ikd",
]

# Every document type: the kader records every step done at the kelurahan desk.
COMMON_MOVES = {
    ("diajukan", "berkas_tidak_lengkap"),
    ("diajukan", "berkas_lengkap"),
    ("berkas_tidak_lengkap", "berkas_lengkap"),
    ("berkas_lengkap", "berkas_tidak_lengkap"),
    ("berkas_lengkap", "diteruskan"),
    ("diteruskan", "diproses"),
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
# A document issued and sent/handed over; a buku nikah is handed over at the akad.
ISSUED_MOVES = {
    ("diteruskan", "selesai"),
    ("diproses", "selesai"),
    ("selesai", "diserahkan"),
}
AKAD_MOVES = {("diteruskan", "akad"), ("diproses", "akad")}


# A buku nikah case reaches no "dokumen terbit"; one already there from before the
# akad status existed (migrated data) can still be closed as handed over.
LEGACY_NIKAH = {("selesai", "diserahkan")}


def moves_for(doc_type: str) -> set:
    extra = AKAD_MOVES | LEGACY_NIKAH if doc_type == "buku_nikah" else ISSUED_MOVES
    return COMMON_MOVES | extra


ALL_MOVES = COMMON_MOVES | ISSUED_MOVES | AKAD_MOVES
WORKERS = {"admin", "staf", "pokja"}
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
# Steps done outside the app ask for their real date.
DATED = (
    {
        ("berkas_lengkap", "diteruskan"),
        ("diteruskan", "diproses"),
        ("berkas_lengkap", "ditolak"),
        ("diteruskan", "ditolak"),
        ("diproses", "ditolak"),
    }
    | ISSUED_MOVES
    | AKAD_MOVES
)
TERMINAL = {"diserahkan", "dibatalkan", "akad"}


def test_status_and_role_lists_match_the_module():
    """The hand-written lists above cover the module's statuses, roles and moves."""
    assert list(STATUS_LABELS) == STATUSES
    assert list(ROLE_LABELS) == ROLES
    assert {(t.source, t.target) for t in TRANSITIONS} == ALL_MOVES
    assert set(routing.DOC_TYPES) == set(DOC_TYPES)


@pytest.mark.parametrize("doc_type", DOC_TYPES)
@pytest.mark.parametrize(
    ("source", "target", "role"), list(product(STATUSES, STATUSES, ROLES))
)
def test_every_move_for_every_role_and_document(source, target, role, doc_type):
    """Each (source, target, role, document) is allowed or refused as agreed."""
    allowed = role in WORKERS and (source, target) in moves_for(doc_type)
    if allowed:
        transition = check_move(
            source, target, role, reason="Sesuai permintaan warga", doc_type=doc_type
        )
        assert (transition.source, transition.target) == (source, target)
        assert role in transition.roles
        return

    with pytest.raises(WorkflowError) as excinfo:
        check_move(
            source, target, role, reason="Sesuai permintaan warga", doc_type=doc_type
        )
    message = excinfo.value.message
    # The message must say which rule was broken, not just "no".
    if source in TERMINAL:
        assert "tidak bisa diubah lagi" in message
    elif source == target:
        assert "sudah" in message
    elif (source, target) in moves_for(doc_type):
        assert message.startswith("Peran Anda tidak boleh")
    else:
        assert message.startswith("Status tidak bisa langsung berubah")


@pytest.mark.parametrize("doc_type", DOC_TYPES)
@pytest.mark.parametrize(("status", "role"), list(product(STATUSES, ROLES)))
def test_allowed_moves_lists_exactly_the_permitted_targets(status, role, doc_type):
    """The buttons offered to a role are exactly its permitted moves."""
    targets = {t.target for t in allowed_moves(status, role, doc_type)}
    expected = (
        {tgt for src, tgt in moves_for(doc_type) if src == status}
        if role in WORKERS
        else set()
    )
    assert targets == expected


def test_pokja_records_the_desk_steps_itself():
    """The kader may hand the file to the desk, record it issued and sent."""
    for source, target in [
        ("berkas_lengkap", "diteruskan"),
        ("diteruskan", "selesai"),
        ("selesai", "diserahkan"),
    ]:
        assert check_move(source, target, "pokja", doc_type="akta_kelahiran")


def test_buku_nikah_ends_at_the_akad():
    """A buku nikah is never "dokumen terbit": it is handed over at the akad."""
    with pytest.raises(WorkflowError, match="langsung berubah"):
        check_move("diproses", "selesai", "staf", doc_type="buku_nikah")
    assert check_move("diproses", "akad", "pokja", doc_type="buku_nikah")
    with pytest.raises(WorkflowError, match="langsung berubah"):
        check_move("diproses", "akad", "staf", doc_type="akta_kelahiran")
    assert is_open("akad") is False


def test_skip_message_names_the_next_steps():
    """Skipping steps explains which steps are possible instead."""
    with pytest.raises(WorkflowError) as excinfo:
        check_move("diajukan", "selesai", "staf", reason=None)
    assert excinfo.value.message == (
        "Status tidak bisa langsung berubah dari 'Diajukan' ke 'Dokumen terbit'. "
        "Langkah berikutnya yang boleh: Berkas tidak lengkap, Berkas lengkap, "
        "Dibatalkan."
    )
    assert str(excinfo.value) == excinfo.value.message


def test_role_message_names_who_may():
    """A refused role is told the move exists and who may make it."""
    with pytest.raises(WorkflowError) as excinfo:
        check_move("berkas_lengkap", "diteruskan", "pimpinan", reason=None)
    assert excinfo.value.message == (
        "Peran Anda tidak boleh mengubah status dari 'Berkas lengkap' ke "
        "'Berkas diserahkan ke loket'. Langkah ini hanya untuk: Admin, Staf dinas, "
        "Pokja."
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
    """A closed case says it is closed, with its label."""
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


def test_needs_reason_and_dated_flags_match():
    """Only rejection and cancellation need a reason; desk steps ask their date."""
    flagged = {(t.source, t.target) for t in TRANSITIONS if t.needs_reason}
    assert flagged == NEEDS_REASON
    assert {(t.source, t.target) for t in TRANSITIONS if t.dated} == DATED


def test_buttons_have_indonesian_labels():
    """The key buttons carry the agreed labels (issue 17 names)."""
    labels = {(t.source, t.target): t.label for t in TRANSITIONS}
    assert labels["berkas_lengkap", "diteruskan"] == "Berkas diserahkan ke loket"
    assert labels["diajukan", "berkas_lengkap"] == "Tandai berkas lengkap"
    assert labels["diproses", "selesai"] == "Dokumen terbit"
    assert labels["selesai", "diserahkan"] == (
        "Dokumen dikirim sebagai PDF / diserahkan"
    )
    assert labels["diproses", "ditolak"] == "Ditolak loket"
    assert labels["ditolak", "dibatalkan"] == "Batalkan"
    assert all(t.label for t in TRANSITIONS)
    assert STATUS_LABELS["selesai"] == "Dokumen terbit"


@pytest.mark.parametrize("status", STATUSES)
def test_is_open(status):
    """Only handed-over, akad and cancelled cases are closed."""
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
    # A complete file is taken to the desk by the kader.
    assert HOLDER["berkas_lengkap"] == "pokja"
    assert HOLDER["diteruskan"] == "instansi"
    assert HOLDER_LABELS["pokja"] == "Kader/pengurus Pokja"


TODAY = date(2024, 5, 27)


@pytest.mark.parametrize(
    ("day", "previous", "problem"),
    [
        (None, None, None),
        (TODAY, TODAY, None),
        (TODAY - timedelta(days=3), TODAY - timedelta(days=3), None),
        (TODAY + timedelta(days=1), None, "masa depan"),
        (TODAY - timedelta(days=90), None, None),
        (TODAY - timedelta(days=91), None, "90 hari"),
        (TODAY - timedelta(days=4), TODAY - timedelta(days=3), "sebelum langkah"),
    ],
)
def test_step_date_edges(day, previous, problem):
    """A step's real date: not ahead, not before the previous step, <= 90 days."""
    found = check_step_date(day, previous, TODAY)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_step_time_is_the_start_of_the_real_day():
    """A past day starts the clock at 00:00 WIB; today keeps the moment."""
    now = datetime(2024, 5, 27, 9, 30)
    offset = timedelta(hours=7)
    assert step_time(None, TODAY, now, offset) == now
    assert step_time(TODAY, TODAY, now, offset) == now
    assert step_time(date(2024, 5, 20), TODAY, now, offset) == datetime(
        2024, 5, 19, 17, 0
    )


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
