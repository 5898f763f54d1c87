"""One register sheet per poktan: its columns' numbers, its family lines, its mark.

Built for any number of poktan in a constant number of queries (layouts, counts,
families, marks); the print page and the XLSX read the same Sheet. No Flask.
"""

from dataclasses import dataclass, field
from datetime import date

from kkbweb.poktan import register_queries as q
from kkbweb.poktan import vocab
from kkbweb.poktan.ages import age_group
from kkbweb.poktan.models import Poktan
from kkbweb.poktan.register_columns import (
    K0,
    RI,
    Period,
    form_code,
    receiver,
    value,
)
from kkbweb.poktan.register_models import RegisterSubmission
from kkbweb.reports.months import Month

AGE_LABELS = {code: label for code, label, _start, _below in vocab.AGE_GROUPS}


@dataclass
class Sheet:
    """What one poktan's register of a period shows."""

    poktan: Poktan
    period: Period
    reference: date
    columns: list[tuple[str, int]]
    families: list = field(default_factory=list)
    submission: RegisterSubmission | None = None
    today: date | None = None

    @property
    def code(self) -> str:
        return form_code(self.period.register, self.poktan.kind)

    @property
    def ketua(self) -> str:
        member = self.poktan.ketua_member
        return member.name if member else (self.poktan.ketua_name or "")

    @property
    def kader(self) -> str:
        member = self.poktan.kader_member
        return member.name if member else (self.poktan.kader_name or "")

    @property
    def receiver(self) -> str:
        return receiver(self.poktan.kind)

    @property
    def late(self) -> bool:
        return self.period.is_late(self.today, self.submission is not None)

    @property
    def family_columns(self) -> list[str]:
        """The family table's headings (the target member's depends on the kind)."""
        target = vocab.TARGET_LABELS.get(self.poktan.kind, "Anggota")
        heads = ["No", "Kepala keluarga", "RT/RW", target]
        if self.poktan.kind == vocab.BKB:
            heads.append("Kelompok umur")
        if self.period.register == RI:
            heads.append("Hadir (kali)")
        return heads + ["PUS", "KB"]

    def family_rows(self) -> list[list]:
        """The family lines as cells (numbers stay numbers)."""
        rows = []
        for number, line in enumerate(self.families, start=1):
            target = (
                line.business if self.poktan.kind == vocab.UPPKA else line.target_name
            )
            if line.target_sex and self.poktan.kind != vocab.UPPKA:
                target = f"{target or ''} ({line.target_sex})"
            rt_rw = "/".join(x for x in (line.rt, line.rw) if x)
            cells = [number, line.head_name, rt_rw, target or ""]
            if self.poktan.kind == vocab.BKB:
                group = age_group(line.target_birth_date, self.reference)
                cells.append(AGE_LABELS.get(group, ""))
            if self.period.register == RI:
                cells.append(int(line.attended or 0))
            method = vocab.KB_METHODS.get(line.kb_method or "", "Ya")
            cells += ["Ya" if line.is_pus else "–", method if line.uses_kb else "–"]
            rows.append(cells)
        return rows


def period_of(register: str, raw_month: str | None, raw_year, today: date) -> Period:
    """The period asked for: R/I ?bulan=YYYY-MM (default last month), K/0 ?tahun=."""
    if register == K0:
        year = (
            raw_year if isinstance(raw_year, int) and 2000 <= raw_year <= 2100 else None
        )
        return Period(K0, year or today.year, 0)
    month = Month.parse(raw_month) or Month.of(today).previous()
    return Period(RI, month.year, month.month)


def build(poktans: list[Poktan], period: Period, today: date) -> list[Sheet]:
    """The sheets of these poktan for the period: four queries in all."""
    ids = [p.id for p in poktans]
    reference = period.reference(today)
    layouts = q.layouts(period.register, sorted({p.kind for p in poktans}))
    counts = q.counts(ids, period, reference)
    families = q.families(ids, period, reference)
    marks = q.submissions(ids, period.register, period.year, period.month)
    return [
        Sheet(
            poktan=p,
            period=period,
            reference=reference,
            columns=[
                (label, value(formula, counts.get(p.id, {})))
                for label, formula in layouts.get(p.kind, [])
            ],
            families=families.get(p.id, []),
            submission=marks.get(p.id),
            today=today,
        )
        for p in poktans
    ]
