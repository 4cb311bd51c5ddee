"""Logging in, the lockout's message, logging out, Quit and the close button, through the
window."""

from __future__ import annotations

from collections.abc import Callable

from cashier_desk.ui.main_window import LOCKED, MID_SALE
from cashier_desk.ui.qt import Qt
from tests.ui.conftest import Counter
from tests.ui.keys import focused
from tests.ui.steps import at_sale_with_a_line


def test_a_cashier_logs_in_with_the_keyboard_and_lands_on_open_drawer(counter: Counter) -> None:
    counter.login("amy", "4821")
    assert counter.desk.user is not None and counter.desk.user.login == "amy"
    assert counter.screen() == "open_drawer"
    assert "Amy" in counter.window.person.text()


def test_a_wrong_pin_shows_a_message_and_stays_on_login(counter: Counter) -> None:
    counter.login("amy", "0000")
    assert counter.desk.user is None
    assert counter.screen() == "login"
    assert counter.window.banner.isVisible()
    assert "wrong PIN" in counter.window.banner.text()


def test_the_wrong_pin_message_counts_the_tries_left_in_good_english(counter: Counter) -> None:
    for _ in range(3):
        counter.login("bob", "0000")
    assert "(2 tries left)" in counter.window.banner.text()
    counter.login("bob", "0000")
    assert "(1 try left)" in counter.window.banner.text()


# -- log out, quit, close ------------------------------------------------------------------------


def _audit(counter: Counter) -> list[str]:
    with counter.app.ledger.read() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT action FROM audit_log ORDER BY seq")]


def test_ctrl_q_logs_out_and_the_menu_has_quit(counter: Counter) -> None:
    counter.login("amy", "4821")
    quit_action, role = counter.window.menu_actions["quit"]
    assert quit_action.shortcut().toString() == "Ctrl+Shift+Q" and role == "cashier"
    menus = [a.text() for m in counter.window.menuBar().actions() for a in m.menu().actions()]
    assert "&Quit" in menus
    counter.qtbot.keyClick(focused(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    counter.idle()
    assert counter.desk.user is None and counter.screen() == "login"
    assert counter.window.isVisible()


def test_quit_is_refused_mid_sale_and_quits_once_the_sale_is_done(counter: Counter) -> None:
    sale = at_sale_with_a_line(counter)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    counter.qtbot.keyClick(focused(), Qt.Key.Key_Q, ctrl_shift)
    counter.idle()
    assert counter.window.isVisible()
    assert MID_SALE in counter.window.banner.text()
    assert not counter.window.close()  # the close button asks the same
    assert counter.window.isVisible() and counter.desk.logged_in() == "amy"

    sale.drop_sale()
    counter.qtbot.keyClick(focused(), Qt.Key.Key_Q, ctrl_shift)
    counter.idle()
    counter.qtbot.waitUntil(lambda: not counter.window.isVisible())
    assert counter.desk.user is None and _audit(counter)[-1] == "logout"


def test_a_locked_counter_cannot_be_closed_but_an_empty_login_can(
    make_counter: Callable[..., Counter],
) -> None:
    counter = make_counter()
    counter.login("amy", "4821")
    counter.window.trigger("lock")
    assert not counter.window.close()
    assert counter.window.isVisible() and LOCKED in counter.window.banner.text()
    assert counter.desk.logged_in() == "amy"

    fresh = make_counter()
    assert fresh.window.close()
    assert not fresh.window.isVisible()
