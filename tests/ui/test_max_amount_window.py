"""``[policy] max_amount`` in the window: the sale screen's tender and amount fields, the
opening and closing counts and the cash dialogs refuse one cent more than the maximum and say
so in the banner; nothing reaches the ledger.  The maximum itself is taken."""

from __future__ import annotations

from cashier_desk.money import Money
from cashier_desk.runner import run_op
from cashier_desk.ui.qt import QLineEdit, QListWidget, Qt
from cashier_desk.ui.widgets.money import MoneyEdit
from tests.ui.conftest import Counter
from tests.ui.keys import StepClock, focused
from tests.ui.test_dialogs_closeout import CTRL, banner, enter, open_day, shown
from tests.ui.test_drawer_screens import count_rows, go_close, start
from tests.ui.test_drawer_screens import enter as key_enter

MAX = "1000000.00"
OVER = "1000000.01"


def press(c: Counter, key: Qt.Key) -> None:
    c.qtbot.keyClick(focused(), key)
    c.idle()


def test_an_amount_field_with_a_maximum_refuses_a_cent_more(counter: Counter) -> None:
    field = MoneyEdit("Amount")
    counter.qtbot.addWidget(field)
    field.maximum = Money.parse(MAX)
    counter.qtbot.keyClicks(field, OVER)
    assert field.money() is None and field.property("invalid") is True
    assert "max_amount" in (field.problem() or "")
    counter.qtbot.keyClick(field, Qt.Key.Key_Backspace)
    counter.qtbot.keyClicks(field, "0")
    assert field.money() == Money.parse(MAX) and field.problem() is None


def test_a_tender_over_the_maximum_is_refused_on_the_sale_screen(counter: Counter) -> None:
    open_day(counter)
    counter.window.show_screen("sale")
    counter.idle()
    counter.window.screens["sale"].wedge.clock = StepClock(200)  # type: ignore[attr-defined]
    counter.qtbot.keyClicks(focused(), "DOG-LIC")
    press(counter, Qt.Key.Key_Return)
    press(counter, Qt.Key.Key_F5)  # cash
    amount = counter.find(QLineEdit, "tenderAmount")
    assert focused() is amount
    amount.selectAll()
    counter.qtbot.keyClicks(amount, OVER)
    assert "max_amount" in banner(counter)
    press(counter, Qt.Key.Key_Return)
    assert counter.find(QListWidget, "tenderList").count() == 0
    assert "max_amount" in banner(counter)
    amount.selectAll()
    counter.qtbot.keyClicks(amount, MAX)
    press(counter, Qt.Key.Key_Return)
    assert counter.find(QListWidget, "tenderList").count() == 1


def test_an_opening_count_over_the_maximum_is_refused(counter: Counter) -> None:
    start(counter)
    assert counter.screen() == "open_drawer"
    count_rows(counter, {"100.00": 10001})  # Enter on the last row submits
    counter.idle()
    assert counter.screen() == "open_drawer"
    assert "max_amount" in banner(counter) and "100" in banner(counter)
    assert counter.desk.current_session() is None
    field = counter.find(QLineEdit, "openCount_10000")
    field.setFocus()
    field.selectAll()
    count_rows(counter, {"100.00": 10000})
    counter.idle()
    assert counter.screen() == "sale"
    session = counter.desk.current_session()
    assert session is not None and session.opening == Money.parse(MAX)


def test_a_card_total_over_the_maximum_is_refused_at_the_close(counter: Counter) -> None:
    start(counter)
    count_rows(counter, {"20.00": 5})
    counter.idle()
    go_close(counter)
    count_rows(counter, {"20.00": 5})
    key_enter(counter)  # no checks
    key_enter(counter)  # no money orders
    assert focused().objectName() == "cardTotal"
    key_enter(counter, OVER)
    counter.qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    counter.idle()
    assert "max_amount" in banner(counter)
    assert [s.state for s in counter.desk.day_sessions()] == ["open"]


def test_a_busy_drawer_whose_card_batch_is_over_the_maximum_closes(counter: Counter) -> None:
    """Two card payments of the maximum each: the batch total (twice the maximum) is taken by
    the count screen and the drawer closes with nothing over or short."""
    start(counter)
    count_rows(counter, {"20.00": 5})
    counter.idle()
    for auth in ("A1", "B2"):
        card = {"type": "card", "amount": MAX, "auth": auth, "last4": "1234"}
        sale = {"op": "sale", "items": [{"code": "MISC", "amount": MAX}], "tenders": [card]}
        assert run_op(counter.desk, sale)["ok"]
    go_close(counter)
    count_rows(counter, {"20.00": 5})
    key_enter(counter)  # no checks
    key_enter(counter)  # no money orders
    assert focused().objectName() == "cardTotal"
    key_enter(counter, "2000000.01")  # a cent more than two payments could make
    counter.qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    counter.idle()
    assert "2 card payment(s)" in banner(counter)
    card = counter.find(QLineEdit, "cardTotal")
    card.setFocus()
    card.selectAll()
    key_enter(counter, "2000000.00")
    counter.qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    counter.idle()
    assert banner(counter) == "The drawer is closed."  # the refusal before is not left up
    assert [s.state for s in counter.desk.day_sessions()] != ["open"]


def test_a_drop_over_the_maximum_is_refused_in_the_dialog(counter: Counter) -> None:
    open_day(counter)
    counter.qtbot.keyClick(focused(), Qt.Key.Key_D, CTRL)
    dialog = shown(counter, "dropDialog")
    enter(counter, "dropAmount", OVER)
    counter.idle()
    assert dialog.isVisible() and "max_amount" in banner(counter)
