"""Photo uploads: peak memory and time per upload kind, against a floor.

Each upload is processed by kkbweb.kie.photos in a fresh Python process (so
that one kind's peak cannot hide another's), which reports its peak resident
memory (VmHWM) and the time taken by photos.process(). The floor is the same
process handling a 64 x 48 JPEG: the interpreter, Pillow and libheif loaded.

Kinds: a 3 MB phone JPEG (4000 x 3000, camera-like noise), a 12 MP HEIC (4032 x
3024, skipped where libheif has no encoder), a 24 MP PNG screenshot, and the
9400 x 9400 RGBA PNG of the attack (355 KiB on disk, 353 MB decoded), which must
be refused from its header without decoding.

XLSX import: the member importer (kkbweb.members.importer.read_table) on a
minimal workbook (its floor), an Excel-like list of 2,000 members x 30 columns,
and the 95 KiB XLSX of the attack whose sharedStrings.xml unpacks to 36 MB,
which must be refused from the zip's directory; for reference, the same file
through openpyxl's load_workbook(read_only=True), the reader used before.

    python -m bench.upload          (make bench-upload)
"""

import io
import json
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from bench.common import ROOT, table, write_results

MB = 1024 * 1024

# Runs in the child: process one file, print what it cost as JSON.
# Peak memory is read as VmHWM: ru_maxrss survives exec() and would report the
# parent's peak.
CHILD = """
import json, sys, time
from kkbweb.kie import photos

def hwm_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

raw = open(sys.argv[1], "rb").read()
before = hwm_kb()
start = time.perf_counter()
try:
    result = photos.process(raw, sys.argv[1])
    outcome = f"{result.width}x{result.height}, {len(result.data) // 1024} KB"
except photos.PhotoError as error:
    outcome = "refused: " + str(error).split(" ", 2)[-1]
seconds = time.perf_counter() - start
peak = hwm_kb()
print(json.dumps({"kb_before": before, "kb_peak": peak, "seconds": seconds,
                  "outcome": outcome}))
"""


# The same for a spreadsheet upload: argv[2] is "importer" or "openpyxl".
XLSX_CHILD = """
import io, json, sys, time
from kkbweb.members import importer

def hwm_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

raw = open(sys.argv[1], "rb").read()
before = hwm_kb()
start = time.perf_counter()
if sys.argv[2] == "openpyxl":
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(max_row=2011, max_col=30, values_only=True))
    outcome = f"{len(rows)} rows read"
else:
    try:
        outcome = f"{len(importer.read_table(sys.argv[1], raw))} rows"
    except importer.ImportProblem as error:
        outcome = "refused: " + str(error)[:48]
seconds = time.perf_counter() - start
peak = hwm_kb()
print(json.dumps({"kb_before": before, "kb_peak": peak, "seconds": seconds,
                  "outcome": outcome}))
"""


def _noise_jpeg(size: tuple[int, int], quality: int) -> bytes:
    """A JPEG with camera-like detail, so it weighs what a phone's does."""
    from PIL import Image

    small = Image.effect_noise((size[0] // 8, size[1] // 8), 60).convert("RGB")
    image = small.resize(size, Image.Resampling.BICUBIC)
    noise = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(image, noise, 0.35)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _heic(size: tuple[int, int]) -> bytes | None:
    """A 12 MP HEIC, or None where libheif cannot encode."""
    from PIL import Image

    from kkbweb.kie import photos  # noqa: F401  (registers the HEIF opener)

    buffer = io.BytesIO()
    try:
        Image.effect_noise(size, 50).convert("RGB").save(buffer, "HEIF")
    except (OSError, KeyError, ValueError):
        return None
    return buffer.getvalue()


def _png(size: tuple[int, int], rgba: bool, flat: bool = False) -> bytes:
    """A PNG written row by row (the 9400 px one never exists in memory)."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    width, height = size
    channels = 4 if rgba else 3
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if rgba else 2, 0, 0, 0)
    compressor = zlib.compressobj(9)
    if flat:  # one colour: the smallest file for the most pixels
        row = b"\0" * (1 + width * channels)
    else:
        pattern = bytes(range(256)) * (width * channels // 256)
        row = b"\0" + pattern + b"\0" * (width * channels % 256)
    data = b"".join(compressor.compress(row) for _ in range(height))
    data += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", data)
        + chunk(b"IEND", b"")
    )


def _measure(path: Path, child: str = CHILD, *args: str) -> dict:
    """Run the child on one file and read its report."""
    done = subprocess.run(
        [sys.executable, "-c", child, str(path), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kkbweb-upload-"))
    kinds = {
        "floor (64 x 48 JPEG)": ("floor.jpg", _noise_jpeg((64, 48), 90)),
        "phone JPEG 4000 x 3000": ("phone.jpg", _noise_jpeg((4000, 3000), 80)),
        "HEIC 4032 x 3024 (12 MP)": ("phone.heic", _heic((4032, 3024))),
        "PNG screenshot 6000 x 4000": ("screen.png", _png((6000, 4000), False)),
        "PNG 9400 x 9400 RGBA": ("bomb.png", _png((9400, 9400), True, flat=True)),
    }
    rows, results = [], {}
    floor = None
    for label, (name, data) in kinds.items():
        if data is None:
            rows.append([label, "", "", "", "", "skipped: no HEIC encoder"])
            continue
        path = folder / name
        path.write_bytes(data)
        figures = _measure(path)
        peak = figures["kb_peak"] / 1024
        floor = peak if floor is None else floor
        rows.append(
            [
                label,
                f"{len(data) / MB:.2f}",
                f"{peak:.0f}",
                f"{peak - floor:+.0f}",
                f"{figures['seconds'] * 1000:.0f}",
                figures["outcome"],
            ]
        )
        results[label] = {"file_mb": len(data) / MB, "peak_mb": peak, **figures}
    print(
        table(
            ["upload", "file MB", "peak RSS MB", "vs floor", "ms", "outcome"],
            rows,
        )
    )
    sheets = _spreadsheets(folder)
    write_results("upload", {"uploads": results, "xlsx_import": sheets})


def _spreadsheets(folder: Path) -> dict:
    """The XLSX import rows: the importer against its floor, and openpyxl."""
    from tests import xlsx_files

    kinds = {
        "XLSX import floor (Nama, L/P, 1 row)": (xlsx_files.minimal(), "importer"),
        "XLSX import 2,000 members x 30": (xlsx_files.member_list(), "importer"),
        "XLSX import 95 KiB -> 36 MB": (xlsx_files.bomb(), "importer"),
        "  same file, openpyxl read-only": (xlsx_files.bomb(), "openpyxl"),
    }
    rows, results, floor = [], {}, None
    for number, (label, (data, reader)) in enumerate(kinds.items()):
        path = folder / f"sheet{number}.xlsx"
        path.write_bytes(data)
        figures = _measure(path, XLSX_CHILD, reader)
        peak = figures["kb_peak"] / 1024
        floor = peak if floor is None else floor
        rows.append(
            [
                label,
                f"{len(data) / MB:.2f}",
                f"{peak:.0f}",
                f"{peak - floor:+.0f}",
                f"{figures['seconds'] * 1000:.0f}",
                figures["outcome"],
            ]
        )
        results[label.strip()] = {"file_mb": len(data) / MB, "peak_mb": peak, **figures}
    print()
    print(
        table(
            ["XLSX import", "file MB", "peak RSS MB", "vs floor", "ms", "outcome"], rows
        )
    )
    return results


if __name__ == "__main__":
    main()
