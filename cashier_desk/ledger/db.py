"""The local ledger database: a SQLite file opened through SQLAlchemy with durable settings.

Every connection gets ``journal_mode=WAL``, ``synchronous=FULL`` and ``foreign_keys=ON``; the
settings are read back when the ledger opens and a connection that does not have them is
refused, so durability is checked rather than assumed.  Write transactions start with
``BEGIN IMMEDIATE`` so that two writers never interleave and a receipt's number and its rows
commit together.  The schema is brought to the newest Alembic revision on open.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from cashier_desk.errors import Refusal
from cashier_desk.ledger import health, pragmas, watermark
from cashier_desk.ledger.read_only import (
    ReadOnlyError,
    on_read_only_connect,
    read_only_mark,
    read_only_message,
    read_only_uri,
)
from cashier_desk.text import mask_card_numbers

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration (a test keeps it equal to Alembic's head).  Checking it with a plain
#: SELECT lets an up-to-date ledger open without importing Alembic at all.
HEAD = "0014"
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
    pragmas.durable(dbapi_connection)


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
        if not isinstance(raw, sqlite3.Connection):
            raise RuntimeError("the ledger is not an SQLite database")
        return raw.cursor()


def _rowid_key(table: sa.Table, column: sa.Column[Any]) -> bool:
    """``column`` is the table's single INTEGER PRIMARY KEY, which SQLite fills in itself."""
    key = list(table.primary_key.columns)
    return (
        key == [column]
        and column.autoincrement in ("auto", True)
        and (column.type._type_affinity is sa.Integer)
    )


def _disk_full(exc: sa.exc.OperationalError) -> bool:
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_FULL or "database or disk is full" in str(orig)


def _wrapped(sql: str, params: Any, exc: sqlite3.Error) -> sa.exc.StatementError:
    return sa.exc.DBAPIError.instance(sql, params, exc, sqlite3.Error)


class Ledger:
    """The open ledger: an engine with durable pragmas and a migrated schema."""

    def __init__(self, path: Path, *, quick_check: bool = False, read_only: bool = False) -> None:
        self.path = path
        #: Why this ledger holds less than it is known to have held (None when it is whole):
        #: money is refused until a supervisor accepts the loss (see :mod:`watermark`).
        self.loss: str | None = None
        #: What ``PRAGMA quick_check`` found wrong when the ledger opened to take money: money
        #: is refused (there is no accepting it; a backup is restored).
        self.corrupt: str | None = None
        #: Opened to be read only (a folder this account cannot write): every write refuses.
        self.read_only = read_only
        if read_only:
            self._open_read_only()
            return
        mark_file = watermark.mark_path(path)
        self.known = watermark.read_mark(mark_file) or watermark.Mark()
        problem = health.file_problem(path, health.folder_used(path, mark_file))
        if problem is not None:
            raise LedgerError(health.damaged_message(path, problem, self.known), "ledger_damaged")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(f"sqlite+pysqlite:///{path}")
        sa.event.listen(self.engine, "connect", _on_connect)
        sa.event.listen(self.engine, "begin", _on_begin)
        with self._disposed_on_failure("opened"):
            self._check_pragmas()
            self._migrate()
            with self.read() as conn:
                if quick_check:
                    self.corrupt = health.quick_check(conn)
                self.loss = watermark.lost_work(conn, self.known)
                state = watermark.ledger_state(conn)
        self._mark_lock = threading.Lock()
        self._mark_file = watermark.MarkFile(mark_file)
        if self.loss is None:
            self.known = state
            self._mark_file.write(state)
            self._mark_file.sync()

    def note_central(self, seen: watermark.Mark) -> str | None:
        """Compare the ledger with what central last saw of this workstation (``seen``): a
        ledger behind it lost work (an old copy put back with its mark) and refuses money
        like one behind its mark, which is raised to what central saw.  Returns the loss."""
        with self._mark_lock:
            with self.read() as conn:
                behind = watermark.behind_central(conn, seen)
            if behind is not None:
                self.loss = self.loss or behind
                self.known = self.known.advanced((seen.audit_seq, seen.audit_head), seen.receipts)
                self._mark_file.write(self.known)
                self._mark_file.sync()
            return behind

    def _open_read_only(self) -> None:
        """Open without writing a byte (see :mod:`cashier_desk.ledger.read_only`)."""
        try:
            uri = read_only_uri(self.path)
        except ReadOnlyError as exc:
            raise LedgerError(str(exc), "read_only") from None
        self.known = read_only_mark(watermark.mark_path(self.path))
        self.engine = sa.create_engine(
            "sqlite+pysqlite://", creator=lambda: sqlite3.connect(uri, uri=True)
        )
        sa.event.listen(self.engine, "connect", on_read_only_connect)
        sa.event.listen(self.engine, "begin", _on_begin)
        with self._disposed_on_failure("read"):
            if self.revision() != HEAD:
                raise LedgerError(
                    f"the ledger {self.path} needs an upgrade before this version can read "
                    "it, and this account may not write its folder",
                    "read_only",
                )
            if self.known.audit_seq:
                with self.read() as conn:
                    self.loss = watermark.lost_work(conn, self.known)

    @contextmanager
    def _disposed_on_failure(self, verb: str) -> Iterator[None]:
        """A failure while opening closes the engine and says why, as a :class:`LedgerError`."""
        try:
            yield
        except sa.exc.DatabaseError as exc:
            self.engine.dispose()
            if health.is_corrupt(exc):
                raise LedgerError(
                    health.corrupt_message(self.path, str(exc.orig)), "ledger_corrupt"
                ) from exc
            raise LedgerError(f"the ledger {self.path} cannot be {verb}: {exc.orig}") from exc
        except LedgerError:
            self.engine.dispose()
            raise

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
        if self.read_only:
            raise Refusal("read_only", read_only_message(self.path.parent))
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
