"""Contests and payment plans from the sale screen (issue 14, item 5), keyboard only: Alt+T
contests the chosen citation (a lead's login and PIN asked once the time has passed), Alt+N puts
one on a plan and shows the schedule; the label under the lines shows the item's status and
parts. What happened is checked through the Desk's ``lookup`` after."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cashier_desk.money import Money
from cashier_desk.ui.qt import QApplication, QLabel, Qt, QTableWidget
from cashier_desk.ui.screens.sale import SaleScreen
from tests.doubles import MemoryPrinter
from tests.helpers import FakeClock, import_city
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press, wait_focus
from tests.ui.steps import at_sale

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
STATE = "250-0000-22010=3.00;250-0000-22020=4.50;250-0000-22030=5.00;101-0000-41300"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    f'PKG-CIT,Parking citation,PARKING,"{STATE}",open,,no,citation\n'
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status,issued,notice\n"
    "PC-1001,PARKING,7ABC123,Ann Lee,1 Main St,50.00,2026-11-30,PKG-CIT,open,2026-11-09,\n"
    "PC-1002,PARKING,7ABC124,Bo Ray,2 Main St,50.00,2026-11-30,PKG-CIT,open,2026-10-01,\n"
)


@pytest.fixture
def city(make_counter: object, tmp_path: Path) -> Counter:
    """Amy at the sale screen on 2026-12-10: both citations are ten days late (the default
    penalty, 100%, is in force) and the time to contest PC-1001 (21 days from 11-09) has
    passed."""
    clock = FakeClock(datetime(2026, 12, 10, 18, 0, tzinfo=UTC))
    c = make_counter(clock=clock)  # type: ignore[operator]
    import_city(c.app, tmp_path, CODES, ITEMS)
    return at_sale(c)


def sale(c: Counter) -> SaleScreen:
    s = c.window.screens["sale"]
    assert isinstance(s, SaleScreen)
    return s


def keys(c: Counter, text: str, *, enter: bool = True) -> None:
    c.qtbot.keyClicks(focused(), text)
    if enter:
        press(c, Key.Key_Return)


def add_item(c: Counter, ref: str) -> None:
    assert focused().objectName() == "saleInput"
    keys(c, ref)
    c.qtbot.waitUntil(lambda: any(line.ref == ref for line in sale(c).lines))
    c.idle()


def status_label(c: Counter) -> QLabel:
    label: QLabel = c.find(QLabel, "saleItemStatus")
    return label


def test_the_label_under_the_lines_shows_the_fine_and_the_penalty(city: Counter) -> None:
    add_item(city, "PC-1001")
    label = status_label(city)
    city.qtbot.waitUntil(lambda: label.isVisible() and "penalty" in label.text())
    assert label.text() == "PC-1001: open · fine 50.00 · penalty 50.00 · 100.00 due"


def test_a_late_contest_asks_a_lead_then_says_its_number_and_that_it_printed(
    city: Counter,
) -> None:
    add_item(city, "PC-1001")
    press(city, Key.Key_T, ALT)
    wait_focus(city, "contestLevel")  # the citation of the line is filled in
    press(city, Key.Key_Return)  # initial review, the first level
    keys(city, "meter broken")
    keys(city, "ann@example.org")
    press(city, Key.Key_Return)  # cannot pay: not ticked; Enter asks the Desk
    wait_focus(city, "contestLead")  # the time has passed: a lead's login and PIN
    assert city.desk.lookup("PC-1001").status == "open"
    keys(city, "lee")
    keys(city, "1111")
    city.qtbot.waitUntil(lambda: city.window.findChild(QLabel, "contestDialogNote") is None)
    assert "Contest W1-C000001 recorded for PC-1001; the acknowledgement printed." in (
        city.window.banner.text()  # type: ignore[attr-defined]
    )
    found = city.desk.lookup("PC-1001")
    assert (found.status, found.contest and found.contest["contest"]) == ("appeal", "W1-C000001")
    printer = city.desk.printer
    assert isinstance(printer, MemoryPrinter) and "W1-C000001" in printer.jobs[-1]
    label = status_label(city)
    city.qtbot.waitUntil(lambda: "appeal" in label.text())
    wait_focus(city, "saleInput")


def test_a_plan_typed_in_the_input_shows_its_schedule(city: Counter) -> None:
    keys(city, "PC-1002", enter=False)  # typed, not added: the plan is for what is typed
    press(city, Key.Key_N, ALT)
    wait_focus(city, "planMonthly")
    keys(city, "25.00")
    keys(city, "2027-01-10")
    press(city, Key.Key_Space)  # indigent: no penalty, the smaller fee
    press(city, Key.Key_Return)
    # before the lead is asked, the plan's total is shown (an outside trial: it was not)
    preview = city.desk.plan_preview("PC-1002", Money.parse("25.00"), "2027-01-10", indigent=True)
    said = city.find(QLabel, "dialogMessage")
    city.qtbot.waitUntil(lambda: f"The plan comes to {preview.total}" in said.text())
    assert focused().objectName() == "planLead" and city.desk.lookup("PC-1002").plan is None
    keys(city, "lee")
    keys(city, "1111")
    table = city.find(QTableWidget, "planSchedule")
    city.qtbot.waitUntil(lambda: table.isVisible() and table.rowCount() > 0)
    rows = [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
    assert rows[0] == ("2027-01-10", "25.00")
    found = city.desk.lookup("PC-1002")
    assert found.status == "plan" and found.plan is not None
    assert found.plan["instalments"][0]["due"] == "2027-01-10"
    assert str(found.amount_due) == found.plan["total"]
    printer = city.desk.printer
    assert isinstance(printer, MemoryPrinter)
    jobs = len(printer.jobs)
    press(city, Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # the schedule, printed
    city.qtbot.waitUntil(lambda: len(printer.jobs) == jobs + 1)
    slip = printer.jobs[-1]
    assert "P A Y M E N T" in slip and found.plan["plan"] in slip and "PC-1002" in slip
    assert "2027-01-10" in slip and found.plan["total"] in slip
    said = f"The schedule of plan {found.plan['plan']} printed."
    city.qtbot.waitUntil(lambda: said in city.window.banner.text())  # type: ignore[attr-defined]
    press(city, Key.Key_Return)  # the schedule read: Enter closes the dialog
    city.qtbot.waitUntil(lambda: city.window.findChild(QTableWidget, "planSchedule") is None)
    QApplication.processEvents()
    wait_focus(city, "saleInput")
    press(city, Key.Key_Return)  # the typed citation onto the sale: its next instalment
    city.qtbot.waitUntil(lambda: len(sale(city).lines) == 1)
    label = status_label(city)
    city.qtbot.waitUntil(lambda: label.isVisible() and "plan" in label.text())
    assert label.text() == (
        f"PC-1002: plan {found.plan['plan']} · next instalment 25.00 due 2027-01-10 · "
        f"{found.plan['total']} left"
    )


def test_a_late_citation_on_the_sale_shows_its_fine_and_penalty_lines(city: Counter) -> None:
    add_item(city, "PC-1001")
    table = city.find(QTableWidget, "saleLines")
    description = table.item(0, 0).text()
    assert description == (
        "Ann Lee — Parking citation\nParking citation 50.00 · Late penalty PC-1001 50.00"
    )
    assert table.item(0, 3).text() == "100.00"  # the item's sum, as before
    assert table.rowHeight(0) > table.fontMetrics().height() * 3 // 2  # both lines show


def test_a_plain_items_line_says_what_is_due_once() -> None:
    """An outside trial read "UB-100234: open · due 82.15 · 82.15 due" under the lines."""
    from cashier_desk.desk.lookup import Lookup
    from cashier_desk.ui.program_text import describe

    plain = Lookup("UB-100234", "open", Money(8215), (("due", Money(8215)),))
    assert describe(plain) == "UB-100234: open · 82.15 due"
    late = Lookup("PC-1", "open", Money(10000), (("fine", Money(5000)), ("penalty", Money(5000))))
    assert describe(late) == "PC-1: open · fine 50.00 · penalty 50.00 · 100.00 due"
