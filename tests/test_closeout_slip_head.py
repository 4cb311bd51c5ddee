"""The closeout slip carries the audit chain's head (issue 12, item 3): its sequence number and
the first 16 hex digits of its hash, as paper evidence of how far the chain had got."""

from __future__ import annotations

import re

from cashier_desk.app import App
from cashier_desk.reports.deposit import closeout_slip
from tests.doubles import MemoryPrinter
from tests.helpers import run_ok, small_day


def test_the_printed_closeout_slip_carries_the_chain_head(app: App) -> None:
    small_day(app)
    with app.ledger.read() as conn:
        seq, digest = conn.exec_driver_sql(
            "SELECT seq, hash FROM audit_log WHERE action = 'closeout'"
        ).one()
    for closeout in app.desk.day_closeouts(app.desk.business_date()):  # the papers again
        assert closeout.audit_head == (seq, digest)
        slip = closeout_slip(closeout, city="City", workstation="W1", columns=42)
        assert app.desk.print_document(slip)
    printer = app.desk.printer
    assert isinstance(printer, MemoryPrinter)
    assert re.search(rf"Audit chain head +#{seq} {digest[:16]}\n", printer.jobs[-1])


def test_a_new_closeout_returns_the_head_with_its_own_record(app: App) -> None:
    small_day(app)
    run_ok(app, {"op": "login", "user": "bob", "pin": "2468"},
           {"op": "open_drawer", "drawer": "D2", "opening": {}},
           {"op": "close_drawer", "counted": {"cash": {}}})  # fmt: skip
    day = app.desk.business_date()
    result = app.desk.closeout(day, "pat", "2222")
    with app.ledger.read() as conn:
        newest = conn.exec_driver_sql("SELECT seq, hash, action FROM audit_log "
                                      "ORDER BY seq DESC LIMIT 1").one()  # fmt: skip
    assert newest.action == "closeout"
    assert result.audit_head == (newest.seq, newest.hash)
