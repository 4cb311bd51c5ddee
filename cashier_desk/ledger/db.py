"""The local ledger database: a SQLite file opened through SQLAlchemy with durable settings.

Every connection gets ``journal_mode=WAL``, ``synchronous=FULL`` and ``foreign_keys=ON``; the
settings are read back when the ledger opens and a connection that does not have them is
refused, so durability is checked rather than assumed.  Write transactions start with
``BEGIN IMMEDIATE`` so that two writers never interleave and a receipt's number and its rows
commit together.  The schema is brought to the newest Alembic revision on open.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration (a test keeps it equal to Alembic's head).  Checking it with a plain
#: SELECT lets an up-to-date ledger open without importing Alembic at all.
HEAD = "0005"
_IMMEDIATE = "cashier_desk_immediate"

REQUIRED_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}


class LedgerError(RuntimeError):
    """The ledger database cannot be used safely."""


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


class Ledger:
    """The open ledger: an engine with durable pragmas and a migrated schema."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(f"sqlite+pysqlite:///{path}")
        sa.event.listen(self.engine, "connect", _on_connect)
        sa.event.listen(self.engine, "begin", _on_begin)
        try:
            self._check_pragmas()
            self._migrate()
        except sa.exc.DatabaseError as exc:
            self.engine.dispose()
            raise LedgerError(f"the ledger {path} cannot be opened: {exc.orig}") from exc
        except LedgerError:
            self.engine.dispose()
            raise

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
            try:
                with conn.begin():
                    yield conn
            finally:
                if not durable and raw is not None:
                    raw.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A consistent read (one snapshot), never writing."""
        with self.engine.connect() as conn, conn.begin():
            yield conn
            conn.rollback()

    def close(self) -> None:
        self.engine.dispose()
