"""Reads of a meeting's evidence (kkbweb/meetings/evidence.py): one statement each.

Callers have already loaded the meeting through queries.load_meeting, which
answers 404 to a user who may not see it; a file is then looked up by its id
*and* its meeting, so another meeting's file id is a 404 too.
"""

from sqlalchemy import func, select

from kkbweb.extensions import db
from kkbweb.meetings import vocab
from kkbweb.meetings.models import MeetingFile


def of_meeting(meeting_id: int) -> list[MeetingFile]:
    """The meeting's evidence, the signed sheet first, then in upload order."""
    order = [
        vocab.SIGNED_SHEET,
        *(k for k in vocab.EVIDENCE_KINDS if k != vocab.SIGNED_SHEET),
    ]
    rank = {kind: n for n, kind in enumerate(order)}
    files = db.session.scalars(
        select(MeetingFile).where(MeetingFile.meeting_id == meeting_id)
    ).all()
    return sorted(files, key=lambda f: (rank.get(f.kind, 99), f.id))


def file_of(meeting_id: int, file_id: int) -> MeetingFile | None:
    """One file of this meeting, or None."""
    return db.session.scalars(
        select(MeetingFile).where(
            MeetingFile.id == file_id, MeetingFile.meeting_id == meeting_id
        )
    ).first()


def counts(meeting_id: int) -> dict[str, int]:
    """kind -> number of files, for the recap ("daftar hadir bertanda tangan")."""
    rows = db.session.execute(
        select(MeetingFile.kind, func.count())
        .where(MeetingFile.meeting_id == meeting_id)
        .group_by(MeetingFile.kind)
    )
    return {kind: n for kind, n in rows}
