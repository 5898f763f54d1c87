"""KIE photos: the ground floor's image pipeline (kkbweb/images.py).

Kept under this name so the KIE code and its tests read as before; the pipeline
itself (40 MP limit from the header, re-encode, EXIF dropped) lives one floor
down, where the meetings' evidence uses it too.
"""

from kkbweb.images import (
    ACCEPTED_FORMATS,
    MAX_MEGAPIXELS,
    MAX_PIXELS,
    MAX_SIDE,
    TARGET_BYTES,
    PhotoError,
    Processed,
    new_filename,
    process,
    process_uploads,
    remove,
    write,
)

__all__ = [
    "ACCEPTED_FORMATS",
    "MAX_MEGAPIXELS",
    "MAX_PIXELS",
    "MAX_SIDE",
    "TARGET_BYTES",
    "PhotoError",
    "Processed",
    "new_filename",
    "process",
    "process_uploads",
    "remove",
    "write",
]
