"""Cash rounding on the sale screen (issue 14, item 5; programs.md, "Cash rounding"): the
window rounds nothing, it shows what the Desk's quote with a cash tender gives — the cash total
beside the total, then, once the tenders are all cash, the Desk's ``Cash rounding`` line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cashier_desk.money import Money
from cashier_desk.ui.qt import QLabel, Qt, QTableWidget
from cashier_desk.ui.screens.sale import SaleScreen
from tests.helpers import import_city
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press
from tests.ui.steps import at_sale

Key = Qt.Key
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed\n"
    "ODD-FEE,Odd fee,CLERK,101-0000-41300,fixed,10.02,no\n"
    "UP-FEE,Rounded up fee,CLERK,101-0000-41300,fixed,10.03,no\n"
)
ITEMS = "ref,program,account,name,address,amount_due,due_date,revenue_code,status\n"


def rounding_to(c: Counter, step: str) -> SaleScreen:
    """The counter rounds cash to ``step`` ([policy] cash_rounding), the Desk and the window."""
    s = c.window.screens["sale"]
    assert isinstance(s, SaleScreen)
    config = dataclasses.replace(c.desk.config, cash_rounding=Money.parse(step))
    c.desk.config = config
    s.ctx.config = config
    return s


@pytest.fixture
def rounding(make_counter: object, tmp_path: Path) -> Counter:
    c = make_counter()  # type: ignore[operator]
    import_city(c.app, tmp_path, CODES, ITEMS)
    return at_sale(c)


def ring(c: Counter, code: str) -> None:
    c.qtbot.keyClicks(focused(), code)
    press(c, Key.Key_Return)


def rows(c: Counter) -> list[tuple[str, str]]:
    table: QTableWidget = c.find(QTableWidget, "saleLines")
    return [(table.item(r, 0).text(), table.item(r, 3).text()) for r in range(table.rowCount())]


def test_exact_cash_takes_the_rounded_total_and_the_rounding_line_shows(
    rounding: Counter,
) -> None:
    sale = rounding_to(rounding, "0.05")
    ring(rounding, "ODD-FEE")
    total: QLabel = rounding.find(QLabel, "totalDue")
    cash: QLabel = rounding.find(QLabel, "saleCashTotal")
    rounding.qtbot.waitUntil(lambda: cash.isVisible())
    assert (total.text(), cash.text()) == (
        "TOTAL 10.02",
        "In cash: 10.00 (the Desk's cash rounding)",
    )
    assert rows(rounding) == [("Odd fee", "10.02")]  # no tender yet: no line
    press(rounding, Key.Key_F9)  # exact cash: the Desk's cash total
    assert [(t.kind, str(t.amount)) for t in sale.tender.tenders] == [("cash", "10.00")]
    assert rows(rounding) == [("Odd fee", "10.02"), ("Cash rounding", "-0.02")]
    assert total.text() == "TOTAL 10.00" and not cash.isVisible()
    assert sale.tender.covered() and sale.tender.change() == Money(0)
    press(rounding, Key.Key_F10)
    rounding.qtbot.waitUntil(lambda: sale.result is not None)
    assert sale.result is not None and str(sale.result.total) == "10.00"


def test_rounding_up_asks_the_cash_total_and_a_card_shows_no_line(rounding: Counter) -> None:
    sale = rounding_to(rounding, "0.05")
    ring(rounding, "UP-FEE")
    cash: QLabel = rounding.find(QLabel, "saleCashTotal")
    rounding.qtbot.waitUntil(lambda: cash.isVisible())
    assert cash.text() == "In cash: 10.05 (the Desk's cash rounding)"
    press(rounding, Key.Key_F8)  # a card: nothing is rounded
    assert str(sale.tender.amount.money()) == "10.03"
    press(rounding, Key.Key_Escape)
    press(rounding, Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # quick cash: $20
    assert rows(rounding)[-1] == ("Cash rounding", "0.02")
    assert str(sale.tender.change()) == "9.95"


def test_without_cash_rounding_nothing_changes(rounding: Counter) -> None:
    sale = rounding_to(rounding, "0.01")
    ring(rounding, "ODD-FEE")
    press(rounding, Key.Key_F9)
    assert rows(rounding) == [("Odd fee", "10.02")]
    assert rounding.find(QLabel, "totalDue").text() == "TOTAL 10.02"
    assert str(sale.tender.tenders[0].amount) == "10.02"
