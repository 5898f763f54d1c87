"""Turn a phone photo into a small, metadata-free JPEG. No Flask.

Phones send 3-12 MB JPEG/HEIC files; the dinas needs documentation, not prints:
at most 1280 px on the longest side and about 200 KB, EXIF (GPS, device) dropped.
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
# Pillow's own decompression-bomb threshold (about 89 megapixels).
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "HEIF", "WEBP"})
QUALITIES = (85, 75, 65, 55, 45)

NOT_AN_IMAGE = "bukan foto yang dapat dibaca (gunakan JPEG, PNG atau HEIC)."
TOO_MANY_PIXELS = "resolusinya terlalu besar untuk diproses (maksimal sekitar 89 MP)."


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
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise PhotoError(f"{label} {NOT_AN_IMAGE}")
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(f"{label} {TOO_MANY_PIXELS}")
            probe.verify()
        # verify() leaves the image unusable: open it again to decode.
        with Image.open(io.BytesIO(raw)) as image:
            if image.format in {"JPEG", "MPO"}:
                # Let libjpeg decode at 1/2..1/8 scale: far less memory and time.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            image = ImageOps.exif_transpose(image)
            image = _to_rgb(image)
    except PhotoError:
        raise
    except Image.DecompressionBombError as error:
        raise PhotoError(f"{label} {TOO_MANY_PIXELS}") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        # Truncated or forged files fail in many ways inside the decoders.
        raise PhotoError(f"{label} {NOT_AN_IMAGE}") from error
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    data = _encode_small(image)
    with Image.open(io.BytesIO(data)) as result:
        return Processed(data=data, width=result.width, height=result.height)


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
