"""Photos of a refused entry form, kept aside until the entry is saved. No Flask.

A refused form (Sasaran left empty, say) cannot give the browser its chosen files
back, so the photos it carried are re-encoded at once and kept under the form's
token in <uploads>/pending/<token>/, with a small owner file: only the user who
chose them may see them or use them. Saving the entry moves them to the entry;
an abandoned folder goes after PENDING_MAX_AGE (swept whenever a form is opened).
"""

import io
import json
import re
import shutil
import time
from pathlib import Path

from PIL import Image

from kkbweb.kie import photos

PENDING_MAX_AGE = 24 * 3600  # seconds
OWNER_FILE = "owner.json"
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}\.jpg$")
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def folder(root: Path, token: str) -> Path:
    """Where a form's kept photos live (the token is checked, never a path)."""
    if not TOKEN_PATTERN.match(token or ""):
        raise ValueError("bad form token")
    return root / "pending" / token


def owner(root: Path, token: str) -> int | None:
    """The user id that owns a form's kept photos, None if there are none."""
    try:
        data = json.loads((folder(root, token) / OWNER_FILE).read_text())
        return int(data["user_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def usable(root: Path, token: str, user_id: int) -> bool:
    """True if the token has no kept photos yet, or they are this user's."""
    found = owner(root, token)
    return found is None or found == user_id


def names(root: Path, token: str, user_id: int) -> list[str]:
    """The kept photos' file names, oldest first; [] for anyone but the owner."""
    if not TOKEN_PATTERN.match(token or "") or owner(root, token) != user_id:
        return []
    # A parallel copy of the form may clear the folder while this one looks:
    # a vanished file or folder counts as none.
    found = []
    try:
        for here in folder(root, token).iterdir():
            if NAME_PATTERN.match(here.name):
                found.append((here.stat().st_mtime, here.name))
    except FileNotFoundError:
        pass
    return [name for _, name in sorted(found)]


def keep(root: Path, token: str, user_id: int, processed) -> list[str]:
    """Write re-encoded photos under the token for this user; return their names."""
    here = folder(root, token)
    here.mkdir(parents=True, exist_ok=True)
    photos.write(here, OWNER_FILE, json.dumps({"user_id": user_id}).encode())
    written = []
    for item in processed:
        name = photos.new_filename()
        photos.write(here, name, item.data)
        written.append(name)
    return written


def path(root: Path, token: str, name: str, user_id: int) -> Path | None:
    """The file of one kept photo, for its owner only; None otherwise."""
    if not NAME_PATTERN.match(name or "") or name not in names(root, token, user_id):
        return None
    return folder(root, token) / name


def drop(root: Path, token: str, user_id: int, dropped) -> None:
    """Delete the kept photos the user chose to drop."""
    for name in set(dropped) & set(names(root, token, user_id)):
        (folder(root, token) / name).unlink(missing_ok=True)


def load(root: Path, token: str, user_id: int) -> list[photos.Processed]:
    """The kept photos as re-encoded photos, ready to be stored with the entry."""
    loaded = []
    for name in names(root, token, user_id):
        try:
            data = (folder(root, token) / name).read_bytes()
        except FileNotFoundError:  # cleared by a copy that saved the entry
            continue
        with Image.open(io.BytesIO(data)) as image:
            loaded.append(photos.Processed(data, image.width, image.height))
    return loaded


def clear(root: Path, token: str) -> None:
    """Remove a form's kept photos (the entry was saved)."""
    if TOKEN_PATTERN.match(token or ""):
        shutil.rmtree(folder(root, token), ignore_errors=True)


def sweep(root: Path, now: float | None = None) -> int:
    """Remove kept photos older than PENDING_MAX_AGE; return the folders removed."""
    base = root / "pending"
    if not base.is_dir():
        return 0
    limit = (now if now is not None else time.time()) - PENDING_MAX_AGE
    removed = 0
    for here in base.iterdir():
        try:
            stale = here.is_dir() and here.stat().st_mtime < limit
        except OSError:
            continue
        if stale:
            shutil.rmtree(here, ignore_errors=True)
            removed += 1
    return removed
