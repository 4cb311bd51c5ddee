"""Restoring a backup (see :mod:`cashier_desk.ledger.backup`) into an EMPTY data folder.

Everything is checked before the folder's ledger is touched: the archive is whole, its
manifest is one, ``ledger.db`` has the manifest's SHA-256, ``PRAGMA integrity_check`` finds
nothing, the schema is one this program knows, the audit chain verifies, the money rows are
the ones its records seal (``audit verify``'s cross-check, ``ledger/crosscheck.py``: a backup
whose rows were edited with the triggers dropped and its hash recomputed is refused), and the
row counts, last receipts and audit head are the manifest's.  Any fault refuses
``bad_backup`` naming it, and the folder is left as it was.  The copy is unpacked beside the
ledger under a temporary name and renamed into place only once it passed.

"Empty" is headless.md's: no ledger yet, or one with no users and no receipts.  A folder whose
ledger was moved out keeps its ``ledger.mark`` (what the ledger there is known to have held):
the restored ledger is compared with it, and one that does not reach it still refuses money
(``ledger_rolled_back``) until a supervisor accepts the smaller loss.  A backup taken at or
after the mark takes money at once: restoring is the other way out of a lost ledger.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger import audit, auth, crosscheck, first_use, watermark
from cashier_desk.ledger.backup import FORMAT, LEDGER, MANIFEST, describe
from cashier_desk.ledger.db import HEAD

_KEYS = ("created", "workstation", "schema_version", "row_counts", "audit_head", "sha256")
_SIDE_FILES = ("ledger.db-wal", "ledger.db-shm", "ledger.db-journal")


def _bad(file: Path, fault: str) -> Refusal:
    return Refusal(
        "bad_backup", f"The backup {file} cannot be restored: {fault}. Nothing was written."
    )


def read_manifest(file: Path) -> dict[str, Any]:
    """The manifest of the backup ``file`` (refused ``bad_backup`` naming what is wrong)."""
    try:
        with zipfile.ZipFile(file) as zf:
            names = set(zf.namelist())
            if MANIFEST not in names or LEDGER not in names:
                raise _bad(file, f"it holds no {MANIFEST} and {LEDGER} (not a cashier-desk backup)")
            text = zf.read(MANIFEST)
    except FileNotFoundError:
        raise Refusal("bad_file", f"There is no file {file}.") from None
    except IsADirectoryError:
        raise Refusal("bad_file", f"{file} is a folder, not a backup file.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise _bad(file, f"it is not a whole zip archive ({exc}): cut short or damaged") from None
    try:
        manifest = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise _bad(file, f"its {MANIFEST} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(file, f"its {MANIFEST} is not a manifest of format {FORMAT}")
    missing = [k for k in _KEYS if k not in manifest]
    if missing:
        raise _bad(file, f"its {MANIFEST} lacks {', '.join(missing)}")
    return manifest


def _unpack(file: Path, manifest: dict[str, Any], target: Path) -> None:
    """``ledger.db`` of the backup into ``target``, checked against the manifest's SHA-256."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(file) as zf, zf.open(LEDGER) as src, target.open("wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise _bad(file, f"its {LEDGER} is damaged ({exc})") from None
    if digest.hexdigest() != manifest["sha256"]:
        raise _bad(
            file,
            f"its {LEDGER} does not have the manifest's SHA-256 (the manifest says "
            f"{str(manifest['sha256'])[:16]}…, the file is {digest.hexdigest()[:16]}…)",
        )


def _check_copy(file: Path, copy: Path, manifest: dict[str, Any]) -> None:
    """The unpacked copy: its pages, schema, audit chain and counts as the manifest says."""
    try:
        with contextlib.closing(sqlite3.connect(copy, isolation_level=None)) as db:
            rows = [str(r[0]) for r in db.execute("PRAGMA integrity_check(5)")]
            if rows != ["ok"]:
                raise _bad(file, f"PRAGMA integrity_check found: {'; '.join(rows)}")
            found = describe(db)
    except sqlite3.DatabaseError as exc:
        raise _bad(
            file, f"its {LEDGER} is not a whole SQLite ledger (PRAGMA integrity_check: {exc})"
        ) from None
    version = found["schema_version"]
    if version != manifest["schema_version"]:
        raise _bad(file, f"its schema is {version}, the manifest says {manifest['schema_version']}")
    if version is None or len(version) != len(HEAD) or version > HEAD:
        raise _bad(
            file, f"its schema {version} is newer than this program's ({HEAD}): upgrade first"
        )
    engine = sa.create_engine(f"sqlite+pysqlite:///{copy}")
    try:
        with engine.connect() as conn:
            verified = audit.verify(conn)
            differ = crosscheck.check(conn) if verified.ok else []
    finally:
        engine.dispose()
    if not verified.ok:
        raise _bad(
            file, f"its audit chain is broken at record {verified.bad_seq}: {verified.problem}"
        )
    if differ:
        more = f" (and {len(differ) - 1} more)" if len(differ) > 1 else ""
        raise _bad(
            file,
            f"its money rows are not the ones its audit records seal: {differ[0]}{more}; "
            "`audit verify` on the ledger it was taken from lists each",
        )
    for key, what in (
        ("row_counts", "row counts"),
        ("last_receipts", "last receipts"),
        ("audit_head", "audit head"),
    ):
        if key in manifest and found[key] != manifest[key]:
            raise _bad(
                file,
                f"its {what} are not the manifest's ({_difference(found[key], manifest[key])})",
            )


def _difference(found: Any, said: Any) -> str:
    if isinstance(found, dict) and isinstance(said, dict):
        for k in sorted(set(found) | set(said)):
            if found.get(k) != said.get(k):
                return f"{k}: {found.get(k)} in the file, {said.get(k)} in the manifest"
    return f"{found} in the file, {said} in the manifest"


def check_empty(data_dir: Path) -> bool:
    """Refuse ``not_empty`` unless ``data_dir`` is empty as headless.md says; returns whether
    there is an empty ledger to replace."""
    ledger = data_dir / LEDGER
    if data_dir.exists() and not data_dir.is_dir():
        raise Refusal("bad_data_dir", f"The data folder {data_dir} is a file, not a folder.")
    if not ledger.exists():
        left = [n for n in _SIDE_FILES if (data_dir / n).exists()]
        if left:
            raise Refusal(
                "not_empty",
                f"The data folder {data_dir} still holds {', '.join(left)}, part of the ledger "
                "that was there: move it out of the folder with that ledger, then restore.",
            )
        return False
    try:
        engine = sa.create_engine(f"sqlite+pysqlite:///file:{ledger}?mode=ro&uri=true")
        try:
            with engine.connect() as conn:
                empty = first_use.is_empty(conn)
        finally:
            engine.dispose()
    except sa.exc.DBAPIError:
        empty = False  # not a ledger we can read: not ours to replace
    if not empty:
        raise Refusal(
            "not_empty",
            f"The data folder {data_dir} already has a ledger with people or receipts; a "
            "backup is restored only into an empty folder. Restore into a new folder (--data-dir "
            f"NEW), or stop the program and move {LEDGER} (with {LEDGER}-wal and {LEDGER}-shm) "
            "out of this one first.",
        )
    return True


def restore(file: Path, data_dir: Path) -> dict[str, Any]:
    """Check the backup ``file`` whole, then make it the ledger of the empty ``data_dir``.
    Returns ``{"restored": ..., "manifest": ..., "ledger_loss": sentence or None}``."""
    replace = check_empty(data_dir)
    manifest = read_manifest(file)
    made = [p for p in (data_dir, *data_dir.parents) if not p.exists()]
    data_dir.mkdir(parents=True, exist_ok=True)
    copy = data_dir / f".{LEDGER}.restoring"
    ledger = data_dir / LEDGER
    mark_file = watermark.mark_path(ledger)
    try:
        _unpack(file, manifest, copy)
        _check_copy(file, copy, manifest)
        mark = watermark.read_mark(mark_file)
        if replace and mark is not None and _reaches(ledger, mark):
            mark = None  # the mark of the empty ledger being replaced, not of a lost one
            mark_file.unlink()
        loss = None if mark is None else _loss(copy, mark)
        if replace:
            for name in (LEDGER, *_SIDE_FILES):
                (data_dir / name).unlink(missing_ok=True)
        os.replace(copy, ledger)
        _sync_folder(data_dir)
    except BaseException:
        copy.unlink(missing_ok=True)
        for folder in made:  # refused: the folders made for it go too (innermost first)
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return {"restored": str(file), "manifest": manifest, "ledger_loss": loss}


def _sync_folder(folder: Path) -> None:
    """The rename on disk too (POSIX; Windows cannot open a folder to sync it)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _reaches(ledger: Path, mark: watermark.Mark) -> bool:
    engine = sa.create_engine(f"sqlite+pysqlite:///file:{ledger}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            return watermark.lost_work(conn, mark) is None
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def _loss(copy: Path, mark: watermark.Mark) -> str | None:
    engine = sa.create_engine(f"sqlite+pysqlite:///{copy}")
    try:
        with engine.connect() as conn:
            return watermark.lost_work(conn, mark)
    finally:
        engine.dispose()


def needs_pepper(ledger: Path, pepper: Path) -> bool:
    """Whether the restored ``ledger`` holds PINs made with a pepper that is not at ``pepper``
    (a backup never carries the city's pepper file: a new folder needs it copied in)."""
    if pepper.exists():
        return False
    engine = sa.create_engine(f"sqlite+pysqlite:///file:{ledger}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            return auth.any_peppered(conn)
    finally:
        engine.dispose()
