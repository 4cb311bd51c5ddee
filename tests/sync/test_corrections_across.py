"""The certified-funds flag and the first/subsequent NSF fee across workstations (programs.md,
"Precise readings"; issue 16): W1's returned check travels with its batch to central, and once
W2 has pulled it W2 refuses a check for the flagged account and charges the subsequent fee on
its own returned check of that account.  On SQLite and PostgreSQL (W2 as a role of its own)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.runner import run_op
from cashier_desk.sync import central
from tests.helpers import FakeClock, import_city, run_ok
from tests.programs.test_corrections_day import CODES, ITEMS, LEE
from tests.sync.conftest import CentralPg, workstation


def _check_day(app: App, drawer: str, user: tuple[str, str], sale: dict[str, Any]) -> None:
    """A drawer day of one sale of WB-1 (account ACCT-9) by check, closed out."""
    tender = sale["tenders"][0]
    run_ok(
        app,
        {"op": "login", "user": user[0], "pin": user[1]},
        {"op": "open_drawer", "drawer": drawer, "opening": {"20.00": 5}},
        sale,
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5}, "checks": [
            {"number": tender["number"], "amount": tender["amount"]}]}},
        {"op": "closeout", **LEE},
        {"op": "logout"},
    )  # fmt: skip


def _by_check(number: str, amount: str) -> dict[str, Any]:
    return {"op": "sale", "payer": "Bo Chan", "items": [{"ref": "WB-1", "amount": amount}],
            "tenders": [{"type": "check", "amount": amount, "number": number}]}  # fmt: skip


def _across(w1: App, w2: App, tmp_path: Path) -> None:
    import_city(w1, tmp_path, CODES, ITEMS)
    import_city(w2, tmp_path, CODES, ITEMS)
    w1_sale = _by_check("1042", "42.00")
    w1_sale["items"] = [{"ref": "WB-1", "amount": "30.00"}, {"code": "MISC", "amount": "12.00"}]
    _check_day(w1, "D1", ("amy", "4821"), w1_sale)
    _check_day(w2, "D2", ("bob", "2468"), _by_check("2001", "20.00"))
    for app in (w1, w2):
        clock = app.desk.clock
        assert isinstance(clock, FakeClock)
        clock.advance(days=1)
    [returned] = run_ok(w1, {"op": "returned_check", "receipt": "W1-000001", "number": "1042",
                             **LEE})  # fmt: skip
    assert returned["fee"] == {"ref": "W1-RC000001-FEE", "amount": "25.00"}
    run_ok(w1, {"op": "closeout", **LEE})
    assert w1.desk.relay is not None and w1.desk.relay.push().problems == []
    # Before W2 pulls, the account is not flagged there; after, W2 refuses a check for it.
    run_ok(w2, {"op": "login", "user": "bob", "pin": "2468"},
           {"op": "open_drawer", "drawer": "D3", "opening": {"20.00": 5}})  # fmt: skip
    assert run_ok(w2, {"op": "lookup", "ref": "WB-1"})[0]["flags"] == []
    pulled = w2.desk.pull_reference_data()
    assert pulled.program_records == 1 + 2  # the returned check, the items it made
    assert w2.desk.pull_reference_data().program_records == 0  # each batch once
    refused = run_op(w2.desk, _by_check("2003", "5.00"))
    assert (refused["ok"], refused["error"]) == (False, "certified_funds_only")
    assert run_ok(w2, {"op": "lookup", "ref": "WB-1"})[0]["flags"] == ["certified_funds_only"]
    # The items W1's returned check made reach W2, which takes payment of them (in cash).
    fee = run_ok(w2, {"op": "lookup", "ref": "W1-RC000001-FEE"})[0]
    assert (fee["amount_due"], fee["flags"]) == ("25.00", ["certified_funds_only"])
    line = run_ok(w2, {"op": "lookup", "ref": "W1-RC000001-L2"})[0]
    assert (line["amount_due"], line["flags"]) == ("12.00", ["certified_funds_only"])
    quoted = run_ok(w2, {"op": "quote", "items": [{"ref": "W1-RC000001-L2"}]})[0]
    assert [x["description"] for x in quoted["lines"]] == ["Returned check W1-000001 line 2"]
    paid = run_ok(w2, {"op": "sale", "items": [{"ref": "W1-RC000001-L2"}],
                       "tenders": [{"type": "cash", "amount": "12.00"}]})[0]  # fmt: skip
    assert paid["total"] == "12.00"
    # W2's own returned check of the account is its second: the subsequent fee.
    [second] = run_ok(w2, {"op": "returned_check", "receipt": "W2-000001", "number": "2001",
                           **LEE})  # fmt: skip
    assert second["fee"] == {"ref": "W2-RC000001-FEE", "amount": "35.00"}


def _apps(make_app: Callable[..., App], url1: str, url2: str) -> tuple[App, App]:
    w1 = workstation(make_app, url1, FakeClock(), name="w1")
    w2 = make_app("w2", workstation="W2", clock=FakeClock())
    assert w2.desk.relay is not None
    w2.desk.relay.central_url = url2
    return w1, w2


def test_the_flag_and_the_fee_count_hold_across_workstations_on_sqlite(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = central.engine_for(url)
    try:
        central.init_central(engine)
    finally:
        engine.dispose()
    _across(*_apps(make_app, url, url), tmp_path)


@pytest.mark.postgres
def test_the_flag_and_the_fee_count_hold_across_workstations_on_postgresql(
    make_app: Callable[..., App],
    central_pg: CentralPg,
    ws_role: Callable[[str], str],
    tmp_path: Path,
) -> None:
    _across(*_apps(make_app, central_pg.workstation_url, ws_role("W2")), tmp_path)
