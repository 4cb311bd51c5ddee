"""A first sale through the Desk on a fresh copy of the demo city."""

from __future__ import annotations

from cashier_desk.app import App
from cashier_desk.desk import ItemRequest, TenderRequest
from cashier_desk.money import Money


def test_cash_sale_gives_change_and_a_gapless_number(app: App) -> None:
    desk = app.desk
    desk.login("amy", "4821")
    desk.open_drawer("D1", {Money.parse("20.00"): 5})
    r = desk.sale([ItemRequest(code="DOG-LIC")], [TenderRequest("cash", Money.parse("50.00"))])
    assert (r.receipt, str(r.total), str(r.change), r.printed) == (
        "W1-000001",
        "20.00",
        "30.00",
        True,
    )
    r2 = desk.sale([ItemRequest(ref="UB-100234")], [TenderRequest("cash", Money.parse("90.00"))])
    assert (r2.receipt, str(r2.total), str(r2.change)) == ("W1-000002", "82.15", "7.85")


def test_a_void_cannot_give_back_cash_the_drawer_no_longer_holds(app: App) -> None:
    from cashier_desk.runner import run_op
    from tests.helpers import dump_tables, run_ok

    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"1.00": 5}},
        {
            "op": "sale",
            "items": [{"code": "DOG-LIC"}],
            "tenders": [{"type": "cash", "amount": "20.00"}],
        },
        {"op": "drop", "amount": "25.00"},
    )
    before = dump_tables(app)
    refused = run_op(app.desk, {"op": "void", "receipt": "W1-000001", "approver": "lee",
                                "approver_pin": "1111", "reason": "wrong licence"})  # fmt: skip
    assert refused["error"] == "more_than_drawer"
    assert "bring cash back from the safe" in refused["message"]
    assert dump_tables(app) == before
