"""Accept a scanned PDF as it is, after a light check. No Flask, no feature.

A scanner or a phone's "scan document" app makes a PDF of a few pages of
images. We keep such a file byte for byte (re-rendering it would need a PDF
engine) and refuse anything a scan never contains: JavaScript, actions that
launch programs or submit forms, embedded files, encryption (its objects could
not be read). The check reads the file's own syntax with the standard library:
the dictionaries outside streams, and the compressed object streams (where
PDF 1.5+ keeps dictionaries) inflated with a size cap. Names are compared after
undoing #xx escapes, so /J#61vaScript is /JavaScript. Image and page content
streams are not inflated: their bytes are pixels and drawing, not objects.
"""

import re
import zlib
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 40
# Inflated object streams in all: a scan has a few kilobytes of them.
MAX_INFLATED = 8 * 1024 * 1024

# Names a scan never needs, with what to tell the user.
FORBIDDEN = {
    b"JavaScript": "JavaScript",
    b"JS": "JavaScript",
    b"Launch": "perintah menjalankan program",
    b"EmbeddedFile": "berkas sisipan",
    b"EmbeddedFiles": "berkas sisipan",
    b"FileAttachment": "berkas sisipan",
    b"RichMedia": "media sisipan",
    b"XFA": "formulir XFA",
    b"SubmitForm": "formulir yang mengirim data",
    b"ImportData": "formulir yang mengirim data",
    b"GoToE": "berkas sisipan",
}

NOT_A_PDF = "bukan PDF yang dapat dibaca."
# A name: a slash and regular characters (PDF 32000-1, 7.3.5).
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")
_ENDSTREAM = re.compile(rb"\bendstream\b")
_FLAT_DICT = re.compile(rb"<<((?:(?!<<|>>).)*)>>", re.DOTALL)
_COUNT = re.compile(rb"/Count\s+(\d+)")
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9])")


class PdfError(ValueError):
    """A PDF that cannot be accepted; the message is Indonesian, for the user."""


@dataclass(frozen=True)
class CheckedPdf:
    """A PDF that passed the check, kept as uploaded."""

    data: bytes
    pages: int


def check(raw: bytes, name: str = "Berkas") -> CheckedPdf:
    """Verify a PDF (header, end, pages, no active content); raise PdfError."""
    label = f"Berkas \u201c{_short(name)}\u201d"
    if len(raw) > MAX_BYTES:
        limit = MAX_BYTES // (1024 * 1024)
        raise PdfError(f"{label} terlalu besar: maksimal {limit} MB.")
    if not raw.startswith(b"%PDF-") or b"%%EOF" not in raw[-2048:]:
        raise PdfError(f"{label} {NOT_A_PDF}")
    syntax = _object_syntax(raw, label)
    names = {_unescape(m.group(1)) for m in _NAME.finditer(syntax)}
    if b"Encrypt" in names:
        raise PdfError(
            f"{label} terkunci (terenkripsi). Simpan ulang tanpa kata sandi."
        )
    found = sorted({FORBIDDEN[n] for n in names if n in FORBIDDEN})
    if found:
        raise PdfError(
            f"{label} ditolak: memuat {', '.join(found)}. Hasil pindaian biasa "
            "tidak memuatnya; pindai ulang atau simpan sebagai foto."
        )
    pages = _page_count(_NAME.sub(lambda m: b"/" + _unescape(m.group(1)), syntax))
    if pages < 1:
        raise PdfError(f"{label} {NOT_A_PDF}")
    if pages > MAX_PAGES:
        raise PdfError(f"{label} terlalu banyak halaman: maksimal {MAX_PAGES}.")
    return CheckedPdf(data=raw, pages=pages)


def _object_syntax(raw: bytes, label: str) -> bytes:
    """The file without its stream bodies, plus its inflated object streams."""
    parts: list[bytes] = []
    inflated = 0
    position = 0
    while (start := _STREAM.search(raw, position)) is not None:
        end = _ENDSTREAM.search(raw, start.end())
        if end is None:
            raise PdfError(f"{label} {NOT_A_PDF}")
        head = raw[position : start.start()]
        parts.append(head)
        # The stream's own dictionary is the text since the last "obj".
        dictionary = head[head.rfind(b"obj") :]
        if re.search(rb"/Type\s*/ObjStm", dictionary):
            body = _inflate(raw[start.end() : end.start()], MAX_INFLATED - inflated)
            if body is None:
                raise PdfError(
                    f"{label} tidak dapat diperiksa (bagian terkompresi rusak "
                    "atau terlalu besar)."
                )
            inflated += len(body)
            parts.append(body)
        position = end.end()
    parts.append(raw[position:])
    return b"\n".join(parts)


def _inflate(data: bytes, limit: int) -> bytes | None:
    """Inflate a FlateDecode stream up to `limit` bytes; None if it is not one."""
    if limit <= 0:
        return None
    inflater = zlib.decompressobj()
    try:
        body = inflater.decompress(data, limit)
    except zlib.error:
        return None
    if inflater.unconsumed_tail:  # more than the cap: refuse, do not guess
        return None
    return body


def _unescape(name: bytes) -> bytes:
    """A name with its #xx escapes undone."""
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)


def _page_count(syntax: bytes) -> int:
    """Pages: the largest /Count of a page tree node, else the page objects."""
    counts = [
        int(count.group(1))
        for flat in _FLAT_DICT.finditer(syntax)
        if re.search(rb"/Type\s*/Pages\b", flat.group(1))
        and (count := _COUNT.search(flat.group(1)))
    ]
    return max(counts) if counts else len(_PAGE.findall(syntax))


def _short(name: str) -> str:
    """A file name fit to show in a message."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "")
    return name if len(name) <= 40 else name[:37] + "..."
