"""Reading a ledger in a folder this account cannot write (an auditor's account, a copy on
read-only media), without writing a byte.

SQLite opens a WAL-mode database read-only only when its ``-shm`` and ``-wal`` files exist
(or can be made, which needs a folder it may write) or when it is told the file is immutable:

- after a clean close there is no ``-wal``: the file alone holds everything, and it is opened
  ``immutable=1`` (SQLite then takes no locks and reads no WAL);
- after a crash, or while the counter runs, ``-wal`` holds committed work: it is opened
  ``mode=ro`` so SQLite reads the WAL through the ``-shm`` index — never ``immutable``, which
  would silently show the ledger without that work;
- a ``-wal`` without its ``-shm`` cannot be read without making one: refused, ``read_only``,
  rather than showing less than was saved.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cashier_desk.ledger import watermark


class ReadOnlyError(ValueError):
    """The ledger cannot be read without writing."""


def writable(folder: Path) -> bool:
    """Whether this account may change the ledger in ``folder`` (and make its WAL files)."""
    ledger = folder / "ledger.db"
    return os.access(folder, os.W_OK | os.X_OK) and (
        not ledger.exists() or os.access(ledger, os.W_OK)
    )


def read_only_message(folder: Path) -> str:
    return (
        f"The data folder {folder} is read-only for this account: it can be read (receipts, "
        "audit verify, report, search, papers and export with --out) but nothing can be "
        "saved in it. Run this as the account that runs the counter."
    )


def read_only_uri(path: Path) -> str:
    """The SQLite URI that reads ``path`` without writing (module docstring)."""
    base = "file:" + quote(str(path.resolve()))
    wal = Path(f"{path}-wal")
    if not wal.exists():
        return f"{base}?mode=ro&immutable=1"
    if not Path(f"{path}-shm").exists():
        raise ReadOnlyError(
            f"The ledger {path} has saved work in {wal.name} that only an account that may "
            f"write {path.parent} can read (its -shm index is missing). Open it once as the "
            "account that runs the counter.",
        )
    return f"{base}?mode=ro"


def on_read_only_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # BEGIN is ours, as for the writing ledger
    dbapi_connection.execute("PRAGMA query_only=ON")
    dbapi_connection.execute("PRAGMA busy_timeout=10000")


def read_only_mark(path: Path) -> watermark.Mark:
    """The high-water mark when this account may read it; else none (it is the counter
    account's own file, and a reading command takes no money)."""
    try:
        return watermark.read_mark(path) or watermark.Mark()
    except OSError:
        return watermark.Mark()
