"""A citation part of whose payment a correction takes back (programs.md, "Returned checks":
"that much is due on the item again"; "Taking back from a citation's lines puts its fine back
(penalties are recomputed by date)"): it owes the fine less what is kept of it and the
penalties in force less what is kept of them — never the whole fine again (the payer would pay
twice, the state its add-ons twice) and never nothing (the money taken back owed nowhere).
Found by an outside trial; each test failed on the build before."""

from __future__ import annotations

from typing import Any

from cashier_desk.app import App
from cashier_desk.runner import run_op
from tests.helpers import FakeClock, run_ok
from tests.programs.test_corrections_nsf import AMY, LEE, check, city, day, next_day, returned

__all__ = ["city"]  # the fixture, imported for pytest


def _lookup(app: App, ref: str = "PC-1001", **extra: Any) -> dict[str, Any]:
    return run_ok(app, {"op": "lookup", "ref": ref, **extra})[0]


def _parts(found: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["what"], p["amount"]) for p in found["parts"]]


def _cash(amount: str) -> dict[str, str]:
    return {"type": "cash", "amount": amount}


def test_a_check_that_paid_part_of_a_fine_puts_back_that_part_only(city: App) -> None:
    # PC-1001: fine 50.00 due 2026-12-30; paid on 2026-11-23 by a 30.00 check and 20.00 cash
    [receipt] = day(city, {"items": [{"ref": "PC-1001"}],
                           "tenders": [check("30.00"), _cash("20.00")]},
                    cash={"20.00": 6})  # fmt: skip
    next_day(city)
    assert returned(city, receipt)["reinstated"] == [{"ref": "PC-1001", "amount": "30.00"}]
    run_ok(city, AMY)
    found = _lookup(city)
    assert (found["status"], found["amount_due"], _parts(found)) == (
        "open", "30.00", [("fine", "30.00")])  # fmt: skip
    quote = run_ok(city, {"op": "quote", "items": [{"ref": "PC-1001"}]})[0]
    # the check took back split(50.00) - split(20.00): nothing of the 12.50 state add-ons,
    # which the 20.00 kept still pays; paying the 30.00 again puts back the same
    assert [(x["amount"], x["gl"]) for x in quote["lines"]] == [
        ("30.00", {"101-0000-41300": "30.00"})]  # fmt: skip
    # once late, the penalty in force is owed on top (recomputed by date)
    late = _lookup(city, date="2027-01-05")
    assert late["amount_due"] == "80.00"
    assert _parts(late) == [("fine", "30.00"), ("penalty", "50.00")]
    run_ok(city, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    sale = run_ok(city, {"op": "sale", "items": [{"ref": "PC-1001"}], "tenders": [_cash("30.00")]})
    assert sale[0]["total"] == "30.00"
    for on in (None, "2027-03-01"):  # paid again, it grows nothing later
        again = _lookup(city, **({"date": on} if on else {}))
        assert (again["status"], again["amount_due"]) == ("paid", "0.00"), on
    refused = run_op(city.desk, {"op": "quote", "items": [{"ref": "PC-1001"}]})
    assert (refused["ok"], refused["error"]) == (False, "already_paid")


def test_a_late_citation_whose_check_paid_part_owes_that_part_again(city: App) -> None:
    clock = city.desk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(days=40)  # 2027-01-02: the 100% penalty (50.00) in force
    [receipt] = day(city, {"items": [{"ref": "PC-1001"}],
                           "tenders": [check("40.00"), _cash("60.00")]},
                    cash={"20.00": 8})  # fmt: skip
    next_day(city)
    result = returned(city, receipt)
    assert result["reinstated"] == [{"ref": "PC-1001", "amount": "40.00"}]
    run_ok(city, AMY)
    found = _lookup(city)  # taken from the fine line first: 10.00 of the fine kept
    assert (found["status"], found["amount_due"], _parts(found)) == (
        "open", "40.00", [("fine", "40.00")])  # fmt: skip
    quote = run_ok(city, {"op": "quote", "items": [{"ref": "PC-1001"}]})[0]
    # split(50.00) - split(10.00): 2.50 of the third add-on, 37.50 of the city's part
    assert quote["lines"][0]["gl"] == {"250-0000-22030": "2.50", "101-0000-41300": "37.50"}
    assert result["gl"] == {"250-0000-22030": "-2.50", "101-0000-41300": "-37.50"}
    assert quote["total"] == "40.00"


def test_a_transfer_off_a_paid_citation_is_due_on_it_again(city: App) -> None:
    [receipt] = day(city, {"items": [{"ref": "PC-1001"}], "tenders": [check("50.00")]})
    next_day(city)
    run_ok(city, {"op": "transfer", "receipt": receipt, "from_ref": "PC-1001", "to_ref": "WB-1",
                  "amount": "20.00", **LEE})  # fmt: skip
    run_ok(city, AMY)
    found = _lookup(city)
    assert (found["status"], found["amount_due"]) == ("open", "20.00")
    run_ok(city, {"op": "transfer", "receipt": receipt, "from_ref": "PC-1001", "to_ref": "WB-1",
                  "amount": "25.00", **LEE})  # fmt: skip
    assert _lookup(city)["amount_due"] == "45.00"  # 5.00 of the fine kept, not the whole 50.00


def test_a_plan_of_a_citation_partly_taken_back_counts_what_is_kept(city: App) -> None:
    [receipt] = day(city, {"items": [{"ref": "PC-1001"}],
                           "tenders": [check("30.00"), _cash("20.00")]},
                    cash={"20.00": 6})  # fmt: skip
    next_day(city)
    returned(city, receipt)
    run_ok(city, AMY)
    plan = run_ok(city, {"op": "plan", "ref": "PC-1001", "monthly": "20.00",
                         "first_due": "2027-01-15", **LEE})[0]  # fmt: skip
    assert plan["total"] == "55.00"  # the 30.00 put back + the 25.00 plan fee, not 75.00
    found = _lookup(city)
    assert (found["status"], found["amount_due"]) == ("plan", "55.00")


def test_kept_penalty_money_never_hides_fine_money_taken_back(city: App) -> None:
    """Two checks pay the fine; the first comes back; once late, a transfer pays the rest of
    the fine and the penalty; then the second check comes back: its 20.00 of the fine is
    due again (the 50.00 penalty stays paid), not hidden behind the kept penalty."""
    clock = city.desk.clock
    assert isinstance(clock, FakeClock)
    [first] = day(city, {"items": [{"ref": "PC-1001"}],
                         "tenders": [check("30.00", "1"), check("20.00", "2")]})  # fmt: skip
    next_day(city)
    returned(city, first, "1")
    clock.advance(days=42)  # 2027-01-05: late, the 100% penalty in force
    run_ok(city, AMY)
    assert _lookup(city)["amount_due"] == "80.00"
    run_ok(city, {"op": "logout"})
    [water] = day(city, {"items": [{"ref": "WB-1", "amount": "80.00"}],
                         "tenders": [_cash("80.00")]}, cash={"20.00": 9})  # fmt: skip
    next_day(city)
    run_ok(city, {"op": "transfer", "receipt": water, "from_ref": "WB-1", "to_ref": "PC-1001",
                  "amount": "80.00", **LEE})  # fmt: skip
    run_ok(city, AMY)
    assert _lookup(city)["status"] == "paid"
    run_ok(city, {"op": "logout"})
    assert returned(city, first, "2")["reinstated"] == [{"ref": "PC-1001", "amount": "20.00"}]
    run_ok(city, AMY)
    found = _lookup(city)
    assert (found["status"], found["amount_due"], _parts(found)) == (
        "open", "20.00", [("fine", "20.00")])  # fmt: skip
