"""Opening a drawer by the ten-key and closing it blind, through the window's keys only.

Every step types into whatever has the focus (so the tests also prove where the cursor goes);
the Desk is called directly only to check results afterwards, and to ring up a sale before a
close (the sale screen is not what is under test here).
"""

from __future__ import annotations

from typing import Any

import pytest

from cashier_desk.desk.requests import ItemRequest, TenderRequest
from cashier_desk.ledger.drawer import DENOMINATIONS
from cashier_desk.money import Money
from cashier_desk.ui.qt import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QWidget,
)
from cashier_desk.ui.screens.drawer import CloseDrawerScreen
from cashier_desk.ui.widgets.approver import ApproverDialog
from tests.ui.conftest import Counter
from tests.ui.keys import focused, wait_focus

CTRL = Qt.KeyboardModifier.ControlModifier


def keys(counter: Counter, text: str = "", key: Any = None, modifier: Any = None) -> None:
    """Type ``text`` and then press ``key`` into whatever has the focus, like a cashier."""
    if text:
        counter.qtbot.keyClicks(focused(), text)
    if key is not None:
        if modifier is None:
            counter.qtbot.keyClick(focused(), key)
        else:
            counter.qtbot.keyClick(focused(), key, modifier)


def enter(counter: Counter, text: str = "") -> None:
    keys(counter, text, Qt.Key.Key_Return)


def count_rows(counter: Counter, counts: dict[str, int]) -> None:
    """From the first denomination row: each count then Enter, all twelve rows."""
    for denom in DENOMINATIONS:
        n = counts.get(str(denom))
        enter(counter, str(n) if n else "")


def start(counter: Counter, user: str = "amy", pin: str = "4821") -> None:
    counter.window.activateWindow()
    counter.qtbot.waitUntil(lambda: QApplication.activeWindow() is counter.window)
    counter.login(user, pin)


def open_drawer(counter: Counter, counts: dict[str, int]) -> None:
    assert counter.screen() == "open_drawer"
    assert focused().objectName() == "openCount_10000"
    count_rows(counter, counts)
    counter.idle()
    assert counter.screen() == "sale"


def go_close(counter: Counter) -> None:
    keys(counter, "", Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
    counter.idle()
    assert counter.screen() == "close_drawer"
    assert focused().objectName() == "closeCount_10000"


def over_short(counter: Counter) -> dict[str, str]:
    labels = counter.window.findChildren(QLabel, "overShort")
    return {label.property("tender"): label.text() for label in labels if label.isVisible()}


def visible_texts(root: QWidget) -> list[str]:
    """The text of every visible widget under ``root``: labels, fields (and their placeholders),
    buttons, table and list cells and headers, titles, tool tips, accessible names."""
    out: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        for attr in (
            "text",
            "placeholderText",
            "toPlainText",
            "currentText",
            "title",
            "windowTitle",
            "toolTip",
            "accessibleName",
            "accessibleDescription",
        ):
            getter = getattr(widget, attr, None)
            if callable(getter):
                try:
                    value = getter()
                except TypeError:
                    continue
                if isinstance(value, str):
                    out.append(value)
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                out.append(str(model.headerData(row, Qt.Orientation.Vertical)))
                for col in range(model.columnCount()):
                    out.append(str(model.data(model.index(row, col))))
            for col in range(model.columnCount()):
                out.append(str(model.headerData(col, Qt.Orientation.Horizontal)))
    return out


# -- opening ---------------------------------------------------------------------------------


def test_a_cashier_opens_a_drawer_with_the_ten_key(counter: Counter) -> None:
    start(counter)
    total = counter.find(QLabel, "openTotal")
    assert total.text() == "Change fund: 0.00"
    # 1 x 100, 2 x 20, 5 x 1, 4 x 0.25 = 146.00; the keypad's Enter works like Return
    for denom in DENOMINATIONS[:-1]:
        n = {"100.00": "1", "20.00": "2", "1.00": "5", "0.25": "4"}.get(str(denom), "")
        keys(counter, n, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert focused().objectName() == "openCount_1"
    assert total.text() == "Change fund: 146.00"
    assert counter.find(QLabel, "openLine_2000").text() == "= 40.00"
    assert counter.desk.current_session() is None
    enter(counter)  # Enter on the last row opens the drawer
    counter.idle()
    assert counter.screen() == "sale"
    session = counter.desk.current_session()
    assert session is not None
    assert session.opening == Money.parse("146.00")
    assert session.drawer == "D1"
    assert "146.00" in counter.window.banner.text()


def test_the_running_total_follows_every_key_and_counts_take_digits_only(
    counter: Counter,
) -> None:
    start(counter)
    total = counter.find(QLabel, "openTotal")
    enter(counter)  # no 100s
    enter(counter)  # no 50s
    assert focused().objectName() == "openCount_2000"
    keys(counter, "3")
    assert total.text() == "Change fund: 60.00"
    keys(counter, "5")
    assert total.text() == "Change fund: 700.00"
    keys(counter, "", Qt.Key.Key_Backspace)
    assert total.text() == "Change fund: 60.00"
    keys(counter, "a.-+")  # refused: counts are whole numbers
    assert counter.find(QLineEdit, "openCount_2000").text() == "3"
    enter(counter, "")
    keys(counter, "1")  # one 10
    assert total.text() == "Change fund: 70.00"
    assert counter.desk.current_session() is None


def test_ctrl_enter_opens_from_any_row_and_the_drawer_id_can_be_changed(
    counter: Counter,
) -> None:
    start(counter)
    keys(counter, "", Qt.Key.Key_Backtab)
    assert focused().objectName() == "drawerId"
    keys(counter, "", Qt.Key.Key_A, CTRL)
    enter(counter, "D7")
    assert focused().objectName() == "openCount_10000"
    enter(counter, "2")
    keys(counter, "", Qt.Key.Key_Return, CTRL)
    counter.idle()
    assert counter.screen() == "sale"
    session = counter.desk.current_session()
    assert session is not None and session.drawer == "D7"
    assert session.opening == Money.parse("200.00")


def test_a_drawer_already_open_sends_the_cashier_to_the_sale_screen(counter: Counter) -> None:
    start(counter)
    open_drawer(counter, {"100.00": 1})
    keys(counter, "", Qt.Key.Key_O, CTRL)  # Counter > Open drawer
    counter.idle()
    assert counter.screen() == "sale"


def test_a_drawer_in_use_is_refused_with_the_desks_message(counter: Counter) -> None:
    start(counter)
    open_drawer(counter, {"100.00": 1})
    keys(counter, "", Qt.Key.Key_Q, CTRL)  # log out; amy's drawer stays open
    counter.idle()
    counter.login("bob", "2468")
    assert counter.screen() == "open_drawer"
    count_rows(counter, {"50.00": 1})
    counter.idle()
    assert counter.screen() == "open_drawer"
    assert counter.window.banner.text() == "Drawer D1 is already open."
    assert counter.find(QPushButton, "openDrawerButton").isEnabled()
    sessions = counter.desk.day_sessions()
    assert [s.cashier for s in sessions] == ["amy"]


# -- closing ---------------------------------------------------------------------------------


def finish_close(counter: Counter) -> None:
    """From the check number: no more checks, no money orders, no card; Enter submits."""
    assert focused().objectName() == "checkNumber"
    enter(counter)
    assert focused().objectName() == "moneyOrderNumber"
    enter(counter)
    assert focused().objectName() == "cardTotal"
    enter(counter)
    assert focused().objectName() == "submitCountButton"
    enter(counter)
    counter.idle()


def test_an_exact_count_closes_with_no_over_short_and_no_approval(counter: Counter) -> None:
    start(counter)
    open_drawer(counter, {"100.00": 1, "0.25": 8})
    go_close(counter)
    assert counter.find(QLabel, "closeSessionInfo").text().startswith("Drawer D1, session ")
    count_rows(counter, {"50.00": 2, "1.00": 2})
    assert counter.find(QLabel, "closeTotal").text() == "Cash counted: 102.00"
    finish_close(counter)
    assert over_short(counter) == {
        "cash": "Cash: 0.00",
        "check": "Checks: 0.00",
        "money_order": "Money orders: 0.00",
        "card": "Card: 0.00",
    }
    assert not counter.find(QPushButton, "approveCloseButton").isVisible()
    assert focused().objectName() == "closeLogoutButton"
    assert [s.state for s in counter.desk.day_sessions()] == ["closed"]
    enter(counter)  # Log out
    counter.idle()
    assert counter.desk.user is None
    assert counter.screen() == "login"


def test_a_close_short_by_ten_needs_a_lead_who_approves_in_the_dialog(counter: Counter) -> None:
    start(counter)
    open_drawer(counter, {"100.00": 1})
    go_close(counter)
    count_rows(counter, {"50.00": 1, "20.00": 2})
    finish_close(counter)
    shown = over_short(counter)
    assert shown["cash"] == "Cash: 10.00 short"
    assert shown["check"] == "Checks: 0.00"
    cash = next(
        label
        for label in counter.window.findChildren(QLabel, "overShort")
        if label.property("tender") == "cash"
    )
    assert cash.property("negative") is True
    assert "b00020" in cash.styleSheet()
    assert not counter.find(QPushButton, "closeLogoutButton").isVisible()
    assert focused().objectName() == "approveCloseButton"
    assert [s.state for s in counter.desk.day_sessions()] == ["awaiting_approval"]

    # a cashier may not approve: the Desk's refusal is shown and the button waits
    enter(counter)
    dialog = counter.window.findChild(ApproverDialog, "approverDialog")
    assert dialog is not None and dialog.isVisible()
    wait_focus(counter, "approverLogin")
    enter(counter, "bob")
    enter(counter, "2468")
    enter(counter, "recounted")
    counter.idle()
    assert counter.window.banner.property("kind") == "error"
    assert [s.state for s in counter.desk.day_sessions()] == ["awaiting_approval"]
    wait_focus(counter, "approveCloseButton")

    keys(counter, "", Qt.Key.Key_Return, CTRL)  # Ctrl+Enter works too
    dialogs = [d for d in counter.window.findChildren(ApproverDialog) if d.isVisible()]
    assert len(dialogs) == 1
    wait_focus(counter, "approverLogin")
    enter(counter, "lee")
    enter(counter, "1111")
    enter(counter, "counted twice, a 10 missing")
    counter.idle()
    assert [s.state for s in counter.desk.day_sessions()] == ["closed"]
    assert "lee" in counter.find(QLabel, "closeStatus").text()
    wait_focus(counter, "closeLogoutButton")
    enter(counter)
    counter.idle()
    assert counter.screen() == "login"


def test_checks_are_listed_one_by_one_and_a_wrong_one_is_deleted(counter: Counter) -> None:
    start(counter)
    open_drawer(counter, {"100.00": 1})
    counter.desk.sale(
        [ItemRequest(code="MISC", amount=Money.parse("45.00"))],
        [
            TenderRequest("check", Money.parse("30.00"), number="1001"),
            TenderRequest("card", Money.parse("15.00"), auth="A1B2C3", last4="4242"),
        ],
    )
    go_close(counter)
    count_rows(counter, {"100.00": 1})
    enter(counter, "1001")
    assert focused().objectName() == "checkAmount"
    enter(counter, "30.00")
    assert focused().objectName() == "checkNumber"
    enter(counter, "9999")
    enter(counter, "abc")  # not an amount: refused by the field, nothing added
    enter(counter)
    assert focused().objectName() == "checkAmount"
    assert counter.window.banner.property("kind") == "error"
    enter(counter, "5.00")
    table = counter.find(QAbstractItemView, "checkList")
    assert table.model().rowCount() == 2
    assert counter.find(QLabel, "checkSummary").text() == "2 checks, 35.00"
    keys(counter, "", Qt.Key.Key_Tab)
    keys(counter, "", Qt.Key.Key_Tab)  # past the amount to the list
    assert focused() is table
    keys(counter, "", Qt.Key.Key_Down)  # the second check, the wrong one
    assert table.currentIndex().row() == 1
    keys(counter, "", Qt.Key.Key_Delete)
    assert table.model().rowCount() == 1
    assert counter.find(QLabel, "checkSummary").text() == "1 check, 30.00"
    counter.find(QLineEdit, "checkNumber").setFocus()
    enter(counter)
    enter(counter)  # no money orders
    enter(counter, "15.00")  # card batch
    assert focused().objectName() == "submitCountButton"
    enter(counter)
    counter.idle()
    assert set(over_short(counter).values()) == {
        "Cash: 0.00",
        "Checks: 0.00",
        "Money orders: 0.00",
        "Card: 0.00",
    }
    assert [s.state for s in counter.desk.day_sessions()] == ["closed"]


@pytest.mark.parametrize("forbidden", [("120.00", "20.00")])
def test_the_close_screen_shows_no_expected_figure_before_submission(
    counter: Counter, forbidden: tuple[str, ...]
) -> None:
    start(counter)
    open_drawer(counter, {"100.00": 1})
    counter.desk.sale(
        [ItemRequest(code="MISC", amount=Money.parse("20.00"))],
        [TenderRequest("cash", Money.parse("20.00"))],
    )
    go_close(counter)
    screen = counter.window.current_screen()
    assert isinstance(screen, CloseDrawerScreen)

    def leaks() -> list[str]:
        return [t for t in visible_texts(counter.window) if any(f in t for f in forbidden)]

    assert visible_texts(counter.window)  # the search does see the screen's text
    assert "Cash counted: 0.00" in visible_texts(counter.window)
    assert leaks() == []
    assert over_short(counter) == {}
    # still nothing while the cashier counts (50 x 2 and 1 x 5: 105.00)
    count_rows(counter, {"50.00": 2, "1.00": 5})
    assert "Cash counted: 105.00" in visible_texts(counter.window)
    assert leaks() == []
    finish_close(counter)
    assert over_short(counter)["cash"] == "Cash: 15.00 short"
    assert "Cash: 15.00 short" in visible_texts(counter.window)  # the search sees it now
    assert counter.find(QPushButton, "approveCloseButton").isVisible()


def test_a_close_without_an_open_drawer_goes_to_open_drawer(counter: Counter) -> None:
    start(counter)
    keys(counter, "", Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
    counter.idle()
    assert counter.screen() == "open_drawer"
    assert counter.window.banner.text() == "You have no drawer open to close."
