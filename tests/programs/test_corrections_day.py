"""Refunds and transfers after the closeout, and a day of corrections closed out (programs.md,
"Refunds and misapplied payments"; issue 16): a returned check from the day before, a refund
and a transfer between programs with different splits go into the next closeout batch as
adjustments — not into a drawer's tenders or deposit — a batch of 0 receipts is allowed, and
the GL journal carries them balanced fund by fund."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.runner import run_op
from cashier_desk.sync import central
from tests.doubles import MemoryPrinter
from tests.helpers import FakeClock, dump_tables, import_city, run_ok

STATE = "250-0000-22010=3.00;250-0000-22020=4.50;250-0000-22030=5.00;101-0000-41300"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    f'PKG-CIT,Parking citation,PARKING,"{STATE}",open,,no,citation\n'
    'WATER,Water bill,UTILITY,"501-0000-22100=10.00;501-0000-44110",open,,yes,\n'
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status,issued\n"
    "PC-1001,PARKING,7ABC123,Ann Lee,1 Main St,50.00,2026-12-30,PKG-CIT,open,2026-11-09\n"
    "PC-1002,PARKING,7ABC124,Ann Lee,1 Main St,40.00,2026-12-30,PKG-CIT,open,2026-11-09\n"
    "WB-1,UTILITY,ACCT-9,Bo Chan,2 Elm St,100.00,2026-12-30,WATER,open,\n"
    "WB-2,UTILITY,ACCT-7,Ann Lee,1 Main St,40.00,2026-12-30,WATER,open,\n"
)
LEE = {"approver": "lee", "approver_pin": "1111"}
SAM = {"approver": "sam", "approver_pin": "3333"}
AMY = {"op": "login", "user": "amy", "pin": "4821"}
CASH_40 = {"type": "cash", "amount": "40.00"}
CARD = {"type": "card", "amount": "50.00", "auth": "A1B2C3", "last4": "4242"}


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    """Day 1 closed out: W1-000001 WB-1 30.00 and MISC 12.00 by check 1042; W1-000002
    PC-1001 by card; W1-000003 WB-2 in cash (keyed to the wrong item: PC-1002 was meant).
    Then the clock moves to the next day."""
    import_city(app, tmp_path, CODES, ITEMS)
    run_ok(
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
    return app


def refund(**fields: Any) -> dict[str, Any]:
    return {"op": "refund", "receipt": "W1-000002", "amount": "20.00", "payee": "Ann Lee",
            "address": "1 Main St", "reason": "overpaid", "method": "card", "auth": "R9",
            **SAM, **fields}  # fmt: skip


def transfer(**fields: Any) -> dict[str, Any]:
    return {"op": "transfer", "receipt": "W1-000003", "from_ref": "WB-2", "to_ref": "PC-1002",
            "amount": "40.00", **LEE, **fields}  # fmt: skip


def refused(app: App, op: dict[str, Any], error: str) -> None:
    before = dump_tables(app)
    result = run_op(app.desk, op)
    assert (result["ok"], result.get("error")) == (False, error), result
    assert result["message"]
    if error != "not_authorized":  # a refused approver is audited (who tried), nothing else
        assert dump_tables(app) == before


def test_a_refund_to_the_card_reverses_the_latest_part_of_the_split(city: App) -> None:
    [result] = run_ok(city, refund())
    # PC-1001 paid 50.00: split(50) − split(30) is all on the bare account.
    assert result == {"op": "refund", "ok": True, "amount": "20.00", "request": "W1-RF000001",
                      "gl": {"101-0000-41300": "-20.00"}}  # fmt: skip
    run_ok(city, AMY)
    # Not reinstated: the citation stays paid.
    assert run_ok(city, {"op": "lookup", "ref": "PC-1001"})[0]["status"] == "paid"


def test_refunds_too_large_or_by_the_wrong_means_or_person_are_refused(city: App) -> None:
    run_ok(city, refund())
    refused(city, refund(amount="30.01"), "refund_too_large")  # 30.00 left
    refused(city, refund(amount="5.00", method="check"), "refund_too_large")  # came by card
    refused(city, refund(receipt="W1-000003", amount="40.01", method="check"), "refund_too_large")
    refused(city, refund(approver="lee", approver_pin="1111"), "not_authorized")
    refused(city, refund(receipt="W1-000003", line=2, method="check"), "unknown_line")
    refused(city, refund(receipt="W1-000099"), "unknown_receipt")
    run_ok(city, refund(receipt="W1-000003", amount="40.00", method="check", line=1))
    refused(city, refund(receipt="W1-000003", amount="0.01", method="check"), "refund_too_large")


def test_a_transfer_between_programs_moves_the_gl_from_one_split_to_the_other(city: App) -> None:
    [result] = run_ok(city, transfer(reason="keyed to the wrong item"))
    assert result["gl"] == {
        "501-0000-22100": "-10.00",
        "501-0000-44110": "-30.00",
        "250-0000-22010": "3.00",
        "250-0000-22020": "4.50",
        "250-0000-22030": "5.00",
        "101-0000-41300": "27.50",
    }
    assert (result["amount"], result["from_ref"], result["to_ref"]) == ("40.00", "WB-2", "PC-1002")
    printer = city.desk.printer
    assert isinstance(printer, MemoryPrinter)
    assert "PAYMENT TRANSFERRED" in printer.jobs[-1] and "W1-TR000001" in printer.jobs[-1]
    run_ok(city, AMY)
    wb2 = run_ok(city, {"op": "lookup", "ref": "WB-2"})[0]
    assert (wb2["status"], wb2["amount_due"]) == ("open", "40.00")
    assert run_ok(city, {"op": "lookup", "ref": "PC-1002"})[0]["status"] == "paid"
    # WB-2 due again is split anew from the start.
    quote = run_ok(city, {"op": "quote", "items": [{"ref": "WB-2"}]})[0]
    assert quote["lines"][0]["gl"] == {"501-0000-22100": "10.00", "501-0000-44110": "30.00"}


def test_transfer_refusals_change_nothing(city: App) -> None:
    refused(city, transfer(amount="40.01"), "transfer_too_large")
    refused(city, transfer(from_ref="WB-1"), "transfer_too_large")  # W1-000003 paid none on it
    refused(city, transfer(to_ref="PC-9999"), "unknown_ref")
    refused(city, transfer(amount="30.00"), "partial_not_allowed")  # a citation is paid whole
    refused(city, transfer(to_ref="PC-1001"), "already_paid")
    refused(city, transfer(approver="amy", approver_pin="4821"), "not_authorized")
    run_ok(city, AMY, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    today = run_ok(
        city,
        {"op": "sale", "items": [{"ref": "WB-1", "amount": "5.00"}],
         "tenders": [{"type": "cash", "amount": "5.00"}]},
    )[0]["receipt"]  # fmt: skip
    refused(city, transfer(receipt=today, from_ref="WB-1", amount="5.00"), "not_closed_out")
    refused(city, refund(receipt=today, amount="5.00", method="check"), "not_closed_out")


def _journal(path: Path) -> dict[str, tuple[int, int]]:
    funds: dict[str, tuple[int, int]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            fund = row["account"].split("-", 1)[0]
            d, c = funds.get(fund, (0, 0))
            debit = round(float(row["debit"] or 0) * 100)  # test only: reading the CSV back
            credit = round(float(row["credit"] or 0) * 100)
            funds[fund] = (d + debit, c + credit)
    return funds


def test_a_day_of_corrections_closes_out_with_its_adjustments_balanced_by_fund(
    city: App,
) -> None:
    nsf = {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE}
    [returned, refunded, moved] = run_ok(city, nsf, refund(), transfer())
    assert returned["gl"] == {"501-0000-22100": "-10.00", "501-0000-44110": "-20.00",
                              "101-0000-49100": "-12.00"}  # fmt: skip
    assert returned["new_items"] == [{"ref": "W1-RC000001-L2", "amount": "12.00"}]
    [closeout] = run_ok(city, {"op": "closeout", **LEE})
    assert (closeout["receipts"], closeout["deposit"]["total"]) == (0, "0.00")
    assert closeout["gl"] == {}
    assert closeout["adjustments"] == {
        "returned_checks": "42.00",
        "refunds": "20.00",
        "transfers": "40.00",
        "gl": {
            "101-0000-41300": "7.50",
            "101-0000-49100": "-12.00",
            "250-0000-22010": "3.00",
            "250-0000-22020": "4.50",
            "250-0000-22030": "5.00",
            "501-0000-22100": "-20.00",
            "501-0000-44110": "-50.00",
        },
    }
    papers = [Path(p) for p in closeout["papers"]]
    [journal] = [p for p in papers if p.name.startswith("gl-journal-")]
    funds = _journal(journal)
    assert set(funds) == {"101", "250", "501"}
    assert all(d == c for d, c in funds.values()), funds
    [ap] = [p for p in papers if p.name.startswith("ap-requests-")]
    with ap.open(encoding="utf-8") as fh:
        [request] = list(csv.DictReader(fh))
    assert (request["request"], request["amount"], request["method"], request["gl"]) == (
        "W1-RF000001", "20.00", "card", "101-0000-41300=20.00")  # fmt: skip
    [bounced] = [p for p in papers if p.name.startswith("returned-checks-")]
    with bounced.open(encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert {k: row[k] for k in ("number", "receipt", "check_number", "amount", "fee_ref")} == {
        "number": "W1-RC000001", "receipt": "W1-000001", "check_number": "1042",
        "amount": "42.00", "fee_ref": "W1-RC000001-FEE"}  # fmt: skip
    assert row["batch"] == bounced.stem.removeprefix("returned-checks-")
    # The daily report shows them under the batch's date; a second closeout has none left.
    daily = city.desk.daily_report(city.desk.business_date())
    assert daily.adjustments["returned_checks"].cents == 4200
    again = run_op(city.desk, {"op": "closeout", **LEE})
    assert (again["ok"], again["error"]) == (False, "nothing_to_close")
    assert (refunded["request"], moved["to_ref"]) == ("W1-RF000001", "PC-1002")
    # Central takes both batches and reports the adjustments beside the receipts.
    [synced] = run_ok(city, {"op": "sync"})
    assert synced["sent"] == 2
    engine = central.engine_for(f"sqlite:///{city.ledger.path.parent / 'central.db'}")
    try:
        totals = central.totals(engine, city.desk.business_date())
    finally:
        engine.dispose()
    assert (totals["batches"], totals["receipts"]) == (1, 0)
    assert totals["adjustments"] == closeout["adjustments"]


def test_a_returned_check_after_a_refund_of_its_receipt_is_refused(city: App) -> None:
    run_ok(city, refund(receipt="W1-000001", amount="10.00", method="check"))
    nsf = {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE}
    refused(city, nsf, "taken_back_already")


def test_the_fee_goes_on_the_payer_as_written_when_no_item_was_paid(city: App) -> None:
    run_ok(city, AMY, {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}})
    run_ok(
        city,
        {"op": "sale", "payer": "Cy Diaz", "items": [{"code": "MISC", "amount": "8.00"}],
         "tenders": [{"type": "check", "amount": "8.00", "number": "77"}]},
        {"op": "sale", "items": [{"code": "MISC", "amount": "9.00"}],
         "tenders": [{"type": "check", "amount": "9.00", "number": "78"}]},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5}, "checks": [
            {"number": "77", "amount": "8.00"}, {"number": "78", "amount": "9.00"}]}},
        {"op": "closeout", **LEE},
    )  # fmt: skip
    first = run_ok(city, {"op": "returned_check", "receipt": "W1-000004", "number": "77", **LEE})
    second = run_ok(city, {"op": "returned_check", "receipt": "W1-000005", "number": "78", **LEE})
    assert first[0]["fee"]["amount"] == second[0]["fee"]["amount"] == "25.00"  # two accounts
    fee = run_ok(city, {"op": "lookup", "ref": "W1-RC000002-FEE"})[0]
    assert fee["flags"] == ["certified_funds_only"]
    accounts = {
        ref: city.desk.open_item(ref)
        for ref in ("W1-RC000001-FEE", "W1-RC000002-FEE", "W1-RC000001-L1")
    }
    assert {r: (v.account if v else None) for r, v in accounts.items()} == {
        "W1-RC000001-FEE": "Cy Diaz",
        "W1-RC000002-FEE": "W1-000005",
        "W1-RC000001-L1": "Cy Diaz",
    }


def test_a_plan_made_after_a_transfer_onto_its_item_counts_the_transfer_once(city: App) -> None:
    """The transfer is in the plan's total (45.00 due + the 25.00 fee), not also paid on it;
    a sale and a transfer after the plan are paid on it."""
    run_ok(city, transfer(to_ref="WB-1", amount="25.00", reason="keyed to the wrong bill"))
    run_ok(city, AMY)
    assert run_ok(city, {"op": "lookup", "ref": "WB-1"})[0]["amount_due"] == "45.00"
    [made] = run_ok(city, {"op": "plan", "ref": "WB-1", "monthly": "20.00",
                           "first_due": "2026-12-15", **LEE})  # fmt: skip
    assert made["total"] == "70.00"
    [looked] = run_ok(city, {"op": "lookup", "ref": "WB-1"})
    assert (looked["amount_due"], looked["plan"]["paid"]) == ("70.00", "0.00")
    run_ok(
        city,
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"ref": "WB-1", "amount": "20.00"}],
         "tenders": [{"type": "cash", "amount": "20.00"}]},
    )  # fmt: skip
    run_ok(city, transfer(to_ref="WB-1", amount="15.00", reason="the rest of it"))
    [looked] = run_ok(city, {"op": "lookup", "ref": "WB-1"})
    assert (looked["amount_due"], looked["plan"]["paid"]) == ("35.00", "35.00")
    assert [i["paid"] for i in looked["plan"]["instalments"]] == ["20.00", "15.00", "0.00", "0.00"]
