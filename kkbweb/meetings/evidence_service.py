"""Writes of a meeting's evidence, each with its audit row (same transaction).

Uploads are checked before anything is written, by the ground floor
(kkbweb/uploads.py: photos re-encoded by images.py, PDF scans checked by
pdfcheck.py and kept as they are).
Files are written before the rows and removed again if the rows fail; a removed
row's file goes only after its commit succeeded.
"""

import secrets
from pathlib import Path

from sqlalchemy import insert

from kkbweb import images
from kkbweb.audit.log import record
from kkbweb.extensions import db
from kkbweb.meetings.models import Meeting, MeetingFile
from kkbweb.timeutil import utcnow
from kkbweb.uploads import PDF, Prepared

MAX_FILES = 30  # per meeting: a 240-name sheet is 11 pages, plus notulen and photos


def store(
    meeting: Meeting,
    kind: str,
    prepared: list[Prepared],
    user,
    folder: Path,
    known: set[str],
) -> int:
    """Write the new files and their rows, audited as one upload; return how many.

    Files whose content the meeting already has (`known` sha256s) are skipped. A
    copy racing this one fails on the unique (meeting, sha256) key: an
    IntegrityError, raised after this call's files were removed again. The
    caller commits.
    """
    written: list[str] = []
    rows = []
    fresh: dict[str, Prepared] = {}
    for item in prepared:
        if item.sha256 not in known:
            fresh.setdefault(item.sha256, item)
    if not fresh:
        return 0
    try:
        for item in fresh.values():
            extension = ".pdf" if item.mimetype == PDF else ".jpg"
            filename = secrets.token_hex(16) + extension
            images.write(folder, filename, item.data)
            written.append(filename)
            rows.append(
                {
                    "meeting_id": meeting.id,
                    "kind": kind,
                    "filename": filename,
                    "mimetype": item.mimetype,
                    "original_name": item.original_name,
                    "size_bytes": len(item.data),
                    "sha256": item.sha256,
                    "pages": item.pages,
                    "created_by_id": user.id,
                    "created_at": utcnow(),
                }
            )
        # One executemany, whatever the number of files: the POST budget.
        db.session.execute(insert(MeetingFile), rows)
        db.session.flush()
        record(
            "meeting.evidence_add",
            meeting,
            after={"files": [MeetingFile(**row).audit_dict() for row in rows]},
            user=user,
        )
    except BaseException:
        images.remove(folder, written)
        raise
    return len(rows)


def remove(meeting: Meeting, item: MeetingFile, user) -> str:
    """Delete one file's row, audited; return the file name to unlink after commit."""
    record(
        "meeting.evidence_remove",
        meeting,
        before={"file_id": item.id, **item.audit_dict()},
        user=user,
    )
    db.session.delete(item)
    return item.filename
