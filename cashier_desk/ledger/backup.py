"""Backups of the ledger: a consistent copy taken while the counter may be ringing up sales.

A backup is ONE file, a zip archive holding ``ledger.db`` (a copy made with SQLite's online
backup API, switched out of WAL so it stands alone) and ``manifest.json``: when and of which
workstation it was made, the schema version, the row count of every table, the last receipt,
the audit head and the SHA-256 of ``ledger.db``.  One file, so that a copy carried to another
machine cannot lose its manifest; a zip, so that IT can open it with any tool.

Taking a backup never writes to the ledger: the copy is read in one snapshot (WAL readers do
not hold up the counter's writers), checked (``PRAGMA integrity_check``: a copy that could
never be restored must not push a good backup out of the rotation), and written beside the
target under a temporary name, then renamed into place.  The checks of a backup before it is
restored are in :mod:`cashier_desk.ledger.restore`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cashier_desk.errors import Refusal
from cashier_desk.ledger.db import Ledger

log = logging.getLogger(__name__)

FORMAT = "cashier-desk-backup/1"
MANIFEST = "manifest.json"
LEDGER = "ledger.db"
#: Automatic backups are named ``cashier-desk-<workstation>-<UTC time>-<n>.zip``; rotation
#: removes only files of this name, never anything else in the folder.
AUTO_NAME = re.compile(r"cashier-desk-(?P<ws>[A-Za-z0-9_]+)-(?P<at>\d{8}T\d{6}Z)-(?P<n>\d{3})\.zip")
_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def describe(db: sqlite3.Connection) -> dict[str, Any]:
    """What a manifest says of a ledger file's content: schema version, row counts, last
    receipt of each workstation and the audit head (read in one transaction)."""
    tables = [
        str(r[0])
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {t: int(db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
    version = db.execute("SELECT version_num FROM alembic_version").fetchone()
    head = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    last = {
        str(ws): f"{ws}-{int(n):06d}"
        for ws, n in db.execute(
            "SELECT workstation, last FROM counters WHERE kind = 'receipt' AND last > 0 "
            "ORDER BY workstation"
        )
    }
    return {
        "schema_version": None if version is None else str(version[0]),
        "row_counts": counts,
        "last_receipts": last,
        "audit_head": {"seq": int(head[0]), "hash": str(head[1])} if head else None,
    }


@contextlib.contextmanager
def _raw(ledger: Ledger) -> Iterator[sqlite3.Connection]:
    with ledger.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        if not isinstance(raw, sqlite3.Connection):
            raise RuntimeError("the ledger is not an SQLite database")
        yield raw


def take_backup(ledger: Ledger, dest: Path, *, workstation: str, now: datetime) -> dict[str, Any]:
    """Write a backup of ``ledger`` to ``dest`` (replacing a file there only once the new
    one is whole); returns its manifest.  Refused ``bad_file`` when ``dest`` cannot be
    written, ``ledger_corrupt`` when the copy's pages are damaged (nothing is written)."""
    dest = dest.absolute()
    if dest.is_dir():
        raise Refusal("bad_file", f"{dest} is a folder; give the backup's file name.")
    copy = dest.with_name(f".{dest.name}.{os.getpid()}.db")
    part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(copy, isolation_level=None)) as target:
            with _raw(ledger) as source:
                source.backup(target)  # every page in one step: one consistent snapshot
            target.execute("PRAGMA journal_mode=DELETE")  # the copy stands alone, no WAL
            problem = [str(r[0]) for r in target.execute("PRAGMA integrity_check(5)")]
            if problem != ["ok"]:
                raise Refusal(
                    "ledger_corrupt",
                    f"The ledger's pages are damaged ({'; '.join(problem)}); no backup was "
                    "written. Restore the ledger from an earlier backup.",
                )
            content = describe(target)
        manifest = {
            "format": FORMAT,
            "created": now.astimezone(UTC).isoformat(),
            "workstation": workstation,
            **content,
            "sha256": sha256_of(copy),
            "bytes": copy.stat().st_size,
        }
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            zf.write(copy, LEDGER)
        with part.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, dest)
    except OSError as exc:
        raise Refusal(
            "bad_file", f"cannot write the backup {dest}: {exc.strerror or exc}"
        ) from None
    finally:
        for leftover in (copy, part):
            leftover.unlink(missing_ok=True)
    return manifest


def _auto_names(folder: Path, workstation: str) -> list[Path]:
    found = []
    with contextlib.suppress(FileNotFoundError):
        for p in folder.iterdir():
            m = AUTO_NAME.fullmatch(p.name)
            if m and m["ws"] == workstation and p.is_file():
                found.append(p)
    return sorted(found, key=lambda p: p.name)


def auto_backup(
    ledger: Ledger, folder: Path, *, workstation: str, now: datetime, keep: int
) -> Path:
    """The backup after a closeout: a new file in ``folder``, then the oldest of this
    workstation's automatic backups beyond the newest ``keep`` removed.  Returns its path."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    taken = {p.name for p in _auto_names(folder, workstation)}
    n = 1
    while f"cashier-desk-{workstation}-{stamp}-{n:03d}.zip" in taken:
        n += 1
    dest = folder / f"cashier-desk-{workstation}-{stamp}-{n:03d}.zip"
    _remove_leftovers(folder, workstation)
    take_backup(ledger, dest, workstation=workstation, now=now)
    for old in _auto_names(folder, workstation)[:-keep]:
        try:
            old.unlink()
        except OSError as exc:  # a file we cannot remove stays; the next rotation tries again
            log.warning("could not remove the old backup %s: %s", old, exc)
    return dest


def _remove_leftovers(folder: Path, workstation: str) -> None:
    """The temporary files of a backup cut short (the process killed) an hour ago or more."""
    with contextlib.suppress(FileNotFoundError):
        for p in folder.glob(f".cashier-desk-{workstation}-*"):
            if p.suffix in (".db", ".part") and time.time() - p.stat().st_mtime > 3600:
                p.unlink(missing_ok=True)


def newest_backup(folder: Path) -> tuple[Path, datetime] | None:
    """The newest automatic backup in ``folder`` (of any workstation) and when it was made."""
    best: tuple[datetime, Path] | None = None
    with contextlib.suppress(FileNotFoundError):
        for p in folder.iterdir():
            m = AUTO_NAME.fullmatch(p.name)
            if m is None:
                continue
            at = datetime.strptime(m["at"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            if best is None or at > best[0]:
                best = (at, p)
    return None if best is None else (best[1], best[0])


def keep_restored(file: Path, folder: Path, workstation: str, created: str) -> Path | None:
    """After a restore: the backup just restored, copied into ``folder`` under the automatic
    name of its own time (``created``, its manifest's), so the folder's newest backup is the
    one its ledger now equals and ``doctor`` tells its true age.  None when a file of that
    name is already there (restored from this very folder) or ``created`` is not a time."""
    try:
        at = datetime.fromisoformat(created).astimezone(UTC)
    except (TypeError, ValueError):
        return None
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    if any(folder.glob(f"cashier-desk-{workstation}-{stamp}-*.zip")):
        return None
    dest = folder / f"cashier-desk-{workstation}-{stamp}-001.zip"
    if AUTO_NAME.fullmatch(dest.name) is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".cashier-desk-{workstation}-{stamp}.part"
    shutil.copyfile(file, part)
    os.replace(part, dest)
    return dest
