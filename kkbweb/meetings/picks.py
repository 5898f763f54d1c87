"""The delegate picker's quick picks: plain rules over a Pokja's members. No Flask."""

from kkbweb.meetings import vocab

CORE = "inti"  # ketua + sekretaris
FIRST_N = "n"  # N per Pokja, by jabatan then name
QUICK_PICKS = {
    CORE: "Ketua + sekretaris",
    FIRST_N: "N orang per Pokja",
}


def _rank(member) -> tuple:
    order = vocab.JABATAN_RANK
    jabatan = member.jabatan
    return (order.index(jabatan) if jabatan in order else len(order), member.name)


def quick_pick(members, pick: str, n: int | None = None) -> set[int]:
    """The ids a quick pick chooses among one Pokja's members.

    CORE: the ketua and sekretaris (none when the Pokja has neither: the page
    then says the Pokja sends nobody); FIRST_N: the first n by jabatan (ketua
    first), then name.
    """
    ranked = sorted(members, key=_rank)
    if pick == CORE:
        return {m.id for m in ranked if m.jabatan in vocab.CORE_JABATAN}
    if pick == FIRST_N:
        return {m.id for m in ranked[: max(n or 0, 0)]}
    raise ValueError(f"unknown quick pick {pick!r}")
