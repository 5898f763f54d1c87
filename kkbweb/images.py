"""Turn a phone photo into a small, metadata-free JPEG. No Flask, no feature.

The ground floor's image pipeline, shared by KIE photos (kkbweb/kie/photos.py)
and a meeting's evidence (kkbweb/meetings/evidence.py). Phones send 3-12 MB
JPEG/HEIC files; the dinas needs documentation, not prints: at most 1280 px on
the longest side and about 200 KB, EXIF (GPS, device) dropped.
"""

import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MAX_SIDE = 1280
TARGET_BYTES = 200 * 1024
# The largest phone cameras take 48-50 MP photos but save 12 MP by default. The
# limit is checked from the file's header, before anything is decoded: a PNG of
# 9400 x 9400 pixels is 355 KB on disk and 350 MB in memory once decoded.
MAX_MEGAPIXELS = 40
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000
# Pillow refuses anything past twice this on its own (DecompressionBombError),
# whoever opens the image.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "HEIF", "WEBP"})
# Modes that resize with LANCZOS as they are; others (palette, 16-bit, CMYK) are
# converted first.
RESIZABLE_MODES = frozenset({"RGB", "RGBA", "L", "LA"})
QUALITIES = (85, 75, 65, 55, 45)

NOT_AN_IMAGE = "bukan foto yang dapat dibaca (gunakan JPEG, PNG atau HEIC)."
TOO_MANY_PIXELS = f"terlalu besar: maksimal {MAX_MEGAPIXELS} megapiksel."


class PhotoError(ValueError):
    """A photo that cannot be accepted; the message is Indonesian, for the user."""


@dataclass(frozen=True)
class Processed:
    """A re-encoded photo ready to be written."""

    data: bytes
    width: int
    height: int


def process(raw: bytes, name: str = "Foto") -> Processed:
    """Verify, orient, shrink and re-encode an uploaded image; raise PhotoError."""
    label = f"Berkas \u201c{_short(name)}\u201d"
    try:
        # open() reads the header only: format and size are known before a
        # single pixel is decoded.
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise PhotoError(f"{label} {NOT_AN_IMAGE}")
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(f"Foto {_short(name)} {TOO_MANY_PIXELS}")
            probe.verify()
        # verify() leaves the image unusable: open it again to decode.
        with Image.open(io.BytesIO(raw)) as image:
            image = _decode_small(image)
    except PhotoError:
        raise
    except Image.DecompressionBombError as error:
        raise PhotoError(f"Foto {_short(name)} {TOO_MANY_PIXELS}") from error
    except UnidentifiedImageError as error:
        raise PhotoError(f"{label} {NOT_AN_IMAGE}") from error
    except Exception as error:
        # Damaged or forged files fail in many ways inside the C decoders
        # (OSError, SyntaxError, ValueError, EOFError, RuntimeError from libheif,
        # struct.error, ...): each is the same answer for the user.
        if isinstance(error, MemoryError):
            raise
        raise PhotoError(f"{label} {NOT_AN_IMAGE}") from error
    data = _encode_small(image)
    with Image.open(io.BytesIO(data)) as result:
        return Processed(data=data, width=result.width, height=result.height)


def _decode_small(image: Image.Image) -> Image.Image:
    """Decode at (about) the target size: shrink first, then orient and flatten,
    so that only one full-size copy of the pixels ever exists."""
    if image.format in {"JPEG", "MPO"}:
        # Let libjpeg decode at 1/2..1/8 scale: far less memory and time.
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
    if image.mode not in RESIZABLE_MODES:
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    image = ImageOps.exif_transpose(image)
    return _to_rgb(image)


def process_uploads(files) -> tuple[list[Processed], list[str]]:
    """Re-encode uploaded files; return the results and the problems found."""
    done, problems = [], []
    for upload in files:
        raw = upload.read()
        if not raw:
            problems.append(f"Berkas \u201c{upload.filename}\u201d kosong.")
            continue
        try:
            done.append(process(raw, upload.filename))
        except PhotoError as error:
            problems.append(str(error))
    return done, problems


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white and drop every other mode."""
    if image.mode in {"RGBA", "LA"} or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode_small(image: Image.Image) -> bytes:
    """Encode as JPEG, lowering quality, then size, until it fits TARGET_BYTES."""
    # A fresh image carries no info dict: no EXIF, ICC or comments get written.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    while True:
        for quality in QUALITIES:
            buffer = io.BytesIO()
            clean.save(buffer, "JPEG", quality=quality, optimize=True)
            if buffer.tell() <= TARGET_BYTES:
                return buffer.getvalue()
        if max(clean.size) <= 320:
            return buffer.getvalue()  # pathological noise: accept the last try
        smaller = (max(1, clean.width * 4 // 5), max(1, clean.height * 4 // 5))
        clean = clean.resize(smaller, Image.Resampling.LANCZOS)


def _short(name: str) -> str:
    """A file name fit to show in a message."""
    name = os.path.basename(name or "").replace("\x00", "")
    return name if len(name) <= 40 else name[:37] + "..."


def new_filename() -> str:
    """A random, unguessable file name."""
    return secrets.token_hex(16) + ".jpg"


def write(folder: Path, filename: str, data: bytes) -> Path:
    """Write a file atomically (temp file, then rename) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    temp = folder / f".{filename}.tmp"
    temp.write_bytes(data)
    os.replace(temp, path)
    return path


def remove(folder: Path, filenames: list[str]) -> None:
    """Delete files, ignoring those already gone."""
    for filename in filenames:
        (folder / filename).unlink(missing_ok=True)
