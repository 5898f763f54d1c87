"""Jinja filters and the navigation every page shares."""

import json

from flask import Flask, current_app, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import BytecodeCache

from kkbweb import roles, timeutil

# The menu: (endpoint, label, roles that see it or None for everyone), handed
# over by create_app from the features' rules. An entry shows only once its
# feature's blueprint is registered, so features can land one at a time.
NavItem = tuple[str, str, frozenset[str] | None]

# htmx 2 settings (read from <meta name="htmx-config">). No history snapshots in
# localStorage: pages hold personal data. No eval and no injected <style>: the
# CSP allows neither. A 409 (edit conflict) is swapped so its message shows;
# other 4xx/5xx are not, as in htmx's defaults.
HTMX_CONFIG = json.dumps(
    {
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
        "allowEval": False,
        "allowScriptTags": False,
        "includeIndicatorStyles": False,
        "selfRequestsOnly": True,
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[23]..", "swap": True},
            {"code": "409", "swap": True, "error": False},
            {"code": "[45]..", "swap": False, "error": True},
        ],
    }
)


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory for every app of this process.

    Production builds one app per process and gains nothing; the test suite
    builds an app per test, and compiling each template again for each app was
    a tenth of its time. Jinja checks each entry against the template's source,
    so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


# Shared only by apps with the same Jinja settings (those set below).
BYTECODE_CACHE = ProcessBytecodeCache()


def init_app(app: Flask, nav_items: list[NavItem]) -> None:
    """Register filters, the menu and the shared template context."""
    app.extensions["kkbweb.nav"] = nav_items
    app.jinja_env.filters.update(
        tanggal=timeutil.tanggal,
        hari_tanggal=timeutil.hari_tanggal,
        waktu=timeutil.waktu_wib,
        angka=format_number,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.bytecode_cache = BYTECODE_CACHE
    app.context_processor(_shared_context)


def format_number(value) -> str:
    """Format a number the Indonesian way: 1.234.567."""
    if value is None:
        return "0"
    return f"{value:,}".replace(",", ".")


def _shared_context() -> dict:
    """Navigation and htmx settings for base.html."""
    return {
        "nav_items": _nav_items(),
        "htmx_config": HTMX_CONFIG,
        "htmx_headers": json.dumps({"X-CSRFToken": generate_csrf()}),
        "role_labels": roles.ROLE_LABELS,
    }


def _nav_items() -> list[tuple[str, str]]:
    """The menu entries the current user may open."""
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, label, allowed in current_app.extensions["kkbweb.nav"]:
        if endpoint not in current_app.view_functions:
            continue
        if allowed is not None and current_user.role not in allowed:
            continue
        url = url_for(endpoint)
        if endpoint == "reports.dashboard" and not current_user.sees_all_pokja:
            # The city view is for the department: a Pokja user's "Laporan" is
            # their own Pokja's recap.
            url = url_for("reports.pokja", pokja_id=current_user.pokja_id or 0)
        items.append((url, label, endpoint.split(".")[0]))
    return items
