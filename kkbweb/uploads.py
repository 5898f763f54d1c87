"""Checking an uploaded PDF or photo before it is stored, for every feature that
keeps files (a meeting's evidence, a case's issued document).

What a file is comes from its bytes, not its name or the browser's type: a PDF
goes through pdfcheck.py and is kept as it is, anything else through images.py
(40 MP limit from the header, re-encoded, EXIF dropped). No database here.
"""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

from kkbweb import images, pdfcheck

PDF = "application/pdf"
JPEG = "image/jpeg"


@dataclass(frozen=True)
class Prepared:
    """A checked upload ready to be stored."""

    data: bytes
    mimetype: str
    original_name: str
    pages: int | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_name(name: str) -> str:
    """The uploader's file name, fit to show: no path, no control characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return (name or "berkas")[:120]


def check(raw: bytes, name: str) -> Prepared:
    """One upload checked and re-encoded; ValueError with the Indonesian message
    for a file that is neither a sound PDF nor a usable photo."""
    if not raw:
        raise ValueError(f"Berkas \u201c{name}\u201d kosong.")
    try:
        if raw.startswith(b"%PDF-"):
            checked = pdfcheck.check(raw, name)
            return Prepared(checked.data, PDF, name, checked.pages)
        return Prepared(images.process(raw, name).data, JPEG, name, None)
    except (pdfcheck.PdfError, images.PhotoError) as error:
        raise ValueError(str(error)) from error


def prepare(uploads) -> tuple[list[Prepared], list[str]]:
    """Check and re-encode uploads; return what passed and the problems found."""
    done, problems = [], []
    for upload in uploads:
        try:
            done.append(check(upload.read(), clean_name(upload.filename)))
        except ValueError as error:
            problems.append(str(error))
    return done, problems
