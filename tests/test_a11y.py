"""Accessibility basics on every page each role can reach (QUALITY.md, issue 7).

The pages come from each role's recorded crawl (tests/sitecrawl.py), so a
feature's pages are checked as soon as they are linked. Checked in the HTML: the
language is `id`; every input, select and textarea has a label (`<label for>`, a
wrapping label, `aria-label` or `aria-labelledby`); buttons and links have text;
status badges carry text, so colour is never the only signal; images have alt
text. Layout at 200 % zoom on a phone width is checked in a real browser
(tests/browser/test_layout.py)."""

import re
from html.parser import HTMLParser

import pytest

from tests import factories
from tests.matrix import ROLES
from tests.sitecrawl import crawl_role, site  # noqa: F401  (site: a fixture)

VOID = {"input", "img", "br", "hr", "meta", "link", "source", "area", "col", "wbr"}
UNLABELLED_KINDS = {"hidden", "submit", "button", "reset", "image"}


class A11yParser(HTMLParser):
    """Collect the facts the checks need from one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict, bool]] = []  # tag, attrs, in <label>
        self.problems: list[str] = []
        self._stack: list[tuple[str, dict, list[str]]] = []  # open text holders
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea"):
            self.controls.append((tag, a, self._label_depth > 0))
        if tag == "img" and "alt" not in a:
            self.problems.append(f"<img src={a.get('src')!r}> without alt")
        if (
            tag == "input"
            and a.get("type") in ("submit", "button", "reset")
            and not (a.get("value") or a.get("aria-label") or "").strip()
        ):
            self.problems.append(f"<input type={a['type']}> without text")
        classes = a.get("class", "").split()
        if tag in ("button", "a", "summary") or any(
            c == "badge" or c.startswith("badge-") for c in classes
        ):
            self._stack.append((tag, a, []))
        elif tag not in VOID:
            self._stack.append((tag, a, None))
        if tag == "img" and a.get("alt", "").strip():
            for _, _, text in self._stack:
                if text is not None:
                    text.append(a["alt"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_data(self, data):
        for _, _, text in self._stack:
            if text is not None:
                text.append(data)

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth = max(0, self._label_depth - 1)
        while self._stack:
            open_tag, a, text = self._stack.pop()
            if text is not None:
                words = "".join(text).strip() or a.get("aria-label", "").strip()
                if not words and not a.get("aria-labelledby"):
                    what = a.get("href") or a.get("class") or a.get("name") or ""
                    self.problems.append(f"<{open_tag} {what}> has no text")
            if open_tag == tag:
                break


def check_page(body: str, full_page: bool) -> list[str]:
    """Accessibility problems of one HTML page or fragment."""
    parser = A11yParser()
    parser.feed(body)
    parser.close()
    problems = list(parser.problems)
    if full_page and parser.lang != "id":
        problems.append(f'<html lang="{parser.lang}">, expected "id"')
    for tag, a, wrapped in parser.controls:
        if tag == "input" and a.get("type", "text") in UNLABELLED_KINDS:
            continue
        labelled = (
            wrapped
            or (a.get("id") and a["id"] in parser.label_for)
            or a.get("aria-label", "").strip()
            or a.get("aria-labelledby")
        )
        if not labelled:
            problems.append(f"<{tag} name={a.get('name')!r}> has no label")
    return problems


def test_checker_finds_what_it_should():
    bad = (
        '<html lang="en"><body><input name="q"><select name="s"></select>'
        '<button type="submit"></button><span class="badge badge-ok"></span>'
        '<a href="/x"></a><img src="/i.png"></body></html>'
    )
    problems = check_page(bad, full_page=True)
    assert len(problems) == 7, problems
    good = (
        '<html lang="id"><body><label for="q">Cari</label><input id="q" name="q">'
        '<label>Pilih <select name="s"></select></label>'
        '<input name="t" aria-label="Tanggal"><input type="hidden" name="h">'
        '<button><img src="/i.png" alt="Simpan"></button>'
        '<span class="badge badge-ok">Hadir</span><a href="/x">Lihat</a></body></html>'
    )
    assert check_page(good, full_page=True) == []


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_labels_text_and_language(site, role):
    app, world = site
    pages = crawl_role(app, world, role).pages(statuses=(200, 403, 404))
    assert pages
    problems = {}
    for visit in pages:
        found = check_page(visit.response.text, full_page=not visit.fragment)
        if found:
            problems[visit.url] = found
    assert problems == {}


def test_status_is_never_colour_alone_on_the_users_list(app, login_as):
    """The users list shows active/inactive as words, not only as row colour."""
    client = login_as(factories.make_user("admin"))
    factories.make_user("staf", active=False, username="nonaktif.uji")
    page = client.get("/auth/users").get_data(as_text=True)
    row = re.search(r"<tr class=\"inactive\">.*?</tr>", page, re.S)
    assert row and "Nonaktif" in row.group(0)
