"""Page builders of the classification: the class page's figures, the bar
chart's geometry and the city board's rows. No SQL here (queries.py)."""

from dataclasses import dataclass
from decimal import Decimal

from kkbweb import reference
from kkbweb.classification import figures as fig
from kkbweb.classification import formula, steps

BAR_W = 150  # px for score 4
ROW_H = 18


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    score: int
    top: int
    width: int
    weak: bool

    @property
    def max(self) -> int:
        return formula.max_score(self.code)


def bars(result: formula.Result, weak: list[str]) -> list[Bar]:
    return [
        Bar(
            code,
            label,
            result.scores[code],
            i * ROW_H,
            result.scores[code] * BAR_W // 4,
            code in weak,
        )
        for i, (code, _index, label) in enumerate(formula.INDICATORS)
    ]


@dataclass(frozen=True)
class Verdict:
    result: formula.Result
    plan: steps.Plan | None
    next_steps: dict
    weak: list[str]
    bars: list[Bar]
    chart_height: int

    @property
    def weak_bars(self) -> list[Bar]:
        """The weakest indicators' bars, weakest first."""
        by_code = {bar.code: bar for bar in self.bars}
        return [by_code[code] for code in self.weak]


def verdict(figures: dict | None, instansi_pairs) -> Verdict:
    data = fig.to_inputs(figures, fig.instansi_ids(instansi_pairs))
    result = formula.classify(data)
    weak = steps.weakest(result)
    return Verdict(
        result=result,
        plan=steps.next_class(data),
        next_steps=steps.indicator_steps(data, result),
        weak=weak,
        bars=bars(result, weak),
        chart_height=len(formula.INDICATORS) * ROW_H,
    )


@dataclass(frozen=True)
class BoardRow:
    kampung_id: int
    pokja_id: int | None
    name: str
    pokja: str | None
    kelurahan: str
    kecamatan: str
    pkb: str
    klass: str
    index_input: Decimal
    index_proses: Decimal
    index_output: Decimal
    has_profile: bool
    history: dict[int, str]


SORTS = {
    "nama": lambda r: r.name.lower(),
    "kelas": lambda r: (-formula.CLASSES.index(r.klass), r.name.lower()),
    "input": lambda r: (-r.index_input, r.name.lower()),
    "proses": lambda r: (-r.index_proses, r.name.lower()),
    "output": lambda r: (-r.index_output, r.name.lower()),
}
GROUPS = {"kecamatan": "Kecamatan", "pkb": "PKB"}


def board(rows, instansi_by_pokja, history, pkbs) -> list[BoardRow]:
    """Every Kampung KB with its live class (latest profile + every portal record)."""
    pkb_of = {code: p.name for p in pkbs for code in p.kelurahan_codes or []}
    places = reference.kelurahan_by_code()
    out = []
    for kampung, profile, pokja_name in rows:
        pairs = instansi_by_pokja.get(kampung.pokja_id, [])
        result = formula.classify(
            fig.to_inputs(profile.figures if profile else None, fig.instansi_ids(pairs))
        )
        place = places.get(kampung.kelurahan_code)
        out.append(
            BoardRow(
                kampung_id=kampung.id,
                pokja_id=kampung.pokja_id,
                name=kampung.name,
                pokja=pokja_name,
                kelurahan=place.name if place else kampung.kelurahan_code,
                kecamatan=place.kecamatan if place else "-",
                pkb=pkb_of.get(kampung.kelurahan_code, "Belum ada PKB"),
                klass=result.klass,
                index_input=result.index_input,
                index_proses=result.index_proses,
                index_output=result.index_output,
                has_profile=profile is not None,
                history=history.get(kampung.id, {}),
            )
        )
    return out


def grouped(rows: list[BoardRow], group: str, sort: str) -> list[tuple[str, list]]:
    key = SORTS.get(sort, SORTS["nama"])
    groups: dict[str, list[BoardRow]] = {}
    for row in rows:
        groups.setdefault(getattr(row, group), []).append(row)
    return [(name, sorted(groups[name], key=key)) for name in sorted(groups)]


def class_counts(rows: list[BoardRow]) -> list[tuple[str, int, Decimal]]:
    total = len(rows) or 1
    return [
        (
            name,
            n := sum(r.klass == name for r in rows),
            (Decimal(n * 100) / total).quantize(Decimal("0.01")),
        )
        for name in formula.CLASSES
    ]
