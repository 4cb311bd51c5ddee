"""The pragmas every connection to a SQLite file of ours runs first: the ledger's and an
embedded central's.

``busy_timeout`` comes first, so everything after it waits for another process's lock instead
of failing.  ``journal_mode=WAL`` is the exception: SQLite does not wait (no busy handler) when
another process holds the file while it is being switched to WAL — two processes opening a
new file at the same moment — and answers "database is locked" at once.  The mode is
persistent, so it is asked first and set only when the file is not in WAL yet, and a lock met
while setting it is waited out here, for as long as ``busy_timeout`` would have waited.
"""

from __future__ import annotations

import sqlite3

#: How long a connection waits for another's lock, in milliseconds.
BUSY_TIMEOUT_MS = 10_000
#: The most a retry of the switch to WAL waits before trying again, in milliseconds.
RETRY_MS = 50


def durable(dbapi_connection: sqlite3.Connection) -> None:
    """WAL, fully synchronous, foreign keys on, waiting for locks (see the module)."""
    cur = dbapi_connection.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            _to_wal(cur)
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()


def _to_wal(cur: sqlite3.Cursor) -> None:
    try:
        cur.execute("PRAGMA journal_mode=WAL").fetchall()
        return
    except sqlite3.OperationalError as exc:
        if not _locked(exc):
            raise
    from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random

    for attempt in Retrying(
        retry=retry_if_exception(_locked),
        stop=stop_after_delay(BUSY_TIMEOUT_MS / 1000),
        wait=wait_random(0, RETRY_MS / 1000),
        reraise=True,
    ):
        with attempt:
            cur.execute("PRAGMA journal_mode=WAL").fetchall()


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        or "database is locked" in str(exc)
    )
