"""Logging in, the idle lock and the lockout, through the window."""

from __future__ import annotations

from tests.ui.conftest import Counter


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
