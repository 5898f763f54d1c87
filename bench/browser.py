"""Throttled Chromium: largest contentful paint, cold and warm, and tap-to-swap time.

Debian's Chromium (Playwright, as in tests/browser) on the 360x640 phone profile,
emulating Lighthouse's Regular 3G (1125 ms request latency, 80,640 B/s, CPU x4)
and Slow 4G over CDP, against the app under gunicorn on a demo database:
- cold: a fresh browser cache (logged in beforehand, unthrottled, when the page
  needs it), then the page loads throttled;
- warm: the same page again, CSS and htmx from the cache (immutable);
- taps (bench/targets.py TAPS): from the click/change event to htmx's
  afterSettle, on the warm throttled page;
- the roll-call tap (targets.ROLL_CALL_TAP, static/js/offline.js): from the click
  to the row shown as waiting ("visible") and to the row confirmed by the server
  ("confirmed"), with signal, and offline-then-online (tapped with no signal,
  then the signal returns: "confirmed" counts from the moment it returns).
Median of --repeat runs. Budgets (Regular 3G): LCP <= 4 s cold, <= 2 s warm;
tap -> swapped <= 1 s; roll-call tap -> visible <= 100 ms, on any network.

    python -m bench.browser [--repeat 3] [--profiles regular3g,slow4g]
"""

import argparse
import dataclasses
import os
import time

from bench import targets
from bench.common import (
    DEMO_PASSWORD,
    ROOT,
    app_context,
    database,
    gunicorn,
    median,
    table,
    write_results,
)

BUDGET_MS = {"cold": 4000, "warm": 2000, "tap": 1000, "visible": 100}
LCP_JS = """() => new Promise(resolve => {
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime);
  }).observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve(null), 5000);
})"""
BYTES_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  return {
    bytes: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0),
    requests: 1 + res.filter(r => r.transferSize > 0).length,
  };
}"""
TAP_JS = """() => {
  window.__tap = {};
  const start = () => { window.__tap.start = window.__tap.start || performance.now(); };
  document.addEventListener('click', start, {capture: true});
  document.addEventListener('change', start, {capture: true});
  document.body.addEventListener('htmx:afterSettle',
    () => { window.__tap.end = performance.now(); }, {once: true});
}"""


ROLL_TAP_JS = """() => {
  const t = window.__roll = {};
  document.addEventListener('click', () => { t.start = t.start || performance.now(); },
    {capture: true});
  new MutationObserver(() => {
    const waiting = document.querySelector('#roll li.q-wait');
    if (waiting && !t.visible) t.visible = performance.now();
    if (t.visible && !waiting && !t.done) t.done = performance.now();
  }).observe(document.getElementById('roll'),
    {subtree: true, childList: true, attributes: true});
}"""


def throttle(page, profile):
    from tests.browser.conftest import NETWORK_PROFILES

    p = NETWORK_PROFILES[profile]
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": p["latency"],
            "downloadThroughput": p["down"],
            "uploadThroughput": p["up"],
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": p["cpu"]})
    return cdp


def unthrottle(cdp):
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})


def login(page, base, username):
    page.goto(base + "/auth/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def load_cold(page, url, profile, timeout=30_000):
    """Load the page on a cleared browser cache under the profile's throttling;
    its LCP (ms, None when the page painted nothing) and bytes/requests."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    throttle(page, profile)
    page.goto(url, wait_until="load", timeout=timeout)
    return page.evaluate(LCP_JS), page.evaluate(BYTES_JS)


def measure_paint(browser, base, target, profile, context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    try:
        if target.user:
            login(page, base, target.user)
        cold, cold_bytes = load_cold(page, base + target.path, profile)
        page.goto(base + target.path, wait_until="load")
        warm = page.evaluate(LCP_JS)
        warm_bytes = page.evaluate(BYTES_JS)
        return cold, warm, cold_bytes, warm_bytes
    finally:
        context.close()


def measure_tap(browser, base, tap, profile, context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    try:
        login(page, base, tap.user)
        page.goto(base + tap.path)  # warm the cache
        throttle(page, profile)
        page.goto(base + tap.path, wait_until="load")
        page.evaluate(TAP_JS)
        tap.trigger(page)
        page.wait_for_function("() => window.__tap.end", timeout=30_000)
        return page.evaluate("window.__tap.end - window.__tap.start")
    finally:
        context.close()


def _poll(page, expression, timeout=60.0):
    """Poll a page value (page functions given as strings break the CSP)."""
    end = time.monotonic() + timeout
    while (value := page.evaluate(expression)) is None:
        if time.monotonic() > end:
            raise TimeoutError(expression)
        time.sleep(0.02)
    return value


def _network(cdp, profile, offline=False):
    """One CDP call for the network: the profile's, or none at all."""
    from tests.browser.conftest import NETWORK_PROFILES

    p = NETWORK_PROFILES[profile]
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": offline,
            "latency": p["latency"],
            "downloadThroughput": p["down"],
            "uploadThroughput": p["up"],
        },
    )


def measure_roll_call(browser, base, tap, profile, context_options, offline):
    """(tap -> visible, tap or signal back -> confirmed) in ms for one roll-call tap."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    try:
        login(page, base, tap.user)
        page.goto(base + tap.path)  # warm the cache; the phone keeps the page
        cdp = throttle(page, profile)
        page.goto(base + tap.path, wait_until="load")
        page.evaluate(ROLL_TAP_JS)
        if offline:
            _network(cdp, profile, offline=True)
        tap.trigger(page)
        visible = _poll(page, "window.__roll.visible ?? null")
        if offline:
            time.sleep(0.5)
            back = page.evaluate("performance.now()")
            _network(cdp, profile)
        else:
            back = page.evaluate("window.__roll.start")
        done = _poll(page, "window.__roll.done ?? null")
        return visible - page.evaluate("window.__roll.start"), done - back
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profiles", default="regular3g,slow4g")
    parser.add_argument(
        "--only", default="paint,taps,roll", help="parts to run: paint,taps,roll"
    )
    args = parser.parse_args()
    import sys

    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, FONTCONFIG, PHONE

    fonts = ROOT / "bench" / "results" / "fonts.conf"
    fonts.parent.mkdir(parents=True, exist_ok=True)
    fonts.write_text(FONTCONFIG)
    rows, results = [], []
    with database("sqlite") as db:
        with app_context(db):
            values = targets.ids()
        with gunicorn(db, bench_mode=False) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                env={**os.environ, "FONTCONFIG_FILE": str(fonts)},
            )
            for profile in args.profiles.split(","):
                parts = args.only.split(",")
                for target in targets.PAINT if "paint" in parts else []:
                    target_path = target.path.format(**values)
                    runs = [
                        measure_paint(
                            browser,
                            server.base_url,
                            targets.Target(
                                target.name, target.kind, target_path, target.user
                            ),
                            profile,
                            PHONE,
                        )
                        for _ in range(args.repeat)
                    ]
                    cold = median([r[0] for r in runs if r[0] is not None])
                    warm = median([r[1] for r in runs if r[1] is not None])
                    cold_bytes, warm_bytes = runs[0][2], runs[0][3]
                    verdict = (
                        "ok"
                        if cold <= BUDGET_MS["cold"] and warm <= BUDGET_MS["warm"]
                        else "MISSED"
                    )
                    rows.append(
                        [
                            profile,
                            target.name,
                            cold,
                            cold_bytes["requests"],
                            cold_bytes["bytes"],
                            warm,
                            warm_bytes["requests"],
                            warm_bytes["bytes"],
                            verdict if profile == "regular3g" else "",
                        ]
                    )
                    results.append(
                        {
                            "profile": profile,
                            "page": target.name,
                            "path": target_path,
                            "lcp_cold_ms": cold,
                            "lcp_warm_ms": warm,
                            "cold": cold_bytes,
                            "warm": warm_bytes,
                            "runs": [[r[0], r[1]] for r in runs],
                        }
                    )
                for tap in targets.TAPS if "taps" in parts else []:
                    tap = dataclasses.replace(tap, path=tap.path.format(**values))
                    times = [
                        measure_tap(browser, server.base_url, tap, profile, PHONE)
                        for _ in range(args.repeat)
                    ]
                    value = median(times)
                    rows.append(
                        [
                            profile,
                            f"tap: {tap.name}",
                            "",
                            "",
                            "",
                            value,
                            "",
                            "",
                            ("ok" if value <= BUDGET_MS["tap"] else "MISSED")
                            if profile == "regular3g"
                            else "",
                        ]
                    )
                    results.append(
                        {
                            "profile": profile,
                            "tap": tap.name,
                            "ms": value,
                            "runs": times,
                        }
                    )
                tap = dataclasses.replace(
                    targets.ROLL_CALL_TAP,
                    path=targets.ROLL_CALL_TAP.path.format(**values),
                )
                for offline in (False, True) if "roll" in parts else ():
                    runs = [
                        measure_roll_call(
                            browser, server.base_url, tap, profile, PHONE, offline
                        )
                        for _ in range(args.repeat)
                    ]
                    visible = median([r[0] for r in runs])
                    confirmed = median([r[1] for r in runs])
                    name = "offline, then online" if offline else "with signal"
                    rows.append(
                        [
                            profile,
                            f"roll-call tap ({name}): visible / confirmed",
                            "",
                            "",
                            "",
                            f"{visible:.0f} / {confirmed:.0f}",
                            "",
                            "",
                            "ok" if visible <= BUDGET_MS["visible"] else "MISSED",
                        ]
                    )
                    results.append(
                        {
                            "profile": profile,
                            "tap": f"roll-call tap ({name})",
                            "visible_ms": visible,
                            "confirmed_ms": confirmed,
                            "runs": runs,
                        }
                    )
            browser.close()
    print(
        "\nThrottled Chromium (360x640 phone; LCP and tap in ms, median of "
        f"{args.repeat}; bytes as transferred, headers included)"
    )
    print(
        table(
            [
                "profile",
                "page",
                "LCP cold",
                "req",
                "bytes",
                "LCP warm / tap",
                "req",
                "bytes",
                "Regular 3G budget",
            ],
            rows,
        )
    )
    write_results(
        "browser",
        {"budgets_ms": BUDGET_MS, "repeat": args.repeat, "results": results},
    )


if __name__ == "__main__":
    main()
