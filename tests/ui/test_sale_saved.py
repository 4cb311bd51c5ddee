"""A failure after the sale's commit, seen in the window: the sale is saved, the window says
"Saved — W1-000001, printing later", the tenders are cleared, and pressing F10 or Enter again
never posts the sale a second time.  Marking the receipt printed fails in SQLite itself (a
trigger refuses the write); the drawer and the customer display are drivers that raise; an
event handler raises."""

from __future__ import annotations

from typing import Any

import pytest

from cashier_desk.devices.display import LineDisplay
from cashier_desk.devices.setup import Devices, attach_to_desk
from cashier_desk.events import ReceiptPosted
from cashier_desk.ui.qt import QListWidget, Qt
from tests.doubles import CountingDrawer
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press

Key = Qt.Key
FAIL_MARK = (
    "CREATE TRIGGER fail_mark BEFORE UPDATE ON print_jobs "
    "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
)


class RaisingDrawer(CountingDrawer):
    def open_drawer(self) -> bool:
        raise OSError(5, "Input/output error")


def _sell_exact_cash(c: Counter) -> None:
    c.qtbot.keyClicks(focused(), "UB-100234")
    press(c, Key.Key_Return)
    press(c, Key.Key_F9)  # exact cash
    assert c.find(QListWidget, "tenderList").count() == 1
    press(c, Key.Key_F10)


def _banner(c: Counter) -> str:
    return str(c.window.banner.text()) if c.window.banner.isVisible() else ""


def test_a_sale_whose_receipt_cannot_be_marked_printed_is_saved_once(sale: Counter) -> None:
    with sale.desk.ledger.write() as conn:
        conn.exec_driver_sql(FAIL_MARK)
    _sell_exact_cash(sale)
    assert _banner(sale) == "Saved — W1-000001, printing later."
    assert sale.window.banner.property("kind") == "warning"  # news: it prints by itself
    assert sale.find(QListWidget, "tenderList").count() == 0
    press(sale, Key.Key_F10)  # the cashier tries again: the next customer, not a second sale
    press(sale, Key.Key_Return)
    assert [r.receipt_no for r in sale.desk.receipts()] == ["W1-000001"]


def test_a_drawer_that_fails_after_the_commit_is_said_and_the_sale_saved(sale: Counter) -> None:
    sale.desk.cash_drawer = RaisingDrawer()
    _sell_exact_cash(sale)
    assert _banner(sale) == (
        "Saved — W1-000001; the cash drawer did not open (open it with its key)."
    )
    assert sale.window.banner.property("kind") == "error"  # something to do: in red
    assert sale.find(QListWidget, "tenderList").count() == 0
    press(sale, Key.Key_F10)
    assert [r.receipt_no for r in sale.desk.receipts()] == ["W1-000001"]


class RaisingDisplay(LineDisplay):
    def show(self, upper: str, lower: str) -> bool:
        raise OSError(19, "No such device")


def _raise(**_: Any) -> None:
    raise RuntimeError("a handler that fails")


@pytest.mark.parametrize("part", ["display", "event-handler"])
def test_a_display_or_handler_that_fails_never_undoes_or_repeats_the_sale(
    sale: Counter, part: str
) -> None:
    if part == "display":
        devices = Devices(
            sale.desk.printer, sale.desk.cash_drawer, display=RaisingDisplay("loop://")
        )
        attach_to_desk(devices, sale.desk.events)
    else:
        sale.desk.events.subscribe(ReceiptPosted, _raise)
    _sell_exact_cash(sale)
    assert _banner(sale).startswith("Receipt W1-000001 posted")
    press(sale, Key.Key_F10)
    press(sale, Key.Key_Return)
    assert [r.receipt_no for r in sale.desk.receipts()] == ["W1-000001"]
