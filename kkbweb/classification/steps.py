"""Menuju kelas berikutnya: the smallest concrete steps that lift a Kampung KB's
class, computed from the formula (formula.py), never hand-written advice.
Plain module: no Flask, no database.

Each indicator has at most one *next step*: the smallest change of its own
figure that raises its score by one ("Adakan 1 pertemuan dengan instansi baru:
skor lintas sektor naik dari 3 ke 4"), found by searching the smallest amount
with the formula's own scoring. A step also knows how to change the figures
(``apply``), so the class plan re-runs ``formula.classify`` after every step
and only reports a plan the formula confirms.

The plan for the next class tries every way to a better class (Berkembang:
Input and Proses ≥ 3; Mandiri: Output and one of the two; Berkelanjutan: all
three) and keeps the one with the fewest steps, then the lightest. Weight: a
step of the Pokja's own arrangements (profil items, meetings) weighs its
amount; a step on people's figures (Output) weighs 3 + amount / 5, because
families change their behaviour more slowly than a Pokja sets up a poktan.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from kkbweb import reference
from kkbweb.classification import formula as f

MAX_SEARCH = 100_000
INDEX_OF = {code: index for code, index, _label in f.INDICATORS}
LABEL_OF = {code: label for code, _index, label in f.INDICATORS}
NEW_USER_METHOD = 6  # Suntik: a new KB user is counted as non-MKJP (MKJP re-checked)


@dataclass(frozen=True)
class Step:
    code: str  # I1..O4
    before: int
    after: int
    text: str
    amount: int
    apply: Callable[[f.Inputs], f.Inputs]

    @property
    def weight(self) -> float:
        if INDEX_OF[self.code] == "output":
            return 3 + self.amount / 5
        return self.amount


def _names(list_name: str, ids) -> str:
    labels = reference.profil_options(list_name)
    return ", ".join(labels[i] for i in ids)


def _profil(data: f.Inputs) -> f.Profil:
    return data.profil or f.Profil()


def _with_profil(data: f.Inputs, **changes) -> f.Inputs:
    return replace(data, profil=replace(_profil(data), **changes))


def _rise(code: str, before: int) -> str:
    return f"skor {LABEL_OF[code].lower()} naik dari {before} ke {before + 1}"


def _need(name: str, n: int) -> int | None:
    """How many more items the count indicator needs for its next score."""
    for floor in f.COUNT_BANDS[name]:
        if n < floor:
            return floor - n
    return None


def _pokja(data: f.Inputs, score: int) -> Step | None:
    p = _profil(data)
    if score == 1:
        text, change = (
            "Bentuk pengurus Pokja (isi Ada di profil)",
            {"pokja_pengurusan": True},
        )
    elif not (p.pokja_jumlah or 0):
        text, change = "Catat jumlah anggota Pokja di profil", {"pokja_jumlah": 1}
    elif not p.pokja_pelatihan:
        text, change = "Adakan pelatihan bagi pengurus Pokja", {"pokja_pelatihan": True}
    else:
        return None
    return Step(
        "I1",
        score,
        score + 1,
        f"{text}: {_rise('I1', score)}",
        1,
        lambda d: _with_profil(d, **change),
    )


def _pkb(data: f.Inputs, score: int) -> Step | None:
    p = _profil(data)
    if not p.plkb_pendamping:
        text, change = "Tetapkan PKB/PLKB pendamping", {"plkb_pendamping": True}
    elif not p.regulasi:
        text, change = (
            "Terbitkan regulasi Kampung KB (SK Lurah/Camat)",
            {"regulasi": True},
        )
    else:
        return None
    return Step(
        "I5",
        score,
        score + 1,
        f"{text}: {_rise('I5', score)}",
        1,
        lambda d: _with_profil(d, **change),
    )


# Count indicators kept in the profil: (code, band name, profil field, option
# list, candidate ids, verb phrase).
PROFIL_COUNTS = (
    (
        "I2",
        "sumber_dana",
        "sumber_dana",
        "sumber_dana",
        (1, 2, 3, 4, 5, 6),
        "Tambah {k} sumber dana ({names})",
    ),
    (
        "I3",
        "poktan",
        "programs",
        "program",
        f.POKTAN_PROGRAMS,
        "Bentuk {k} poktan lagi ({names})",
    ),
    ("I4", "sarana", "programs", "program", f.SARANA_PROGRAMS, "Sediakan {names}"),
    (
        "P1",
        "penggunaan_data",
        "penggunaan_data",
        "penggunaan_data",
        (1, 2, 3, 4, 5),
        "Gunakan {k} sumber data lagi ({names})",
    ),
    (
        "P2",
        "operasional",
        "operasional",
        "operasional",
        (1, 2, 3, 4, 5),
        "Jalankan {k} mekanisme operasional lagi ({names})",
    ),
)


def _profil_count(data: f.Inputs, spec, score: int) -> Step | None:
    code, band, attr, options, candidates, phrase = spec
    have = getattr(_profil(data), attr)
    n = len(have & set(candidates))
    k = _need(band, n)
    if k is None:
        return None
    missing = [i for i in candidates if i not in have]
    if len(missing) < k:
        return None
    added = frozenset(missing[:k])
    names = _names(options, missing if len(missing) <= 3 else missing[:k])
    text = phrase.format(k=k, names=names)
    return Step(
        code,
        score,
        score + 1,
        f"{text}: {_rise(code, score)}",
        k,
        lambda d: _with_profil(d, **{attr: getattr(_profil(d), attr) | added}),
    )


def _lintas(data: f.Inputs, score: int) -> Step | None:
    n = f.lintas_sektor_count(data.instansi_ids)
    k = _need("lintas_sektor", n)
    if k is None:
        return None
    used = {i for i in data.instansi_ids if i is not None}
    fresh = tuple(i for i in range(1, f.INSTANSI_LAINNYA) if i not in used)[:k]
    word = "pertemuan" if k == 1 else "pertemuan, masing-masing"
    text = f"Adakan {k} {word} dengan instansi baru: {_rise('P3', score)}"
    return Step(
        "P3",
        score,
        score + 1,
        text,
        k,
        lambda d: replace(d, instansi_ids=d.instansi_ids + fresh),
    )


def _search(start: int, ok: Callable[[int], bool], stop: int) -> int | None:
    for k in range(1, min(stop, MAX_SEARCH) + 1):
        if ok(start + k):
            return k
    return None


def _output_poktan(data: f.Inputs, score: int) -> Step | None:
    pen, kk = data.penduduk, data.kkbpk
    if pen is None or kk is None or score >= 4:
        return None
    value = f.output_poktan_value(pen, kk)
    target = f.PERCENT_BANDS["output_poktan"][score - 1]
    best = None
    for program, keluarga in f.POKTAN_DENOMINATOR.items():
        den = pen.keluarga.get(keluarga) or 0
        have = kk.program.get(program) or 0
        if den == 0:
            continue

        def ok(total, program=program):
            trial = replace(kk, program={**kk.program, program: total})
            return f.output_poktan_value(pen, trial) >= target

        k = _search(have, ok, den - have)
        if k is not None and (best is None or k < best[1]):
            best = (program, k, have)
    if best is None:
        return None
    program, k, have = best
    name = reference.profil_options("program")[program]
    text = (
        f"Rata-rata keikutsertaan poktan {value} %, perlu {target} % untuk skor "
        f"{score + 1}: {k} keluarga lagi ikut {name}"
    )
    return Step(
        "O1",
        score,
        score + 1,
        text,
        k,
        lambda d: replace(
            d, kkbpk=replace(d.kkbpk, program={**d.kkbpk.program, program: have + k})
        ),
    )


def _cpr(data: f.Inputs, score: int) -> Step | None:
    pen, kk = data.penduduk, data.kkbpk
    pus = pen.keluarga.get(f.PUS) if pen else None
    if not pus or kk is None or score >= 4:
        return None
    used = f.users(kk)
    target = f.PERCENT_BANDS["cpr"][score - 1]
    k = _search(used, lambda u: f.round0(u / pus * 100) >= target, pus - used)
    if k is None:
        return None
    text = (
        f"PUS ber-KB {f.cpr_value(pen, kk)} %, perlu {target} % untuk skor "
        f"{score + 1}: {k} PUS lagi"
    )

    def apply(d):
        kon = d.kkbpk.kontrasepsi
        return replace(
            d,
            kkbpk=replace(
                d.kkbpk,
                kontrasepsi={
                    **kon,
                    NEW_USER_METHOD: (kon.get(NEW_USER_METHOD) or 0) + k,
                },
            ),
        )

    return Step("O2", score, score + 1, text, k, apply)


def _mkjp(data: f.Inputs, score: int) -> Step | None:
    kk = data.kkbpk
    used = f.users(kk)
    if used == 0 or score >= 4:
        return None
    mkjp_n = sum(kk.kontrasepsi.get(m) or 0 for m in f.MKJP_METHODS)
    target = f.PERCENT_BANDS["mkjp"][score - 1]
    k = _search(mkjp_n, lambda n: f.round0(n / used * 100) >= target, used - mkjp_n)
    if k is None:
        return None
    text = (
        f"Peserta MKJP {f.mkjp_value(kk)} % dari peserta KB, perlu {target} % untuk "
        f"skor {score + 1}: {k} peserta lagi beralih ke MKJP (IUD, implan, MOW, MOP)"
    )

    def apply(d):
        kon = dict(d.kkbpk.kontrasepsi)
        moved = k
        for method in (m for m in f.KONTRASEPSI if m not in f.MKJP_METHODS):
            take = min(moved, kon.get(method) or 0)
            kon[method] = (kon.get(method) or 0) - take
            moved -= take
        kon[1] = (kon.get(1) or 0) + k - moved
        return replace(d, kkbpk=replace(d.kkbpk, kontrasepsi=kon))

    return Step("O3", score, score + 1, text, k, apply)


def _unmet(data: f.Inputs, score: int) -> Step | None:
    pen, kk = data.penduduk, data.kkbpk
    pus = pen.keluarga.get(f.PUS) if pen else None
    if not pus or kk is None or score >= 4:
        return None
    have = f.unmet_count(kk)
    ceiling = f.UNMET_BANDS[score - 1]
    k = _search(0, lambda r: f.round0((have - r) / pus * 100) <= ceiling, have)
    if k is None:
        return None
    text = (
        f"Unmet need {f.unmet_value(pen, kk)} %, perlu paling tinggi {ceiling} % "
        f"untuk skor {score + 1}: {k} PUS unmet need (IAT/TIAL) mulai ber-KB"
    )

    def apply(d):
        non = dict(d.kkbpk.non_kontrasepsi)
        left = k
        for u in f.UNMET:
            take = min(left, non.get(u) or 0)
            non[u] = (non.get(u) or 0) - take
            left -= take
        kon = d.kkbpk.kontrasepsi
        return replace(
            d,
            kkbpk=replace(
                d.kkbpk,
                non_kontrasepsi=non,
                kontrasepsi={
                    **kon,
                    NEW_USER_METHOD: (kon.get(NEW_USER_METHOD) or 0) + k,
                },
            ),
        )

    return Step("O4", score, score + 1, text, k, apply)


def indicator_steps(data: f.Inputs, result: f.Result | None = None) -> dict[str, Step]:
    """The next step of every indicator that can still rise."""
    scores = (result or f.classify(data)).scores
    found: dict[str, Step | None] = {
        "I1": _pokja(data, scores["I1"]) if scores["I1"] < 4 else None,
        "I5": _pkb(data, scores["I5"]) if scores["I5"] < 3 else None,
        "P3": _lintas(data, scores["P3"]),
        "O1": _output_poktan(data, scores["O1"]),
        "O2": _cpr(data, scores["O2"]),
        "O3": _mkjp(data, scores["O3"]),
        "O4": _unmet(data, scores["O4"]),
    }
    for spec in PROFIL_COUNTS:
        found[spec[0]] = _profil_count(data, spec, scores[spec[0]])
    return {code: found[code] for code, _i, _l in f.INDICATORS if found.get(code)}


# Ways to a better class: the indices that must reach 3.
ROUTES = (
    ("Berkembang", ("input", "proses")),
    ("Mandiri", ("input", "output")),
    ("Mandiri", ("proses", "output")),
    ("Berkelanjutan", ("input", "proses", "output")),
)


@dataclass(frozen=True)
class Plan:
    target: str
    steps: tuple[Step, ...]
    result: f.Result  # the formula's verdict after the steps


def _lift(data: f.Inputs, indices) -> tuple[tuple[Step, ...], f.Inputs] | None:
    steps: list[Step] = []
    for _guard in range(40):
        result = f.classify(data)
        sums = f.index_sums(result.scores)
        short = [i for i in indices if sums[i] < f.INDEX_THRESHOLD_SUM[i]]
        if not short:
            return tuple(steps), data
        options = [
            s
            for s in indicator_steps(data, result).values()
            if INDEX_OF[s.code] in short
        ]
        if not options:
            return None
        step = min(options, key=lambda s: (s.weight, s.code))
        steps.append(step)
        data = step.apply(data)
    return None


def next_class(data: f.Inputs) -> Plan | None:
    """The cheapest verified plan to a better class; None at Berkelanjutan or
    when the figures cannot get there (e.g. no penduduk/KKBPK data for Output)."""
    rank = f.CLASSES.index(f.classify(data).klass)
    plans = []
    for target, indices in ROUTES:
        if f.CLASSES.index(target) <= rank:
            continue
        lifted = _lift(data, indices)
        if lifted is None:
            continue
        steps, after = lifted
        result = f.classify(after)
        if f.CLASSES.index(result.klass) > rank:
            plans.append(Plan(result.klass, steps, result))
    if not plans:
        return None
    return min(
        plans,
        key=lambda p: (
            len(p.steps),
            sum(s.weight for s in p.steps),
            f.CLASSES.index(p.target),
        ),
    )


def weakest(result: f.Result, limit: int = 3) -> list[str]:
    """The indicators furthest below their maximum (ties in formula order)."""
    gaps = [
        (f.max_score(code) - result.scores[code], code) for code, _i, _l in f.INDICATORS
    ]
    ranked = sorted((g for g in gaps if g[0] > 0), key=lambda g: -g[0])
    return [code for _gap, code in ranked[:limit]]
