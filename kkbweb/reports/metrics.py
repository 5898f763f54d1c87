"""The registry of report figures: every number of the monthly recap, defined once.

MEASURES are the aggregates of the one recap statement, in statement order: the
metric its rows carry, the query part computing it (queries.py), the Figures
attribute its rows fold into, and how the Pokja fold into the city.

SECTIONS hold the reported figures, in report order. A Figure has
- key: the line's key in the hand-in snapshot (stored as JSON in frozen reports,
  which must keep rendering: never rename a key);
- label (Indonesian), its section, and its value read from the folded measures
  (recap.Figures);
- fold: how the city's figure arises from the Pokja's (SUM, RATE, DISTINCT,
  MEDIAN, AT_END: shapes.py); kind: the number format (int, pct, days: one decimal);
- where else it shows: `column` (a sortable column of the city table), `city`
  (a column of the Kota sheet, the city CSV and the city print), `heading` and
  `total` (a column of a by-type table on the recap page). `reported=False`
  marks a figure shown on the recap page only (not in snapshots or exports).
An Each repeats figures for every code of a vocabulary (meeting kinds, activity
types, document types: expanded once, here) or of the month's data (methods,
topics: expanded per recap); its key and label take {code} and {name}.

The recap, the city table, the exports, the templates and the snapshot derive
their columns from here: a new figure is one entry (+ a template line if a card
shows it). An unknown key raises (`BY_KEY`, `show`), at import for the registry's
own cross references.
"""

from collections.abc import Callable
from dataclasses import replace

from kkbweb.kie.models import KieActivity
from kkbweb.kie.vocab import ACTIVITY_TYPES
from kkbweb.meetings.vocab import MEETING_KINDS
from kkbweb.referrals.models import Referral
from kkbweb.referrals.routing import DOC_TYPES
from kkbweb.reports import attendance, metrics_poktan, queries
from kkbweb.reports.shapes import (
    AT_END,
    DISTINCT,
    MEDIAN,
    RATE,
    Each,
    Figure,
    Line,
    Measure,
    Sortable,
    same_key,
)

# Section titles, in the order pages and exports show them.
MEETINGS = "Rapat"
ATTENDANCE = "Kehadiran"
KIE = "KIE dan advokasi"
REFERRALS = "Rujukan adminduk"
PARTNERS = "Lintas sektor"

# --- the measures: what the one statement computes ---------------------------------


def _type_and_method(key: str) -> tuple[str, str]:
    kind, code = key.split(":", 1)
    return kind, code


def _with_sex(sex: str) -> Callable[[str], tuple[str, str]]:
    return lambda kind: (kind, sex)


MEASURES = (
    Measure("meet.kind", queries.meeting_kinds, "meetings_by_kind", DISTINCT),
    Measure("meet.rolled", queries.meetings_rolled, "meetings_rolled", key=None),
    # All-members Pokja (on the roster that day, plus marked others), delegates,
    # invited outsiders (a Pokja's own; the department's for the city).
    Measure("meet.roster", attendance.roster, "roster", key=None),
    Measure("meet.present", attendance.present, "present"),
    Measure("meet.guests", queries.guests, "guests"),
    Measure(
        "kie.method",
        queries.kie_methods,
        "kie_methods",
        key=_type_and_method,
        term=lambda key: key[1],
    ),
    Measure(
        "kie.male",
        queries.kie_sum(KieActivity.participants_male),
        "kie_people",
        key=_with_sex("L"),
    ),
    Measure(
        "kie.female",
        queries.kie_sum(KieActivity.participants_female),
        "kie_people",
        key=_with_sex("P"),
    ),
    Measure("kie.reach", queries.kie_sum(KieActivity.estimated_reach), "kie_reach"),
    Measure("kie.topic", queries.kie_topics, "topics", term=same_key),
    Measure("ref.opened", queries.referral_count(Referral.created_at), "opened"),
    Measure(
        "ref.completed", queries.referral_count(Referral.completed_at), "completed"
    ),
    Measure("ref.handed", queries.referral_count(Referral.handed_over_at), "handed"),
    Measure("ref.median", queries.median_days, "median_days", MEDIAN, key=None),
    Measure("ref.overdue", queries.overdue, "overdue", AT_END, key=None),
    # Distinct instansi of the month's confirmed portal records (lintas sektor).
    Measure("portal.instansi", queries.partners, "partners", DISTINCT, key=None),
    # Poktan sessions and Posyandu/PAUD services (issue 14): metrics_poktan.py.
    *metrics_poktan.MEASURES,
)
BY_METRIC = {measure.metric: measure for measure in MEASURES}


def _methods(figures) -> list[tuple[str, str]]:
    return [
        (f"{kind}.{code}", f"{ACTIVITY_TYPES.get(kind, kind)}: {label}")
        for kind, code, label, _n in figures.methods()
    ]


def _topics(figures) -> list[tuple[str, str]]:
    return [(code, label) for code, label, _n in figures.top_topics(limit=None)]


def _doc_types_seen(figures) -> list[tuple[str, str]]:
    return [(code, label) for code, label, *_counts in figures.doc_types()]


KIE_BY_TYPE = Each(
    ACTIVITY_TYPES,
    (
        Figure(
            "kie.{code}",
            "{name}: kegiatan",
            lambda f, code: f.kie(code),
            column={
                "kie": Sortable("kie", "KIE", "Kegiatan KIE (ke masyarakat)"),
                "advokasi": Sortable(
                    "advokasi",
                    "Advokasi",
                    "Kegiatan advokasi (ke pejabat dan pemangku kepentingan)",
                ),
            },
            city={"kie": "KIE", "advokasi": "Advokasi"},
            heading="Kegiatan",
            total="kie",
        ),
        Figure(
            "kie.{code}.L",
            "{name}: peserta laki-laki",
            lambda f, code: f.people(code, "L"),
            heading="Peserta L",
            total="kie.people.L",
        ),
        Figure(
            "kie.{code}.P",
            "{name}: peserta perempuan",
            lambda f, code: f.people(code, "P"),
            heading="Peserta P",
            total="kie.people.P",
        ),
        Figure(
            "kie.{code}.people",
            "{name}: jumlah peserta",
            lambda f, code: f.people(code),
            reported=False,
            heading="Jumlah peserta",
            total="kie.people",
        ),
        Figure(
            "kie.{code}.reach",
            "{name}: perkiraan jangkauan",
            lambda f, code: f.reach(code),
            heading="Perkiraan jangkauan",
            total="kie.reach",
        ),
    ),
)

REFERRALS_BY_TYPE = Each(
    DOC_TYPES,
    (
        Figure(
            "referrals.opened.{code}",
            "{name}: baru",
            lambda f, code: f.opened.get(code, 0),
            heading="Baru",
            total="referrals.opened",
        ),
        Figure(
            "referrals.completed.{code}",
            "{name}: terbit",
            lambda f, code: f.completed.get(code, 0),
            heading="Dokumen terbit",
            total="referrals.completed",
        ),
        Figure(
            "referrals.handed.{code}",
            "{name}: diserahkan",
            lambda f, code: f.handed.get(code, 0),
            heading="Diserahkan ke warga",
            total="referrals.handed",
        ),
    ),
    rows=_doc_types_seen,
)

_MEETINGS = (
    Figure(
        "meetings",
        "Jumlah rapat",
        lambda f: f.meetings,
        DISTINCT,
        column=Sortable("rapat", "Rapat", "Rapat yang mengundang Pokja"),
        city="Rapat",
    ),
    Each(
        MEETING_KINDS,
        (
            Figure(
                "meetings.{code}",
                "{name}",
                lambda f, code: f.meetings_by_kind.get(code, 0),
                DISTINCT,
            ),
        ),
    ),
)
_ATTENDANCE = (
    Figure(
        "attendance.rolled",
        "Rapat dengan daftar hadir",
        lambda f: f.meetings_rolled,
        city="Rapat dengan daftar hadir",
    ),
    Figure(
        "attendance.roster",
        "Anggota diundang",
        lambda f: f.roster,
        city="Anggota diundang",
    ),
    Figure(
        "attendance.present",
        "Hadir",
        lambda f: f.present_total,
        column=Sortable("hadir", "Hadir", "Anggota hadir (jumlah kehadiran)"),
        city="Hadir",
        city_after="attendance.present.P",
    ),
    Figure(
        "attendance.present.L",
        "Hadir laki-laki",
        lambda f: f.present.get("L", 0),
        city="Hadir L",
    ),
    Figure(
        "attendance.present.P",
        "Hadir perempuan",
        lambda f: f.present.get("P", 0),
        city="Hadir P",
    ),
    Figure(
        "attendance.rate",
        "Tingkat kehadiran (%)",
        lambda f: f.rate,
        RATE,
        "pct",
        column=Sortable(
            "kehadiran", "% hadir", "Tingkat kehadiran: hadir ÷ orang diundang"
        ),
        city="Tingkat kehadiran (%)",
    ),
    Figure(
        "attendance.guests.L",
        "Tamu laki-laki",
        lambda f: f.guests.get("L", 0),
        city="Tamu L",
    ),
    Figure(
        "attendance.guests.P",
        "Tamu perempuan",
        lambda f: f.guests.get("P", 0),
        city="Tamu P",
    ),
    Figure("attendance.guests", "Tamu", lambda f: f.guests_total, reported=False),
)
_KIE = (
    Figure("kie", "Jumlah KIE dan advokasi", lambda f: f.kie()),
    KIE_BY_TYPE,
    Figure(
        "kie.people.L",
        "Peserta laki-laki",
        lambda f: f.people(sex="L"),
        city="Peserta L",
    ),
    Figure(
        "kie.people.P",
        "Peserta perempuan",
        lambda f: f.people(sex="P"),
        city="Peserta P",
    ),
    Figure(
        "kie.people",
        "Jumlah peserta",
        lambda f: f.people(),
        column=Sortable("peserta", "Peserta", "Peserta KIE dan advokasi"),
    ),
    Figure("kie.reach", "Perkiraan jangkauan", lambda f: f.reach(), city="Jangkauan"),
    Each(
        _methods,
        (
            Figure(
                "kie.method.{code}",
                "{name}",
                lambda f, code: f.kie_methods.get(tuple(code.split(".", 1)), 0),
            ),
        ),
    ),
    Each(
        _topics,
        (Figure("kie.topic.{code}", "Topik: {name}", lambda f, c: f.topics.get(c, 0)),),
    ),
)
_REFERRALS = (
    Figure(
        "referrals.opened",
        "Rujukan baru",
        lambda f: f.referrals("opened"),
        column=Sortable("rujukan", "Rujukan", "Rujukan adminduk baru"),
        city="Rujukan baru",
    ),
    Figure(
        "referrals.completed",
        "Dokumen terbit",
        lambda f: f.referrals("completed"),
        city="Dokumen terbit",
    ),
    Figure(
        "referrals.handed",
        "Diserahkan ke warga",
        lambda f: f.referrals("handed"),
        column=Sortable("diserahkan", "Diserahkan", "Dokumen diserahkan ke warga"),
        city="Diserahkan ke warga",
    ),
    Figure(
        "referrals.overdue",
        "Terlambat di akhir bulan",
        lambda f: f.overdue,
        AT_END,
        column=Sortable("terlambat", "Terlambat", "Rujukan terlambat di akhir bulan"),
        city="Terlambat akhir bulan",
    ),
    Figure(
        "referrals.median_days",
        "Median hari dari pengajuan sampai diserahkan",
        lambda f: f.median_days,
        MEDIAN,
        "days",
        column=Sortable(
            "median", "Median hari", "Median hari dari pengajuan sampai diserahkan"
        ),
        city="Median hari",
    ),
    REFERRALS_BY_TYPE,
)
_PARTNERS = (
    Figure(
        "partners.instansi",
        "Instansi mitra berbeda (catatan portal)",
        lambda f: f.partners,
        DISTINCT,
    ),
)
SECTIONS = (
    (MEETINGS, _MEETINGS),
    (ATTENDANCE, _ATTENDANCE),
    (KIE, _KIE),
    (REFERRALS, _REFERRALS),
    (PARTNERS, _PARTNERS),
    *metrics_poktan.SECTIONS,
)
POKTAN_BY_KIND = metrics_poktan.POKTAN_BY_KIND
UNITS_BY_KIND = metrics_poktan.UNITS_BY_KIND


# --- derived: every view of the registry --------------------------------------------


def _slots() -> list[Figure | Each]:
    """The registry flattened in report order: figures, and the data families."""
    slots: list[Figure | Each] = []
    for title, entries in SECTIONS:
        for entry in entries:
            if isinstance(entry, Figure):
                slots.append(replace(entry, section=title))
                continue
            family = replace(entry, section=title)
            slots.extend(family.expand() if family.static else [family])
    return slots


_SLOTS = _slots()
# What lines() walks: the reported figures and the data families.
_REPORTED = [slot for slot in _SLOTS if isinstance(slot, Each) or slot.reported]
# Every figure whose key is known without data (all but methods and topics).
FIGURES = [slot for slot in _SLOTS if isinstance(slot, Figure)]
BY_KEY = {figure.key: figure for figure in FIGURES}
if len(BY_KEY) != len(FIGURES):
    raise ValueError("reports.metrics: two figures share a key")
for _title, _entries in SECTIONS:
    for _entry in _entries:
        for _figure in [_entry] if isinstance(_entry, Figure) else _entry.figures:
            for _ref in (_figure.total, _figure.city_after):
                if _ref is not None and _ref not in BY_KEY:
                    raise KeyError(f"reports.metrics: {_figure.key} names {_ref}")


def lines(figures) -> list[Line]:
    """Every reported figure as a line, for the snapshot, exports and comparisons.

    Called for every Pokja of an export several times: kept to plain loops.
    """
    found = []
    for slot in _REPORTED:
        if isinstance(slot, Figure):
            value = slot.line_value(figures)
            found.append(Line(slot.section, slot.key, slot.label, value))
            continue
        reported = [template for template in slot.figures if template.reported]
        for code, name in slot.codes(figures):
            for template in reported:
                found.append(
                    Line(
                        slot.section,
                        template.key.format(code=code, name=name),
                        template.label.format(code=code, name=name),
                        template.line_value(figures, code),
                    )
                )
    return found


def show(figures, key: str) -> str:
    """A figure formatted for the page, by key (an unknown key raises KeyError)."""
    return BY_KEY[key].text(figures)


# The city table: the figures with a sortable column, in report order.
TABLE = [(figure.column, figure) for figure in FIGURES if figure.column]


def _city_sheet() -> list[Figure]:
    """The Kota sheet's figures: report order, each `city_after` moved into place."""
    order = [figure for figure in FIGURES if figure.city and not figure.city_after]
    for figure in FIGURES:
        if figure.city and figure.city_after:
            after = next(i for i, f in enumerate(order) if f.key == figure.city_after)
            order.insert(after + 1, figure)
    return order


CITY_SHEET = _city_sheet()
