"""Is ``ledger.db`` a whole ledger?  Asked before it is opened, and of its pages.

Before the engine touches the file (an engine's first connection would switch it to WAL and a
migration would write this folder's tables into it), :func:`file_problem` says whether the
file may be opened as this folder's ledger: an emptied (zero-byte) file or an empty SQLite
shell in a folder that was used, a file that is not SQLite at all, or another program's SQLite
database is never made anew or migrated into — it is left as it is, byte for byte.  The
file is read through SQLite only, never opened by this program itself: closing any other
descriptor of it would drop the POSIX locks this process's open connections hold on it, and
another process would then delete the WAL from under them (SQLite's "How To Corrupt", 2.2).

Of the pages: :func:`quick_check` runs ``PRAGMA quick_check`` (every page and row read, O(N),
no index compared with its table) when the ledger opens to take money; :func:`integrity_check`
runs the full ``PRAGMA integrity_check`` for ``audit verify``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from cashier_desk.ledger.watermark import Mark


class _NotSQLite(Exception):
    """The file's header is not a SQLite database's."""


#: Tables every ledger has (from its first migration on): a file without them is not one.
LEDGER_TABLES = frozenset({"alembic_version", "audit_log", "counters", "receipts"})
#: The first problems a check reports (SQLite would list up to 100).
SHOWN = 5


def folder_used(path: Path, mark: Path) -> bool:
    """Whether the data folder of the ledger at ``path`` was used: its mark exists (written
    once the ledger was made), or its config.toml (written after the ledger on first use)."""
    return mark.exists() or path.with_name("config.toml").exists()


def file_problem(path: Path, used: bool) -> str | None:
    """Why the file at ``path`` must not be opened as this folder's ledger, for a person, or
    None (no file yet, an empty file in an unused folder, or a ledger)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return "it is empty (0 bytes)" if used else None
    try:
        tables = _tables(path)
    except _NotSQLite:
        return "it is not a SQLite database"
    if tables is None or tables >= LEDGER_TABLES:
        return None  # a ledger (or unreadable: the engine's own open says why)
    if tables - {"alembic_version"}:
        return f"it is another program's database (tables {', '.join(sorted(tables)[:5])})"
    return "it is an empty database, not a ledger" if used else None


def _tables(path: Path) -> frozenset[str] | None:
    """The file's table names, read without writing a byte; None when SQLite cannot read it
    (raises _NotSQLite for a file whose header is not SQLite's)."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as c:
            rows = c.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            raise _NotSQLite from None
        return None
    except sqlite3.Error:
        return None
    return frozenset(str(r[0]) for r in rows)


def damaged_message(path: Path, problem: str, known: Mark) -> str:
    last = known.last_receipt()
    had = f" This folder's ledger had issued receipts up to {last}." if last else ""
    anew = f" (numbering continues after {last} once a supervisor accepts the loss)"
    return (
        f"{path} is not a ledger: {problem}. It is left as it is.{had} Restore the ledger "
        f"from a backup; or, to start a new ledger here{anew if last else ''}, move this file "
        "out of the folder."
    )


def _check(conn: sa.Connection, pragma: str) -> str | None:
    try:
        rows = [str(r) for r in conn.exec_driver_sql(f"PRAGMA {pragma}({SHOWN})").scalars()]
    except sa.exc.DatabaseError as exc:
        if not is_corrupt(exc):
            raise
        return str(exc.orig)  # damage the check itself could not get past
    return None if rows == ["ok"] else "; ".join(r.replace("\n", " ") for r in rows)


def quick_check(conn: sa.Connection) -> str | None:
    """What ``PRAGMA quick_check`` finds wrong (its first few lines), or None."""
    return _check(conn, "quick_check")


def integrity_check(conn: sa.Connection) -> str | None:
    """What ``PRAGMA integrity_check`` finds wrong (its first few lines), or None."""
    return _check(conn, "integrity_check")


def corrupt_message(path: Path, problem: str) -> str:
    return (
        f"The ledger {path} is damaged (SQLite found: {problem}). No money can be taken: "
        "restore the ledger from a backup, and keep this file for the city's IT."
    )


def is_corrupt(exc: sa.exc.DBAPIError) -> bool:
    """SQLite said the file's pages are damaged."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_CORRUPT or "malformed" in str(exc.orig)
