"""The sale's inserts bypass SQLAlchemy's statement machinery (``FastInsert``): they must write
the very rows SQLAlchemy would, inside the same transaction, and fail the same way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger.db import FastInsert, Ledger
from cashier_desk.ledger.schema import (
    audit_log,
    journal_entries,
    postings,
    print_jobs,
    receipt_lines,
    receipts,
    tenders,
)
from tests.test_ledger_db import _sale

SALE_TABLES = [receipts, receipt_lines, tenders, journal_entries, postings, print_jobs, audit_log]


@pytest.mark.parametrize("table", SALE_TABLES, ids=lambda t: t.name)
def test_it_writes_every_column_but_the_rowid_key(table: sa.Table) -> None:
    insert = FastInsert(table)
    named = {c.name for c in table.columns}
    rowid = {"id"} if "id" in named else set()
    assert f"INSERT INTO {table.name} (" in insert.sql
    for column in named - rowid:
        assert f":{column}" in insert.sql
    for column in rowid:
        assert f":{column}" not in insert.sql


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A new ledger with a cashier and an open drawer session."""
    opened = Ledger(tmp_path / "ledger.db")
    with opened.write() as conn:
        conn.execute(sa.text("INSERT INTO users VALUES ('amy', 'Amy', 'cashier', 'x')"))
        conn.execute(
            sa.text(
                "INSERT INTO drawer_sessions VALUES ('W1-S000001', 'W1', 'D1', 'amy', "
                "'2026-11-23', '2026-11-23T12:00:00+00:00', 10000, '{}')"
            )
        )
    yield opened
    opened.close()


def _count(ledger: Ledger, table: sa.Table) -> int:
    with ledger.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_rows_match_a_sqlalchemy_insert_column_for_column(ledger: Ledger) -> None:
    row = {
        "receipt_no": "W1-000001",
        "workstation": "W1",
        "seq": 1,
        "session_id": "W1-S000001",
        "cashier": "amy",
        "payer": "Ana Lee",
        "created_at": "2026-11-23T12:00:00+00:00",
        "business_date": "2026-11-23",
        "total_cents": 9_007_199_254_740_993,  # past a double's exact integers
        "change_cents": 0,
    }
    with ledger.write() as conn:
        fast_id = FastInsert(receipts).one(conn, row)
        sa_key = conn.execute(
            sa.insert(receipts).values(**{**row, "receipt_no": "W1-000002", "seq": 2})
        ).inserted_primary_key
    assert sa_key is not None
    assert (fast_id, sa_key[0]) == (1, 2)
    with ledger.read() as conn:
        got = [dict(r._mapping) for r in conn.execute(sa.select(receipts).order_by("id"))]
    assert got[0] == {"id": 1, **row}
    same = {"id", "receipt_no", "seq"}
    assert {k: v for k, v in got[1].items() if k not in same} == {
        k: v for k, v in got[0].items() if k not in same
    }


ENTRY = {"session_id": "W1-S000001", "kind": "drop", "receipt_id": None,
         "created_at": "2026-11-23T12:00:00+00:00"}  # fmt: skip


def test_a_rolled_back_transaction_takes_its_fast_inserts_with_it(ledger: Ledger) -> None:
    def insert_then_fail() -> None:
        with ledger.write() as conn:
            FastInsert(journal_entries).one(conn, ENTRY)
            raise RuntimeError("after the insert")

    with pytest.raises(RuntimeError, match="after the insert"):
        insert_then_fail()
    assert _count(ledger, journal_entries) == 0
    with ledger.write() as conn:
        assert FastInsert(journal_entries).one(conn, ENTRY) == 1
    assert _count(ledger, journal_entries) == 1


def _insert_postings(ledger: Ledger, rows: list[dict[str, Any]]) -> None:
    with ledger.write() as conn:
        FastInsert(journal_entries).one(conn, ENTRY)
        FastInsert(postings).many(conn, rows)


def test_a_failure_is_sqlalchemys_exception_and_nothing_is_written(ledger: Ledger) -> None:
    orphan = {"entry_id": 999, "account": "DRAWER:cash", "amount_cents": 100}
    with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"):
        _insert_postings(ledger, [orphan])
    missing = {"entry_id": 1, "account": "DRAWER:cash"}  # no amount
    with pytest.raises(sa.exc.ProgrammingError, match="amount_cents"):
        _insert_postings(ledger, [missing])
    assert (_count(ledger, journal_entries), _count(ledger, postings)) == (0, 0)


def test_it_runs_only_inside_a_write_transaction(ledger: Ledger) -> None:
    conn = ledger.engine.connect()
    try:
        with pytest.raises(RuntimeError, match="inside the ledger's write transaction"):
            FastInsert(postings).many(conn, [])
    finally:
        conn.close()
    with ledger.read() as conn, pytest.raises(RuntimeError, match="write transaction"):
        FastInsert(journal_entries).one(conn, ENTRY)  # a read would roll it back unseen
    assert _count(ledger, journal_entries) == 0


def test_a_column_that_converts_values_is_refused() -> None:
    table = sa.Table(
        "flags", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("when", sa.DateTime),
    )  # fmt: skip
    with pytest.raises(TypeError, match=r"flags\.when"):
        FastInsert(table)


def test_statement_listeners_still_see_the_sales_inserts(app: App) -> None:
    seen: list[str] = []

    def spy(conn: sa.Connection, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()[:3]))

    sa.event.listen(app.ledger.engine, "before_cursor_execute", spy)
    try:
        _sale(app)
    finally:
        sa.event.remove(app.ledger.engine, "before_cursor_execute", spy)
    for table in SALE_TABLES:
        assert f"INSERT INTO {table.name}" in seen
