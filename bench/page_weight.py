"""Page weight: compressed bytes and requests per page, cold and warm, vs QUALITY.md.

Runs the real app in-process (Flask-Compress on, as served without nginx) on a
demo database, crawls every page each role can reach (tests/crawl.py), and for
each page counts what a browser would fetch:
- cold: the HTML plus every stylesheet and script it links (nothing cached);
- warm: the HTML only (static files are fingerprinted and `immutable`).
Bytes are the compressed bodies as sent for `Accept-Encoding: br, gzip` (brotli
from the app) and for gzip alone (nginx), headers not counted. htmx fragments
(hx-get) are listed separately.

Budgets: HTML <= 30 KB, CSS <= 20 KB, JS <= 20 KB, a cold page <= 100 KB in
<= 6 requests, a warm page <= 35 KB, a fragment <= 10 KB; SQL statements
(tests/querycount.py) <= 8 per page, <= 4 per fragment. The HTML and SQL budgets
are also tests (tests/test_sweep.py).

    python -m bench.page_weight [--scale 1]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import DEMO_PASSWORD, ROOT, table, write_results

sys.path.insert(0, str(ROOT))

KB = 1024
BUDGET = {"html": 30 * KB, "css": 20 * KB, "js": 20 * KB, "cold": 100 * KB}
BUDGET.update({"cold_requests": 6, "warm": 35 * KB, "fragment": 10 * KB})
ROLES = {
    "anonymous": None,
    "admin": "demo.admin",
    "staf": "demo.staf",
    "pimpinan": "demo.pimpinan",
    "penyelenggara": "demo.penyelenggara",
    "penyelenggara_a": "penyelenggara.ciwedus",
    "pokja_a": "pokja.ciwedus",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()

    from sqlalchemy import select

    from kkbweb import create_app
    from kkbweb.auth.models import User
    from kkbweb.demo.seed import run as run_demo
    from kkbweb.extensions import db
    from kkbweb.pokja.seed import seed_pokja
    from tests.crawl import Crawler, FlaskTransport, endpoint_resolver, parse
    from tests.querycount import count_queries

    folder = Path(tempfile.mkdtemp(prefix="kkbweb-weight-"))
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/weight.sqlite",
            "UPLOAD_FOLDER": str(folder / "uploads"),
        }
    )
    with app.app_context():
        db.create_all()
        seed_pokja()
        run_demo(scale=args.scale, password=DEMO_PASSWORD)
        db.session.commit()
        users = {u.username: u for u in db.session.scalars(select(User))}

    def fetch(client, url, encoding):
        response = client.get(url, headers={"Accept-Encoding": encoding})
        return response.status_code, response.headers, response.get_data()

    rows, pages, fragments = [], [], []
    assets: dict[str, dict] = {}
    seen = set()
    for role, username in ROLES.items():
        client = app.test_client()
        if username:
            user = users[username]
            with client.session_transaction() as session:
                session["_user_id"] = f"{user.id}:{user.session_version}"
        visits = Crawler(
            FlaskTransport(client), endpoint_resolver(app), per_endpoint=3
        ).run()
        for visit in visits:
            if visit.response.status != 200 or not visit.response.is_html:
                continue
            if (visit.endpoint, visit.fragment, role) in seen:
                continue  # one page per endpoint and role is enough
            seen.add((visit.endpoint, visit.fragment, role))
            headers = {"HX-Request": "true"} if visit.fragment else {}
            sizes = {}
            for name, encoding in (("br", "br, gzip"), ("gzip", "gzip")):
                with count_queries(app) as log:
                    response = client.get(
                        visit.url, headers={"Accept-Encoding": encoding, **headers}
                    )
                sizes["queries"] = log.count
                sizes[name] = len(response.get_data())
                sizes[f"{name}_encoding"] = response.headers.get(
                    "Content-Encoding", "none"
                )
            sizes["raw"] = len(visit.response.body)
            if visit.fragment:
                fragments.append({"role": role, "url": visit.url, **sizes})
                continue
            linked = parse(visit.url, visit.response.text).assets
            cold = {"br": sizes["br"], "gzip": sizes["gzip"]}
            for asset in linked:
                if asset not in assets:
                    entry = {}
                    for name, encoding in (("br", "br, gzip"), ("gzip", "gzip")):
                        status, head, body = fetch(client, asset, encoding)
                        entry[name] = len(body)
                        entry["cache"] = head.get("Cache-Control", "")
                    assets[asset] = entry
                cold["br"] += assets[asset]["br"]
                cold["gzip"] += assets[asset]["gzip"]
            page = {
                "role": role,
                "endpoint": visit.endpoint,
                "url": visit.url,
                "html": sizes,
                "cold_requests": 1 + len(linked),
                "cold_bytes": cold,
                "warm_requests": 1,
                "warm_bytes": {"br": sizes["br"], "gzip": sizes["gzip"]},
            }
            pages.append(page)
            over = []
            if sizes["gzip"] > BUDGET["html"]:
                over.append("html")
            if cold["gzip"] > BUDGET["cold"] or page["cold_requests"] > 6:
                over.append("cold")
            if sizes["gzip"] > BUDGET["warm"]:
                over.append("warm")
            if sizes["queries"] > 8:
                over.append("queries")
            rows.append(
                [
                    role,
                    visit.url[:38],
                    sizes["queries"],
                    sizes["raw"],
                    sizes["br"],
                    sizes["gzip"],
                    page["cold_requests"],
                    cold["br"],
                    cold["gzip"],
                    sizes["br"],
                    ", ".join(over) or "ok",
                ]
            )
    print("\nPage weight (bytes; cold = HTML + linked CSS/JS, warm = HTML only)")
    print(
        table(
            [
                "role",
                "page",
                "SQL",
                "HTML raw",
                "HTML br",
                "HTML gz",
                "cold req",
                "cold br",
                "cold gz",
                "warm br",
                "budget",
            ],
            rows,
        )
    )
    print("\nStatic files (fingerprinted)")
    print(
        table(
            ["file", "br", "gzip", "budget", "Cache-Control"],
            [
                [
                    url.split("?")[0],
                    a["br"],
                    a["gzip"],
                    BUDGET["css"] if url.split("?")[0].endswith(".css") else 20 * KB,
                    a["cache"],
                ]
                for url, a in assets.items()
            ],
        )
    )
    print("\nhtmx fragments")
    print(
        table(
            ["role", "fragment", "SQL", "raw", "br", "gzip", "budget"],
            [
                [
                    f["role"],
                    f["url"][:40],
                    f["queries"],
                    f["raw"],
                    f["br"],
                    f["gzip"],
                    "ok"
                    if f["gzip"] <= BUDGET["fragment"] and f["queries"] <= 4
                    else "MISSED",
                ]
                for f in fragments
            ],
        )
    )
    write_results(
        "page_weight",
        {
            "scale": args.scale,
            "budgets_bytes": BUDGET,
            "pages": pages,
            "static": assets,
            "fragments": fragments,
            "note": "bodies only; app-side compression (Flask-Compress br/gzip)",
        },
    )


if __name__ == "__main__":
    main()
