"""A batch of roll-call entries queued on a device while the hall had no signal:
reading it, and the one rule for two devices marking the same person. No Flask.

The rule: of all marks for one person, the one made last wins, by the device's
time clamped to the moment the server received it (a device whose clock runs
ahead cannot win against marks made later). Marks given online carry the
server's time, so they compare the same way. The losing marks are kept in the
audit trail; the device that made them is told the final status.
"""

import datetime as dt
import re
from dataclasses import dataclass

from kkbweb.meetings import vocab

MAX_ENTRIES = 100  # a device sends 60 at a time
KEY = re.compile(r"[A-Za-z0-9_-]{16,32}")
MARK, GUEST = "mark", "guest"

BAD_ENTRY = "Data tanda tidak lengkap; tanda ini tidak disimpan."
LOCKED = "Rapat sudah selesai dan dikunci; tanda ini tidak disimpan."
NOT_LISTED = "Orang ini tidak ada lagi di daftar hadir rapat ini."
GUEST_NAME = "Nama tamu kosong atau lebih dari 100 huruf."
GUEST_SEX = "Jenis kelamin tamu tidak dipilih."
GUEST_POKJA = "Pokja tamu ini tidak dapat Anda pilih untuk rapat ini."
LATER_WINS = "Tanda lain yang lebih baru berlaku."


@dataclass
class Entry:
    """One queued mark or walk-in, as read from the batch."""

    index: int
    key: str
    kind: str
    at: dt.datetime  # device time, clamped to the receipt time
    member_id: int | None = None
    status: str | None = None
    name: str = ""
    sex: str = ""
    affiliation: str | None = None
    pokja_id: int | None = None
    problem: str | None = None  # why it is refused, when it is


def _int(value) -> int | None:
    """A positive id from JSON (not a bool, not a float), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    return None


def _text(value, limit: int) -> str | None:
    """One line of text, NUL-free; None when it is not text or too long."""
    if not isinstance(value, str):
        return None
    value = " ".join(value.replace("\x00", "").split())
    return value if len(value) <= limit else None


def device_time(value, received: dt.datetime) -> dt.datetime:
    """The entry's time (ms since 1970, UTC) clamped to [received - 30 days,
    received]: a wrong clock can neither win the future nor break the row."""
    floor = received - dt.timedelta(days=30)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return received
    epoch = dt.datetime(1970, 1, 1)
    seconds = min(max(value / 1000, (floor - epoch).total_seconds()), 4e9)
    return min(epoch + dt.timedelta(seconds=seconds), received)


def read_entry(index: int, raw, received: dt.datetime) -> Entry | None:
    """One entry of the batch; None when it has no usable key (nothing to answer)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("key"), str):
        return None
    key = raw["key"]
    if not KEY.fullmatch(key):
        return None
    kind = raw.get("kind")
    entry = Entry(index, key, kind, device_time(raw.get("at"), received))
    if kind == MARK:
        entry.member_id = _int(raw.get("member"))
        entry.status = raw.get("status")
        if entry.member_id is None or entry.status not in vocab.ATTENDANCE_STATUSES:
            entry.problem = BAD_ENTRY
    elif kind == GUEST:
        name = _text(raw.get("name"), 100)
        affiliation = _text(raw.get("affiliation") or "", 100)
        entry.name, entry.affiliation = name or "", affiliation or None
        entry.sex = raw.get("sex") if raw.get("sex") in vocab.SEXES else ""
        pokja = raw.get("pokja")
        entry.pokja_id = _int(int(pokja) if str(pokja or "").isdigit() else pokja)
        if not name:
            entry.problem = GUEST_NAME
        elif affiliation is None:
            entry.problem = BAD_ENTRY
        elif not entry.sex:
            entry.problem = GUEST_SEX
    else:
        entry.problem = BAD_ENTRY
    return entry


def read_batch(body, received: dt.datetime) -> tuple[int | None, list[Entry]] | None:
    """(the user id the device stored, the entries with a unique key, in order);
    None when the body is not a batch at all."""
    if not isinstance(body, dict) or not isinstance(body.get("entries"), list):
        return None
    raw_entries = body["entries"]
    if len(raw_entries) > MAX_ENTRIES:
        return None
    entries, seen = [], set()
    for index, raw in enumerate(raw_entries):
        entry = read_entry(index, raw, received)
        if entry is not None and entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    return _int(body.get("user")), entries


def winners(entries: list[Entry]) -> dict[int, Entry]:
    """Per person, the mark that wins among these: made last (ties: sent last)."""
    best: dict[int, Entry] = {}
    for entry in entries:
        held = best.get(entry.member_id)
        if held is None or (entry.at, entry.index) >= (held.at, held.index):
            best[entry.member_id] = entry
    return best
