"""A first sale through the Desk on a fresh copy of the demo city."""

from __future__ import annotations

import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.desk import ItemRequest, TenderRequest
from cashier_desk.devices.receipt import ReceiptDoc
from cashier_desk.ledger.schema import print_jobs
from cashier_desk.money import Money
from tests.doubles import MemoryPrinter


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


def test_a_receipt_the_spooler_printed_meanwhile_is_not_printed_again(app: App) -> None:
    """A sale hands its just-written job to the printer in memory; if the spooler got to the
    job first (between the commit and the hand-off), the paper is not printed twice."""
    printer = app.desk.printer
    assert isinstance(printer, MemoryPrinter)
    app.desk.login("amy", "4821")
    app.desk.open_drawer("D1", {Money.parse("20.00"): 5})
    printer.online = False
    sale = app.desk.sale([ItemRequest(code="DOG-LIC")], [TenderRequest("cash", Money(2000))])
    assert not sale.printed
    with app.ledger.read() as conn:
        job_id, content = conn.execute(
            sa.select(print_jobs.c.id, print_jobs.c.content).order_by(print_jobs.c.id.desc())
        ).one()
    printer.online = True
    assert app.desk.print_pending() == (1, 0)  # the spooler's turn
    assert app.desk.spooler.print_job(job_id, ReceiptDoc.from_json(content)) is True  # the sale's
    assert len(printer.jobs) == 1
    assert app.desk.spooler.print_job(job_id + 1, ReceiptDoc.from_json(content)) is False  # no job
    assert len(printer.jobs) == 1
