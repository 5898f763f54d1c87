"""The Kampung KB classification of the national portal (Dasar, Berkembang,
Mandiri, Berkelanjutan), restated from ../shared/domain/portal_classification.md.
Plain module: no Flask, no database; the feature's pages feed it figures.

Twelve indicator scores in three indices:
- Input (I1-I5) from the profil: pokja, sumber dana, poktan, sarana, PKB/regulasi;
- Proses (P1-P3): penggunaan data, mekanisme operasional, lintas sektor;
- Output (O1-O4) from the penduduk and KKBPK figures: poktan participation, CPR,
  MKJP, unmet need.

Cross-sector quirk (P3). The portal's SQL leaves out the rows whose *activity*
id (intervensi_id) is 26 or 34, probably meaning the agencies 26 (OPD
Pengendalian Penduduk dan KB) and 34 (Perwakilan BKKBN). kkbweb follows the
code as written, because the class a Pokja is judged by is the one the portal
prints: portal activity ids 26 and 34 are two rows of the national database
that no kkbweb record is, so the filter excludes nothing here, and every
distinct instansi counts, KB-sector agencies included. ``lintas_sektor_count``
takes ``exclude_kb_sector=True`` for the evident intent (a what-if, never the
class shown). Every free-text "Lainnya" agency counts as one (id 37); a missing
id is not counted.

Rounding. ROUND0 is PostgreSQL round() on double precision, which on the
portal's platform rounds half to even, like Python's round(); the indices are
numeric round(x, 2), half away from zero. The index thresholds are integer
score sums (input >= 15, proses >= 9, output >= 12), so rounding never moves a
class.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Portal ids (../shared/domain/portal_profil_options.csv).
BKB, BKR, BKL, UPPKA, PIKR, SEKRETARIAT, RUMAH_DATAKU = 1, 2, 3, 4, 5, 6, 7
POKTAN_PROGRAMS = (BKB, BKR, BKL, UPPKA, PIKR)
SARANA_PROGRAMS = (SEKRETARIAT, RUMAH_DATAKU)
PUS, KELUARGA, REMAJA, KK_BALITA, KK_REMAJA, KK_LANSIA = 1, 2, 3, 4, 5, 6
# Each poktan with the family count that is its denominator (O1).
POKTAN_DENOMINATOR = {
    BKB: KK_BALITA,
    BKR: KK_REMAJA,
    BKL: KK_LANSIA,
    UPPKA: KELUARGA,
    PIKR: REMAJA,
}
KONTRASEPSI = (1, 2, 3, 4, 5, 6, 7)  # IUD, MOW, MOP, Kondom, Implan, Suntik, PIL
MKJP_METHODS = (1, 2, 3, 5)  # IUD, MOW, MOP, Implan
HAMIL, ANAK_SEGERA, IAT, TIAL = 1, 2, 3, 4
UNMET = (IAT, TIAL)
INSTANSI_LAINNYA = 37
KB_SECTOR_IDS = frozenset({26, 34})

CLASSES = ("Dasar", "Berkembang", "Mandiri", "Berkelanjutan")  # low to high

# Count indicators: the smallest count that earns score 2, 3, 4 (or 2, 3).
COUNT_BANDS = {
    "sumber_dana": (1, 2, 5),
    "poktan": (1, 3, 5),
    "sarana": (1, 2),
    "penggunaan_data": (1, 2, 4),
    "operasional": (1, 3, 5),
    "lintas_sektor": (1, 4, 7),
}
# Percentage indicators (whole numbers): the smallest value for score 2, 3, 4.
PERCENT_BANDS = {
    "output_poktan": (10, 21, 31),
    "cpr": (30, 41, 51),
    "mkjp": (20, 23, 25),
}
# Unmet need, lower is better: the largest value for score 2, 3, 4.
UNMET_BANDS = (12, 9, 6)

INDICATORS = (
    ("I1", "input", "Pokja"),
    ("I2", "input", "Sumber dana"),
    ("I3", "input", "Poktan"),
    ("I4", "input", "Sarana"),
    ("I5", "input", "PKB/PLKB dan regulasi"),
    ("P1", "proses", "Penggunaan data"),
    ("P2", "proses", "Mekanisme operasional"),
    ("P3", "proses", "Lintas sektor"),
    ("O1", "output", "Keikutsertaan poktan"),
    ("O2", "output", "CPR (PUS ber-KB)"),
    ("O3", "output", "MKJP"),
    ("O4", "output", "Unmet need"),
)
INDEX_THRESHOLD_SUM = {"input": 15, "proses": 9, "output": 12}
INDEX_SIZE = {"input": 5, "proses": 3, "output": 4}


@dataclass(frozen=True)
class Profil:
    """The active profil's figures the formula reads (None: not answered)."""

    pokja_pengurusan: bool | None = None
    pokja_jumlah: int | None = None
    pokja_pelatihan: bool | None = None
    sumber_dana: frozenset[int] = frozenset()  # sumber dana ids ticked
    programs: frozenset[int] = frozenset()  # program ids 1-7 marked Ada
    plkb_pendamping: bool | None = None
    regulasi: bool | None = None
    penggunaan_data: frozenset[int] = frozenset()  # ids ticked
    operasional: frozenset[int] = frozenset()  # mekanisme ids 1-5 marked Ada


@dataclass(frozen=True)
class Penduduk:
    """Family counts by keluarga id (1 PUS ... 6 KK memiliki lansia)."""

    keluarga: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Kkbpk:
    """KKBPK figures: families in each poktan, PUS by method, PUS not using."""

    program: Mapping[int, int] = field(default_factory=dict)
    kontrasepsi: Mapping[int, int] = field(default_factory=dict)
    non_kontrasepsi: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Inputs:
    """Everything the classification reads for one Kampung KB."""

    profil: Profil | None = None
    penduduk: Penduduk | None = None
    kkbpk: Kkbpk | None = None
    instansi_ids: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class Result:
    scores: dict[str, int]  # I1..O4
    index_input: Decimal
    index_proses: Decimal
    index_output: Decimal
    klass: str
    values: dict[str, int | None]  # the measured counts and percentages


def round0(x: float) -> int:
    """PostgreSQL round(double precision): half to even (see the module doc)."""
    return round(x)


def round2(total: int, size: int) -> Decimal:
    return (Decimal(total) / Decimal(size)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def count_score(name: str, n: int) -> int:
    """Score 1 + the number of bands the count reaches."""
    return 1 + sum(n >= floor for floor in COUNT_BANDS[name])


def percent_score(name: str, x: int | None) -> int:
    if x is None:
        return 1
    return 1 + sum(x >= floor for floor in PERCENT_BANDS[name])


def unmet_score(x: int | None) -> int:
    """>12.1 → 1; 9.1-12 → 2; 6.1-9 → 3; <6.1 → 4.

    On whole numbers: 13+ → 1, 10-12 → 2, 7-9 → 3, ≤ 6 → 4.
    """
    if x is None:
        return 1
    return 1 + sum(x <= ceiling for ceiling in UNMET_BANDS)


def pokja_score(p: Profil | None) -> int:
    if p is None or not p.pokja_pengurusan:
        return 1
    has_members = (p.pokja_jumlah or 0) > 0
    trained = bool(p.pokja_pelatihan)
    if has_members and trained:
        return 4
    if has_members or trained:
        return 3
    return 2


def pkb_score(p: Profil | None) -> int:
    if p is None:
        return 1
    return 1 + bool(p.plkb_pendamping) + bool(p.regulasi)


def lintas_sektor_count(
    instansi_ids: Iterable[int | None], exclude_kb_sector: bool = False
) -> int:
    """Distinct agencies over every activity; all "Lainnya" count as one (id 37)."""
    ids = {i for i in instansi_ids if i is not None}
    if exclude_kb_sector:
        ids -= KB_SECTOR_IDS
    return len(ids)


def output_poktan_value(pen: Penduduk | None, kk: Kkbpk | None) -> int:
    """Average participation over the 5 poktan, always divided by 5 (0 when unknown)."""
    if pen is None:
        return 0
    pcts = []
    for program, keluarga in POKTAN_DENOMINATOR.items():
        den = pen.keluarga.get(keluarga) or 0
        if den == 0:
            pcts.append(0)
        elif kk is None or kk.program.get(program) is None:
            continue
        else:
            pcts.append(round0(kk.program[program] / den * 100))
    if not pcts:
        return 0
    return round0(sum(pcts) / 5)


def _pus(pen: Penduduk | None) -> int | None:
    return None if pen is None else pen.keluarga.get(PUS)


def users(kk: Kkbpk | None) -> int:
    return 0 if kk is None else sum(kk.kontrasepsi.get(m) or 0 for m in KONTRASEPSI)


def cpr_value(pen: Penduduk | None, kk: Kkbpk | None) -> int | None:
    pus = _pus(pen)
    if pen is not None and not pus:
        return 0
    if kk is None or pus is None:
        return None
    return round0(users(kk) / pus * 100)


def mkjp_value(kk: Kkbpk | None) -> int:
    used = users(kk)
    if used == 0:
        return 0
    return round0(sum(kk.kontrasepsi.get(m) or 0 for m in MKJP_METHODS) / used * 100)


def unmet_count(kk: Kkbpk | None) -> int:
    return 0 if kk is None else sum(kk.non_kontrasepsi.get(u) or 0 for u in UNMET)


def unmet_value(pen: Penduduk | None, kk: Kkbpk | None) -> int | None:
    if kk is None:
        return None
    pus = _pus(pen)
    if not pus:
        return 0  # the portal's quirk: no PUS with a KKBPK snapshot scores 4
    return round0(unmet_count(kk) / pus * 100)


def klass_of(hi_in: bool, hi_pr: bool, hi_out: bool) -> str:
    """The SQL's cases in order; the first match wins."""
    if hi_in + hi_pr + hi_out <= 1:
        return "Dasar"
    if hi_in and hi_pr and not hi_out:
        return "Berkembang"
    if hi_in and hi_pr and hi_out:
        return "Berkelanjutan"
    return "Mandiri"


def classify(data: Inputs) -> Result:
    p, pen, kk = data.profil, data.penduduk, data.kkbpk
    empty = Profil()
    q = p or empty
    values: dict[str, int | None] = {
        "sumber_dana": len(q.sumber_dana),
        "poktan": len(q.programs & set(POKTAN_PROGRAMS)),
        "sarana": len(q.programs & set(SARANA_PROGRAMS)),
        "penggunaan_data": len(q.penggunaan_data),
        "operasional": len(q.operasional),
        "lintas_sektor": lintas_sektor_count(data.instansi_ids),
        "output_poktan": output_poktan_value(pen, kk),
        "cpr": cpr_value(pen, kk),
        "mkjp": mkjp_value(kk),
        "unmet": unmet_value(pen, kk),
    }
    scores = {
        "I1": pokja_score(p),
        "I2": count_score("sumber_dana", values["sumber_dana"]),
        "I3": count_score("poktan", values["poktan"]),
        "I4": count_score("sarana", values["sarana"]),
        "I5": pkb_score(p),
        "P1": count_score("penggunaan_data", values["penggunaan_data"]),
        "P2": count_score("operasional", values["operasional"]),
        "P3": count_score("lintas_sektor", values["lintas_sektor"]),
        "O1": percent_score("output_poktan", values["output_poktan"]),
        "O2": percent_score("cpr", values["cpr"]),
        "O3": percent_score("mkjp", values["mkjp"]),
        "O4": unmet_score(values["unmet"]),
    }
    sums = index_sums(scores)
    return Result(
        scores=scores,
        index_input=round2(sums["input"], 5),
        index_proses=round2(sums["proses"], 3),
        index_output=round2(sums["output"], 4),
        klass=klass_of(
            *(sums[k] >= INDEX_THRESHOLD_SUM[k] for k in ("input", "proses", "output"))
        ),
        values=values,
    )


def index_sums(scores: Mapping[str, int]) -> dict[str, int]:
    sums = dict.fromkeys(INDEX_SIZE, 0)
    for code, index, _label in INDICATORS:
        sums[index] += scores[code]
    return sums


def max_score(code: str) -> int:
    """I4 and I5 stop at 3; every other indicator at 4."""
    return 3 if code in ("I4", "I5") else 4
