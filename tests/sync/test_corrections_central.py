"""A day of corrections reaching central (issue 16, Done when): a returned check of a receipt
of the day before, a refund and a transfer close out as adjustments balanced by fund, sync to
PostgreSQL as the workstation's own role (and to SQLite), and ``central totals`` shows them
beside the receipts — for the date and over a period."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.money import Money
from cashier_desk.sync import central
from cashier_desk.sync import schema_corrections as sc
from tests.helpers import FakeClock, import_city, run_ok
from tests.programs.test_corrections_day import (
    AMY,
    CARD,
    CASH_40,
    CODES,
    ITEMS,
    LEE,
    refund,
    transfer,
)
from tests.sync.conftest import CentralPg, cli, push, workstation


def corrections_day(app: App, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Day 1 closed out (three receipts, one by check 1042); on day 2 the check comes back,
    part of the card receipt is refunded and the cash receipt moved to the item meant; the
    closeout of day 2. Returns both closeouts."""
    import_city(app, tmp_path, CODES, ITEMS)
    [*_, first, _] = run_ok(
        app,
        AMY,
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "payer": "Bo Chan",
         "items": [{"ref": "WB-1", "amount": "30.00"}, {"code": "MISC", "amount": "12.00"}],
         "tenders": [{"type": "check", "amount": "42.00", "number": "1042"}]},
        {"op": "sale", "items": [{"ref": "PC-1001"}], "tenders": [CARD]},
        {"op": "sale", "items": [{"ref": "WB-2"}], "tenders": [CASH_40]},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 7}, "card": "50.00",
                                           "checks": [{"number": "1042", "amount": "42.00"}]}},
        {"op": "closeout", **LEE},
        {"op": "logout"},
    )  # fmt: skip
    clock = app.desk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(days=1)
    nsf = {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE}
    run_ok(app, nsf, refund(), transfer())
    [second] = run_ok(app, {"op": "closeout", **LEE})
    return first, second


def _balanced(done: dict[str, Any]) -> None:
    """Every fund of the closeout's GL journal balances (debits equal credits)."""
    [path] = [p for p in done["papers"] if Path(p).name.startswith("gl-journal-")]
    funds: dict[str, int] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            fund = row["account"].split("-", 1)[0]
            debit, credit = (Money.parse(row[k] or "0.00").cents for k in ("debit", "credit"))
            funds[fund] = funds.get(fund, 0) + debit - credit
    assert funds and all(v == 0 for v in funds.values()), funds


def _check(app: App, engine: sa.Engine, tmp_path: Path) -> dict[str, Any]:
    first, second = corrections_day(app, tmp_path)
    assert (second["receipts"], second["deposit"]["total"], second["gl"]) == (0, "0.00", {})
    adjustments = second["adjustments"]
    assert {k: v for k, v in adjustments.items() if k != "gl"} == {
        "returned_checks": "42.00", "refunds": "20.00", "transfers": "40.00"}  # fmt: skip
    _balanced(first)
    _balanced(second)
    r = push(app)
    assert (r.sent, r.pending, r.problems, r.unreachable) == (2, 0, [], None)
    day1, day2 = first["date"], second["date"]
    at_day2 = central.totals(engine, day2)
    assert (at_day2["batches"], at_day2["receipts"], at_day2["gl"]) == (1, 0, {})
    assert at_day2["adjustments"] == adjustments
    at_day1 = central.totals(engine, day1)
    assert (at_day1["receipts"], at_day1["gl"]) == (first["receipts"], first["gl"])
    assert "adjustments" not in at_day1
    # Over the period: the receipts of day 1 beside the adjustments of day 2.
    period = central.period_totals(engine, day1, day2)
    assert (period["batches"], period["receipts"]) == (2, 3)
    assert period["adjustments"] == adjustments
    # Central keeps each correction with the batch that carried it, and its GL.
    with engine.connect() as conn:
        kept = conn.execute(
            sa.select(sc.corrections.c.number, sc.corrections.c.kind,
                      sc.corrections.c.business_date, sc.corrections.c.made_on,
                      sc.corrections.c.account, sc.corrections.c.fee_cents)
            .order_by(sc.corrections.c.number)
        ).all()  # fmt: skip
        sides = dict(
            conn.execute(
                sa.select(
                    sc.correction_gl.c.side, sa.func.sum(sc.correction_gl.c.amount_cents)
                ).group_by(sc.correction_gl.c.side)
            ).all()
        )
    assert [tuple(r) for r in kept] == [
        ("W1-RC000001", "returned_check", day2, day2, "ACCT-9", 2500),
        ("W1-RF000001", "refund", day2, day2, None, None),
        ("W1-TR000001", "transfer", day2, day2, None, None),
    ]
    assert sides["revenue"] + sides["offset"] == 0
    assert push(app).sent == 0  # nothing twice
    return second


@pytest.mark.postgres
def test_a_day_of_corrections_reaches_postgresql_with_its_adjustments(
    make_app: Callable[..., App],
    central_pg: CentralPg,
    ws_url: str,
    ws_role: Callable[[str], str],
    engines: Callable[[str], sa.Engine],
    tmp_path: Path,
) -> None:
    app = workstation(make_app, ws_url, FakeClock())
    second = _check(app, central_pg.engine, tmp_path)
    # Another workstation reads W1's corrections (the certified-funds flag and the NSF fee
    # count hold across workstations) but not their GL, and adds none in W1's name.
    as_w2 = engines(ws_role("W2"))
    with as_w2.connect() as conn:
        assert len(conn.execute(sa.select(sc.corrections)).all()) == 3
        assert conn.execute(sa.select(sc.correction_gl)).all() == []
    row = {"number": "W1-RC000009", "batch_id": second["batch"], "workstation": "W1",
           "business_date": second["date"], "made_on": second["date"], "kind": "refund",
           "receipt_no": "W1-000001", "amount_cents": 100, "created_at": "now"}  # fmt: skip
    gl = {"number": "W1-RC000001", "side": "revenue", "account": "101-0000-41300",
          "batch_id": second["batch"], "workstation": "W2", "amount_cents": 100}  # fmt: skip
    for table, values in ((sc.corrections, row), (sc.correction_gl, gl),
                          (sc.corrections, row | {"workstation": "W2"})):  # fmt: skip
        with as_w2.connect() as conn, pytest.raises(sa.exc.DBAPIError) as caught:
            conn.execute(sa.insert(table).values(values))
        assert isinstance(caught.value.orig, psycopg.errors.InsufficientPrivilege)


def test_a_day_of_corrections_reaches_sqlite_with_its_adjustments(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    app = workstation(make_app, url, FakeClock())
    engine = central.engine_for(url)
    try:
        second = _check(app, engine, tmp_path)
    finally:
        engine.dispose()
    # The command line: a period, and a date given wrongly.
    args = ("--data-dir", str(app.data_dir), "--central", url, "central", "totals")
    done = cli(*args, "--from", "2026-11-01", "--to", second["date"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["adjustments"] == second["adjustments"]
    assert cli(*args, "--from", "2026-11-01").returncode != 0
