"""The ledger database: durable pragmas on the app's own connections, BEGIN IMMEDIATE for
writes, migrations from the first revision, and append-only money rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from cashier_desk.app import App
from cashier_desk.desk import ItemRequest, TenderRequest
from cashier_desk.ledger.db import (
    HEAD,
    REQUIRED_PRAGMAS,
    Ledger,
    alembic_config,
    read_pragmas,
)
from cashier_desk.ledger.schema import APPEND_ONLY, metadata
from cashier_desk.ledger.search import FTS_TABLE
from cashier_desk.money import Money
from tests.helpers import small_day


def _sale(app: App) -> None:
    app.desk.login("amy", "4821")
    app.desk.open_drawer("D1", {Money.parse("20.00"): 5})
    app.desk.sale([ItemRequest(code="DOG-LIC")], [TenderRequest("cash", Money.parse("20.00"))])


def test_pragmas_hold_on_the_connection_that_writes_a_receipt(app: App) -> None:
    seen: list[dict[str, Any]] = []
    statements: list[str] = []

    def spy(conn: sa.Connection, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement.split()[0:3] and " ".join(statement.split()[:3]))
        if statement.startswith("INSERT INTO receipts"):
            raw = cursor.connection
            seen.append(
                {
                    "journal_mode": raw.execute("PRAGMA journal_mode").fetchone()[0],
                    "synchronous": raw.execute("PRAGMA synchronous").fetchone()[0],
                    "foreign_keys": raw.execute("PRAGMA foreign_keys").fetchone()[0],
                    "in_transaction": raw.in_transaction,
                }
            )

    sa.event.listen(app.ledger.engine, "before_cursor_execute", spy)
    try:
        _sale(app)
    finally:
        sa.event.remove(app.ledger.engine, "before_cursor_execute", spy)
    assert seen == [{**REQUIRED_PRAGMAS, "in_transaction": True}]
    # The receipt's transaction was opened with BEGIN IMMEDIATE.
    receipt_at = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO receipts"))
    begins = [s for s in statements[:receipt_at] if s.startswith("BEGIN")]
    assert begins[-1] == "BEGIN IMMEDIATE"


def test_every_pooled_connection_has_the_pragmas(app: App) -> None:
    with app.ledger.write() as a, app.ledger.read() as b:
        assert read_pragmas(a) == REQUIRED_PRAGMAS
        assert read_pragmas(b) == REQUIRED_PRAGMAS


def test_a_write_transaction_holds_the_write_lock_from_its_start(app: App) -> None:
    with app.ledger.write():
        other = sqlite3.connect(app.ledger.path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_a_new_ledger_reaches_the_newest_revision(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.db")
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert ledger.revision() == head
    assert head == HEAD  # the constant that lets a current ledger open without Alembic
    ledger.close()


def test_a_ledger_made_by_the_first_revision_is_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.exec_driver_sql(
            "INSERT INTO users (login, name, role, pin_hash) VALUES ('old', 'Old', 'lead', 'x')"
        )
        conn.exec_driver_sql(
            "INSERT INTO drawer_sessions VALUES ('W1-S000001','W1','D1','old','2026-01-02',"
            "'2026-01-02T09:00:00+00:00',10000,'{}')"
        )
    engine.dispose()
    ledger = Ledger(path)
    assert ledger.revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    with ledger.read() as conn:
        assert conn.exec_driver_sql("SELECT opening_cents FROM drawer_sessions").scalar() == 10000
    # The upgrade installed the append-only guard on the old rows too.
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), ledger.write() as conn:
        conn.exec_driver_sql("UPDATE drawer_sessions SET opening_cents = 1")
    ledger.close()


def test_the_migrations_build_exactly_the_schema_in_the_code(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.db")

    def comparable(obj: Any, name: str | None, type_: str, *_: Any) -> bool:
        # The search index is an FTS5 virtual table (and its shadow tables), which SQLAlchemy
        # cannot describe: it is checked by name below instead.
        return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))

    with ledger.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": comparable})
        diff = compare_metadata(ctx, metadata)
        made = {
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
                "AND name LIKE 'item_search%'"
            )
        }
    ledger.close()
    assert diff == []
    assert {FTS_TABLE, f"{FTS_TABLE}_ai", f"{FTS_TABLE}_au", f"{FTS_TABLE}_ad"} <= made


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_money_and_audit_rows_cannot_be_updated_or_deleted(app: App, table: str) -> None:
    small_day(app)
    with app.ledger.read() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
    for sql in (f"UPDATE {table} SET rowid = rowid", f"DELETE FROM {table}"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), app.ledger.write() as c:
            c.exec_driver_sql(sql)


def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path: Path) -> None:
    from cashier_desk.ledger.db import LedgerError

    path = tmp_path / "ledger.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="is not a SQLite database") as refused:
        Ledger(path)
    assert refused.value.code == "ledger_damaged"
    assert path.read_bytes() == b"this is not a database" * 100


def test_a_non_durable_write_gives_its_connection_back_fully_durable(app: App) -> None:
    _sale(app)  # its print job's "printed" mark is written with durable=False
    with app.ledger.write(durable=False) as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL, just here
    for _ in range(3):
        with app.ledger.write() as conn:
            assert read_pragmas(conn) == REQUIRED_PRAGMAS
