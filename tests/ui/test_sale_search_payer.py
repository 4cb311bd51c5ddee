"""Finding someone at the counter and who paid: the open items found show program, due date,
status and the whole amount due, "no match" is said, and the payer of a sale (the open item's
name unless the cashier keys another) is on its receipt, so receipt research finds it."""

from __future__ import annotations

from cashier_desk.desk import OpenItemView
from cashier_desk.money import Money
from cashier_desk.ui.qt import QFontMetrics, QLabel, QLineEdit, QListWidget, Qt, QTableWidget
from cashier_desk.ui.widgets.item_results import describe
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def keys(c: Counter, text: str) -> None:
    c.qtbot.keyClicks(focused(), text)


def test_each_item_found_shows_program_due_date_status_and_the_whole_amount(
    sale: Counter,
) -> None:
    item = sale.desk.open_item("UB-100234")
    assert item is not None
    results = sale.find(QListWidget, "saleSearchResults")
    keys(sale, "Vera Oy")
    sale.qtbot.waitUntil(lambda: results.isVisible() and results.count() >= 1, timeout=3000)
    texts = [results.item(row).text() for row in range(results.count())]
    [found] = [text for text in texts if item.ref in text]
    who, owed = found.split("\n")
    assert "Vera Oyelaran" in who and item.address in who
    assert owed.startswith(f"{item.still_due} due")
    for part in (item.program.title(), f"due date {item.due_date}", item.status, item.ref):
        assert part in owed
    # nothing of it is cut off: the amount line fits the list, which never scrolls sideways
    metrics = QFontMetrics(results.font())
    assert metrics.horizontalAdvance(owed) <= results.viewport().width()
    assert results.horizontalScrollBar().maximum() == 0


def test_a_search_that_finds_nothing_says_no_match(sale: Counter) -> None:
    results = sale.find(QListWidget, "saleSearchResults")
    none = sale.find(QLabel, "saleNoMatch")
    keys(sale, "Zzqxw")
    sale.qtbot.waitUntil(lambda: none.isVisible(), timeout=3000)
    assert none.text().startswith("No match for “Zzqxw”")
    assert not results.isVisible()
    press(sale, Key.Key_Escape)  # clears the input and the answer
    assert not none.isVisible()
    # a fee code being typed is not "no match": Enter adds it
    keys(sale, "DOG-L")
    sale.qtbot.wait(400)
    sale.idle()
    assert not none.isVisible()


def test_the_payer_is_the_open_items_name_by_default_and_goes_on_the_receipt(
    sale: Counter,
) -> None:
    payer = sale.find(QLineEdit, "salePayer")
    assert payer.text() == ""
    keys(sale, "DOG-LIC")
    press(sale, Key.Key_Return)
    assert payer.text() == ""  # a fee has no name on it
    keys(sale, "UB-100234")
    press(sale, Key.Key_Return)
    assert payer.text() == "Vera Oyelaran"
    press(sale, Key.Key_F9)
    press(sale, Key.Key_F10)
    sale.qtbot.waitUntil(lambda: bool(sale.desk.receipts()), timeout=5000)
    found = sale.desk.search_receipts(payer="oyel")
    assert [r.receipt_no for r in found] == ["W1-000001"]
    # the next customer starts with no payer
    press(sale, Key.Key_Return)
    assert payer.text() == ""


def test_a_keyed_payer_stays_and_receipt_search_finds_it(sale: Counter) -> None:
    payer = sale.find(QLineEdit, "salePayer")
    keys(sale, "UB-100234")
    press(sale, Key.Key_Return)
    assert payer.text() == "Vera Oyelaran"
    press(sale, Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert focused() is payer
    payer.selectAll()
    keys(sale, "Sam Brightwater")
    press(sale, Key.Key_Return)  # back to the input
    assert focused().objectName() == "saleInput"
    keys(sale, "PC-2026-000001")
    press(sale, Key.Key_Return)
    assert payer.text() == "Sam Brightwater"  # a second item does not undo what was keyed
    press(sale, Key.Key_F9)
    press(sale, Key.Key_F10)
    sale.qtbot.waitUntil(lambda: bool(sale.desk.receipts()), timeout=5000)
    # Ctrl+F, the payer, Enter: the receipt is found by the name keyed
    press(sale, Key.Key_F, CTRL)
    assert sale.screen() == "receipts"
    field = sale.find(QLineEdit, "searchPayer")
    field.setFocus()
    keys(sale, "brightw")
    press(sale, Key.Key_Return)
    table = sale.find(QTableWidget, "receiptResults")
    sale.qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=3000)
    assert table.item(0, 0).text() == "W1-000001"
    assert table.item(0, 2).text() == "Sam Brightwater"


def _found(still_due: str, status: str) -> OpenItemView:
    return OpenItemView("PC-1", "PARKING", "7ABC123", "Ann Lee", "1 Main St", Money.parse("50.00"),
                        Money.parse(still_due), "2026-11-30", "PKG-CIT", status)  # fmt: skip


def test_an_item_found_shows_what_the_counter_charges_and_the_bill_only_when_part_paid() -> None:
    """What is due is ``lookup``'s (the Desk's): a late citation's penalties are in it, and the
    amount billed follows it only when part of it was paid."""
    assert describe(_found("100.00", "open")).split("\n")[1].startswith("100.00 due · Parking")
    assert "(of 50.00)" in describe(_found("20.00", "open"))
    assert describe(_found("85.00", "plan")).split("\n")[1].startswith("85.00 due · Parking")
    assert " · PLAN · " in describe(_found("85.00", "plan"))


def test_an_item_a_returned_check_made_shows_its_own_description() -> None:
    """programs.md: a line taken back becomes the item ``Returned check <receipt> line <n>``;
    the search results say that in place of the program."""
    made = OpenItemView("W1-RC000001-L2", "MISC", "ACCT-9", "Bo Chan", "2 Elm St",
                        Money.parse("12.00"), Money.parse("12.00"), "2026-12-11", "MISC", "open",
                        description="Returned check W1-000001 line 2")  # fmt: skip
    assert describe(made).split("\n")[1] == (
        "12.00 due · Returned check W1-000001 line 2 · due date 2026-12-11 · open · W1-RC000001-L2"
    )
