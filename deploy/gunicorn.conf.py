"""Gunicorn settings for kkbweb behind the local nginx (deploy/nginx-kkbweb.conf).

Run: gunicorn --config deploy/gunicorn.conf.py wsgi:app
"""

import os


def _cores() -> int:
    """Count the CPUs this process may run on (honours affinity and cpusets)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Only nginx on this host talks to gunicorn; the port is never exposed.
bind = "127.0.0.1:8000"

# The usual 2 x cores + 1, capped: each worker is a process with its own memory and
# database connection, and more than 8 only queue longer for SQLite's write lock.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cores() + 1, 8))

# Sync workers, not gthread: nginx reads the whole request before passing it on
# (proxy_request_buffering) and takes the whole response at once (proxy_buffering),
# so a slow phone on 3G never holds a worker; requests are then short CPU+DB work
# where threads would only contend for the GIL and SQLite's single writer lock.
worker_class = "sync"

# A request taking 30 s is a bug (lists are paginated, aggregates are in SQL).
timeout = 30
graceful_timeout = 30
# Recycle workers now and then so a slow leak cannot grow without bound. A sync
# worker finishes its request before it leaves and the others serve meanwhile;
# the wide jitter keeps the workers from leaving together (their request counts
# grow alike). A single worker is never recycled: each restart would stall every
# request in flight (`make run` passes --max-requests 0 for the same reason).
# Measured in docs/PERFORMANCE.md, "Worker recycling".
max_requests = 5000 if workers > 1 else 0
max_requests_jitter = max_requests // 2
# The heartbeat file lives in RAM; a disk-backed /tmp can stall workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Trust X-Forwarded-Proto only from the local nginx (the app's ProxyFix,
# enabled by TRUST_PROXY=1, reads X-Forwarded-For/Host from the same single hop).
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Logs go to stdout/stderr, i.e. journald under systemd.
accesslog = "-"
errorlog = "-"
loglevel = "info"
# Path only (%(U)s), never %(r)s/%(q)s (query strings carry NIKs and names from
# search forms) nor %(f)s (the referrer holds the previous page's query string).
# No client address either: it is always nginx's, which logs the real one.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

proc_name = "kkbweb"
# Under systemd (RuntimeDirectory=kkbweb) the gunicornc control socket goes to
# /run/kkbweb; the default under $HOME is read-only with ProtectHome.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"], "gunicorn.ctl")
