"""The drawer report of a closed session (F9): what the drawer took in and gave out, and what
the blind count found against what was expected — never before the count is in."""

from __future__ import annotations

import re

import pytest

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.money import Money
from tests.doubles import MemoryPrinter
from tests.helpers import run_ok
from tests.test_exports import _day


def test_an_open_session_has_no_report_yet(app: App) -> None:
    [opened] = run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
    )[1:]
    with pytest.raises(Refusal) as refused:
        app.desk.drawer_report(opened["session"])
    assert refused.value.code == "unknown_session"
    assert "not closed" in refused.value.message
    with pytest.raises(Refusal):
        app.desk.print_drawer_report("W1-S999999")


def test_the_report_of_a_closed_session(app: App) -> None:
    _day(app)  # then closed out: a batched session keeps its report
    run_ok(app, {"op": "login", "user": "lee", "pin": "1111"})  # a lead reads it
    [session] = app.desk.day_sessions()
    report = app.desk.drawer_report(session.id)
    assert (report.receipts, report.voids, report.no_sales) == (4, 1, 0)
    assert {t: str(m) for t, m in report.taken.items()} == {
        "cash": "45.00",  # 45.00 + 10.00 - 10.00 voided
        "check": "82.15",
        "money_order": "0.00",
        "card": "65.00",
    }
    assert (report.drops.count, report.drops.total) == (0, Money(0))
    assert (report.paid_outs.count, str(report.paid_outs.total)) == (1, "2.50")
    cash = report.figures["cash"]
    assert (str(cash.expected), str(cash.counted), str(cash.over_short)) == (
        "142.50", "141.50", "-1.00",
    )  # fmt: skip
    assert report.approved_by is None  # 1.00 short is within the tolerance

    printer = app.desk.printer
    assert isinstance(printer, MemoryPrinter)
    assert app.desk.print_drawer_report(session.id) is True
    slip = printer.jobs[-1]
    assert "D R A W E R   R E P O R T" in slip and session.id in slip
    for pattern in (r"Receipts +4", r"Voids +1", r"Cash +45\.00", r"Paid-outs \(1\) +2\.50",
                    r"142\.50 / 141\.50 +-1\.00", r"Change fund +100\.00"):  # fmt: skip
        assert re.search(pattern, slip), pattern
