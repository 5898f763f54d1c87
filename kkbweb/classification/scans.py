"""The SK Camat scan of a Kampung KB: checked, stored and kept across a refused
form. No Flask: the caller passes folders, secret and user.

Stored like meeting evidence: checked by kkbweb/uploads.py (a photo re-encoded,
a PDF kept as it is; what a file is comes from its bytes), under
<uploads>/kampung/ with a random name.

A refused identity form (a bad date, say) cannot give the browser its chosen
file back, so a good scan is written at once to <uploads>/kampung/pending/ and
the form carries a signed token naming it and its owner; saving the form moves
it next to the other scans. Pending files older than PENDING_MAX_AGE are swept
when the form is opened.
"""

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from kkbweb import images
from kkbweb.uploads import JPEG, PDF

PENDING = "pending"
PENDING_MAX_AGE = 24 * 3600
SALT = "kampung-sk-scan"


@dataclass(frozen=True)
class Scan:
    """A checked scan: its stored name, type and the uploader's file name."""

    filename: str
    mimetype: str
    original_name: str

    @property
    def is_pdf(self) -> bool:
        return self.mimetype == PDF


def keep(folder: Path, data: bytes, mimetype: str, original_name: str) -> Scan:
    """Write a checked scan to the pending folder; the form carries its token."""
    extension = ".pdf" if mimetype == PDF else ".jpg"
    filename = secrets.token_hex(16) + extension
    images.write(folder / PENDING, filename, data)
    return Scan(filename, mimetype, original_name)


def token(scan: Scan, user_id: int, secret: str) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(
        [scan.filename, scan.mimetype, scan.original_name, user_id]
    )


def from_token(raw: str | None, user_id: int, secret: str, folder: Path) -> Scan | None:
    """The pending scan a form token names, if signed for this user, fresh and
    still on disk; None otherwise."""
    if not raw:
        return None
    try:
        name, mime, original, owner = URLSafeTimedSerializer(secret, salt=SALT).loads(
            raw, max_age=PENDING_MAX_AGE
        )
    except (BadSignature, ValueError, TypeError):
        return None
    if owner != user_id or mime not in (PDF, JPEG) or "/" in str(name):
        return None
    if not (folder / PENDING / str(name)).is_file():
        return None
    return Scan(str(name), mime, str(original))


def attach(folder: Path, scan: Scan) -> None:
    """Move a pending scan next to the stored ones (same file name)."""
    os.replace(folder / PENDING / scan.filename, folder / scan.filename)


def sweep(folder: Path, now: float | None = None) -> None:
    """Remove pending scans of forms never saved."""
    limit = (now or time.time()) - PENDING_MAX_AGE
    for path in (folder / PENDING).glob("*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass
