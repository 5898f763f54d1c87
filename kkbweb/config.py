"""Default configuration; instance/config.py and the environment override it."""

from datetime import timedelta


class Defaults:
    """Settings that are safe for a single-machine intranet install."""

    SQLALCHEMY_DATABASE_URI = None  # set by create_app to instance/kkbweb.sqlite
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY = None  # generated into instance/secret_key on first start

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set to True when served over HTTPS
    SESSION_COOKIE_NAME = "kkbweb_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # An organiser may keep a roll call open for a whole meeting: tokens live
    # as long as the session instead of one hour.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True

    UPLOAD_FOLDER = None  # photos and files; defaults to instance/uploads
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024  # three phone photos fit; nginx matches

    # Login throttling: memory:// is per process; use redis:// with several workers.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Failed password checks (kkbweb/auth/throttle.py): per username, per client
    # address (an office behind one NAT address has room for every typo), and all
    # together (several machines at once; the scrypt work stays bounded).
    LOGIN_FAILURE_LIMIT = "5 per 15 minutes"
    LOGIN_FAILURE_LIMIT_CLIENT = "30 per 15 minutes"
    LOGIN_FAILURE_LIMIT_ALL = "300 per 15 minutes"

    # QUALITY.md: scrypt N=2^15, r=8, p=3.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:3"
    PASSWORD_MIN_LENGTH = 10

    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/csv",
        "text/plain",
        "application/javascript",
        "text/javascript",
        "application/json",
        "image/svg+xml",
    ]
    COMPRESS_MIN_SIZE = 500
    COMPRESS_ALGORITHM = ["br", "gzip"]
    # Static files are streamed; Flask-Compress leaves gzip out for streams by
    # default, and Chrome offers no brotli over plain HTTP: htmx went raw (52 KB).
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]

    TRUST_PROXY = False  # behind nginx: honour X-Forwarded-For/Proto
    TIMEZONE = "Asia/Jakarta"
    PER_PAGE = 50
    BENCH_MODE = False  # adds the bare /bench/ok floor route for benchmarks


ENV_SETTINGS = {
    # environment variable -> (config key, parser)
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", str),
    "UPLOAD_FOLDER": ("UPLOAD_FOLDER", str),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda v: v == "1"),
    "PREFERRED_URL_SCHEME": ("PREFERRED_URL_SCHEME", str),
    "TRUST_PROXY": ("TRUST_PROXY", lambda v: v == "1"),
    "KKBWEB_BENCH_MODE": ("BENCH_MODE", lambda v: v == "1"),
}
