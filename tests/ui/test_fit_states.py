"""The screens in the states the demo day's pictures do not show still fit the strictest of the
counter screens (1280 across, as on a 1280×1024 screen; 700 down, as a 1366×768 screen leaves
a window) with the simulated printer's paper beside them: a question asked on the sale screen,
a card tender being keyed, the open items found, a close awaiting approval, and each dialog
of the counter's menu."""

from __future__ import annotations

from collections.abc import Callable

from cashier_desk.desk import BlindCount
from cashier_desk.money import Money
from cashier_desk.ui.fit import clipped
from cashier_desk.ui.qt import QApplication, QDialog, QLineEdit, QListWidget, QSize, Qt
from tests.ui.conftest import Counter
from tests.ui.keys import StepClock, focused

Key = Qt.Key
STRICTEST = QSize(1280, 700)


def whole(c: Counter) -> list[str]:
    c.window.resize(STRICTEST)
    c.idle()
    c.qtbot.wait(50)
    return clipped(c.window, STRICTEST)


def press(c: Counter, key: Key) -> None:
    c.qtbot.keyClick(focused(), key)
    c.idle()


def test_sale_screen_states_fit(make_counter: Callable[..., Counter]) -> None:
    c = make_counter(sims=True)
    c.login("amy", "4821")
    c.desk.open_drawer("D1", {Money.parse("20.00"): 5})
    c.window.show_screen("sale")
    c.idle()
    c.window.screens["sale"].wedge.clock = StepClock(200)  # type: ignore[attr-defined]
    assert whole(c) == []
    c.qtbot.keyClicks(focused(), "DUI-COST")  # an open fee: its amount is asked
    press(c, Key.Key_Return)
    assert c.find(QLineEdit, "salePromptAmount").isVisible()
    assert whole(c) == []
    c.qtbot.keyClicks(focused(), "1234.56")
    press(c, Key.Key_Return)
    c.qtbot.keyClicks(focused(), "PKG-CIT-PRM")
    press(c, Key.Key_Return)
    press(c, Key.Key_F8)  # a card: amount, last four, authorisation
    assert c.find(QLineEdit, "tenderAuth").isVisible()
    assert whole(c) == []
    c.qtbot.keyClicks(focused(), "100.00")
    press(c, Key.Key_Return)
    c.qtbot.keyClicks(focused(), "4242")
    press(c, Key.Key_Return)
    c.qtbot.keyClicks(focused(), "A1B2C3D4E5")
    press(c, Key.Key_Return)  # taken: the list of tenders shows it whole
    assert c.find(QListWidget, "tenderList").count() == 1
    assert whole(c) == []
    c.qtbot.keyClicks(focused(), "Oyelaran")  # the open items found, each on two lines
    c.qtbot.waitUntil(lambda: c.window.screens["sale"].results.items != [], timeout=3000)  # type: ignore[attr-defined]
    assert whole(c) == []


def test_a_close_awaiting_approval_fits(make_counter: Callable[..., Counter]) -> None:
    c = make_counter(sims=True)
    c.desk.login("amy", "4821")
    c.desk.open_drawer("D1", {Money.parse("20.00"): 5})
    c.desk.close_drawer(BlindCount(cash={Money.parse("20.00"): 3}))  # short 40.00: approve
    c.desk.logout()
    c.login("lee", "1111")
    c.window.show_screen("closeout")
    c.idle()
    assert "AWAITING APPROVAL" in c.window.screens["closeout"].table.item(0, 4).text()  # type: ignore[attr-defined]
    assert whole(c) == []


def test_each_dialog_of_the_counter_fits(make_counter: Callable[..., Counter]) -> None:
    c = make_counter(sims=True)
    c.login("amy", "4821")
    c.desk.open_drawer("D1", {Money.parse("20.00"): 5})
    c.window.show_screen("sale")
    c.idle()
    for action in ("drop", "paid_out", "no_sale", "void", "reprint"):
        c.window.trigger(action)
        c.idle()
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog)]
        shown = [d for d in dialogs if d.isVisible()]
        assert len(shown) == 1, action
        assert clipped(shown[0], STRICTEST) == [], action
        shown[0].reject()
        c.idle()
