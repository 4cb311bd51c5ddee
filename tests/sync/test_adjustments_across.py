"""What a returned check put back on an existing open item, what a transfer moved, and a
supervisor's clear of the certified-funds flag reach the other workstations (issue 16):
W1's batches carry them to central (c0010) and W2's ``sync pull`` applies each once — the item
owed again by the exact amount, the transfer's two items, checks taken again after the clear,
and a returned check made after the clear flagging again. On SQLite and PostgreSQL (W2 as a
role of its own)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.runner import run_op
from cashier_desk.sync import central, pull
from tests.helpers import FakeClock, import_city, run_ok
from tests.programs.test_corrections_day import CODES, ITEMS, LEE
from tests.sync.conftest import CentralPg
from tests.sync.test_corrections_across import _apps

SAM = {"approver": "sam", "approver_pin": "3333", "reason": "paid in cash since"}


def _check(number: str, amount: str, ref: str = "WB-1") -> dict[str, Any]:
    return {"op": "sale", "payer": "Bo Chan", "items": [{"ref": ref, "amount": amount}],
            "tenders": [{"type": "check", "amount": amount, "number": number}]}  # fmt: skip


def _push(app: App) -> None:
    assert app.desk.relay is not None and app.desk.relay.push().problems == []


def _due(app: App, ref: str) -> tuple[str, list[str]]:
    found = run_ok(app, {"op": "lookup", "ref": ref})[0]
    return found["amount_due"], found["flags"]


def _later(app: App, **kw: float) -> None:
    clock = app.desk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(**kw)


def _day_one(w1: App, w2: App) -> None:
    """W1: WB-1 30.00 and MISC 12.00 by check 1042, WB-2 40.00 in cash (PC-1002 was meant),
    WB-1 10.00 by check 1043. W2: WB-1 20.00 by check 2001. Both closed out and sent."""
    run_ok(
        w1,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "payer": "Bo Chan",
         "items": [{"ref": "WB-1", "amount": "30.00"}, {"code": "MISC", "amount": "12.00"}],
         "tenders": [{"type": "check", "amount": "42.00", "number": "1042"}]},
        {"op": "sale", "items": [{"ref": "WB-2"}],
         "tenders": [{"type": "cash", "amount": "40.00"}]},
        _check("1043", "10.00"),
        {"op": "close_drawer", "counted": {"cash": {"20.00": 7}, "checks": [
            {"number": "1042", "amount": "42.00"}, {"number": "1043", "amount": "10.00"}]}},
        {"op": "closeout", **LEE},
        {"op": "logout"},
    )  # fmt: skip
    run_ok(
        w2,
        {"op": "login", "user": "bob", "pin": "2468"},
        {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}},
        _check("2001", "20.00"),
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5}, "checks": [
            {"number": "2001", "amount": "20.00"}]}},
        {"op": "closeout", **LEE},
    )  # fmt: skip
    for app in (w1, w2):
        _push(app)
        _later(app, days=1)


def _across(w1: App, w2: App, tmp_path: Path) -> None:
    import_city(w1, tmp_path, CODES, ITEMS)
    import_city(w2, tmp_path, CODES, ITEMS)
    _day_one(w1, w2)
    run_ok(w2, {"op": "open_drawer", "drawer": "D3", "opening": {"20.00": 5}})
    w2.desk.pull_reference_data()
    # 100.00 less W2's own 20.00 and W1's 30.00 and 10.00; WB-2 paid at W1.
    assert _due(w2, "WB-1") == ("40.00", [])
    assert _due(w2, "WB-2")[0] == "0.00"
    assert _due(w2, "PC-1002")[0] == "40.00"

    # W1: check 1042 comes back (30.00 put back on WB-1), WB-2's payment moves to PC-1002.
    [returned, moved] = run_ok(
        w1,
        {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE},
        {"op": "transfer", "receipt": "W1-000002", "from_ref": "WB-2", "to_ref": "PC-1002",
         "amount": "40.00", **LEE},
    )  # fmt: skip
    assert returned["reinstated"] == [{"ref": "WB-1", "amount": "30.00"}]
    assert moved["amount"] == "40.00"
    run_ok(w1, {"op": "closeout", **LEE})
    _push(w1)
    pulled = w2.desk.pull_reference_data()
    assert pulled.adjustments_applied == 3  # WB-1, WB-2, PC-1002
    assert _due(w2, "WB-1") == ("70.00", ["certified_funds_only"])
    assert _due(w2, "WB-2") == ("40.00", [])
    refused = run_op(w2.desk, _check("2003", "5.00"))
    assert (refused["ok"], refused["error"]) == (False, "certified_funds_only")
    paid = run_op(w2.desk, {"op": "sale", "items": [{"ref": "PC-1002"}],
                            "tenders": [{"type": "cash", "amount": "40.00"}]})  # fmt: skip
    assert (paid["ok"], paid["error"]) == (False, "already_paid")
    again = w2.desk.pull_reference_data()  # each batch once
    assert (again.adjustments_applied, again.program_records) == (0, 0)
    assert _due(w2, "WB-1")[0] == "70.00"

    # A supervisor at W1 clears the flag: published, W2 takes checks of the account again.
    _later(w1, hours=1)
    w1.desk.clear_certified_funds("ACCT-9", **SAM)
    [alone] = run_ok(w1, {"op": "closeout", **LEE})  # a batch of the clear alone
    assert alone["receipts"] == 0
    _push(w1)
    w2.desk.pull_reference_data()
    assert _due(w2, "WB-1") == ("70.00", [])
    assert run_ok(w2, _check("2003", "5.00"))[0]["total"] == "5.00"
    assert _due(w2, "WB-1")[0] == "65.00"

    # A returned check made after the clear flags the account again at W2.
    _later(w1, hours=1)
    [second] = run_ok(w1, {"op": "returned_check", "receipt": "W1-000003", "number": "1043",
                           **LEE})  # fmt: skip
    assert second["fee"] == {"ref": "W1-RC000002-FEE", "amount": "35.00"}
    run_ok(w1, {"op": "closeout", **LEE})
    _push(w1)
    assert w2.desk.pull_reference_data().adjustments_applied == 1
    assert _due(w2, "WB-1") == ("75.00", ["certified_funds_only"])
    refused = run_op(w2.desk, _check("2004", "5.00"))
    assert (refused["ok"], refused["error"]) == (False, "certified_funds_only")


def _sqlite_central(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = central.engine_for(url)
    try:
        central.init_central(engine)
    finally:
        engine.dispose()
    return url


def test_put_backs_transfers_and_clears_reach_the_other_workstation_on_sqlite(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    url = _sqlite_central(tmp_path)
    _across(*_apps(make_app, url, url), tmp_path)


@pytest.mark.postgres
def test_put_backs_transfers_and_clears_reach_the_other_workstation_on_postgresql(
    make_app: Callable[..., App],
    central_pg: CentralPg,
    ws_role: Callable[[str], str],
    tmp_path: Path,
) -> None:
    _across(*_apps(make_app, central_pg.workstation_url, ws_role("W2")), tmp_path)


def _sqlite(make_app: Callable[..., App], tmp_path: Path) -> tuple[App, App, str]:
    """Day one on both workstations, through a SQLite central (its URL)."""
    url = _sqlite_central(tmp_path)
    w1, w2 = _apps(make_app, url, url)
    import_city(w1, tmp_path, CODES, ITEMS)
    import_city(w2, tmp_path, CODES, ITEMS)
    _day_one(w1, w2)
    return w1, w2, url


def test_a_clear_and_a_returned_check_after_it_pulled_at_once_flag_in_the_order_made(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    """W2 pulls W1's returned check, transfer, clear and second returned check in one pull:
    each applied once, the flag's rows in the order they were made (the account flagged)."""
    w1, w2, _ = _sqlite(make_app, tmp_path)
    run_ok(w1, {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE},
           {"op": "transfer", "receipt": "W1-000002", "from_ref": "WB-2", "to_ref": "PC-1002",
            "amount": "40.00", **LEE}, {"op": "closeout", **LEE})  # fmt: skip
    _later(w1, hours=1)
    w1.desk.clear_certified_funds("ACCT-9", **SAM)
    _later(w1, hours=1)
    run_ok(w1, {"op": "returned_check", "receipt": "W1-000003", "number": "1043", **LEE},
           {"op": "closeout", **LEE})  # fmt: skip
    _push(w1)
    run_ok(w2, {"op": "open_drawer", "drawer": "D3", "opening": {"20.00": 5}})
    pulled = w2.desk.pull_reference_data()
    assert pulled.adjustments_applied == 3  # WB-1 (both checks), WB-2, PC-1002
    # 100.00 less W2's 20.00 (W1's 30.00 and 10.00 came back): 80.00.
    assert _due(w2, "WB-1") == ("80.00", ["certified_funds_only"])
    assert _due(w2, "WB-2") == ("40.00", [])
    assert w2.desk.pull_reference_data().adjustments_applied == 0


def test_a_clear_older_than_the_flag_here_does_not_clear_it(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    """W1's clear was made before W2's own returned check of the account: W2 stays flagged."""
    w1, w2, _ = _sqlite(make_app, tmp_path)
    run_ok(w1, {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE})
    _later(w1, hours=1)
    w1.desk.clear_certified_funds("ACCT-9", **SAM)
    run_ok(w1, {"op": "closeout", **LEE})
    _push(w1)
    _later(w2, hours=2)
    run_ok(w2, {"op": "returned_check", "receipt": "W2-000001", "number": "2001", **LEE})
    w2.desk.pull_reference_data()
    assert _due(w2, "WB-1")[1] == ["certified_funds_only"]


def test_a_billing_systems_new_balance_counts_what_was_put_back_after_it(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    """Central takes a new balance for WB-1 (60.00) before W1's returned check: W2's pull
    writes that figure plus the 30.00 put back after it (90.00), the batch's put-back not
    counted twice, W2's own earlier payment restarted as after an import."""
    w1, w2, url = _sqlite(make_app, tmp_path)
    header = ITEMS.splitlines()[0]
    row = "WB-1,UTILITY,ACCT-9,Bo Chan,2 Elm St,60.00,2026-12-30,WATER,open,"
    (tmp_path / "billing.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    engine = central.engine_for(url)
    try:
        at = "2026-11-24T14:00:00+00:00"
        pull.central_import(engine, "revenue-codes", tmp_path / "codes.csv", at)
        pull.central_import(engine, "open-items", tmp_path / "billing.csv", at)
    finally:
        engine.dispose()
    run_ok(w1, {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE},
           {"op": "closeout", **LEE})  # fmt: skip
    _push(w1)
    run_ok(w2, {"op": "open_drawer", "drawer": "D3", "opening": {"20.00": 5}})
    pulled = w2.desk.pull_reference_data()
    assert (pulled.open_items, pulled.adjustments_applied) == (1, 0)
    assert _due(w2, "WB-1") == ("90.00", ["certified_funds_only"])
