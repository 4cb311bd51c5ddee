"""An amount with a third decimal is refused, never cut to cents; and the banner's colour is the
kind of its message: red an error, amber a warning, green a success."""

from __future__ import annotations

import pytest

from cashier_desk.money import Money
from cashier_desk.ui.qt import QColor, QLineEdit, QListWidget, Qt
from cashier_desk.ui.widgets.money import MoneyEdit
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press

Key = Qt.Key
RED, AMBER, GREEN = QColor("#b00020"), QColor("#ffb000"), QColor("#006400")


def banner_colour(c: Counter) -> QColor:
    banner = c.window.banner
    assert banner.isVisible()
    return banner.grab().toImage().pixelColor(2, 2)  # inside the padding: the background


def banner(c: Counter) -> str:
    return str(c.window.banner.text())


def test_a_third_decimal_is_kept_marked_and_refused(counter: Counter) -> None:
    field = MoneyEdit("Amount")
    counter.qtbot.addWidget(field)
    counter.qtbot.keyClicks(field, "12.345")
    assert field.text() == "12.345"  # not cut to 12.34
    assert field.money() is None
    assert field.property("invalid") is True
    assert "more than two decimals" in (field.problem() or "")
    counter.qtbot.keyClick(field, Key.Key_Backspace)
    assert field.money() == Money.parse("12.34")
    assert field.property("invalid") is False and field.problem() is None


def test_a_tender_of_12_345_is_refused_with_a_red_message(sale: Counter) -> None:
    sale.qtbot.keyClicks(focused(), "DOG-LIC")
    press(sale, Key.Key_Return)
    press(sale, Key.Key_F5)  # cash: the amount field, with what is due selected
    amount = sale.find(QLineEdit, "tenderAmount")
    assert focused() is amount
    sale.qtbot.keyClicks(amount, "12.345")
    assert amount.text() == "12.345"
    assert "12.345 has more than two decimals" in banner(sale)
    assert banner_colour(sale) == RED
    press(sale, Key.Key_Return)  # refused: no tender taken, the field keeps what was typed
    assert sale.find(QListWidget, "tenderList").count() == 0
    assert amount.text() == "12.345"
    assert "more than two decimals" in banner(sale)


def test_an_amount_asked_on_the_sale_screen_refuses_12_345(sale: Counter) -> None:
    sale.qtbot.keyClicks(focused(), "UB-100234")
    press(sale, Key.Key_Return)
    press(sale, Key.Key_F4)  # the amount paid on the bill
    field = sale.find(QLineEdit, "salePromptAmount")
    assert focused() is field
    sale.qtbot.keyClicks(field, "12.345")
    press(sale, Key.Key_Return)
    assert field.isVisible() and field.text() == "12.345"
    assert "more than two decimals" in banner(sale)
    screen = sale.window.screens["sale"]
    assert [str(line.amount) for line in screen.lines] == ["82.15"]  # type: ignore[attr-defined]


def test_the_banner_colour_is_the_kind_of_the_message(sale: Counter) -> None:
    sale.ctx.show_error("Refused.")
    assert sale.window.banner.property("kind") == "error"
    assert banner_colour(sale) == RED
    sale.ctx.show_warning("Saved; printing later.")
    assert banner_colour(sale) == AMBER
    sale.ctx.show_info("Done.")
    assert banner_colour(sale) == GREEN
    # a search that finds nothing is a warning, not a success
    sale.window.trigger("receipts")
    sale.idle()
    number = sale.find(QLineEdit, "searchNumber")
    sale.qtbot.keyClicks(number, "W9-")
    sale.qtbot.keyClick(number, Key.Key_Return)
    sale.idle()
    assert "No receipt matches" in banner(sale)
    assert banner_colour(sale) == AMBER
    with pytest.raises(ValueError):
        sale.window.show_message("?", kind="news")
