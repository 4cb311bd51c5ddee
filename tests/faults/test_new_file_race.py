"""Two processes opening a new SQLite file at the same moment both open it.

SQLite answers "database is locked" at once — without waiting out ``busy_timeout`` — when a
connection switches a file to WAL while another holds the write lock of a file not yet in WAL
(two ``sync`` runs making the embedded central at once; one failed "Central cannot be
reached").  ``ledger.pragmas.durable`` waits that out like any other lock.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from cashier_desk.ledger import pragmas
from cashier_desk.sync import central

HELD = 0.4  # seconds the other connection holds the write lock


def _writer_holding(path: Path) -> tuple[sqlite3.Connection, threading.Timer]:
    """A connection in the middle of writing a new file in SQLite's default journal mode,
    committing after ``HELD`` seconds."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE made_first (x)")
    timer = threading.Timer(HELD, lambda: other.execute("COMMIT"))
    timer.start()
    return other, timer


def test_switching_a_new_file_to_wal_waits_for_the_other_writer(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    other, timer = _writer_holding(path)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            db.execute("PRAGMA journal_mode=WAL")  # SQLite's own answer: no wait
        started = time.monotonic()
        pragmas.durable(db)
        assert time.monotonic() - started < pragmas.BUSY_TIMEOUT_MS / 1000
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("made_first",)]
    finally:
        timer.join()
        db.close()
        other.close()


def test_an_embedded_central_opened_while_another_makes_it_opens(tmp_path: Path) -> None:
    path = tmp_path / "central.db"
    other, timer = _writer_holding(path)
    engine = central.engine_for(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()
        timer.join()
        other.close()


def test_a_file_already_in_wal_is_not_switched_again(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    first = sqlite3.connect(path, isolation_level=None)
    pragmas.durable(first)
    first.execute("CREATE TABLE t (x)")
    first.execute("BEGIN IMMEDIATE")  # another process writing: a reader must not wait
    first.execute("INSERT INTO t VALUES (1)")
    second = sqlite3.connect(path, isolation_level=None)
    try:
        started = time.monotonic()
        pragmas.durable(second)
        assert time.monotonic() - started < 1.0
        assert second.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    finally:
        first.execute("ROLLBACK")
        second.close()
        first.close()
