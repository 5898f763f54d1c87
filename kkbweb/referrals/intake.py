"""What the intake page and the case page work out from a case's persons and
facts: the form with one field per role, the chosen persons, the conditions for
the checklist, the destination and the routing notes. No SQL (case_queries)."""

from dataclasses import dataclass, field

from kkbweb.referrals import (
    case_queries,
    checklist_rules,
    deadlines,
    routing,
    vocab,
)
from kkbweb.referrals.forms import ReferralForm, role_fields
from kkbweb.referrals.service import AUTO, destination_address, destination_name
from kkbweb.requests import parse_id
from kkbweb.timeutil import tanggal, today_wib

CASE_FIELDS = (
    "kk_number",
    "marital_status",
    "unregistered",
    "event_date",
    "event_place",
    "event_kecamatan",
    "ktp_reason",
)
MARRIAGE_DOCS = frozenset({"buku_nikah", "akta_perkawinan"})
EVENT_DOCS = frozenset(
    {"akta_kelahiran", "akta_kematian", "buku_nikah", "akta_perkawinan", "itsbat_nikah"}
)


def shown_fields(doc_type: str) -> tuple[str, ...]:
    """The case fields the form shows for a document type (_case_fields.html)."""
    names = ["kk_number", "marital_status"]
    if doc_type in ("akta_kelahiran", "kk"):
        names.append("unregistered")
    if doc_type in EVENT_DOCS:
        names += ["event_date", "event_place"]
    if doc_type in MARRIAGE_DOCS:
        names.append("event_kecamatan")
    if doc_type == "ktp_el":
        names.append("ktp_reason")
    return tuple(names)


def form_class(doc_type: str):
    """ReferralForm with one field per role of the document type."""
    return type("CaseForm", (ReferralForm,), role_fields(doc_type))


def fill_choices(form, doc_type: str, pokja_id: int) -> None:
    """The Pokja's residents as the choices of every role field."""
    options = [
        (rid, f"{name}" + (f" (lahir {tanggal(born)})" if born else ""))
        for rid, name, born, _sex in case_queries.pokja_residents(pokja_id)
    ]
    for role in vocab.DOC_ROLES.get(doc_type, ()):
        field_ = form[f"p_{role}"]
        if role in vocab.MANY:
            field_.choices = options
        else:
            field_.choices = [(None, "— pilih warga —"), *options]


def posted_ids(formdata, doc_type: str) -> list[int]:
    """The resident ids a posted intake form names, to load them in one query."""
    ids = []
    for role in vocab.DOC_ROLES.get(doc_type, ()):
        for value in formdata.getlist(f"p_{role}"):
            number = parse_id(value)
            if number is not None:
                ids.append(number)
    return ids


def chosen_persons(
    form, doc_type: str, resident, known: dict
) -> tuple[list[tuple[str, int]], dict[str, list]] | None:
    """((role, id) pairs, {role: [Resident]}) from the form, every person one of
    the Pokja's residents; None with errors on the fields."""
    chosen: list[tuple[str, int]] = []
    seen: dict[int, str] = {}
    ok = True
    for role in vocab.DOC_ROLES.get(doc_type, ()):
        field_ = form[f"p_{role}"]
        values = (field_.data or []) if role in vocab.MANY else [field_.data]
        for value in values:
            if value is None:
                continue
            if value in seen:
                field_.errors.append(
                    f"Warga ini sudah dipilih sebagai {vocab.ROLE_LABELS[seen[value]]}."
                )
                ok = False
                continue
            seen[value] = role
            chosen.append((role, value))
    main = vocab.DOC_ROLES[doc_type][0]
    if not any(r == main for r, _ in chosen):
        form[f"p_{main}"].errors.append(f"Pilih {vocab.ROLE_LABELS[main].lower()}.")
        ok = False
    if not ok:
        return None
    # Only the residents of the case's Pokja (known: loaded within scope).
    known = {
        rid: person
        for rid, person in known.items()
        if person.pokja_id == resident.pokja_id
    }
    grouped: dict[str, list] = {}
    for role, rid in chosen:
        if rid not in known:
            form[f"p_{role}"].errors.append("Pilih warga dari daftar Pokja ini.")
            ok = False
        else:
            grouped.setdefault(role, []).append(known[rid])
    return (chosen, grouped) if ok else None


def case_fields(form) -> dict:
    """The case's facts from the form."""
    values = {name: form[name].data for name in CASE_FIELDS}
    for name in ("kk_number", "marital_status", "event_place", "ktp_reason"):
        values[name] = values[name] or None
    values["event_kecamatan"] = values["event_kecamatan"] or None
    values["unregistered"] = bool(values["unregistered"])
    return values


@dataclass
class CaseView:
    """Routing, deadline and conditions of a case, for the pages and the slip."""

    destination: routing.Destination
    held: frozenset[str]
    deadline: deadlines.Deadline | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    birth: routing.BirthRoute | None = None
    rekomendasi_for: tuple[str, ...] = ()


def work_out(
    doc_type: str, case: dict, persons: dict[str, list], today, kecamatan: str
) -> CaseView:
    """persons: {role: [Resident with pokja.kecamatan loaded]}; kecamatan: the
    case's Pokja's."""

    def first(role):
        return (persons.get(role) or [None])[0]

    main = next((people[0] for people in persons.values() if people), None)
    missing = [
        vocab.ROLE_LABELS[role]
        for role in vocab.EXPECTED_ROLES.get(doc_type, ())
        if not persons.get(role)
    ]
    warnings: list[str] = []
    if missing and persons and "warga" not in persons:
        warnings.append(
            f"{', '.join(missing)} belum dicantumkan di kasus ini; daftarkan sebagai "
            "warga lalu buat kasus dengan orang yang lengkap bila perlu."
        )
    notes: list[str] = []
    rekomendasi: tuple[str, ...] = ()
    birth = None
    if doc_type in MARRIAGE_DOCS:
        roles = ("calon_suami", "calon_istri")
        route = routing.marriage_route(
            doc_type,
            {r: getattr(first(r), "religion", None) for r in roles},
            case.get("event_kecamatan"),
            {
                r: first(r).pokja.kecamatan.display_name
                for r in roles
                if first(r) is not None
            },
        )
        destination, rekomendasi = route.destination, route.rekomendasi_for
        warnings.extend(route.warnings)
        for role in rekomendasi:
            notes.append(
                f"{vocab.ROLE_LABELS[role]} berasal dari kecamatan lain: bawa surat "
                "rekomendasi nikah dari KUA kecamatan tempat tinggalnya."
            )
    else:
        religion = getattr(first("suami") or main, "religion", None)
        destination = routing.suggest_destination(doc_type, religion, kecamatan)
    if doc_type == "akta_kelahiran":
        birth = routing.birth_route(
            bool(case.get("unregistered")), case.get("marital_status")
        )
    mother = first("ibu")
    facts = checklist_rules.CaseFacts(
        doc_type=doc_type,
        event_date=case.get("event_date"),
        today=today,
        marital_status=case.get("marital_status"),
        unregistered=bool(case.get("unregistered")),
        mother_birth_date=getattr(mother, "birth_date", None),
        catin_birth_dates=tuple(
            p.birth_date
            for r in ("calon_suami", "calon_istri")
            for p in persons.get(r, [])
        ),
        home_kecamatans=tuple(
            p.pokja.kecamatan.display_name
            for r in ("calon_suami", "calon_istri")
            for p in persons.get(r, [])
        ),
        akad_kecamatan=case.get("event_kecamatan"),
        ktp_reason=case.get("ktp_reason"),
    )
    return CaseView(
        destination=destination,
        held=checklist_rules.conditions(facts),
        deadline=deadlines.deadline(doc_type, case.get("event_date"), today),
        warnings=warnings,
        notes=notes,
        birth=birth,
        rekomendasi_for=rekomendasi,
    )


def of_referral(referral, today) -> CaseView:
    """The case view of a loaded referral (persons with pokja.kecamatan loaded)."""
    grouped: dict[str, list] = {}
    for person in referral.persons:
        grouped.setdefault(person.role, []).append(person.resident)
    case = {name: getattr(referral, name) for name in CASE_FIELDS}
    return work_out(
        referral.doc_type,
        case,
        grouped,
        today,
        referral.pokja.kecamatan.display_name,
    )


def anchor(resident, doc_type: str, form, main: bool = False) -> None:
    """Put the resident the intake started from in the role that fits (main:
    always the case's main role)."""
    roles = vocab.DOC_ROLES.get(doc_type, ())
    if not roles:
        return
    role = roles[0]
    if main:
        pass
    elif doc_type in MARRIAGE_DOCS:
        role = "calon_istri" if resident.sex == "P" else "calon_suami"
    elif doc_type == "akta_kelahiran" and resident.birth_date is not None:
        # The resident registered first is often the mother.
        role = "anak" if resident.birth_date.year >= today_wib().year - 1 else "ibu"
    field_ = form[f"p_{role}"]
    if role in vocab.MANY:
        field_.data = [resident.id]
    else:
        field_.data = resident.id


def destination(form, resident, case) -> tuple:
    """(code, name, address) from the form, filling gaps with the routing."""
    pokja = resident.pokja
    kecamatan = pokja.kecamatan
    if form.destination.data == AUTO:
        code, name = case.destination.code, case.destination.name
    else:
        code = form.destination.data
        name = destination_name(code, kecamatan.display_name)
    address = form.destination_address.data
    if not address and code == routing.KUA and form.event_kecamatan.data:
        address = f"Kantor {name}, Kota Cilegon"
    return (
        code,
        form.destination_name.data or name,
        address or destination_address(code, pokja, kecamatan),
    )
