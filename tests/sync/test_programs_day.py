"""A scripted day of the city's programs (issue 14, Done when): citations late and on time, a
contest inside and one outside the window, an indigent plan and two instalment payments, cash
rounding on — closed out with a GL journal whose every fund balances, synced to central on
PostgreSQL (and SQLite) with central's totals equal to the closeout, and the day's contests and
plan kept there with the batch (item 6)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from cashier_desk.sync import central
from cashier_desk.sync import schema as c
from tests.helpers import FakeClock, import_city, run_ok
from tests.programs.test_programs_day import four_programs_day, journal_rows
from tests.sync.conftest import CentralPg, push, workstation
from tests.test_fund_journal import check_funds

STATE = "250-0000-22010=3.00;250-0000-22020=4.50;250-0000-22030=5.00;101-0000-41300"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    f'PKG-CIT,Parking citation,PARKING,"{STATE}",open,,no,citation\n'
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status,issued\n"
    "PC-1001,PARKING,7A1,Ann Lee,1 Main St,50.00,2026-11-30,PKG-CIT,open,2026-11-09\n"
    "PC-2001,PARKING,7A2,Bo Ray,2 Main St,50.00,2026-12-31,PKG-CIT,open,2026-12-01\n"
    "PC-3001,PARKING,7A3,Cy Dee,3 Main St,50.00,2026-12-31,PKG-CIT,open,2026-11-20\n"
    "PC-3002,PARKING,7A4,Di Fox,4 Main St,50.00,2026-11-15,PKG-CIT,open,2026-10-01\n"
    "PC-4001,PARKING,7A5,Ed Gee,5 Main St,50.00,2026-11-30,PKG-CIT,open,2026-11-09\n"
)
LEAD = {"approver": "lee", "approver_pin": "1111"}
DAY = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)


def _ok(app: App, op: dict[str, Any]) -> dict[str, Any]:
    result = run_op(app.desk, op)
    assert result["ok"], result
    return result


def _cash(amount: str) -> dict[str, str]:
    return {"type": "cash", "amount": amount}


def run_programs_day(app: App, tmp_path: Path) -> dict[str, Any]:
    import_city(app, tmp_path, CODES, ITEMS)
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})  # fmt: skip
    late = _ok(app, {"op": "sale", "items": [{"ref": "PC-1001"}], "tenders": [_cash("100.00")]})
    on_time = _ok(app, {"op": "sale", "items": [{"ref": "PC-2001"}], "tenders": [_cash("50.00")]})
    assert (late["total"], on_time["total"]) == ("100.00", "50.00")
    _ok(app, {"op": "contest", "ref": "PC-3001", "level": "review", "reason": "sign hidden",
              "contact": "cy@example.org"})  # fmt: skip
    outside = {"op": "contest", "ref": "PC-3002", "level": "review", "reason": "away",
               "contact": "di@example.org"}  # fmt: skip
    assert run_op(app.desk, outside)["error"] == "contest_window_closed"
    _ok(app, {**outside, **LEAD})
    plan = _ok(app, {"op": "plan", "ref": "PC-4001", "monthly": "25.00", "indigent": True,
                     "first_due": "2026-12-05", **LEAD})  # fmt: skip
    assert [i["amount"] for i in plan["instalments"]] == ["25.00", "25.00", "5.00"]
    first = _ok(app, {"op": "sale", "items": [{"ref": "PC-4001"}], "tenders": [_cash("25.00")]})
    second = _ok(app, {"op": "sale", "items": [{"ref": "PC-4001"}], "tenders": [_cash("25.00")]})
    assert first["total"] == second["total"] == "25.00"
    rounded = _ok(app, {"op": "sale", "items": [{"code": "MISC", "amount": "10.02"}],
                        "tenders": [_cash("10.00")]})  # fmt: skip
    assert rounded["total"] == "10.00"
    taken = sum(Money.parse(r["total"]).cents for r in (late, on_time, first, second, rounded))
    drawer_cents = 10_000 + taken
    run_ok(app, {"op": "close_drawer", "counted": {"cash": {"0.01": drawer_cents}}},
           {"op": "logout"})  # fmt: skip
    return _ok(app, {"op": "closeout", **LEAD})


def Money_cents(text: str) -> int:
    from cashier_desk.money import Money

    return Money.parse(text).cents


def _rounding_counter(make: Callable[[], App]) -> App:
    first = make()
    first.close()
    (first.data_dir / "config.toml").write_text('[policy]\ncash_rounding = "0.05"\n',
                                                encoding="utf-8")  # fmt: skip
    return make()


def _check(app: App, engine: sa.Engine, done: dict[str, Any]) -> None:
    # Every fund of the day's GL journal balances (the state's add-ons, the city's fines,
    # penalties, the plan fee, the rounding), and the journal is the closeout's.
    [journal] = [p for p in done["papers"] if Path(p).name.startswith("gl-journal-")]
    with open(journal, encoding="utf-8", newline="") as fh:
        check_funds(done, list(csv.DictReader(fh)))
    assert done["gl"]["101-0000-45110"] == "50.00"  # the one late penalty paid
    assert done["gl"]["101-0000-45120"] == "5.00"  # the indigent plan fee, with instalment 1
    assert done["gl"]["101-0000-49910"] == "-0.02"  # cash rounding down
    r = push(app)
    assert (r.sent, r.pending, r.problems, r.unreachable) == (1, 0, [], None)
    figures = {k: done[k] for k in ("receipts", "tenders", "gl")}
    assert central.totals(engine, "2026-12-05") == {"batches": 1, **figures}
    with engine.connect() as conn:
        contests = conn.execute(
            sa.select(c.contests.c.ref, c.contests.c.approver).order_by(c.contests.c.number)
        ).all()
        plans = conn.execute(sa.select(c.plans.c.ref, c.plans.c.total_cents)).all()
        schedule = (
            conn.execute(
                sa.select(c.plan_instalments.c.amount_cents).order_by(c.plan_instalments.c.n)
            )
            .scalars()
            .all()
        )
    assert [tuple(x) for x in contests] == [("PC-3001", None), ("PC-3002", "lee")]
    assert [tuple(x) for x in plans] == [("PC-4001", 5500)]
    assert schedule == [2500, 2500, 500]
    assert push(app).sent == 0  # nothing twice


@pytest.mark.postgres
def test_the_programs_day_balances_and_arrives_whole_on_postgresql(
    make_app: Callable[..., App], central_pg: CentralPg, ws_url: str, tmp_path: Path
) -> None:
    clock = FakeClock(DAY)
    app = _rounding_counter(lambda: workstation(make_app, ws_url, clock))
    done = run_programs_day(app, tmp_path)
    _check(app, central_pg.engine, done)


def test_the_programs_day_arrives_whole_on_sqlite(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    clock = FakeClock(DAY)
    app = _rounding_counter(lambda: workstation(make_app, url, clock))
    done = run_programs_day(app, tmp_path)
    engine = central.engine_for(url)
    try:
        _check(app, engine, done)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_day_of_all_four_city_programs_syncs_to_postgresql_whole(
    make_app: Callable[..., App], central_pg: CentralPg, ws_url: str, tmp_path: Path
) -> None:
    """Issue 15: TOT returns, business and animal licences and permits (and a void) close out,
    balance by fund and reach PostgreSQL as the workstation's own role, with central's totals
    equal to the closeout's and the records beside them."""
    app = workstation(make_app, ws_url, FakeClock(DAY))
    out, gl = four_programs_day(app, tmp_path)
    check_funds(out, journal_rows(out))
    r = push(app)
    assert (r.sent, r.pending, r.problems, r.unreachable) == (1, 0, [], None)
    at_central = central.totals(central_pg.engine, "2026-12-10")
    assert {k: v for k, v in at_central["gl"].items() if v != "0.00"} == gl
    assert (at_central["receipts"], at_central["tenders"]) == (out["receipts"], out["tenders"])
    assert push(app).sent == 0  # nothing twice
