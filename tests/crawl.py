"""A small crawler shared by the security sweep, the fuzzers, the a11y checks and
the page-weight benchmark.

It starts at a page, follows every same-site link, every GET form (submitted with
its default values), every ``hx-get`` (sent as an htmx request) and every redirect,
up to a depth and a page limit, and hands each response to the caller. It only
ever sends GET requests: POST forms are collected, not submitted.

Two transports give the same interface: ``FlaskTransport`` (the Flask test
client, fast) and ``HttpTransport`` (a real HTTP server such as gunicorn, with a
cookie jar; used by ``.ci/run``'s gunicorn-served run).
"""

import http.client
import http.cookiejar
import urllib.error
import urllib.request
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

HX = {"HX-Request": "true"}
# Never followed: they change state even though some are links in other apps.
SKIP_PATHS = ("/auth/logout",)


@dataclass
class Response:
    """What a transport returns: status, headers (case-insensitive get) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def is_html(self) -> bool:
        return self.header("content-type").startswith("text/html")


class FlaskTransport:
    """Requests through a Flask test client (cookies kept by the client)."""

    def __init__(self, client, accept_encoding: str | None = None):
        self.client = client
        self.accept_encoding = accept_encoding

    def request(
        self, method: str, url: str, data=None, headers: dict | None = None
    ) -> Response:
        headers = dict(headers or {})
        if self.accept_encoding:
            headers.setdefault("Accept-Encoding", self.accept_encoding)
        if isinstance(data, list):
            data = MultiDict(data)
        response = self.client.open(url, method=method, data=data, headers=headers)
        body = response.get_data()
        return Response(
            response.status_code,
            {k.lower(): v for k, v in response.headers.items()},
            body,
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: D102 - keep 3xx as they are
        return None


class HttpTransport:
    """Requests to a real server (e.g. gunicorn) with a cookie jar, no redirects."""

    def __init__(self, base_url: str, accept_encoding: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.accept_encoding = accept_encoding
        self.opener = urllib.request.build_opener(
            _NoRedirect, urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def request(
        self, method: str, url: str, data=None, headers: dict | None = None
    ) -> Response:
        headers = dict(headers or {})
        if self.accept_encoding:
            headers.setdefault("Accept-Encoding", self.accept_encoding)
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        req = urllib.request.Request(
            self.base_url + url, data=body, headers=headers, method=method
        )
        try:
            with self.opener.open(req, timeout=30) as answer:
                return self._wrap(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            return self._wrap(error.code, error.headers, error.read())
        except http.client.HTTPException as error:  # pragma: no cover - diagnostics
            raise AssertionError(f"{method} {url}: {error!r}") from error

    @staticmethod
    def _wrap(status, headers, body) -> Response:
        flat = {}
        for key, value in headers.items():
            key = key.lower()
            flat[key] = f"{flat[key]}, {value}" if key in flat else value
        return Response(status, flat, body)


# -- HTML parsing ---------------------------------------------------------------


@dataclass
class FormField:
    """One control of a form: name, kind (input type, select, textarea), value."""

    name: str
    kind: str
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    """A <form> as the browser would submit it."""

    page: str
    method: str
    action: str
    fields: list[FormField] = field(default_factory=list)

    def defaults(self) -> list[tuple[str, str]]:
        """The (name, value) pairs a browser sends without the user touching it."""
        pairs = []
        for f in self.fields:
            if f.kind in ("submit", "button", "reset", "image", "file"):
                continue
            if f.kind in ("checkbox", "radio") and not f.checked:
                continue
            if f.kind == "select" and not f.value and f.options:
                pairs.append((f.name, f.options[0]))
                continue
            pairs.append((f.name, f.value or ("on" if f.kind == "checkbox" else "")))
        return pairs

    @property
    def user_fields(self) -> list[FormField]:
        """Fields a person fills in (not hidden tokens nor buttons)."""
        return [
            f
            for f in self.fields
            if f.kind not in ("hidden", "submit", "button", "reset", "image")
        ]


class PageParser(HTMLParser):
    """Collect links, hx-get targets, assets and forms of one HTML page."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.hx_gets: list[str] = []
        self.assets: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if "hx-get" in a:
            self.hx_gets.append(a["hx-get"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("href") and a.get("rel") == "stylesheet":
            self.assets.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "form":
            self._form = Form(
                self.page,
                (a.get("method") or "get").upper(),
                a.get("action") or self.page,
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._form.fields.append(
                FormField(
                    a["name"],
                    (a.get("type") or "text").lower(),
                    a.get("value", ""),
                    checked="checked" in a,
                )
            )
        elif tag == "button" and a.get("name"):
            self._form.fields.append(FormField(a["name"], "button", a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = FormField(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.value = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = FormField(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(page_url: str, body: str) -> PageParser:
    """Parse an HTML page; relative URLs stay as written."""
    parser = PageParser(page_url)
    parser.feed(body)
    parser.close()
    return parser


def local_path(base: str, href: str) -> str | None:
    """Resolve href against base; None for other sites, fragments-only or schemes."""
    if not href or href.startswith(("#", "mailto:", "tel:", "data:", "javascript:")):
        return None
    url = urljoin("http://app.invalid" + base, href)
    parts = urlsplit(url)
    if parts.netloc != "app.invalid":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


# -- the crawl ------------------------------------------------------------------


@dataclass
class Visit:
    """One request the crawler made."""

    url: str
    fragment: bool  # sent as an htmx request (hx-get)
    depth: int
    response: Response
    endpoint: str | None
    forms: list[Form] = field(default_factory=list)


@dataclass
class Crawler:
    """Breadth-first crawl of what a user can reach from ``start``."""

    transport: object
    endpoint_of: Callable[[str], str | None]
    start: str = "/"
    max_depth: int = 4
    max_pages: int = 300
    per_endpoint: int = 6  # e.g. 12 Pokja pages -> 6 visited, enough to sweep
    assets: bool = True
    after_each: Callable[[Visit], None] | None = None
    visits: list[Visit] = field(default_factory=list)

    def run(self) -> list[Visit]:
        queue: deque[tuple[str, bool, int]] = deque([(self.start, False, 0)])
        seen: set[tuple[str, bool]] = set()
        per_endpoint: Counter = Counter()
        while queue and len(self.visits) < self.max_pages:
            url, fragment, depth = queue.popleft()
            if (url, fragment) in seen or url.startswith(SKIP_PATHS):
                continue
            seen.add((url, fragment))
            endpoint = self.endpoint_of(url)
            key = (endpoint, fragment)
            if endpoint not in (None, "static") and per_endpoint[key] >= (
                self.per_endpoint
            ):
                continue
            if endpoint == "static" and not self.assets:
                continue
            per_endpoint[key] += 1
            response = self.transport.request(
                "GET", url, headers=HX if fragment else None
            )
            visit = Visit(url, fragment, depth, response, endpoint)
            self.visits.append(visit)
            for next_url, next_fragment in self._follow(visit):
                if depth + 1 <= self.max_depth:
                    queue.append((next_url, next_fragment, depth + 1))
            if self.after_each is not None:
                self.after_each(visit)
        return self.visits

    def _follow(self, visit: Visit) -> Iterable[tuple[str, bool]]:
        response = visit.response
        if response.status in (301, 302, 303, 307, 308):
            target = local_path(visit.url, response.header("location"))
            if target:
                yield target, False
            return
        if response.header("hx-redirect"):
            target = local_path(visit.url, response.header("hx-redirect"))
            if target:
                yield target, False
        if not response.is_html:
            return
        page = parse(visit.url, response.text)
        visit.forms = [
            Form(visit.url, f.method, local_path(visit.url, f.action) or "", f.fields)
            for f in page.forms
        ]
        for href in page.links + page.assets:
            if (target := local_path(visit.url, href)) is not None:
                yield target, False
        for href in page.hx_gets:
            if (target := local_path(visit.url, href)) is not None:
                yield target, True
        for form in visit.forms:
            if form.method == "GET" and form.action:
                path = form.action.split("?")[0]
                query = urlencode(form.defaults())
                yield (f"{path}?{query}" if query else path), False


def endpoint_resolver(app) -> Callable[[str], str | None]:
    """Return a function mapping a path (with query) to its endpoint, or None."""
    adapter = app.url_map.bind("localhost")

    def resolve(url: str) -> str | None:
        try:
            endpoint, _args = adapter.match(urlsplit(url).path, method="GET")
        except HTTPException:
            return None
        return endpoint

    return resolve


def query_params(url: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of a URL's query string."""
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)
