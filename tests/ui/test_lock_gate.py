"""A lock that locks: while the counter is covered — locked by F12 or idle time, the login
screen before anyone logs in, the first admin of an empty data dir — no shortcut, menu or
dialog works but unlocking.

Every shortcut is taken from the window itself (its actions and every ``QShortcut`` of every
screen and widget), so a shortcut added later is pressed here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtTest import QTest

from cashier_desk.app import open_app
from cashier_desk.demo import DEMO_DIR
from cashier_desk.ui.app import build_window, qt_app
from cashier_desk.ui.qt import (
    QAction,
    QApplication,
    QDialog,
    QKeySequence,
    QLineEdit,
    QShortcut,
    Qt,
)
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock
from tests.ui.conftest import Counter
from tests.ui.keys import focused
from tests.ui.steps import at_sale_with_a_line


def shortcuts(counter: Counter) -> list[QKeySequence]:
    """Every key sequence the window answers to, from its actions and its shortcuts."""
    found: dict[str, QKeySequence] = {}
    for action in counter.window.findChildren(QAction):
        for seq in action.shortcuts():
            found[seq.toString()] = seq
    for shortcut in counter.window.findChildren(QShortcut):
        for seq in shortcut.keys():  # noqa: SIM118 - a QShortcut, not a dict
            found[seq.toString()] = seq
    found.pop("", None)
    return list(found.values())


def visible_dialogs() -> list[str]:
    return sorted(
        w.objectName() or type(w).__name__
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QDialog) and w.isVisible()
    )


@dataclass(frozen=True)
class State:
    audit: int
    pulses: int
    printed: int
    screen: str
    user: str | None
    dialogs: list[str]
    lines: int


def state(counter: Counter) -> State:
    """What a shortcut could change: the audit log, the drawer's pulses and the printer's
    paper (the simulated printer's own record when the window runs on the simulators), the
    screen, who is logged in, the dialogs and the customer's lines."""
    devices = counter.app.devices
    if devices is not None and devices.printer_sim is not None:
        pulses, printed = devices.printer_sim.drawer_pulses, len(devices.printer_sim.receipts)
    else:
        drawer, printer = counter.desk.cash_drawer, counter.desk.printer
        assert isinstance(drawer, CountingDrawer) and isinstance(printer, MemoryPrinter)
        pulses, printed = drawer.opened, len(printer.jobs)
    with counter.app.ledger.read() as conn:
        audit = int(conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar() or 0)
    sale: Any = counter.window.screens["sale"]
    return State(
        audit,
        pulses,
        printed,
        counter.screen(),
        counter.desk.logged_in(),
        visible_dialogs(),
        len(sale.lines),
    )


def press_everything(counter: Counter) -> int:
    """Press every shortcut of the window into whatever has the focus, click every menu
    entry and ask the window for every action by name; returns how many keys were pressed."""
    keys = shortcuts(counter)
    cover = counter.window.current_screen()
    for seq in keys:
        target = QApplication.focusWidget() or counter.window
        QTest.keySequence(target, seq)
        QApplication.processEvents()
        for field in cover.findChildren(QLineEdit):
            field.clear()  # a letter typed into the PIN is no shortcut: Enter must not send it
    for action in counter.window.findChildren(QAction):
        action.trigger()
    for name in counter.window.menu_actions:
        counter.window.trigger(name)
    counter.idle()
    QApplication.processEvents()
    return len(keys)


def idle_lock(counter: Counter) -> None:
    counter.window.idle.last -= 15 * 60 + 1
    counter.window._check_idle()


def f12(counter: Counter) -> None:
    counter.qtbot.keyClick(focused(), Qt.Key.Key_F12)


@pytest.mark.parametrize(
    ("lock", "sims"),
    [(f12, False), (idle_lock, False), (f12, True)],
    ids=["F12", "idle", "F12-simulators"],
)
def test_a_locked_counter_answers_no_shortcut_menu_or_dialog_but_unlocks(
    make_counter: Callable[..., Counter], lock: Callable[[Counter], None], sims: bool
) -> None:
    counter = make_counter(sims=sims)
    at_sale_with_a_line(counter)
    counter.qtbot.keyClick(focused(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    counter.qtbot.waitUntil(lambda: visible_dialogs() == ["dropDialog"])

    lock(counter)
    counter.qtbot.waitUntil(lambda: visible_dialogs() == [])  # what was open closes
    assert counter.screen() == "login"
    assert not counter.window.menuBar().isEnabled()
    before = state(counter)
    assert before.user == "amy" and before.lines == 1
    pressed = press_everything(counter)
    assert pressed >= 25  # the menus' keys and the screens' own (F5-F10, Ctrl+1..5, A, R ...)
    assert state(counter) == before  # no audit record, no pulse, no print, no screen, no dialog

    counter.login("amy", "4821")  # the same person unlocks: the customer's sale is still there
    assert counter.screen() == "sale"
    assert state(counter).lines == 1
    counter.qtbot.keyClick(focused(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    counter.qtbot.waitUntil(lambda: visible_dialogs() == ["noSaleDialog"])  # keys work again


def test_the_login_screen_before_anyone_logs_in_answers_no_shortcut(counter: Counter) -> None:
    counter.idle()
    before = state(counter)
    assert before.screen == "login" and before.user is None
    press_everything(counter)
    assert state(counter) == before


def test_a_lead_takes_over_a_locked_counter_and_the_gate_opens_for_the_lead(
    counter: Counter,
) -> None:
    at_sale_with_a_line(counter)
    f12(counter)
    counter.login("lee", "1111")
    assert counter.desk.logged_in() == "lee" and counter.screen() == "closeout"
    assert counter.window.menu_actions["closeout"][0].isEnabled()
    assert state(counter).lines == 0  # amy's customer is not the lead's sale


def test_a_dialog_opened_while_locked_is_closed_and_no_screen_can_be_shown(
    counter: Counter,
) -> None:
    at_sale_with_a_line(counter)
    f12(counter)
    stray = QDialog(counter.window)
    stray.setObjectName("strayDialog")
    stray.open()
    counter.qtbot.waitUntil(lambda: not stray.isVisible())
    counter.window.show_screen("sale")  # a late answer of a Desk call cannot uncover it
    assert counter.screen() == "login"


# -- the first admin of an empty data dir ------------------------------------------------------


@pytest.fixture
def empty_counter(tmp_path: Path, qtbot: Any) -> Iterator[Counter]:
    qt_app()
    app = open_app(
        tmp_path / "new",
        "W1",
        clock=FakeClock(),
        printer=MemoryPrinter(),
        cash_drawer=CountingDrawer(),
    )
    win = build_window(app)
    qtbot.addWidget(win.window)
    win.window.show()
    counter = Counter(app, win, qtbot)
    yield counter
    win.close()
    app.close()


def test_an_empty_data_dir_makes_its_first_admin_before_anything_else_works(
    empty_counter: Counter,
) -> None:
    c = empty_counter
    c.qtbot.waitUntil(lambda: c.screen() == "first_admin")
    before = state(c)
    assert before.audit == 0
    press_everything(c)
    assert state(c) == before

    for name, text in (("firstLogin", "ada"), ("firstName", "Ada Lovelace")):
        c.type_into(c.find(QLineEdit, name), text)
    c.type_into(c.find(QLineEdit, "firstPin"), "2718")
    c.type_into(c.find(QLineEdit, "firstPinAgain"), "2719")
    c.idle()
    assert "not the same" in c.window.banner.text()
    assert not c.desk.has_users() and c.screen() == "first_admin"

    c.type_into(c.find(QLineEdit, "firstPin"), "27")
    c.type_into(c.find(QLineEdit, "firstPinAgain"), "27")
    c.idle()
    assert "4 to 64" in c.window.banner.text() and not c.desk.has_users()

    c.type_into(c.find(QLineEdit, "firstPin"), "2718")
    c.type_into(c.find(QLineEdit, "firstPinAgain"), "2718")
    c.idle()
    assert c.desk.user is not None and c.desk.user.role == "admin"
    assert c.screen() == "closeout"
    with c.app.ledger.read() as conn:
        actions = [r[0] for r in conn.exec_driver_sql("SELECT action FROM audit_log")]
    assert actions == ["first_admin", "login"]
    c.window.trigger("logout")
    c.idle()
    assert c.screen() == "login"
    c.login("ada", "2718")
    assert c.desk.logged_in() == "ada"


def test_a_shortcut_added_later_anywhere_is_swallowed_while_locked(counter: Counter) -> None:
    fired: list[str] = []
    late = QShortcut(QKeySequence("Ctrl+Shift+F11"), counter.window)
    late.setContext(Qt.ShortcutContext.ApplicationShortcut)
    late.activated.connect(lambda: fired.append("late"))
    counter.login("amy", "4821")
    QTest.keySequence(focused(), QKeySequence("Ctrl+Shift+F11"))
    assert fired == ["late"]  # it works on an open counter

    f12(counter)
    refused = counter.window.idle.refused
    QTest.keySequence(focused(), QKeySequence("Ctrl+Shift+F11"))
    assert fired == ["late"] and counter.window.idle.refused == refused + 1
    counter.window.trigger("logout")  # nor does a scripted menu entry
    counter.idle()
    assert counter.desk.logged_in() == "amy"


def test_people_imported_meanwhile_send_the_first_admin_form_to_the_login(
    empty_counter: Counter,
) -> None:
    c = empty_counter
    c.qtbot.waitUntil(lambda: c.screen() == "first_admin")
    c.desk.import_file("users", DEMO_DIR / "users.csv")  # cashier-desk import users, meanwhile
    for name, text in (("firstLogin", "ada"), ("firstName", "Ada"), ("firstPin", "2718")):
        c.type_into(c.find(QLineEdit, name), text)
    c.type_into(c.find(QLineEdit, "firstPinAgain"), "2718")
    c.idle()
    assert c.screen() == "login" and c.desk.user is None
    assert "already has people" in c.window.banner.text()
