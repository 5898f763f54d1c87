"""Who a meeting's papers come from: the Pokja's heading or the Dinas letterhead.

A Pokja's own meeting (rules.own_pokja) prints "Pokja Kampung KB <name>,
Kelurahan <official name>, Kecamatan <name>" and a signature block for the Ketua
Pokja, and its invitation is signed by the Pokja; a department meeting prints the
Dinas letterhead and is signed by the DP3AP2KB. One statement, and none at all
for a meeting of several Pokja.
"""

from dataclasses import dataclass

from sqlalchemy import select

from kkbweb.auth.models import User
from kkbweb.extensions import db
from kkbweb.meetings import rules
from kkbweb.meetings.queries import LoadedMeeting
from kkbweb.members.models import Member, on_roster
from kkbweb.pokja.models import Kecamatan, Pokja


@dataclass(frozen=True)
class Letterhead:
    """The Pokja a meeting's papers come from, or none (the Dinas)."""

    pokja_name: str | None = None
    kelurahan: str | None = None
    kecamatan: str | None = None
    ketua_name: str | None = None

    @property
    def sender(self) -> str:
        """The sender line of the invitation."""
        return rules.sender_line(self.pokja_name)


DINAS = Letterhead()


def of_meeting(loaded: LoadedMeeting) -> Letterhead:
    """The heading of this meeting's invitation and daftar hadir."""
    meeting = loaded.meeting
    if len(loaded.pokja_ids) != 1:
        return DINAS
    (pokja_id,) = loaded.pokja_ids
    ketua = (
        select(Member.name)
        .where(
            Member.pokja_id == pokja_id,
            Member.jabatan == "ketua",
            on_roster(meeting.date),
        )
        .order_by(Member.id)
        .limit(1)
        .scalar_subquery()
    )
    organiser_pokja = (
        select(User.pokja_id).where(User.id == meeting.organiser_id).scalar_subquery()
    )
    row = db.session.execute(
        select(
            Pokja.display_name,
            Pokja.official_name,
            Kecamatan.display_name,
            ketua,
            organiser_pokja,
        )
        .join(Kecamatan, Kecamatan.id == Pokja.kecamatan_id)
        .where(Pokja.id == pokja_id)
    ).one()
    if rules.own_pokja(loaded.pokja_ids, meeting.organiser_id, row[4]) is None:
        return DINAS
    return Letterhead(row[0], row[1], row[2], row[3])
