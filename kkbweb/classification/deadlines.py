"""The reporting calendar: what each Pokja must hand in, by when, and what it
did. Plain module: no Flask, no SQL (queries.calendar_* read the rows).

Deadlines (issue 16 item 6):
- Register R/I of each active poktan, monthly: the 3rd of the next month
  (poktan.register_columns.DUE_DAY), marked "diserahkan" in menu Poktan;
- the Pokja's monthly recap (hand-in, menu Laporan): the REPORT_DEADLINE_DAY-th
  of the next month (config, 1..28, default 10); a report "dikembalikan" is not
  done until handed in again;
- Kartu K/0 of each active poktan, yearly: 3 January of its own year;
- the Kampung KB's yearly profile (menu Kelas KB): by 31 January.

A register is done for the Pokja when every poktan that owes it is marked; the
day it was done is the last poktan's mark. A poktan owes a period when it is
active and existed before the period ended (its "since" date, else the day it
was entered). A Pokja without such a poktan owes no register. Something is late
when not done after its due day, or done after it; on the due day itself it is
still on time. The calendar covers the last MONTHS closed months and the
current year's yearly items.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from kkbweb.poktan.register_columns import DUE_DAY as RI_DUE_DAY
from kkbweb.reports.months import Month, deadline
from kkbweb.timeutil import tanggal

MONTHS = 3
K0_DUE = (1, RI_DUE_DAY)  # 3 January, as the R/I day (register_columns.Period.due)
PROFILE_DUE = (1, 31)  # 31 January

RI = "ri"
K0 = "k0"
RECAP = "rekap"
PROFILE = "profil"
KIND_LABELS = {
    RI: "Register R/I",
    RECAP: "Rekap bulanan Pokja",
    K0: "Kartu K/0",
    PROFILE: "Profil tahunan Kampung KB",
}

DONE = "selesai"
DONE_LATE = "selesai_terlambat"
DUE = "belum"
LATE = "terlambat"
RETURNED = "dikembalikan"
STATUS_LABELS = {
    DONE: "Selesai",
    DONE_LATE: "Selesai (terlambat)",
    DUE: "Belum, masih ada waktu",
    LATE: "Terlambat",
    RETURNED: "Dikembalikan, serahkan ulang",
}
STATUS_BADGES = {
    DONE: "badge-ok",
    DONE_LATE: "badge-info",
    DUE: "badge-muted",
    LATE: "badge-warn",
    RETURNED: "badge-warn",
}


def ri_due(month: Month) -> date:
    """Register R/I of a month: the 3rd of the next month."""
    return deadline(month, RI_DUE_DAY)


def recap_due(month: Month, day: int) -> date:
    """The Pokja's monthly recap: the `day`th of the next month."""
    return deadline(month, day)


def k0_due(year: int) -> date:
    return date(year, *K0_DUE)


def profile_due(year: int) -> date:
    return date(year, *PROFILE_DUE)


def status_of(due: date, done_on: date | None, today: date) -> str:
    """Done (on time or late), or not yet done (still due or late)."""
    if done_on is not None:
        return DONE if done_on <= due else DONE_LATE
    return LATE if today > due else DUE


@dataclass(frozen=True)
class Item:
    """One thing a Pokja must hand in for one period."""

    kind: str
    period: str  # "Oktober 2026", "Tahun 2026"
    due: date
    status: str
    done_on: date | None = None
    detail: str = ""  # "2 dari 3 poktan"

    @property
    def label(self) -> str:
        return f"{KIND_LABELS[self.kind]} {self.period}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    # A returned report past its due day is late until handed in again.
    past_due: bool = False

    @property
    def open_late(self) -> bool:
        """Not done and its due day is over: what a reminder lists."""
        return self.status == LATE or (self.status == RETURNED and self.past_due)

    @property
    def needs_action(self) -> bool:
        """Not done yet (due, late or returned)."""
        return self.status in (DUE, LATE, RETURNED)


@dataclass(frozen=True)
class PokjaInfo:
    id: int
    name: str
    phone: str | None
    kelurahan_code: str | None


@dataclass(frozen=True)
class PoktanInfo:
    """A poktan that may owe registers: active, and since when it exists."""

    id: int
    pokja_id: int
    since: date


@dataclass
class Facts:
    """What the database says, as plain data (see queries.calendar_facts)."""

    pokja: list[PokjaInfo]
    poktan: list[PoktanInfo]
    # (poktan id, register, year, month) -> day marked (WIB)
    marks: dict[tuple[int, str, int, int], date]
    # (pokja id, year, month) -> (status, first hand-in day WIB)
    reports: dict[tuple[int, int, int], tuple[str, date]]
    # (pokja id, year) -> first profile saved that year (day WIB)
    profiles: dict[tuple[int, int], date]


@dataclass(frozen=True)
class Row:
    pokja: PokjaInfo
    items: list[Item]

    @property
    def late(self) -> list[Item]:
        return [i for i in self.items if i.open_late]

    @property
    def due(self) -> list[Item]:
        return [i for i in self.items if i.status == DUE]


def months_covered(today: date, count: int = MONTHS) -> list[Month]:
    """The last `count` closed months, newest first."""
    month, out = Month.of(today), []
    for _ in range(count):
        month = month.previous()
        out.append(month)
    return out


def _register_item(kind, period_label, due, owing, marks, key, today) -> Item | None:
    """A register for the Pokja: done when every owing poktan is marked."""
    if not owing:
        return None
    days = [marks.get((p.id, *key)) for p in owing]
    done = [d for d in days if d is not None]
    done_on = max(done) if len(done) == len(owing) else None
    detail = f"{len(done)} dari {len(owing)} poktan"
    return Item(
        kind, period_label, due, status_of(due, done_on, today), done_on, detail
    )


def items_of(
    pokja: PokjaInfo,
    poktan: list[PoktanInfo],
    facts: Facts,
    today: date,
    deadline_day: int,
    months: Iterable[Month],
) -> list[Item]:
    """Every item of one Pokja for these months and the current year, by due day."""
    out: list[Item] = []
    for month in months:
        end = month.next().first_day
        owing = [p for p in poktan if p.since < end]
        item = _register_item(
            RI,
            month.label,
            ri_due(month),
            owing,
            facts.marks,
            (RI, month.year, month.month),
            today,
        )
        if item:
            out.append(item)
        due = recap_due(month, deadline_day)
        status, first = facts.reports.get(
            (pokja.id, month.year, month.month), (None, None)
        )
        if status == "dikembalikan":
            out.append(Item(RECAP, month.label, due, RETURNED, None, "", today > due))
        else:
            done_on = first if status is not None else None
            out.append(
                Item(RECAP, month.label, due, status_of(due, done_on, today), done_on)
            )
    year = today.year
    owing = [p for p in poktan if p.since < date(year + 1, 1, 1)]
    item = _register_item(
        K0, f"Tahun {year}", k0_due(year), owing, facts.marks, (K0, year, 0), today
    )
    if item:
        out.append(item)
    due = profile_due(year)
    done_on = facts.profiles.get((pokja.id, year))
    out.append(
        Item(PROFILE, f"Tahun {year}", due, status_of(due, done_on, today), done_on)
    )
    return sorted(out, key=lambda i: (i.due, i.kind))


def rows(facts: Facts, today: date, deadline_day: int) -> list[Row]:
    """Every Pokja's calendar, by Pokja name."""
    months = months_covered(today)
    by_pokja: dict[int, list[PoktanInfo]] = {}
    for p in facts.poktan:
        by_pokja.setdefault(p.pokja_id, []).append(p)
    return [
        Row(
            pokja,
            items_of(
                pokja, by_pokja.get(pokja.id, []), facts, today, deadline_day, months
            ),
        )
        for pokja in sorted(facts.pokja, key=lambda p: p.name)
    ]


# --- reminders ---------------------------------------------------------------------

WA = "https://wa.me/"


def phone_digits(raw: str | None) -> str | None:
    """A phone number as wa.me wants it (62812...), None when not one: spaces,
    dashes, dots and brackets dropped, a leading 0 read as 62."""
    digits = "".join(c for c in (raw or "") if c.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if not digits.startswith("62") or not 10 <= len(digits) <= 15:
        return None
    return digits


def whatsapp_link(text: str, phone: str | None = None) -> str:
    """wa.me with the text ready; to the number when it is known."""
    number = phone_digits(phone) or ""
    return f"{WA}{number}?text={quote(text, safe='')}"


def _late_list(items: list[Item]) -> str:
    return "; ".join(
        f"{i.label} (tenggat {tanggal(i.due)}"
        + (f", {i.detail}" if i.detail else "")
        + (", dikembalikan" if i.status == RETURNED else "")
        + ")"
        for i in items
    )


def pokja_reminder(row: Row) -> str:
    """The reminder to a Pokja with its late items, in Bahasa Indonesia."""
    return (
        f"Yth. Pokja Kampung KB {row.pokja.name}, pengingat dari DP3AP2KB Kota "
        f"Cilegon: laporan berikut sudah lewat tenggat: {_late_list(row.late)}. "
        "Mohon segera diserahkan lewat kkbweb. Terima kasih."
    )


def pkb_reminder(pkb_name: str, late_rows: list[Row]) -> str:
    """The reminder to a PKB about the late Pokja of their kelurahan."""
    parts = "; ".join(
        f"Pokja {r.pokja.name}: " + ", ".join(i.label for i in r.late)
        for r in late_rows
    )
    return (
        f"Yth. {pkb_name}, pengingat dari DP3AP2KB Kota Cilegon: Pokja Kampung KB "
        f"binaan Bapak/Ibu berikut terlambat melapor. {parts}. Mohon dibantu "
        "mengingatkan agar segera diserahkan lewat kkbweb. Terima kasih."
    )


@dataclass(frozen=True)
class PkbReminder:
    name: str
    phone: str | None
    pokja: list[str]
    link: str


def pkb_reminders(late_rows: list[Row], pkbs) -> list[PkbReminder]:
    """One reminder per PKB with late Pokja in their kelurahan (pkbs: objects
    with name, phone and kelurahan_codes)."""
    out = []
    for pkb in pkbs:
        codes = set(pkb.kelurahan_codes or [])
        mine = [r for r in late_rows if r.pokja.kelurahan_code in codes]
        if mine:
            text = pkb_reminder(pkb.name, mine)
            out.append(
                PkbReminder(
                    pkb.name,
                    pkb.phone,
                    [r.pokja.name for r in mine],
                    whatsapp_link(text, pkb.phone),
                )
            )
    return out
