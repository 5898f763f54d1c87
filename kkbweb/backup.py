"""Online backup of the SQLite database, and a check that a copy can be restored.

`flask --app wsgi backup PATH` copies the live database with SQLite's backup API
while the app keeps running: the copy is taken inside one read transaction, so it
holds exactly the transactions committed before it started (WAL mode lets writers
go on meanwhile). It is written beside PATH, fsync'd and renamed into place, so
PATH is either absent or complete. `--uploads` also copies instance/uploads.

`flask --app wsgi restore-check PATH` opens a copy read-only and checks
`PRAGMA integrity_check`, `PRAGMA foreign_key_check` and the row counts of every
table against the live database.

On PostgreSQL both commands explain how to use pg_dump/pg_restore instead.
"""

import os
import shutil
import sqlite3
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url

from kkbweb.extensions import db


class BackupError(click.ClickException):
    """A failed backup or check: printed as a clear message, exit status 1."""


def sqlite_path(uri: str) -> Path | None:
    """The database file of a SQLite URL, or None for other databases."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan.")
    return Path(url.database).resolve()


def pg_dump_command(uri: str, path: str) -> str:
    """The pg_dump command for a PostgreSQL URL, with the password hidden."""
    url = make_url(uri)
    parts = ["pg_dump", "--format=custom", f"--file={path}"]
    if url.host:
        parts.append(f"--host={url.host}")
    if url.port:
        parts.append(f"--port={url.port}")
    if url.username:
        parts.append(f"--username={url.username}")
    parts.append(url.database or "")
    command = " ".join(parts)
    if url.password:
        # Never print the password: pg_dump reads it from ~/.pgpass or PGPASSWORD.
        command = f"PGPASSWORD='***' {command}"
    return command


def backup_sqlite(source: Path, target: Path) -> dict[str, int]:
    """Copy the live database file ``source`` to ``target``; return row counts."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            # pages=-1: everything in one step, i.e. one read transaction, so
            # the copy is one consistent snapshot even while writers commit.
            src.backup(dst, pages=-1)
            # A self-contained single file (the live database is in WAL mode).
            dst.execute("PRAGMA journal_mode=DELETE")
            counts = row_counts(dst)
        finally:
            dst.close()
    finally:
        src.close()
    _fsync(partial)
    os.replace(partial, target)
    _fsync(target.parent)
    return counts


def copy_uploads(uploads: Path, target: Path) -> int:
    """Copy the uploads folder next to a backup; return the number of files."""
    if not uploads.is_dir():
        return 0
    shutil.copytree(uploads, target, dirs_exist_ok=True)
    count = 0
    for path in sorted(target.rglob("*")):
        if path.is_file():
            _fsync(path)
            count += 1
    _fsync(target)
    return count


def row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Rows per table of a SQLite connection, its own bookkeeping aside."""
    names = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for name in names
    }


def live_row_counts() -> dict[str, int]:
    """Rows per table of the app's database (SQLite or PostgreSQL)."""
    names = sorted(inspect(db.engine).get_table_names())
    counts = {
        name: db.session.scalar(select(func.count()).select_from(table(name)))
        for name in names
    }
    db.session.rollback()
    return counts


def check_copy(path: Path) -> tuple[list[str], dict[str, int]]:
    """Integrity and foreign keys of a copy: (problems, row counts)."""
    if not path.is_file():
        raise BackupError(f"Berkas cadangan {path} tidak ada.")
    problems = []
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.append("integrity_check: " + "; ".join(map(str, result[:5])))
            orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
            if orphans:
                shown = ", ".join(f"{t} rowid {r} -> {p}" for t, r, p, _ in orphans[:5])
                problems.append(f"foreign_key_check: {len(orphans)} baris: {shown}")
            counts = row_counts(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path} bukan basis data SQLite yang utuh: {error}"
        ) from None
    if not counts:
        problems.append("tidak ada tabel sama sekali")
    return problems, counts


def _fsync(path: Path) -> None:
    """Flush a file or directory to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _print_counts(counts: dict[str, int], live: dict[str, int] | None = None) -> None:
    for name, count in counts.items():
        line = f"  {name:<28} {count:>10}"
        if live is not None:
            other = live.get(name)
            mark = "" if other == count else f"   (basis data aktif: {other})"
            line += mark
        click.echo(line)


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Timpa PATH bila sudah ada.")
@click.option(
    "--uploads",
    "with_uploads",
    is_flag=True,
    help="Salin juga folder unggahan ke PATH.uploads/.",
)
def backup_command(path: Path, force: bool, with_uploads: bool) -> None:
    """Make an online, consistent copy of the SQLite database at PATH."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    source = sqlite_path(uri)
    if source is None:
        click.echo("Basis data ini PostgreSQL: cadangkan dengan pg_dump, mis.:")
        click.echo(f"  {pg_dump_command(uri, str(path))}")
        click.echo("dan uji pemulihannya dengan pg_restore ke basis data kosong:")
        click.echo(f"  createdb kkbweb_uji && pg_restore --dbname=kkbweb_uji {path}")
        click.echo("Folder unggahan disalin terpisah (lihat docs/operations.md).")
        raise click.exceptions.Exit(2)
    path = path.resolve()
    if not source.is_file():
        raise BackupError(f"Basis data {source} tidak ada.")
    if path == source:
        raise BackupError("PATH tidak boleh berkas basis data yang sedang dipakai.")
    if path.exists() and not force:
        raise BackupError(f"{path} sudah ada (pakai --force untuk menimpa).")
    if not path.parent.is_dir():
        raise BackupError(f"Folder {path.parent} tidak ada.")
    started = time.monotonic()
    counts = backup_sqlite(source, path)
    elapsed = time.monotonic() - started
    size = path.stat().st_size
    click.echo(f"Cadangan dibuat: {path} ({size:,} byte, {elapsed:.2f} s)")
    _print_counts(counts)
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    if with_uploads:
        target = path.with_name(path.name + ".uploads")
        files = copy_uploads(uploads, target)
        click.echo(f"Unggahan disalin: {files} berkas ke {target}")
    elif uploads.is_dir() and any(uploads.iterdir()):
        click.echo(f"Catatan: unggahan di {uploads} belum ikut; pakai --uploads.")


@click.command("restore-check")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--no-compare",
    is_flag=True,
    help="Hanya periksa dan tampilkan jumlah baris, tanpa membandingkan.",
)
def restore_check_command(path: Path, no_compare: bool) -> None:
    """Check a backup copy: integrity, foreign keys and row counts."""
    problems, counts = check_copy(path)
    live = None
    if not no_compare:
        live = live_row_counts()
        for name in sorted(set(live) | set(counts)):
            if live.get(name) != counts.get(name):
                problems.append(
                    f"jumlah baris {name}: cadangan {counts.get(name, 'tidak ada')}, "
                    f"basis data aktif {live.get(name, 'tidak ada')}"
                )
    click.echo(f"Cadangan {path}:")
    _print_counts(counts, live)
    if problems:
        click.echo("Tidak lolos:", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        if live is not None and any(p.startswith("jumlah baris") for p in problems):
            click.echo(
                "  (Jumlah baris wajar berbeda bila aplikasi menulis setelah "
                "pencadangan; --no-compare hanya memeriksa keutuhan.)",
                err=True,
            )
        raise click.exceptions.Exit(1)
    compared = "tidak dibandingkan" if live is None else "cocok"
    click.echo(
        f"integrity_check: ok; foreign_key_check: kosong; jumlah baris {compared}"
    )
