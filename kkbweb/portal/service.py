"""Writes of the portal feature, each with its audit row in the same transaction.

The caller commits. Photo files are copied (from a KIE photo or a meeting's
evidence) or moved (from a refused form's kept photos) into
UPLOAD_FOLDER/portal/ before the row is written; files a record no longer uses
are returned so the caller removes them after the commit.
"""

import shutil
from pathlib import Path

from PIL import Image

from kkbweb.audit.log import record as audit
from kkbweb.extensions import db
from kkbweb.images import new_filename
from kkbweb.kie import pending
from kkbweb.portal.defaults import Draft, Facts
from kkbweb.portal.mapping import Target
from kkbweb.portal.models import PortalMapping, PortalRecord
from kkbweb.timeutil import utcnow

PORTAL_FOLDER = "portal"


def _pairs(targets: list[Target]) -> list[list]:
    return [[t.portal_id, t.lainnya or ""] for t in targets]


def _copy_in(source: Path, root: Path) -> dict:
    """Copy one JPEG into the portal folder; its new name and size."""
    folder = root / PORTAL_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = new_filename()
    target = folder / name
    temp = folder / f".{name}.tmp"
    shutil.copyfile(source, temp)
    temp.replace(target)
    with Image.open(target) as image:
        width, height = image.size
    return {"file": name, "width": width, "height": height}


def _photos(draft: Draft, record, candidates, root: Path, token, user_id) -> list:
    """The record's photo items for the draft's slots (files copied in)."""
    old = list(record.photos or []) if record is not None else []
    items = []
    for slot in draft.photos:
        kind, _, rest = slot.ref.partition(":")
        if kind == "p":
            item = dict(old[int(rest)])
        elif kind == "t":
            path = pending.path(root, token, rest, user_id)
            item = {**_copy_in(path, root), "origin": "upload"}
        else:
            found = candidates[slot.ref]
            path = root / found.folder / found.filename
            item = {**_copy_in(path, root), "origin": found.origin}
        item["type"] = slot.type_id
        item["caption"] = slot.caption.strip() or None
        items.append(item)
    return items


def save_record(
    facts: Facts,
    record: PortalRecord | None,
    draft: Draft,
    user,
    root: Path,
    token: str | None = None,
    action: str | None = None,
    mark=None,
) -> tuple[PortalRecord, list[str]]:
    """Store the confirmed or edited record; return it and the files it dropped.

    mark: (when, portal_ref) to store it already marked "sudah diunggah".
    """
    candidates = {c.ref: c for c in facts.photos}
    items = _photos(draft, record, candidates, root, token, user.id)
    before = record.audit_dict() if record is not None else None
    if record is None:
        record = PortalRecord(
            source_kind=facts.kind, source_id=facts.source_id, pokja_id=facts.pokja_id
        )
        db.session.add(record)
    kept = {item["file"] for item in items}
    dropped = [p["file"] for p in (record.photos or []) if p["file"] not in kept]
    record.judul = draft.judul
    record.tanggal = draft.tanggal
    record.tempat = draft.tempat
    record.deskripsi = draft.deskripsi
    record.kategori_id = draft.kategori_id
    record.jenis_post_id = draft.jenis_post_id
    record.inpres_id = draft.inpres_id
    record.sasaran = _pairs(draft.sasaran)
    record.instansi = _pairs(draft.instansi)
    record.photos = items
    record.confirmed_by_id = user.id
    record.confirmed_at = utcnow()
    if mark is not None:
        record.uploaded_at, record.portal_ref = mark
        record.uploaded_by_id = user.id
    db.session.flush()
    audit(
        action or ("portal.update" if before else "portal.confirm"),
        record,
        before=before,
        after=record.audit_dict(),
        user=user,
    )
    return record, dropped


def mark_uploaded(
    facts: Facts, record, draft: Draft, user, portal_ref: str | None, root: Path
) -> PortalRecord:
    """Mark "sudah diunggah ke portal"; a record not yet stored is stored with
    the values the copy screen showed (its defaults)."""
    if record is None:
        record, _ = save_record(
            facts,
            None,
            draft,
            user,
            root,
            action="portal.uploaded",
            mark=(utcnow(), portal_ref or None),
        )
        return record
    before = record.audit_dict()
    record.uploaded_at = utcnow()
    record.uploaded_by_id = user.id
    record.portal_ref = portal_ref or None
    audit(
        "portal.uploaded", record, before=before, after=record.audit_dict(), user=user
    )
    return record


def unmark_uploaded(record: PortalRecord, user) -> None:
    """Take the mark back (marked by mistake)."""
    before = record.audit_dict()
    record.uploaded_at = None
    record.uploaded_by_id = None
    record.portal_ref = None
    audit(
        "portal.unuploaded", record, before=before, after=record.audit_dict(), user=user
    )


def save_mapping(
    vocab_key: str, code: str, target: Target | None, current, user
) -> bool:
    """Store an admin's correction (None: back to the default); audited."""
    row = db.session.get(PortalMapping, (vocab_key, code))
    before = {"portal_id": current.portal_id, "lainnya": current.lainnya}
    if target is None:
        if row is None:
            return False
        db.session.delete(row)
        after = {"default": True}
    else:
        if row is None:
            row = PortalMapping(vocab=vocab_key, code=code)
            db.session.add(row)
        elif (row.portal_id, row.lainnya) == (target.portal_id, target.lainnya):
            return False
        row.portal_id = target.portal_id
        row.lainnya = target.lainnya
        row.updated_by_id = user.id
        after = {"portal_id": target.portal_id, "lainnya": target.lainnya}
    audit(
        "portal.mapping",
        entity_type="portal_mapping",
        entity_id=f"{vocab_key}:{code}",
        before=before,
        after=after,
        user=user,
    )
    return True


def remove_files(root: Path, names: list[str]) -> None:
    """Delete files a record no longer uses (after the commit)."""
    for name in names:
        (root / PORTAL_FOLDER / name).unlink(missing_ok=True)
