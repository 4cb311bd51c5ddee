"""The sale screen, driven by keystrokes only; what happened is checked through the Desk after.

Every test starts on the sale screen with Amy logged in and drawer D1 open (the drawer is
opened through the Desk: the open-drawer screen has its own tests).
"""

from __future__ import annotations

from typing import Any

import pytest

from cashier_desk.devices.model import Scanned
from cashier_desk.money import Money
from cashier_desk.ui.qt import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    Qt,
    QTableWidget,
    QWidget,
)
from cashier_desk.ui.screens.sale import SaleScreen, split_quantity
from cashier_desk.ui.widgets.tender import round_up
from tests.helpers import dump_tables
from tests.ui.conftest import Counter
from tests.ui.keys import StepClock, focused

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def sale(counter: Counter) -> Counter:
    counter.login("amy", "4821")
    counter.desk.open_drawer("D1", {Money.parse("20.00"): 5})
    counter.window.show_screen("sale")
    counter.idle()
    # qtbot types far faster than a person: give the wedge detector a person's rhythm
    screen(counter).wedge.clock = StepClock(200)
    return counter


# -- typing like a cashier: always into whatever has the focus ---------------------------------


def keys(c: Counter, text: str, *, enter: bool = False) -> None:
    c.qtbot.keyClicks(focused(), text)
    if enter:
        press(c, Key.Key_Return)


def press(c: Counter, key: Key, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    c.qtbot.keyClick(focused(), key, modifier)
    QApplication.processEvents()  # what the key queued (a table cell commits that way)
    c.idle()


def ring(c: Counter, text: str) -> None:
    """Key a code or reference into the sale input and press Enter."""
    assert focused().objectName() == "saleInput"
    keys(c, text, enter=True)


def screen(c: Counter) -> SaleScreen:
    s = c.window.screens["sale"]
    assert isinstance(s, SaleScreen)
    return s


def lines(c: Counter) -> list[tuple[str, str, str]]:
    table = c.find(QTableWidget, "saleLines")
    return [
        (table.item(r, 1).text(), table.item(r, 2).text(), table.item(r, 3).text())
        for r in range(table.rowCount())
    ]


def label(c: Counter, name: str) -> str:
    return str(c.find(QLabel, name).text())


def banner(c: Counter) -> str:
    return str(c.window.banner.text()) if c.window.banner.isVisible() else ""


# -- ringing up --------------------------------------------------------------------------------


def test_keying_a_code_and_a_reference_adds_lines_and_the_desk_totals_them(sale: Counter) -> None:
    assert focused().objectName() == "saleInput"
    ring(sale, "DOG-LIC")
    ring(sale, "UB-100234")
    ring(sale, "COPIES*12")
    assert lines(sale) == [
        ("DOG-LIC", "1", "20.00"),
        ("UB-100234", "1", "82.15"),
        ("COPIES", "12", "3.00"),
    ]
    assert "105.15" in label(sale, "totalDue")
    # the same fee again adds to its quantity; an item twice is refused
    ring(sale, "DOG-LIC")
    ring(sale, "UB-100234")
    assert "already on this sale" in banner(sale)
    assert lines(sale)[0] == ("DOG-LIC", "2", "40.00")
    assert "125.15" in label(sale, "totalDue")
    assert sale.find(QLineEdit, "saleInput").text() == ""


def test_open_fees_ask_the_amount_and_per_unit_fees_the_quantity(sale: Counter) -> None:
    ring(sale, "MISC")
    assert focused().objectName() == "salePromptAmount"
    keys(sale, "12.50", enter=True)
    ring(sale, "COPIES")
    assert focused().objectName() == "salePromptQty"
    keys(sale, "8", enter=True)
    assert lines(sale) == [("MISC", "1", "12.50"), ("COPIES", "8", "2.00")]
    assert "14.50" in label(sale, "totalDue")
    assert focused().objectName() == "saleInput"


def test_f3_f4_and_delete_edit_the_lines_and_the_desk_refuses_a_bad_amount(
    sale: Counter,
) -> None:
    ring(sale, "COPIES*4")
    ring(sale, "UB-100234")
    ring(sale, "PC-2026-000001")
    # ↑ chooses a line without leaving the input; F4 changes a payment's amount
    press(sale, Key.Key_Up)
    press(sale, Key.Key_F4)
    assert focused().objectName() == "salePromptAmount"
    keys(sale, "50.00", enter=True)
    assert lines(sale)[1] == ("UB-100234", "1", "50.00")
    # a citation takes no part payment: the Desk's quote refuses and the line stays as it was
    press(sale, Key.Key_Down)
    press(sale, Key.Key_F4)
    keys(sale, "10", enter=True)
    assert "must be paid in full" in banner(sale)
    assert lines(sale)[2] == ("PC-2026-000001", "1", "45.00")
    # F3 on the per-unit fee
    press(sale, Key.Key_Up)
    press(sale, Key.Key_Up)
    press(sale, Key.Key_F3)
    assert focused().objectName() == "salePromptQty"
    keys(sale, "20", enter=True)
    assert lines(sale)[0] == ("COPIES", "20", "5.00")
    assert "100.00" in label(sale, "totalDue")
    # or in the table itself (a double-click opens the cell; here it is opened for the test)
    table = sale.find(QTableWidget, "saleLines")
    table.setFocus()
    table.setCurrentCell(0, 2)
    table.editItem(table.item(0, 2))
    keys(sale, "16", enter=True)
    assert lines(sale)[0] == ("COPIES", "16", "4.00")
    sale.find(QLineEdit, "saleInput").setFocus()
    press(sale, Key.Key_F3)
    keys(sale, "20", enter=True)
    # Delete in the empty input removes the chosen line
    press(sale, Key.Key_Delete)
    assert [ref for ref, _q, _a in lines(sale)] == ["UB-100234", "PC-2026-000001"]
    assert "95.00" in label(sale, "totalDue")
    press(sale, Key.Key_F9)
    press(sale, Key.Key_Return)
    (receipt,) = sale.desk.receipts()
    view = sale.desk.receipt(receipt.receipt_no)
    assert view is not None
    assert [(x.ref, x.amount) for x in view.lines] == [
        ("UB-100234", Money.parse("50.00")),
        ("PC-2026-000001", Money.parse("45.00")),
    ]


def test_search_by_name_shows_results_as_you_type_and_enter_adds(sale: Counter) -> None:
    results = sale.find(QListWidget, "saleSearchResults")
    keys(sale, "V")
    sale.qtbot.wait(300)
    assert not results.isVisible()  # one character is not a search yet
    keys(sale, "er")
    sale.qtbot.waitUntil(lambda: results.isVisible() and results.count() > 1, timeout=3000)
    keys(sale, "a Oy")
    sale.qtbot.waitUntil(lambda: results.count() == 1, timeout=3000)
    assert "UB-100234" in results.item(0).text()
    press(sale, Key.Key_Down)
    assert focused() is results
    press(sale, Key.Key_Return)
    assert lines(sale) == [("UB-100234", "1", "82.15")]
    assert not results.isVisible()
    assert focused().objectName() == "saleInput"
    # by address too
    keys(sale, "5713 Willow")
    sale.qtbot.waitUntil(lambda: results.isVisible(), timeout=3000)
    assert "PC-2026-000001" in results.item(0).text()
    press(sale, Key.Key_Down)
    press(sale, Key.Key_Return)
    assert [ref for ref, _q, _a in lines(sale)] == ["UB-100234", "PC-2026-000001"]


def test_an_unknown_code_says_so_and_a_held_item_is_refused(sale: Counter) -> None:
    ring(sale, "NO-SUCH-THING")
    assert "Nothing is known" in banner(sale)
    assert lines(sale) == []
    press(sale, Key.Key_Escape)  # clears the input
    ring(sale, "PC-2026-000002")
    assert "on hold" in banner(sale)
    assert lines(sale) == []
    assert "0.00" in label(sale, "totalDue")


# -- tenders -----------------------------------------------------------------------------------


def test_cash_with_change_shows_the_change_and_the_receipt(sale: Counter) -> None:
    ring(sale, "UB-100234")
    press(sale, Key.Key_F5)
    assert focused().objectName() == "tenderAmount"
    assert focused().text() == "82.15"  # what is still due, selected: typing replaces it
    keys(sale, "100", enter=True)
    assert "change 17.85" in label(sale, "remainingDue")
    assert focused().objectName() == "saleInput"
    press(sale, Key.Key_Return)
    (receipt,) = sale.desk.receipts()
    assert "17.85" in label(sale, "changeDue")
    assert sale.find(QLabel, "changeDue").isVisible()
    assert receipt.receipt_no in label(sale, "receiptNumber")
    assert not sale.find(QLabel, "printNote").isVisible()
    view = sale.desk.receipt(receipt.receipt_no)
    assert view is not None
    assert view.change == Money.parse("17.85")
    assert [(t.kind, t.amount) for t in view.tenders] == [("cash", Money.parse("100.00"))]


def test_split_tender_check_and_quick_cash(sale: Counter) -> None:
    ring(sale, "UB-100234")
    ring(sale, "DOG-LIC")
    press(sale, Key.Key_F6)
    keys(sale, "80", enter=True)
    assert focused().objectName() == "tenderNumber"
    keys(sale, "1042", enter=True)
    assert "Still due 22.15" in label(sale, "remainingDue")
    press(sale, Key.Key_1, CTRL)  # the next $5 at or above 22.15
    assert "change 2.85" in label(sale, "remainingDue")
    press(sale, Key.Key_F10)
    (receipt,) = sale.desk.receipts()
    view = sale.desk.receipt(receipt.receipt_no)
    assert view is not None
    assert view.total == Money.parse("102.15")
    assert [(t.kind, t.amount, t.number) for t in view.tenders] == [
        ("check", Money.parse("80.00"), "1042"),
        ("cash", Money.parse("25.00"), None),
    ]
    assert "2.85" in label(sale, "changeDue")


def test_card_takes_the_last_four_and_the_authorisation_never_the_number(sale: Counter) -> None:
    ring(sale, "DOG-LIC")
    press(sale, Key.Key_F8)
    press(sale, Key.Key_Return)  # the amount: what is due
    assert focused().objectName() == "tenderLast4"
    keys(sale, "4111111111111111")
    assert "LAST FOUR" in banner(sale)
    assert len(focused().text()) < 4  # emptied at every fifth digit: never the number
    press(sale, Key.Key_Return)  # not four digits: refused, and selected for retyping
    assert focused().objectName() == "tenderLast4"
    keys(sale, "1111", enter=True)
    assert focused().objectName() == "tenderAuth"
    keys(sale, "A1B2C3", enter=True)
    press(sale, Key.Key_Return)
    (receipt,) = sale.desk.receipts()
    view = sale.desk.receipt(receipt.receipt_no)
    assert view is not None
    assert [(t.kind, t.amount, t.last4, t.auth) for t in view.tenders] == [
        ("card", Money.parse("20.00"), "1111", "A1B2C3")
    ]
    assert "0.00" in label(sale, "changeDue")


def test_money_order_and_a_receipt_that_waits_for_the_printer(sale: Counter) -> None:
    printer: Any = sale.desk.printer
    printer.online = False
    ring(sale, "UB-100234")
    press(sale, Key.Key_F7)
    press(sale, Key.Key_Return)
    keys(sale, "MO-5531", enter=True)
    assert focused().objectName() == "saleInput"
    press(sale, Key.Key_F10)
    (receipt,) = sale.desk.receipts()
    assert not receipt.printed
    view = sale.desk.receipt(receipt.receipt_no)
    assert view is not None
    assert [(t.kind, t.number) for t in view.tenders] == [("money_order", "MO-5531")]
    assert sale.find(QLabel, "printNote").isVisible()
    assert "print" in label(sale, "printNote")


def test_a_refused_sale_shows_why_and_changes_nothing(sale: Counter) -> None:
    ring(sale, "UB-100234")
    press(sale, Key.Key_F6)
    keys(sale, "90", enter=True)
    assert "at most 82.15" in banner(sale)  # no change from a check
    assert focused().objectName() == "tenderAmount"
    press(sale, Key.Key_Escape)
    press(sale, Key.Key_F9)
    drawer: Any = sale.desk.cash_drawer
    drawer.is_open = lambda: True  # the last customer's drawer was left open
    before = dump_tables(sale.app)
    press(sale, Key.Key_Return)
    assert "Close the cash drawer" in banner(sale)
    assert dump_tables(sale.app) == before
    assert lines(sale) == [("UB-100234", "1", "82.15")]
    assert not sale.find(QLabel, "changeDue").isVisible()
    drawer.is_open = lambda: False
    press(sale, Key.Key_Return)  # the same lines and tenders, now posted
    assert len(sale.desk.receipts()) == 1


def test_enter_or_f2_clears_for_the_next_customer(sale: Counter) -> None:
    ring(sale, "DOG-LIC")
    press(sale, Key.Key_F2)  # F2 during a sale only comes back to it
    assert lines(sale) == [("DOG-LIC", "1", "20.00")]
    press(sale, Key.Key_Escape)  # Esc in the empty input offers to drop the sale
    assert focused().objectName() == "salePromptYes"
    press(sale, Key.Key_Return)
    assert lines(sale) == []
    for clear in (Key.Key_Return, Key.Key_F2):
        ring(sale, "DOG-LIC")
        press(sale, Key.Key_F9)
        press(sale, Key.Key_Return)
        assert sale.find(QLabel, "changeDue").isVisible()
        press(sale, clear)
        assert lines(sale) == []
        assert "0.00" in label(sale, "totalDue")
        assert not sale.find(QLabel, "changeDue").isVisible()
        assert sale.find(QListWidget, "tenderList").count() == 0
        assert focused().objectName() == "saleInput"
    # a scan while the change is showing starts the next customer by itself
    ring(sale, "DOG-LIC")
    press(sale, Key.Key_F9)
    press(sale, Key.Key_Return)
    ring(sale, "UB-100234")
    assert lines(sale) == [("UB-100234", "1", "82.15")]
    assert len(sale.desk.receipts()) == 3


def test_a_receipt_number_offers_a_reprint(sale: Counter) -> None:
    ring(sale, "DOG-LIC")
    press(sale, Key.Key_F9)
    press(sale, Key.Key_Return)
    press(sale, Key.Key_Return)
    printer: Any = sale.desk.printer
    jobs = len(printer.jobs)
    ring(sale, "W1-000001")
    assert focused().objectName() == "salePromptYes"
    press(sale, Key.Key_Return)
    assert len(printer.jobs) == jobs + 1
    assert "R E P R I N T" in printer.jobs[-1]
    assert lines(sale) == []


# -- scanners ----------------------------------------------------------------------------------


def test_a_wedge_burst_is_a_scan_and_slow_typing_is_not(sale: Counter) -> None:
    wedge = screen(sale).wedge
    sale_input = sale.find(QLineEdit, "saleInput")
    wedge.clock = StepClock(5)  # a scanner: a key every 5 ms, then Tab
    keys(sale, "UB-100234")
    press(sale, Key.Key_Tab)
    assert lines(sale) == [("UB-100234", "1", "82.15")]
    assert sale_input.text() == ""
    assert focused() is sale_input
    # a burst while the cashier is keying a tender: a scan, and the amount is left alone
    press(sale, Key.Key_F5)
    keys(sale, "DOG-LIC")
    press(sale, Key.Key_Return)
    assert [ref for ref, _q, _a in lines(sale)] == ["UB-100234", "DOG-LIC"]
    assert sale.find(QListWidget, "tenderList").count() == 0
    # a person: a key every 200 ms; Tab is just Tab and nothing is looked up
    wedge.clock = StepClock(200)
    keys(sale, "COPIES")
    press(sale, Key.Key_Tab)
    assert sale_input.text() == "COPIES"
    assert focused() is not sale_input
    assert len(lines(sale)) == 2


def test_a_serial_scan_adds_the_line(sale: Counter) -> None:
    sale.window.ctx.bridge.happened.emit(Scanned("UB-100234"))
    sale.idle()
    assert lines(sale) == [("UB-100234", "1", "82.15")]
    assert "82.15" in label(sale, "totalDue")


# -- small parts -------------------------------------------------------------------------------


def test_quantity_syntax_and_quick_cash_rounding() -> None:
    assert split_quantity("COPIES*12") == ("COPIES", 12)
    assert split_quantity("12*COPIES") == ("COPIES", 12)
    assert split_quantity("UB-100234") == ("UB-100234", None)
    assert round_up(Money.parse("82.15"), 500) == Money.parse("85.00")
    assert round_up(Money.parse("82.15"), 10000) == Money.parse("100.00")
    assert round_up(Money.parse("20.00"), 2000) == Money.parse("20.00")


def test_every_control_has_an_object_name_and_an_accessible_name(sale: Counter) -> None:
    controls = (QLabel, QLineEdit, QPushButton, QListWidget, QTableWidget, QFrame)
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r} {w.accessibleName()!r}"
        for w in screen(sale).findChildren(QWidget)
        if isinstance(w, controls)
        and not w.objectName().startswith("qt_")
        and not _inside_a_view(w)
        and not (w.objectName() and w.accessibleName())
    ]
    assert unnamed == []


def _inside_a_view(widget: Any) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False
