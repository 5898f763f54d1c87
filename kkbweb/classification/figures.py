"""The profile snapshot's figures (a JSON dict) and the formula's inputs, and
what kkbweb already knows of them ("dari aplikasi"). Plain module: no Flask.

figures = {
  "pokja_pengurusan", "pokja_sk", "pokja_pelatihan", "plkb_pendamping",
  "regulasi": true/false/null (Ada / Tidak Ada / not answered),
  "pokja_jumlah", "pokja_jumlah_terlatih": whole numbers or null,
  "sumber_dana", "program", "penggunaan_data": lists of portal ids,
  "operasional": {"1".."5": frekuensi id} (a key present = Ada),
  "penduduk": {"1".."6": n} (keluarga ids) or null,
  "kkbpk": {"program": {...}, "kontrasepsi": {...}, "non_kontrasepsi": {...}}
           or null (no KKBPK figures yet),
}
"""

from kkbweb.classification import formula as f

FLAGS = (
    "pokja_pengurusan",
    "pokja_sk",
    "pokja_pelatihan",
    "plkb_pendamping",
    "regulasi",
)
NUMBERS = ("pokja_jumlah", "pokja_jumlah_terlatih")
ID_LISTS = ("sumber_dana", "program", "penggunaan_data")
KKBPK_PARTS = ("program", "kontrasepsi", "non_kontrasepsi")

# Meeting kinds (kkbweb/meetings/vocab.py) -> mekanisme operasional (portal ids).
OPERASIONAL_OF_KIND = {
    "rapat_perencanaan": 1,  # Rapat perencanaan kegiatan
    "rapat_pokja": 1,
    "rakor_kelurahan": 2,  # Rapat koordinasi dengan dinas/instansi terkait
    "orientasi": 2,
    "minilok": 2,
    "monev": 4,  # Monitoring dan Evaluasi Kegiatan
}
SOSIALISASI = 3  # from KIE activities
PENYUSUNAN_LAPORAN = 5  # from the monthly reports handed in
POKTAN_PROGRAM = {"bkb": 1, "bkr": 2, "bkl": 3, "uppka": 4, "pikr": 5}


def frekuensi_of(count_a_year: int) -> int | None:
    """Portal frekuensi id for how often it happened in the last 12 months:
    1 Mingguan, 2 Bulanan, 5 Triwulan, 4 Semesteran, 3 Tahunan."""
    if count_a_year <= 0:
        return None
    for floor, frekuensi in ((40, 1), (10, 2), (4, 5), (2, 4)):
        if count_a_year >= floor:
            return frekuensi
    return 3


def _ints(mapping) -> dict[int, int]:
    return {int(k): int(v) for k, v in (mapping or {}).items() if v is not None}


def to_inputs(figures: dict | None, instansi_ids=()) -> f.Inputs:
    """The formula's inputs from a stored snapshot (None: no profile yet)."""
    if not figures:
        return f.Inputs(instansi_ids=tuple(instansi_ids))
    profil = f.Profil(
        pokja_pengurusan=figures.get("pokja_pengurusan"),
        pokja_jumlah=figures.get("pokja_jumlah"),
        pokja_pelatihan=figures.get("pokja_pelatihan"),
        sumber_dana=frozenset(figures.get("sumber_dana") or ()),
        programs=frozenset(figures.get("program") or ()),
        plkb_pendamping=figures.get("plkb_pendamping"),
        regulasi=figures.get("regulasi"),
        penggunaan_data=frozenset(figures.get("penggunaan_data") or ()),
        operasional=frozenset(int(k) for k in (figures.get("operasional") or {})),
    )
    pen = figures.get("penduduk")
    kk = figures.get("kkbpk")
    return f.Inputs(
        profil=profil,
        penduduk=None if pen is None else f.Penduduk(_ints(pen)),
        kkbpk=None
        if kk is None
        else f.Kkbpk(*(_ints(kk.get(part)) for part in KKBPK_PARTS)),
        instansi_ids=tuple(instansi_ids),
    )


def instansi_ids(pairs_lists) -> tuple[int, ...]:
    """Agency ids out of the portal records' [id, lainnya] pairs."""
    return tuple(
        int(pair[0])
        for pairs in pairs_lists
        for pair in pairs or ()
        if pair and pair[0] is not None
    )


def app_figures(
    poktan_families: dict[str, int], activity_counts: dict[str, int]
) -> dict:
    """What kkbweb knows: poktan present and their member families; the
    mekanisme operasional held in the last 12 months, with their frequency.

    poktan_families: poktan kind -> distinct member families (0: poktan with
    no member yet); activity_counts: meeting kind, "kie" or "laporan" -> count.
    """
    programs = sorted(POKTAN_PROGRAM[k] for k in poktan_families if k in POKTAN_PROGRAM)
    by_operasional: dict[int, int] = {}
    for kind, n in activity_counts.items():
        op = OPERASIONAL_OF_KIND.get(kind)
        if kind == "kie":
            op = SOSIALISASI
        elif kind == "laporan":
            op = PENYUSUNAN_LAPORAN
        if op is not None and n > 0:
            by_operasional[op] = by_operasional.get(op, 0) + n
    return {
        "program": programs,
        "operasional": {
            str(op): frekuensi_of(n) for op, n in sorted(by_operasional.items())
        },
        "kkbpk.program": {
            str(POKTAN_PROGRAM[k]): n
            for k, n in sorted(poktan_families.items())
            if k in POKTAN_PROGRAM
        },
    }


def prefill(saved: dict | None, app: dict) -> tuple[dict, list[str]]:
    """The form's starting figures: the last snapshot, with every figure kkbweb
    knows taken from the app, and the keys so taken (labelled "dari aplikasi")."""
    figures = dict(saved or {})
    taken: list[str] = []
    for key in ("program", "operasional"):
        if app.get(key) is not None:
            kept = figures.get(key) or ([] if key == "program" else {})
            if key == "program":
                # Sarana (6, 7) are not known to the app: keep what was saved.
                merged = sorted({*app[key], *(i for i in kept if i in (6, 7))})
            else:
                merged = {**kept, **app[key]} if app[key] else kept
            figures[key] = merged
            taken.append(key)
    if app.get("kkbpk.program"):
        kk = dict(figures.get("kkbpk") or {})
        kk["program"] = {**(kk.get("program") or {}), **app["kkbpk.program"]}
        figures["kkbpk"] = kk
        taken.append("kkbpk.program")
    return figures, taken


def class_snapshot(figures: dict | None, pairs_lists) -> dict:
    """The class, three indices and 12 scores to store with a monthly hand-in
    (the columns of reports.models.MonthlyReport), from the latest profile and
    the portal records' instansi of that moment."""
    result = f.classify(to_inputs(figures, instansi_ids(pairs_lists)))
    return {
        "klass": result.klass,
        "index_input": result.index_input,
        "index_proses": result.index_proses,
        "index_output": result.index_output,
        "class_scores": dict(result.scores),
    }
