"""The paper daftar hadir cut into A4 pages, server-side. No Flask.

Chromium prints no @page margin boxes, so "Halaman 1 dari N" and a header row on
every page cannot come from CSS paged media. Instead the rows the sheet prints (a
list of groups, each with an optional heading) are laid out here on pages of a
known height in millimetres; the template prints each page as a block of that
height with its own header row and footer, and a page break after it.

Rules: rows are >= 9 mm high (a signature fits); a heading is never the last
thing on a page (it stays with at least KEEP_WITH_HEADING rows, or moves to the
next page); a group that runs over repeats its heading "(lanjutan)"; the blank
rows for unlisted people fill the last page, which keeps room for the signatures.
"""

from dataclasses import dataclass, field

# A4 portrait, 297 mm, less the @page margins (12 mm top, 14 mm bottom) and a few
# millimetres of slack, so rounding never pushes a block onto a second sheet.
PAGE_MM = 266.0
FIRST_TOP_MM = 64.0  # letterhead, title, date/time/place/participants
NEXT_TOP_MM = 7.0  # "Daftar hadir ... (lanjutan)"
THEAD_MM = 8.0
FOOT_MM = 7.0  # "Halaman i dari N"
ROW_MM = 9.5  # a signature cell: >= 9 mm (odd and even sign side by side)
HEADING_MM = 6.5
SIGN_MM = 40.0  # place, date, role, room to sign, name
KEEP_WITH_HEADING = 3
MIN_BLANK = 5  # blank rows worth starting on this page
BLANK_ON_NEW_PAGE = 10


@dataclass(frozen=True)
class Row:
    """One person the sheet prints (all text; a blank row has an empty name)."""

    name: str = ""
    role: str = ""
    sex: str = ""
    status: str = ""


@dataclass(frozen=True)
class Group:
    """Rows under one heading (None: no heading row)."""

    heading: str | None
    rows: list[Row]


@dataclass(frozen=True)
class Line:
    """A printed line: a heading, or a numbered row."""

    heading: str | None = None
    row: Row | None = None
    number: int = 0


@dataclass
class Page:
    number: int
    lines: list[Line] = field(default_factory=list)
    free_mm: float = 0.0
    last: bool = False

    @property
    def rows(self) -> int:
        return sum(1 for line in self.lines if line.row is not None)


def _new_page(pages: list[Page]) -> Page:
    top = FIRST_TOP_MM if not pages else NEXT_TOP_MM
    page = Page(number=len(pages) + 1, free_mm=PAGE_MM - top - THEAD_MM - FOOT_MM)
    pages.append(page)
    return page


class _Layout:
    """Places lines on pages, starting new ones as they fill."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.page = _new_page(self.pages)
        self.number = 0

    def fits(self, mm: float) -> bool:
        return self.page.free_mm + 1e-6 >= mm

    def break_page(self) -> None:
        self.page = _new_page(self.pages)

    def heading(self, text: str) -> None:
        self.page.lines.append(Line(heading=text))
        self.page.free_mm -= HEADING_MM

    def row(self, row: Row, heading: str | None) -> None:
        if not self.fits(ROW_MM):
            self.break_page()
            if heading:
                self.heading(f"{heading} (lanjutan)")
        self.number += 1
        self.page.lines.append(Line(row=row, number=self.number))
        self.page.free_mm -= ROW_MM

    def group(self, group: Group) -> None:
        if group.heading:
            keep = min(KEEP_WITH_HEADING, len(group.rows))
            if self.page.lines and not self.fits(HEADING_MM + keep * ROW_MM):
                self.break_page()
            self.heading(group.heading)
        for row in group.rows:
            self.row(row, group.heading)


def paginate(groups: list[Group], blank_heading: str | None = None) -> list[Page]:
    """Lay the groups out on A4 pages, then the blank rows and the signatures.

    With `blank_heading`, blank rows for people not listed fill the last page
    (at least MIN_BLANK of them, else BLANK_ON_NEW_PAGE on a page of their own).
    """
    layout = _Layout()
    for group in groups:
        if group.rows:
            layout.group(group)
    blank = Row()
    listed = any(page.lines for page in layout.pages)
    heading_mm = HEADING_MM if (blank_heading and listed) else 0.0
    fit = int((layout.page.free_mm - heading_mm - SIGN_MM + 1e-6) // ROW_MM)
    if fit < MIN_BLANK:
        layout.break_page()
        fit = min(
            BLANK_ON_NEW_PAGE,
            int((layout.page.free_mm - heading_mm - SIGN_MM + 1e-6) // ROW_MM),
        )
    if heading_mm:
        layout.heading(blank_heading)
    for _ in range(fit):
        layout.row(blank, blank_heading)
    layout.page.last = True
    return layout.pages
