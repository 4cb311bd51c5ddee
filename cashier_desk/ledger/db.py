"""The local ledger database: a SQLite file opened through SQLAlchemy with durable settings.

Every connection gets ``journal_mode=WAL``, ``synchronous=FULL`` and ``foreign_keys=ON``; the
settings are read back when the ledger opens and a connection that does not have them is
refused, so durability is checked rather than assumed.  Write transactions start with
``BEGIN IMMEDIATE`` so that two writers never interleave and a receipt's number and its rows
commit together.  The schema is brought to the newest Alembic revision on open.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from cashier_desk.errors import Refusal
from cashier_desk.ledger import watermark
from cashier_desk.text import mask_card_numbers

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration (a test keeps it equal to Alembic's head).  Checking it with a plain
#: SELECT lets an up-to-date ledger open without importing Alembic at all.
HEAD = "0007"
_IMMEDIATE = "cashier_desk_immediate"

REQUIRED_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}


class LedgerError(RuntimeError):
    """The ledger database cannot be used safely."""

    def __init__(self, message: str, code: str = "ledger_error") -> None:
        super().__init__(mask_card_numbers(message))  # it may name a folder someone typed
        self.code = code


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Take BEGIN out of pysqlite's hands so that we can say BEGIN IMMEDIATE ourselves.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _on_begin(conn: sa.Connection) -> None:
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def read_pragmas(conn: sa.Connection) -> dict[str, object]:
    return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in REQUIRED_PRAGMAS}


class FastInsert:
    """An INSERT of every column of a table but its key, compiled once to SQLite's SQL and run
    on the write transaction's own ``sqlite3`` connection.

    A sale writes seven rows; SQLAlchemy's work around each statement (about 20 µs) costs more
    than SQLite's, so the sale's inserts take this path.  The transaction stays SQLAlchemy's
    (``BEGIN IMMEDIATE`` ... ``COMMIT`` or ``ROLLBACK`` on the same connection).  Values reach
    ``sqlite3`` as they are, so a table whose column types would convert values on the way is
    refused when the insert is built; every column must be given (``sqlite3`` refuses a
    missing named value); a failure is raised as SQLAlchemy's own exception class, and the
    engine's ``before_cursor_execute``/``after_cursor_execute`` listeners still see the
    statement.
    """

    _dialect = sqlite.dialect(paramstyle="named")

    def __init__(self, table: sa.Table) -> None:
        columns = [c for c in table.columns if not _rowid_key(table, c)]
        for c in columns:
            if c.type._cached_bind_processor(self._dialect) is not None:
                raise TypeError(f"{table.name}.{c.name}: {c.type} converts values on the way")
        stmt = sa.insert(table).values({c.name: sa.bindparam(c.name) for c in columns})
        self.table = table
        self.sql = str(stmt.compile(dialect=self._dialect))

    def one(self, conn: sa.Connection, row: Mapping[str, Any]) -> int:
        """Insert one row; returns its key (``rowid``)."""
        cursor = self._cursor(conn)
        try:
            conn.dispatch.before_cursor_execute(conn, cursor, self.sql, row, None, False)
            cursor.execute(self.sql, row)
            conn.dispatch.after_cursor_execute(conn, cursor, self.sql, row, None, False)
            return int(cursor.lastrowid or 0)
        except sqlite3.Error as exc:
            raise _wrapped(self.sql, row, exc) from exc
        finally:
            cursor.close()

    def many(self, conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        cursor = self._cursor(conn)
        try:
            conn.dispatch.before_cursor_execute(conn, cursor, self.sql, rows, None, True)
            cursor.executemany(self.sql, rows)
            conn.dispatch.after_cursor_execute(conn, cursor, self.sql, rows, None, True)
        except sqlite3.Error as exc:
            raise _wrapped(self.sql, rows, exc) from exc
        finally:
            cursor.close()

    @staticmethod
    def _cursor(conn: sa.Connection) -> sqlite3.Cursor:
        if not (conn.in_transaction() and conn.get_execution_options().get(_IMMEDIATE)):
            # Not in Ledger.write(): a read (or any other) transaction would take the row and
            # then roll it back without a word.
            raise RuntimeError("a FastInsert runs inside the ledger's write transaction")
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        return raw.cursor()


def _rowid_key(table: sa.Table, column: sa.Column[Any]) -> bool:
    """``column`` is the table's single INTEGER PRIMARY KEY, which SQLite fills in itself."""
    key = list(table.primary_key.columns)
    return (
        key == [column]
        and column.autoincrement in ("auto", True)
        and (column.type._type_affinity is sa.Integer)
    )


def _has_our_schema(path: Path) -> bool:
    """Whether the SQLite file at ``path`` holds a ledger's schema, read without writing a
    byte (a connection of the engine would first switch the file to WAL)."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as c:
            row = c.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
    except sqlite3.Error:
        return True  # not readable as SQLite: the engine's own open says why
    return row is not None


def _disk_full(exc: sa.exc.OperationalError) -> bool:
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_FULL or "database or disk is full" in str(orig)


def _wrapped(sql: str, params: Any, exc: sqlite3.Error) -> sa.exc.StatementError:
    return sa.exc.DBAPIError.instance(sql, params, exc, sqlite3.Error)


class Ledger:
    """The open ledger: an engine with durable pragmas and a migrated schema."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: Why this ledger holds less than it is known to have held (None when it is whole):
        #: money is refused until a supervisor accepts the loss (see :mod:`watermark`).
        self.loss: str | None = None
        mark_file = watermark.mark_path(path)
        self.known = watermark.read_mark(mark_file) or watermark.Mark()
        fresh = not path.exists() or path.stat().st_size == 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(f"sqlite+pysqlite:///{path}")
        sa.event.listen(self.engine, "connect", _on_connect)
        sa.event.listen(self.engine, "begin", _on_begin)
        try:
            if not fresh and self.known.audit_seq and not _has_our_schema(path):
                raise LedgerError(
                    f"{path} is not this folder's ledger (it had receipts up to "
                    f"{self.known.last_receipt() or 'none'}); it is left as it is. Restore the "
                    "ledger from a backup, or choose another folder with --data-dir.",
                    "ledger_rolled_back",
                )
            self._check_pragmas()
            self._migrate()
            with self.read() as conn:
                self.loss = watermark.lost_work(conn, self.known)
                state = watermark.ledger_state(conn)
        except sa.exc.DatabaseError as exc:
            self.engine.dispose()
            raise LedgerError(f"the ledger {path} cannot be opened: {exc.orig}") from exc
        except LedgerError:
            self.engine.dispose()
            raise
        self._mark_lock = threading.Lock()
        self._mark_file = watermark.MarkFile(mark_file)
        if self.loss is None:
            self.known = state
            self._mark_file.write(state)
            self._mark_file.sync()

    def accept_loss(self, conn: sa.Connection) -> watermark.Mark:
        """Inside a write transaction: continue numbering after the last receipt the mark
        knew; returns the mark as it was (the evidence).  The mark is rewritten at commit."""
        known = self.known
        for ws, n in known.receipts.items():
            watermark.raise_counter(conn, ws, n)
        conn.info[watermark.PENDING]["accepted"] = True
        return known

    def _check_pragmas(self) -> None:
        with self.engine.connect() as conn:
            found = read_pragmas(conn)
        wrong = {k: v for k, v in found.items() if v != REQUIRED_PRAGMAS[k]}
        if wrong:
            raise LedgerError(f"the ledger {self.path} refused durable settings: {wrong}")

    def _migrate(self) -> None:
        if self.revision() == HEAD:
            return
        from alembic import command

        cfg = alembic_config()
        with self.engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()

    def revision(self) -> str | None:
        with self.engine.connect() as conn:
            try:
                value = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            except sa.exc.OperationalError:
                value = None  # a new file: no version table yet
            conn.rollback()
            return None if value is None else str(value)

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[sa.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error), synced to
        disk at commit.  ``durable=False`` is for bookkeeping that may be lost in a power cut
        without losing money (a print job's "printed" mark: at worst a copy prints again); it
        saves the second fsync of a sale."""
        with self.engine.connect() as conn:
            conn.execution_options(**{_IMMEDIATE: True})
            raw = conn.connection.dbapi_connection
            if not durable and raw is not None:
                raw.execute("PRAGMA synchronous=NORMAL")
            pending: dict[str, Any] = {}
            conn.info[watermark.PENDING] = pending
            try:
                with conn.begin():
                    yield conn
                if durable:
                    # A commit that a power cut may undo must not raise the mark (it would
                    # then claim work the ledger lost for a reason of its own); the next
                    # durable commit covers it.
                    self._advance_mark(pending)
            except sa.exc.OperationalError as exc:
                if _disk_full(exc):
                    # The transaction rolled back whole: say so plainly, not as a fault.
                    raise Refusal(
                        "disk_full",
                        f"The disk holding {self.path.parent} is full; nothing was saved. "
                        "Free some space and try again.",
                    ) from exc
                raise
            finally:
                conn.info.pop(watermark.PENDING, None)
                if not durable and raw is not None:
                    raw.execute("PRAGMA synchronous=FULL")

    def _advance_mark(self, pending: dict[str, Any]) -> None:
        """After a commit: move the mark up to what the transaction wrote."""
        if not pending:
            return
        with self._mark_lock:
            if pending.get("accepted"):
                self.loss = None
                with self.read() as conn:
                    self.known = watermark.ledger_state(conn)
            elif self.loss is not None:
                return  # the mark keeps its evidence until the loss is accepted
            else:
                self.known = self.known.advanced(pending.get("audit"), pending.get("receipts", {}))
            self._mark_file.write(self.known)

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A consistent read (one snapshot), never writing."""
        with self.engine.connect() as conn, conn.begin():
            yield conn
            conn.rollback()

    def close(self) -> None:
        self.engine.dispose()
        if hasattr(self, "_mark_file"):
            self._mark_file.close()
