"""People through the window: the idle lock and who may unlock it, the lockout after five
wrong PINs, and what a cashier's menus allow."""

from __future__ import annotations

from collections.abc import Callable

from cashier_desk.ui.qt import QKeySequence, QLineEdit, Qt
from tests.ui.conftest import Counter


def _idle_for(counter: Counter, seconds: float) -> None:
    counter.window.idle.last -= seconds
    counter.window._check_idle()


def test_the_counter_locks_after_idle_time_and_the_same_person_unlocks(counter: Counter) -> None:
    counter.login("amy", "4821")
    assert counter.screen() == "open_drawer"
    _idle_for(counter, 15 * 60 + 1)
    assert counter.screen() == "login"
    assert "locked" in counter.find(type(counter.window.banner), "lockNote").text()
    pin = counter.find(QLineEdit, "loginPin")
    assert pin.hasFocus() or counter.find(QLineEdit, "loginUser").text() == "amy"
    counter.type_into(pin, "4821")
    counter.idle()
    assert counter.screen() == "open_drawer"
    assert counter.desk.user is not None and counter.desk.user.login == "amy"


def test_idle_time_short_of_the_limit_does_not_lock(counter: Counter) -> None:
    counter.login("amy", "4821")
    _idle_for(counter, 14 * 60)
    assert counter.screen() == "open_drawer"


def test_another_cashier_cannot_unlock_but_a_lead_takes_over(counter: Counter) -> None:
    counter.login("amy", "4821")
    counter.window.trigger("lock")
    assert counter.screen() == "login"
    counter.login("bob", "2468")
    assert counter.screen() == "login"
    assert counter.desk.user is not None and counter.desk.user.login == "amy"
    assert "lead" in counter.window.banner.text()
    counter.login("lee", "1111")
    assert counter.desk.user is not None and counter.desk.user.login == "lee"
    assert counter.screen() == "closeout"
    with counter.app.ledger.read() as conn:
        actions = [r[0] for r in conn.exec_driver_sql("SELECT action FROM audit_log")]
    assert "takeover" in actions


def test_five_wrong_pins_lock_the_login_and_the_right_pin_is_refused(counter: Counter) -> None:
    for _ in range(5):
        counter.login("bob", "0000")
    assert "locked" in counter.window.banner.text()
    counter.login("bob", "2468")
    assert counter.desk.user is None
    assert counter.screen() == "login"
    assert "locked" in counter.window.banner.text()


def test_a_cashier_has_no_lead_menu_and_its_shortcut_does_nothing(counter: Counter) -> None:
    counter.login("amy", "4821")
    action, role = counter.window.menu_actions["closeout"]
    assert role == "lead" and not action.isEnabled()
    counter.qtbot.keySequence(counter.window, QKeySequence("Ctrl+Shift+O"))
    counter.idle()
    assert counter.screen() != "closeout"
    counter.window.trigger("closeout")
    assert counter.screen() != "closeout"


def test_a_lead_has_the_lead_menu(make_counter: Callable[..., Counter]) -> None:
    counter = make_counter()
    counter.login("lee", "1111")
    action, _role = counter.window.menu_actions["closeout"]
    assert action.isEnabled()
    assert counter.screen() == "closeout"


def test_nobody_logged_in_has_no_counter_actions(counter: Counter) -> None:
    assert all(not a.isEnabled() for a, _r in counter.window.menu_actions.values())
    counter.qtbot.keyClick(counter.window, Qt.Key.Key_F2)
    assert counter.screen() == "login"
