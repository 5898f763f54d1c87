"""Demo data: members for all 12 Pokja, a year of meetings with attendance, and the
27 May 2024 department orientation with all 12 Pokja.

`seed(scale)` is fast because everything goes in with bulk inserts; scale N covers
N years of history with more members per Pokja (scale 10: about a million
attendance rows). It does nothing if members already exist.
"""

import datetime as dt
import random
from types import SimpleNamespace

from sqlalchemy import func, insert, select

from kkbweb.audit.log import record
from kkbweb.auth.models import User
from kkbweb.demo import column, or_none, rows, texts
from kkbweb.demo.users import demo_username
from kkbweb.extensions import db
from kkbweb.meetings import vocab
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingGuest,
    MeetingInvitee,
    MeetingPokja,
)
from kkbweb.members.models import Member
from kkbweb.pokja.models import Pokja
from kkbweb.reports.months import MONTH_NAMES
from kkbweb.timeutil import today_wib, utcnow

ORIENTATION_DATE = dt.date(2024, 5, 27)
# The officers each Pokja sends to a department orientation.
PENGURUS = ("ketua", "sekretaris", "bendahara", "wakil_ketua")
CHUNK = 20_000

NAMES = "meetings_names"
FEMALE = column(NAMES, "name", kind="female")
MALE = column(NAMES, "name", kind="male")
FAMILY = column(NAMES, "name", kind="family")
# {p}: the Pokja, {rw}: a random RW.
PLACES = tuple(column("meetings_places", "place"))
# kind: (every n months, share of members present) for each Pokja's own meetings;
# the kinds without a rhythm are planned yearly or by the department.
_KINDS = rows("meetings_kinds")
POKJA_KINDS = {
    row["kind"]: (int(row["every_months"]), float(row["share_present"]))
    for row in _KINDS
    if row["every_months"]
}
TITLES = {row["kind"]: row["title"] for row in _KINDS}
MONTHS = MONTH_NAMES
MINUTES = tuple(column("meetings_notes", "text", field="minutes"))
FOLLOW_UPS = tuple(column("meetings_notes", "text", field="follow_ups"))
TEXTS = texts("meetings_texts")
# Each Pokja's fixed pengurus: (jabatan, seksi, unsur, sex, title, name suffix).
BOARD = [
    (
        row["jabatan"],
        or_none(row["seksi"]),
        row["unsur"],
        row["sex"],
        row["title"],
        row["suffix"],
    )
    for row in rows("meetings_board")
]
# The cross-sector partners at the orientation: (name, sex, affiliation).
GUESTS = [tuple(row.values()) for row in rows("meetings_guests")]


def seed(scale: int = 1) -> dict[str, int]:
    """Add demo members, meetings and attendance; skip if members exist."""
    if db.session.scalar(select(func.count()).select_from(Member)):
        return {"members": 0, "meetings": 0, "attendance": 0}
    scale = max(1, int(scale))
    rng = random.Random(20240527)
    today = today_wib()
    start = today - dt.timedelta(days=365 * scale)
    pokja = db.session.execute(
        select(Pokja.id, Pokja.display_name).order_by(Pokja.id)
    ).all()
    users = dict(db.session.execute(select(User.username, User.id)).all())
    department_user = users.get("demo.penyelenggara")

    members = _members(rng, pokja, start, scale)
    ids = db.session.scalars(
        insert(Member).returning(Member.id, sort_by_parameter_order=True), members
    ).all()
    roster: dict[int, list[dict]] = {}
    for member_id, member in zip(ids, members, strict=True):
        member["id"] = member_id
        roster.setdefault(member["pokja_id"], []).append(member)

    meetings = []  # (row, invited pokja ids, share present, only_unsur)
    for pokja_id, name in pokja:
        organiser = users.get(demo_username(SimpleNamespace(display_name=name)))
        meetings += _pokja_meetings(rng, pokja_id, name, organiser, start, today)
    meetings += _department_meetings(
        rng, [p for p, _ in pokja], department_user, start, today
    )
    meetings.append(_orientation(pokja, department_user))
    meeting_ids = db.session.scalars(
        insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True),
        [m[0] for m in meetings],
    ).all()
    db.session.execute(
        insert(MeetingPokja),
        [
            {
                "meeting_id": meeting_id,
                "pokja_id": pid,
                # Department meetings invite named delegates, not whole Pokja.
                "mode": vocab.DELEGATES if only else vocab.ALL_MEMBERS,
            }
            for meeting_id, (_row, invited, _share, only) in zip(
                meeting_ids, meetings, strict=True
            )
            for pid in invited
        ],
    )
    delegates = [
        {"meeting_id": meeting_id, "member_id": member["id"], "pokja_id": pid}
        for meeting_id, (row, invited, _share, only) in zip(
            meeting_ids, meetings, strict=True
        )
        if only
        for pid in invited
        for member in roster.get(pid, ())
        if _invited_delegate(row, member, only)
    ]
    for chunk_start in range(0, len(delegates), CHUNK):
        db.session.execute(
            insert(MeetingInvitee), delegates[chunk_start : chunk_start + CHUNK]
        )

    marks = 0
    batch: list[dict] = []
    marked_at = utcnow()
    for meeting_id, (row, invited, share, only) in zip(
        meeting_ids, meetings, strict=True
    ):
        if row["status"] == vocab.SCHEDULED:
            continue
        for pid in invited:
            for member in roster.get(pid, ()):
                status = _status(rng, row, member, share, only)
                if status is None:
                    continue
                batch.append(
                    {
                        "meeting_id": meeting_id,
                        "member_id": member["id"],
                        "pokja_id": pid,
                        "status": status,
                        "marked_by_id": row["organiser_id"],
                        "marked_at": marked_at,
                    }
                )
        if len(batch) >= CHUNK:
            db.session.execute(insert(Attendance.__table__), batch)
            marks += len(batch)
            batch = []
    if batch:
        db.session.execute(insert(Attendance.__table__), batch)
        marks += len(batch)
    _orientation_guests(meeting_ids[-1], department_user)
    counts = {"members": len(ids), "meetings": len(meeting_ids), "attendance": marks}
    record("demo.seed", entity_type="meeting", after=counts, note="data demo rapat")
    return counts


def _name(rng: random.Random, sex: str, title: str = "") -> str:
    """A Banten-style Indonesian name."""
    first = rng.choice(FEMALE if sex == "P" else MALE)
    name = f"{first} {rng.choice(FAMILY)}"
    return f"{title} {name}".strip()


def _members(rng, pokja, start: dt.date, scale: int) -> list[dict]:
    """Pengurus and kader of each Pokja, realistic in jabatan, seksi and unsur."""
    seksi = list(vocab.DEFAULT_SEKSI)
    factor = 1 + (scale - 1) // 4
    rows = []
    for pokja_id, _pokja_name in pokja:
        seen: set[str] = set()
        board = BOARD + [("koordinator_seksi", s, None, None, "", "") for s in seksi]
        count = rng.randint(25, 40) * factor
        while len(board) < count:
            unsur = rng.choice(
                [
                    "rt_rw",
                    "pkk",
                    "pkk",
                    "sub_ppkbd",
                    "karang_taruna",
                    "tokoh_masyarakat",
                ]
            )
            board.append(("anggota", rng.choice(seksi), unsur, None, "", ""))
        for jabatan, seksi_key, unsur, sex, title, suffix in board:
            sex = sex or ("P" if rng.random() < 0.7 else "L")
            unsur = unsur or rng.choice(
                ["pkk", "sub_ppkbd", "tokoh_masyarakat", "rt_rw"]
            )
            name = _name(rng, sex, title) + suffix
            while name in seen:
                name = _name(rng, sex, title) + suffix
            seen.add(name)
            joined = start - dt.timedelta(days=rng.randint(30, 2000))
            if rng.random() < 0.1:  # joined during the period
                joined = start + dt.timedelta(days=rng.randint(0, 300))
            left = None
            if jabatan == "anggota" and rng.random() < 0.05:
                left = joined + dt.timedelta(days=rng.randint(200, 500))
            rows.append(
                {
                    "pokja_id": pokja_id,
                    "name": name,
                    "sex": sex,
                    "jabatan": jabatan,
                    "seksi": seksi_key,
                    "unsur": unsur,
                    "phone": f"08{rng.randint(11, 59)}{rng.randint(10**7, 10**8 - 1)}"
                    if rng.random() < 0.6
                    else None,
                    "active_from": joined,
                    "active_until": left,
                    "is_active": left is None or left >= today_wib(),
                }
            )
    return rows


def _meeting_row(rng, kind, title, day, place, organiser, today) -> dict:
    """A meeting's columns; past ones are finished and carry minutes."""
    if day < today:
        status = vocab.FINISHED
    elif day == today:
        status = vocab.ONGOING
    else:
        status = vocab.SCHEDULED
    finished = status == vocab.FINISHED
    return {
        "kind": kind,
        "title": title,
        "date": day,
        "start_time": dt.time(
            rng.choice((8, 9, 9, 13, 14, 19)), rng.choice((0, 0, 30))
        ),
        "place": place,
        "agenda": TEXTS["agenda"],
        "minutes": rng.choice(MINUTES) if finished and rng.random() < 0.6 else None,
        "follow_ups": rng.choice(FOLLOW_UPS)
        if finished and rng.random() < 0.4
        else None,
        "status": status,
        "organiser_id": organiser,
        "created_by_id": organiser,
    }


def _months(start: dt.date, end: dt.date):
    """(year, month) from start's month through end's month."""
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        month += 1
        if month > 12:
            year, month = year + 1, 1


def _pokja_meetings(rng, pokja_id, name, organiser, start, today) -> list:
    """A Pokja's own calendar: monthly, bimonthly and quarterly meetings."""
    end = today + dt.timedelta(days=21)
    result = []
    for year, month in _months(start, end):
        label = f"{MONTHS[month - 1]} {year}"
        kinds = [k for k, (every, _) in POKJA_KINDS.items() if month % every == 0]
        if month == 1:
            kinds.append("rapat_perencanaan")
        for kind in kinds:
            day = dt.date(year, month, rng.randint(3, 26))
            if not start <= day <= end:
                continue
            place = rng.choice(PLACES).format(p=name, rw=rng.randint(1, 9))
            title = TITLES[kind].format(m=label, y=year)
            row = _meeting_row(rng, kind, title, day, place, organiser, today)
            share = POKJA_KINDS.get(kind, (1, 0.7))[1]
            result.append((row, [pokja_id], share, None))
    return result


def _department_meetings(rng, pokja_ids, organiser, start, today) -> list:
    """Monthly staff meetings of the PLKB with every Pokja invited."""
    result = []
    for year, month in _months(start, today):
        day = dt.date(year, month, rng.randint(5, 12))
        if not start <= day <= today:
            continue
        title = TITLES["staff_meeting_plkb"].format(m=f"{MONTHS[month - 1]} {year}")
        place = TEXTS["department_place"]
        row = _meeting_row(
            rng, "staff_meeting_plkb", title, day, place, organiser, today
        )
        result.append((row, pokja_ids, 0.9, "plkb"))
    return result


def _orientation(pokja, organiser) -> tuple:
    """The 27 May 2024 orientation of all 12 Pokja by the department."""
    row = {
        "kind": "orientasi",
        "title": TEXTS["orientation_title"],
        "date": ORIENTATION_DATE,
        "start_time": dt.time(8, 30),
        "place": TEXTS["orientation_place"],
        "agenda": TEXTS["orientation_agenda"],
        "minutes": TEXTS["orientation_minutes"],
        "follow_ups": TEXTS["orientation_follow_ups"],
        "status": vocab.FINISHED,
        "organiser_id": organiser,
        "created_by_id": organiser,
    }
    return (row, [p for p, _ in pokja], 1.0, "orientasi")


def _invited_delegate(meeting: dict, member: dict, only: str) -> bool:
    """Whom a department meeting names: the pengurus (orientation) or the unsur."""
    day = meeting["date"]
    if member["active_from"] and member["active_from"] > day:
        return False
    if member["active_until"] and member["active_until"] < day:
        return False
    if only == "orientasi":
        return member["jabatan"] in PENGURUS
    return member["unsur"] == only


def _status(rng, meeting: dict, member: dict, share: float, only: str | None):
    """A member's status at a meeting, or None when not on the roster or unmarked."""
    day = meeting["date"]
    if member["active_from"] and member["active_from"] > day:
        return None
    if member["active_until"] and member["active_until"] < day:
        return None
    if only == "orientasi":
        # Each Pokja sent its pengurus; the rest were not expected.
        if member["jabatan"] in PENGURUS:
            return "hadir" if rng.random() < 0.9 else "izin"
        return None
    if only and member["unsur"] != only:
        return None
    if member["jabatan"] in ("ketua", "sekretaris"):
        share = min(share + 0.15, 0.95)
    draw = rng.random()
    if draw < share:
        return "hadir"
    rest = (draw - share) / (1 - share)
    if rest < 0.3:
        return "izin"
    if rest < 0.45:
        return "sakit"
    if rest < 0.85:
        return "tidak_hadir"
    return None  # not marked


def _orientation_guests(meeting_id: int, organiser) -> None:
    """The cross-sector partners who came to the orientation."""
    db.session.execute(
        insert(MeetingGuest),
        [
            {
                "meeting_id": meeting_id,
                "name": name,
                "sex": sex,
                "affiliation": affiliation,
                "pokja_id": None,
                "created_by_id": organiser,
            }
            for name, sex, affiliation in GUESTS
        ],
    )
