"""Access in the window: a cashier's menus hold no lead-only action that works.

Uses the window's fixtures (``tests/ui/conftest.py``, pytest-qt, offscreen); skipped when the
window is not there.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("cashier_desk.ui.main_window")
pytest.importorskip("pytestqt")

from tests.ui.conftest import Counter, counter, make_counter, qapp_cls

__all__ = ["counter", "make_counter", "qapp_cls"]  # the window's fixtures, used below

LEAD_ACTIONS = ("closeout",)


def _lead_only(c: Counter) -> list[str]:
    from cashier_desk.ui.main_window import ROLES

    cashier = ROLES.index("cashier")
    return [n for n, (_a, role) in c.window.menu_actions.items() if ROLES.index(role) > cashier]


def test_a_cashier_finds_every_lead_only_action_disabled_and_inert(counter: Counter) -> None:
    counter.login("amy", "4821")
    lead_only = _lead_only(counter)
    assert set(LEAD_ACTIONS) <= set(lead_only)
    for name in lead_only:
        action, _role = counter.window.menu_actions[name]
        assert not action.isEnabled(), name
        shown = counter.screen()
        counter.window.trigger(name)  # a shortcut or a scripted click does nothing either
        counter.idle()
        assert counter.screen() == shown, name


def test_a_lead_gets_the_lead_actions_and_a_cashier_after_the_lead_loses_them(
    counter: Counter,
) -> None:
    counter.login("lee", "1111")
    for name in _lead_only(counter):
        assert counter.window.menu_actions[name][0].isEnabled(), name
    counter.desk.logout()
    counter.desk.login("bob", "2468")
    counter.window.refresh_role()
    for name in _lead_only(counter):
        assert not counter.window.menu_actions[name][0].isEnabled(), name
