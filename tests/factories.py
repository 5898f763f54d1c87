"""Plain data builders for tests (CTFd style): make_user(role=..., pokja=...).

Each builder opens an app context if none is active, commits, and returns the object
loaded and detached, so a test can read its attributes outside any context.
"""

import datetime as dt
import io
import secrets
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from PIL import Image
from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from kkbweb.auth.models import User
from kkbweb.demo.kie import seed_terms
from kkbweb.extensions import db
from kkbweb.kie import photos
from kkbweb.kie.models import (
    KieActivity,
    KieCampaign,
    KiePhoto,
    KieTerm,
    kie_activity_term,
    kie_campaign_pokja,
)
from kkbweb.meetings.models import (
    Attendance,
    Meeting,
    MeetingExternal,
    MeetingFile,
    MeetingGuest,
    MeetingInvitee,
    MeetingPokja,
)
from kkbweb.members.models import Member
from kkbweb.pokja.models import Kecamatan, Pokja
from kkbweb.poktan.models import (
    Household,
    Poktan,
    PoktanAttendance,
    PoktanMembership,
    PoktanSession,
)
from kkbweb.referrals import routing, service, workflow
from kkbweb.referrals.models import Referral, Resident
from kkbweb.reports.models import MonthlyReport
from kkbweb.timeutil import today_wib, utcnow

PASSWORD = "kata-sandi-uji-123"
_counter = iter(range(1, 10**9))
_app = None


def bind(app) -> None:
    """Remember the test's app (called by the app fixture)."""
    global _app
    _app = app


@contextmanager
def context():
    """An app context: the active one, or a new one for the bound app."""
    with nullcontext() if has_app_context() else _app.app_context():
        yield


def detach(obj):
    """Load every column of a committed object and detach it from the session."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


def save(*objects):
    """Add, commit and detach objects; return the first (or all, if several)."""
    with context():
        db.session.add_all(objects)
        db.session.commit()
        detached = [detach(obj) for obj in objects]
    return detached[0] if len(detached) == 1 else detached


@cache
def _hash(password: str, method: str) -> str:
    """Hash once per password: scrypt at production strength is deliberately slow."""
    return generate_password_hash(password, method=method)


def pokja(name: str = "Ciwedus") -> Pokja:
    """Fetch a seeded Pokja by display name."""
    with context():
        found = db.session.scalars(
            select(Pokja).where(Pokja.display_name == name)
        ).one()
        db.session.expunge(found)
    return found


def make_user(
    role: str = "pokja",
    pokja: Pokja | str | None = None,
    username: str | None = None,
    password: str = PASSWORD,
    active: bool = True,
    must_change_password: bool = False,
) -> User:
    """Create a user; a Pokja user defaults to Ciwedus."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    if pokja is None and role == "pokja":
        pokja = globals()["pokja"]("Ciwedus")
    with context():
        user = User(
            username=username or f"{role}{next(_counter)}",
            full_name=f"Pengguna {role}",
            role=role,
            pokja_id=pokja.id if pokja else None,
            password_hash=_hash(password, current_app.config["PASSWORD_HASH_METHOD"]),
            active=active,
            must_change_password=must_change_password,
        )
        return save(user)


def put_in_session(client, user: User) -> None:
    """Log a user into a test client directly, with their current session version."""
    with context():
        version = db.session.get(User, user.id).session_version
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{version}"
        session["_fresh"] = True


# --- meetings ------------------------------------------------------------------


def make_member(
    pokja="Ciwedus",
    name: str | None = None,
    sex: str = "P",
    jabatan: str = "anggota",
    unsur: str = "pkk",
    **fields,
):
    """Create a member of a Pokja (a Pokja object or its display name)."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    member = Member(
        pokja_id=pokja.id,
        name=name or f"Anggota {next(_counter)}",
        sex=sex,
        jabatan=jabatan,
        unsur=unsur,
        **fields,
    )
    return save(member)


def make_members(pokja="Ciwedus", count: int = 5, prefix: str = "Anggota") -> list:
    """Create `count` members of a Pokja in one commit; return their ids."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    with context():
        members = [
            Member(
                pokja_id=pokja.id,
                name=f"{prefix} {pokja.display_name} {i:03d}",
                sex="L" if i % 3 == 0 else "P",
                jabatan="anggota",
                unsur="pkk",
            )
            for i in range(1, count + 1)
        ]
        db.session.add_all(members)
        db.session.commit()
        return [m.id for m in members]


def make_meeting(
    pokja=("Ciwedus",),
    title: str = "Rapat Pokja bulanan",
    kind: str = "rapat_pokja",
    status: str = "dijadwalkan",
    date=None,
    **fields,
):
    """Create a meeting inviting the given Pokja (objects or display names)."""
    if isinstance(pokja, (str, Pokja)):
        pokja = (pokja,)
    pokja = [globals()["pokja"](p) if isinstance(p, str) else p for p in pokja]
    with context():
        meeting = Meeting(
            kind=kind,
            title=title,
            date=date or dt.date(2024, 5, 27),
            start_time=fields.pop("start_time", dt.time(8, 30)),
            place=fields.pop("place", "Aula Kantor Kelurahan"),
            status=status,
            **fields,
        )
        db.session.add(meeting)
        db.session.flush()
        for p in pokja:
            db.session.add(MeetingPokja(meeting_id=meeting.id, pokja_id=p.id))
        db.session.commit()
        return detach(meeting)


def make_mark(meeting, member, status: str = "hadir"):
    """Record a status for a member at a meeting."""
    return save(
        Attendance(
            meeting_id=meeting.id,
            member_id=member.id,
            pokja_id=member.pokja_id,
            status=status,
        )
    )


def make_guest(meeting, name: str = "Tamu Uji", pokja=None, sex: str = "L"):
    """Record a walk-in guest."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    return save(
        MeetingGuest(
            meeting_id=meeting.id,
            name=name,
            sex=sex,
            affiliation="Puskesmas",
            pokja_id=pokja.id if pokja else None,
        )
    )


def invite_delegates(meeting, pokja, member_ids) -> None:
    """Invite only these members of a Pokja (its mode becomes "delegates")."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    with context():
        invitation = db.session.get(MeetingPokja, (meeting.id, pokja.id))
        invitation.mode = "delegates"
        db.session.add_all(
            MeetingInvitee(meeting_id=meeting.id, member_id=m, pokja_id=pokja.id)
            for m in member_ids
        )
        db.session.commit()


def make_external(
    meeting, name: str = "Narasumber Uji", pokja=None, sex: str = "L", status=None
):
    """Invite a person outside the Pokja (of a Pokja, or of the department)."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    return save(
        MeetingExternal(
            meeting_id=meeting.id,
            name=name,
            role="Narasumber",
            sex=sex,
            pokja_id=pokja.id if pokja else None,
            status=status,
        )
    )


# -- KIE (kkbweb/kie) ----------------------------------------------------------


def kie_terms() -> dict[tuple[str, str], int]:
    """Seed the default KIE vocabularies if needed; return ids by (kind, code)."""

    with context():
        seed_terms()
        db.session.commit()
        rows = db.session.execute(select(KieTerm.kind, KieTerm.code, KieTerm.id))
        return {(kind, code): term_id for kind, code, term_id in rows}


def kie_jpeg(size=(64, 48), color=(200, 80, 40)) -> bytes:
    """A small JPEG, as a camera would send it."""

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def make_kie_campaign(
    name: str = "Cegah Stunting Juni 2024",
    pokja_names=("Ciwedus",),
    start=None,
    end=None,
):
    """A campaign for the named Pokja (default: the last 60 days)."""

    today = today_wib()
    with context():
        campaign = KieCampaign(
            name=name,
            start_date=start or today - timedelta(days=60),
            end_date=end or today,
        )
        db.session.add(campaign)
        db.session.flush()
        db.session.execute(
            insert(kie_campaign_pokja),
            [
                {"campaign_id": campaign.id, "pokja_id": pokja(n).id}
                for n in pokja_names
            ],
        )
        return save(campaign)


def make_kie_activity(
    pokja_name: str = "Ciwedus",
    title: str | None = None,
    topics=("stunting",),
    audiences=("pus",),
    media=(),
    method: str = "tatap_muka",
    kategori: str = "sosialisasi_pendidikan",
    activity_type: str = "kie",
    activity_date=None,
    male: int = 3,
    female: int = 10,
    reach: int | None = None,
    campaign=None,
    created_by=None,
    created_at=None,
    photo: bool = False,
):
    """A KIE entry with its term links (and one small photo if asked)."""

    terms = kie_terms()
    with context():
        activity = KieActivity(
            pokja_id=pokja(pokja_name).id,
            activity_date=activity_date or today_wib(),
            activity_type=activity_type,
            method_id=terms[("method", method)],
            kategori_id=terms[("kategori", kategori)],
            campaign_id=campaign.id if campaign else None,
            title=title or f"Sosialisasi pencegahan stunting {next(_counter)}",
            place="Posyandu Mawar RW 03",
            speaker="Bidan Siti Rohmah",
            mitra="Puskesmas Cilegon",
            participants_male=male,
            participants_female=female,
            estimated_reach=reach,
            created_by_id=created_by.id if created_by else None,
            created_at=created_at or utcnow(),
            form_token=secrets.token_hex(16),
        )
        activity.updated_at = activity.created_at
        db.session.add(activity)
        db.session.flush()
        links = [terms[("topic", t)] for t in topics]
        links += [terms[("audience", a)] for a in audiences]
        links += [terms[("media", m)] for m in media]
        if links:
            db.session.execute(
                insert(kie_activity_term),
                [{"activity_id": activity.id, "term_id": t} for t in links],
            )
        if photo:
            filename = photos.new_filename()
            folder = Path(current_app.config["UPLOAD_FOLDER"]) / "kie"
            photos.write(folder, filename, kie_jpeg())
            db.session.add(
                KiePhoto(
                    activity_id=activity.id,
                    filename=filename,
                    width=64,
                    height=48,
                    size_bytes=len(kie_jpeg()),
                )
            )
        return save(activity)


# -- referrals (rujukan) -----------------------------------------------------------


def make_resident(
    pokja: "Pokja | str" = "Ciwedus",
    name: str | None = None,
    nik: str | None = None,
    sex: str = "P",
    birth_date=None,
    religion: str | None = "islam",
    **fields,
):
    """Create a resident (warga) of a Pokja."""

    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    resident = Resident(
        name=name or f"Warga Uji {next(_counter)}",
        sex=sex,
        birth_date=birth_date,
        religion=religion,
        address=fields.pop("address", "Jl. Uji No. 1"),
        rt=fields.pop("rt", "001"),
        rw=fields.pop("rw", "002"),
        pokja_id=pokja.id,
        nik=nik,
        **fields,
    )
    return save(resident)


def make_referral(
    resident,
    doc_type: str = "akta_kelahiran",
    status: str = "diajukan",
    by: User | None = None,
    assigned_to: User | None = None,
    changed_at=None,
):
    """Open a referral through the real intake code, then set its status directly."""

    with context():
        service.ensure_checklists()
        owner = db.session.get(Resident, resident.id)
        pokja_row = db.session.get(Pokja, owner.pokja_id)
        kecamatan = db.session.get(Kecamatan, pokja_row.kecamatan_id)
        suggestion = routing.suggest_destination(
            doc_type, owner.religion, kecamatan.display_name
        )
        now = utcnow()
        referral_id, _ = service.create_referral(
            resident=owner,
            doc_type=doc_type,
            destination=(suggestion.code, suggestion.name, None),
            notes=None,
            user=by,
            intake_key=None,
            now=now,
        )
        referral = db.session.get(Referral, referral_id)
        referral.status = status
        referral.holder = workflow.HOLDER.get(status)
        referral.status_changed_at = changed_at or now
        referral.assigned_to_id = assigned_to.id if assigned_to else None
        if status in (workflow.SELESAI, workflow.DISERAHKAN):
            referral.completed_at = referral.status_changed_at
        if status == workflow.DISERAHKAN:
            referral.handed_over_at = referral.status_changed_at
        db.session.commit()
        return detach(referral)


# -- reports (kkbweb/reports) ----------------------------------------------------


def make_report(
    pokja="Ciwedus",
    month=(2024, 5),
    status: str = "diserahkan",
    note: str | None = None,
    figures: dict | None = None,
    submitted_at=None,
):
    """A monthly report of a Pokja in a given state (figures: an empty snapshot)."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    moment = submitted_at or dt.datetime(
        month[0] + month[1] // 12, month[1] % 12 + 1, 3
    )
    return save(
        MonthlyReport(
            pokja_id=pokja.id,
            year=month[0],
            month=month[1],
            status=status,
            figures=figures or {"version": 1, "lines": []},
            note=note,
            first_submitted_at=moment,
            submitted_at=moment,
        )
    )


# -- a meeting's evidence ----------------------------------------------------------


def tiny_pdf(pages: int = 1, extra: bytes = b"") -> bytes:
    """A small valid PDF of `pages` empty A4 pages (with `extra` in its catalog)."""
    kids = " ".join(f"{3 + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra + b">>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_meeting_file(meeting, kind: str = "daftar_hadir", pdf: bool = False):
    """A stored evidence file of a meeting (a small JPEG, or a one-page PDF)."""
    with context():
        data = tiny_pdf() if pdf else kie_jpeg()
        filename = secrets.token_hex(16) + (".pdf" if pdf else ".jpg")
        folder = Path(current_app.config["UPLOAD_FOLDER"]) / "meetings"
        photos.write(folder, filename, data)
        return save(
            MeetingFile(
                meeting_id=meeting.id,
                kind=kind,
                filename=filename,
                mimetype="application/pdf" if pdf else "image/jpeg",
                original_name="daftar-hadir.pdf" if pdf else "IMG_0001.jpg",
                size_bytes=len(data),
                sha256=secrets.token_hex(32),
                pages=1 if pdf else None,
            )
        )


# -- Posyandu and PAUD ---------------------------------------------------------


def make_unit(of="Ciwedus", kind: str = "posyandu", name=None, rw="03", **kw):
    """A Posyandu (or PAUD) of a Pokja (a name or a Pokja object)."""
    from kkbweb.units.models import ServiceUnit

    owner = of if isinstance(of, Pokja) else pokja(of)
    name = name or f"{'Posyandu' if kind == 'posyandu' else 'PAUD'} Mawar RW {rw}"
    return save(ServiceUnit(pokja_id=owner.id, kind=kind, name=name, rw=rw, **kw))


def make_unit_session(unit, date=None, note=None, **counts):
    """A session of a unit on a date (default 10 May 2024) with its counts."""
    from kkbweb.units.models import ServiceSession

    if not counts:
        counts = (
            {"balita_present": 30, "balita_weighed": 28, "ibu_hamil": 4}
            if unit.kind == "posyandu"
            else {"children_enrolled": 20, "children_present": 17}
        )
    return save(
        ServiceSession(
            unit_id=unit.id,
            pokja_id=unit.pokja_id,
            date=date or dt.date(2024, 5, 10),
            note=note,
            **counts,
        )
    )


# --- poktan --------------------------------------------------------------------


def make_poktan(pokja="Ciwedus", name: str | None = None, kind: str = "bkb", **fields):
    """Create a poktan of a Pokja (a Pokja object or its display name)."""
    if isinstance(pokja, str):
        pokja = globals()["pokja"](pokja)
    fields.setdefault("rw", "03")
    return save(
        Poktan(
            pokja_id=pokja.id,
            kind=kind,
            name=name or f"{kind.upper()} Uji {next(_counter)}",
            **fields,
        )
    )


def make_families(
    poktan, count: int = 3, prefix: str = "Keluarga", birth=dt.date(2023, 3, 14)
) -> list[int]:
    """Add `count` families (each its own household, a balita born on `birth`)
    to a poktan in one commit; return the membership ids, in name order."""
    with context():
        homes = [
            Household(pokja_id=poktan.pokja_id, head_name=f"{prefix} {i:02d}", rt="01")
            for i in range(count)
        ]
        db.session.add_all(homes)
        db.session.flush()
        members = [
            PoktanMembership(
                poktan_id=poktan.id,
                household_id=home.id,
                pokja_id=poktan.pokja_id,
                target_name=f"Anak {i:02d}" if poktan.kind != "uppka" else None,
                business=f"Usaha {i:02d}" if poktan.kind == "uppka" else None,
                target_sex="P" if i % 2 else "L",
                target_birth_date=birth,
                is_pus=bool(i % 2),
            )
            for i, home in enumerate(homes)
        ]
        db.session.add_all(members)
        db.session.commit()
        return [m.id for m in members]


def make_family(poktan, head_name: str = "Ahmad Fauzi", **fields) -> PoktanMembership:
    """One family (a new household) in a poktan."""
    with context():
        home = Household(pokja_id=poktan.pokja_id, head_name=head_name, rt="01")
        db.session.add(home)
        db.session.flush()
        fields.setdefault("target_name", "Aisyah")
        fields.setdefault("target_birth_date", dt.date(2023, 2, 1))
        member = PoktanMembership(
            poktan_id=poktan.id,
            household_id=home.id,
            pokja_id=poktan.pokja_id,
            **fields,
        )
        return save(member)


def make_poktan_session(poktan, date=dt.date(2024, 6, 10), **fields) -> PoktanSession:
    """A session of a poktan."""
    fields.setdefault("place", "Posyandu Melati")
    fields.setdefault("topic", "Gizi seimbang balita")
    return save(
        PoktanSession(
            poktan_id=poktan.id,
            pokja_id=poktan.pokja_id,
            kind=poktan.kind,
            date=date,
            **fields,
        )
    )


def make_family_marks(session, membership_ids, status: str = "hadir") -> None:
    """Mark families at a session in one commit."""
    with context():
        homes = dict(
            db.session.execute(
                select(PoktanMembership.id, PoktanMembership.household_id).where(
                    PoktanMembership.id.in_(membership_ids)
                )
            ).all()
        )
        db.session.add_all(
            PoktanAttendance(
                session_id=session.id,
                membership_id=mid,
                household_id=homes[mid],
                pokja_id=session.pokja_id,
                status=status,
            )
            for mid in membership_ids
        )
        db.session.commit()
