"""The reads behind the KIE pages: form options, list filters, totals, exports,
entries, photos, campaigns and vocabularies."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from kkbweb.access import pokja_condition, scoped
from kkbweb.extensions import db
from kkbweb.kie.models import (
    KieActivity,
    KieActivityTerm,
    KieCampaign,
    KiePhoto,
    KieTerm,
    kie_activity_term,
    kie_campaign_pokja,
)
from kkbweb.kie.vocab import ACTIVITY_TYPES
from kkbweb.pokja.models import Pokja
from kkbweb.requests import parse_id


@dataclass(frozen=True)
class TermOption:
    id: int
    kind: str
    label: str
    active: bool
    sort: int


@dataclass(frozen=True)
class PokjaOption:
    id: int
    name: str
    active: bool


@dataclass
class CampaignOption:
    id: int
    name: str
    start: date
    end: date
    pokja_ids: set[int] = field(default_factory=set)

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass
class Options:
    """Everything a KIE form or filter offers, as plain data."""

    terms: dict[int, TermOption]
    pokja: dict[int, PokjaOption]
    campaigns: dict[int, CampaignOption]

    def of_kind(self, kind: str, keep: Iterable[int] = ()) -> list[TermOption]:
        """Active terms of a kind, plus inactive ones an entry already uses."""
        keep = set(keep)
        found = [
            t
            for t in self.terms.values()
            if t.kind == kind and (t.active or t.id in keep)
        ]
        return sorted(found, key=lambda t: (t.sort, t.label.lower()))

    def choices(self, kind: str, keep: Iterable[int] = ()) -> list[tuple[int, str]]:
        return [
            (t.id, t.label if t.active else f"{t.label} (nonaktif)")
            for t in self.of_kind(kind, keep)
        ]

    def all_of_kind(self, kind: str) -> list[TermOption]:
        """Every term of a kind, inactive included (filters of old entries)."""
        return self.of_kind(kind, keep=self.terms)

    def label(self, term_id: int | None) -> str:
        term = self.terms.get(term_id) if term_id else None
        return term.label if term else ""

    def active_pokja(self) -> list[PokjaOption]:
        return sorted(
            (p for p in self.pokja.values() if p.active), key=lambda p: p.name
        )

    def sorted_campaigns(self) -> list[CampaignOption]:
        return sorted(self.campaigns.values(), key=lambda c: (c.start, c.id))[::-1]


def load_options(user) -> Options:
    """Load terms, the Pokja and the campaigns the user may see, in ONE query.

    Every KIE page and form needs all three; one UNION ALL instead of three
    selects keeps the forms' POSTs within the six-statement budget.
    """
    no_date, no_int, no_text = cast(null(), Date), cast(null(), Integer), null()
    terms = select(
        literal("term", String).label("src"),
        KieTerm.id.label("id"),
        KieTerm.kind.label("kind"),
        KieTerm.label.label("label"),
        KieTerm.active.label("active"),
        KieTerm.sort.label("sort"),
        no_date.label("start"),
        no_date.label("end"),
        no_int.label("pokja_id"),
    )
    pokja = select(
        literal("pokja", String),
        Pokja.id,
        cast(no_text, String),
        Pokja.display_name,
        Pokja.is_active,
        literal(0, Integer),
        no_date,
        no_date,
        no_int,
    ).where(pokja_condition(Pokja.id, user))
    campaigns = (
        select(
            literal("campaign", String),
            KieCampaign.id,
            cast(no_text, String),
            KieCampaign.name,
            true(),
            literal(0, Integer),
            KieCampaign.start_date,
            KieCampaign.end_date,
            kie_campaign_pokja.c.pokja_id,
        )
        .join(kie_campaign_pokja, kie_campaign_pokja.c.campaign_id == KieCampaign.id)
        .where(pokja_condition(kie_campaign_pokja.c.pokja_id, user))
    )
    options = Options(terms={}, pokja={}, campaigns={})
    for row in db.session.execute(union_all(terms, pokja, campaigns)):
        if row.src == "term":
            options.terms[row.id] = TermOption(
                row.id, row.kind, row.label, bool(row.active), row.sort
            )
        elif row.src == "pokja":
            options.pokja[row.id] = PokjaOption(row.id, row.label, bool(row.active))
        else:
            campaign = options.campaigns.setdefault(
                row.id, CampaignOption(row.id, row.label, row.start, row.end)
            )
            campaign.pokja_ids.add(row.pokja_id)
    return options


def last_method_id(user_id: int) -> int | None:
    """The method of the user's most recent entry (the form's default)."""
    return db.session.scalar(
        select(KieActivity.method_id)
        .where(KieActivity.created_by_id == user_id)
        .order_by(KieActivity.id.desc())
        .limit(1)
    )


def _date(raw) -> date | None:
    """A yyyy-mm-dd date from a query string, or None."""
    try:
        return date.fromisoformat(str(raw or "").strip()[:10])
    except ValueError:
        return None


FILTER_KEYS = ("dari", "sampai", "pokja", "jenis", "metode", "topik", "kampanye")
# A bare list opens on the last twelve months: what the department reads, and
# its totals stay cheap however many years of logs pile up. Clearing "dari"
# shows everything.
DEFAULT_PERIOD = timedelta(days=365)


@dataclass
class Filters:
    """The list's filters, parsed defensively from the query string."""

    dari: date | None = None
    sampai: date | None = None
    pokja: int | None = None
    jenis: str = ""
    metode: int | None = None
    topik: int | None = None
    kampanye: int | None = None

    @classmethod
    def parse(cls, args: Mapping, may_pick_pokja: bool, today: date) -> "Filters":
        if not any(key in args for key in FILTER_KEYS):
            return cls(dari=today - DEFAULT_PERIOD)
        jenis = str(args.get("jenis", ""))
        return cls(
            dari=_date(args.get("dari")),
            sampai=_date(args.get("sampai")),
            pokja=parse_id(args.get("pokja")) if may_pick_pokja else None,
            jenis=jenis if jenis in ACTIVITY_TYPES else "",
            metode=parse_id(args.get("metode")),
            topik=parse_id(args.get("topik")),
            kampanye=parse_id(args.get("kampanye")),
        )

    def args(self) -> dict[str, str]:
        """The filters as query-string values (for links and exports).

        "dari" is always there, empty for "all time", so that the next page of
        an all-time list does not fall back to the default period.
        """
        values = {
            "pokja": self.pokja or "",
            "jenis": self.jenis,
            "metode": self.metode or "",
            "topik": self.topik or "",
            "kampanye": self.kampanye or "",
            "sampai": self.sampai.isoformat() if self.sampai else "",
        }
        found = {key: str(value) for key, value in values.items() if value}
        return {"dari": self.dari.isoformat() if self.dari else "", **found}

    def conditions(self) -> list[ColumnElement]:
        """WHERE conditions for KieActivity (the caller adds the Pokja scope)."""
        found = []
        if self.dari:
            found.append(KieActivity.activity_date >= self.dari)
        if self.sampai:
            found.append(KieActivity.activity_date <= self.sampai)
        if self.pokja:
            found.append(KieActivity.pokja_id == self.pokja)
        if self.jenis:
            found.append(KieActivity.activity_type == self.jenis)
        if self.metode:
            found.append(KieActivity.method_id == self.metode)
        if self.kampanye:
            found.append(KieActivity.campaign_id == self.kampanye)
        if self.topik:
            # EXISTS, not IN: SQLite then walks the date index newest first and
            # probes the link's primary key, stopping after one page.
            found.append(
                exists().where(
                    kie_activity_term.c.activity_id == KieActivity.id,
                    kie_activity_term.c.term_id == self.topik,
                )
            )
        return found


def scoped_conditions(filters: Filters, user=None) -> list[ColumnElement]:
    """The filters plus the user's Pokja scope."""
    return [pokja_condition(KieActivity.pokja_id, user), *filters.conditions()]


def list_stmt(conditions: list[ColumnElement]) -> Select:
    """Entries newest first, with everything a row shows loaded in the same query."""
    return (
        select(KieActivity)
        .where(*conditions)
        .options(
            joinedload(KieActivity.pokja),
            joinedload(KieActivity.method),
            joinedload(KieActivity.links).joinedload(KieActivityTerm.term),
        )
        .order_by(KieActivity.activity_date.desc(), KieActivity.id.desc())
    )


def export_stmt(conditions: list[ColumnElement]) -> Select:
    """Entries for an export: the list's joins plus kategori, campaign and author."""
    return list_stmt(conditions).options(
        joinedload(KieActivity.kategori),
        joinedload(KieActivity.campaign),
        joinedload(KieActivity.created_by),
    )


def totals_stmt(conditions: list[ColumnElement]) -> Select:
    """Count, participants by sex and reach of the filtered set, in one query."""
    return select(
        func.count(KieActivity.id).label("count"),
        func.coalesce(func.sum(KieActivity.participants_male), 0).label("male"),
        func.coalesce(func.sum(KieActivity.participants_female), 0).label("female"),
        func.coalesce(func.sum(KieActivity.estimated_reach), 0).label("reach"),
    ).where(*conditions)


def detail_stmt(activity_id: int) -> Select:
    """One entry with everything its page shows."""
    return (
        select(KieActivity)
        .where(KieActivity.id == activity_id)
        .options(
            joinedload(KieActivity.pokja),
            joinedload(KieActivity.method),
            joinedload(KieActivity.kategori),
            joinedload(KieActivity.campaign),
            joinedload(KieActivity.created_by),
            joinedload(KieActivity.links).joinedload(KieActivityTerm.term),
            joinedload(KieActivity.photos),
        )
    )


def term_usage() -> dict[int, int]:
    """How many entries use each term, in one grouped query."""
    used = union_all(
        select(kie_activity_term.c.term_id.label("term_id")),
        select(KieActivity.method_id),
        select(KieActivity.kategori_id),
    ).subquery()
    rows = db.session.execute(
        select(used.c.term_id, func.count()).group_by(used.c.term_id)
    )
    return dict(rows.all())


# -- entries and photos ----------------------------------------------------------


def entry(activity_id: int) -> KieActivity | None:
    """An entry with everything its pages show, within the user's Pokja scope."""
    stmt = scoped(detail_stmt(activity_id), KieActivity.pokja_id)
    return db.session.scalars(stmt).unique().first()


def entry_id_by_token(form_token: str) -> int | None:
    """The visible entry a form with this token made, if any."""
    stmt = select(KieActivity.id).where(KieActivity.form_token == form_token)
    return db.session.scalar(scoped(stmt, KieActivity.pokja_id))


def totals(conditions: list[ColumnElement]):
    """The count, participants and reach of the filtered set (one row)."""
    return db.session.execute(totals_stmt(conditions)).one()


def export_rows(conditions: list[ColumnElement], limit: int) -> list[KieActivity]:
    """Up to limit + 1 entries for an export (one more tells it is too many)."""
    stmt = export_stmt(conditions).limit(limit + 1)
    return db.session.scalars(stmt).unique().all()


def photo_filename(photo_id: int) -> str | None:
    """The file of a photo whose entry the user may see."""
    stmt = (
        select(KiePhoto.filename)
        .join(KieActivity, KieActivity.id == KiePhoto.activity_id)
        .where(KiePhoto.id == photo_id)
    )
    return db.session.scalars(scoped(stmt, KieActivity.pokja_id)).first()


# -- campaigns -------------------------------------------------------------------


def _campaign_visible() -> ColumnElement:
    """Campaigns that include a Pokja the user may see."""
    return pokja_condition(
        lambda pokja_id: KieCampaign.id.in_(
            select(kie_campaign_pokja.c.campaign_id).where(
                kie_campaign_pokja.c.pokja_id == pokja_id
            )
        )
    )


def campaigns_stmt() -> Select:
    """Visible campaigns, newest first, with their Pokja."""
    return (
        select(KieCampaign)
        .where(_campaign_visible())
        .options(selectinload(KieCampaign.pokja))
        .order_by(KieCampaign.start_date.desc(), KieCampaign.id.desc())
    )


def campaign_stats(campaign_ids: list[int]) -> dict[int, tuple]:
    """Per campaign: visible entries, male and female participants."""
    rows = db.session.execute(
        select(
            KieActivity.campaign_id,
            func.count(KieActivity.id),
            func.coalesce(func.sum(KieActivity.participants_male), 0),
            func.coalesce(func.sum(KieActivity.participants_female), 0),
        )
        .where(
            KieActivity.campaign_id.in_(campaign_ids),
            pokja_condition(KieActivity.pokja_id),
        )
        .group_by(KieActivity.campaign_id)
    )
    return {row[0]: row[1:] for row in rows}


def campaign_with_pokja(campaign_id: int) -> list:
    """A visible campaign once per Pokja, with whether that Pokja takes part.

    Rows of (campaign, pokja id, name, active, member), by Pokja name; none when
    the campaign is absent or foreign.
    """
    member = (
        exists()
        .where(kie_campaign_pokja.c.campaign_id == KieCampaign.id)
        .where(kie_campaign_pokja.c.pokja_id == Pokja.id)
    )
    return db.session.execute(
        select(KieCampaign, Pokja.id, Pokja.display_name, Pokja.is_active, member)
        .join(Pokja, true())
        .where(KieCampaign.id == campaign_id, _campaign_visible())
        .order_by(Pokja.display_name)
    ).all()


# -- vocabularies ----------------------------------------------------------------


def all_terms() -> list[KieTerm]:
    """Every term of every vocabulary, in list order."""
    return db.session.scalars(
        select(KieTerm).order_by(KieTerm.kind, KieTerm.sort, KieTerm.label)
    ).all()


def terms_of_kind(kind: str) -> list:
    """Code, label and sort of every term of a kind (to add one more)."""
    return db.session.execute(
        select(KieTerm.code, KieTerm.label, KieTerm.sort).where(KieTerm.kind == kind)
    ).all()


def label_taken(kind: str, label: str, term_id: int) -> bool:
    """Whether another term of the kind already has this label (any case)."""
    found = db.session.scalar(
        select(KieTerm.id).where(
            KieTerm.kind == kind,
            func.lower(KieTerm.label) == label.lower(),
            KieTerm.id != term_id,
        )
    )
    return found is not None
