"""deploy/nginx-kkbweb.conf as shipped, in front of the app: the security
headers on every response, nginx's own error pages included (413, 502, 400).

The site file is used as it is, with only its host-specific values (ports,
paths) replaced, inside a minimal nginx.conf; the app is served by werkzeug in a
thread. Needs Debian's nginx (.ci/install-system.sh installs nginx-light); CI
requires it (KKBWEB_REQUIRE_BROWSER), elsewhere the test is skipped without it.
"""

import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from kkbweb.security import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx-kkbweb.conf"
SNIPPET = ROOT / "deploy" / "nginx-security-headers.conf"
NGINX = shutil.which("nginx") or (
    "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

if NGINX is None:
    if os.environ.get("KKBWEB_REQUIRE_BROWSER"):
        pytest.fail("nginx is required in CI (.ci/install-system.sh)")
    pytest.skip("nginx is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _site(listen: int, upstream: int, logs: Path) -> str:
    """The shipped site file with this machine's ports and paths."""
    text = SITE.read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{listen};",
        "listen [::]:80;": "",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
        "/opt/kkbweb/deploy/nginx-security-headers.conf": str(SNIPPET),
        "root /opt/kkbweb;": f"root {ROOT};",
        "/var/log/nginx/kkbweb.access.log": str(logs / "access.log"),
        "/var/log/nginx/kkbweb.error.log": str(logs / "error.log"),
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx-kkbweb.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def served(app, tmp_path):
    """nginx on a free port in front of the app; yields (base URL, stop_app)."""
    upstream = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    listen = _free_port()
    for name in ("body", "proxy", "logs"):
        (tmp_path / name).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/main-error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/proxy;
    uwsgi_temp_path {tmp_path}/proxy;
    scgi_temp_path {tmp_path}/proxy;
    access_log off;
{_site(listen, upstream.server_port, tmp_path / "logs")}
}}
"""
    )
    check = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)])
    base = f"http://127.0.0.1:{listen}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", listen), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)

    def stop_app():
        upstream.shutdown()

    try:
        yield base, stop_app
    finally:
        process.terminate()
        process.wait(timeout=10)
        upstream.shutdown()


def _open(request) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def _assert_headers_once(headers, where: str) -> None:
    for name, value in HEADERS.items():
        assert headers.get_all(name) == [value], f"{where}: {name}"


def test_app_pages_carry_each_header_once(served):
    base, _ = served
    status, headers = _open(f"{base}/auth/login")
    assert status == 200
    _assert_headers_once(headers, "login page")
    status, headers = _open(f"{base}/tidak-ada")
    assert status == 404
    _assert_headers_once(headers, "the app's 404")


def test_static_files_carry_the_headers_and_their_cache(served):
    base, _ = served
    status, headers = _open(f"{base}/static/css/app.css")
    assert status == 200
    _assert_headers_once(headers, "static file")
    assert "immutable" in headers["Cache-Control"]


def test_nginx_refuses_a_too_large_upload_with_the_headers(served):
    base, _ = served
    body = b"x" * (17 * 1024 * 1024)
    request = urllib.request.Request(f"{base}/kie/baru", data=body, method="POST")
    try:
        status, headers = _open(request)
    except (ConnectionError, urllib.error.URLError):
        pytest.fail("nginx closed the connection instead of answering 413")
    assert status == 413
    _assert_headers_once(headers, "413")


def test_a_broken_request_line_gets_the_headers(served):
    base, _ = served
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"GET /\x01 HTTP/1.1 extra\r\nHost: x\r\n\r\n")
        reply = connection.recv(65536).decode("latin-1")
    status_line, _, rest = reply.partition("\r\n")
    assert " 400 " in status_line, status_line
    for name, value in HEADERS.items():
        assert rest.count(f"{name}: {value}") == 1, name


def test_the_app_being_down_is_a_502_with_the_headers(served):
    base, stop_app = served
    stop_app()
    status, headers = _open(f"{base}/auth/login")
    assert status in (502, 504)
    _assert_headers_once(headers, "502")
