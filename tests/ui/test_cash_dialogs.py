"""Cash controls in the window, keys only: the paid-out dialog asks for a lead above the limit
and offers only the accounts allowed, the drop slip and the voucher print, a lead sends a close
back for a recount (close screen and closeout screen) and the cashier counts again, and a lead
unlocks a locked-out login."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger.schema import close_rejections, drawer_closes, drawer_movements
from cashier_desk.ui.qt import QComboBox, QLabel, QLineEdit, QPushButton, Qt, QTableWidget
from tests.doubles import MemoryPrinter
from tests.helpers import run_ok
from tests.ui.conftest import Counter
from tests.ui.keys import focused, wait_focus
from tests.ui.test_dialogs_closeout import CTRL, CTRL_SHIFT, banner, enter, gone, open_day, shown
from tests.ui.test_drawer_screens import count_rows, finish_close, go_close, start
from tests.ui.test_drawer_screens import enter as key_enter


def press(counter: Counter, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    counter.qtbot.keyClick(focused(), key, modifier)


def _movements(counter: Counter) -> list[tuple[object, ...]]:
    with counter.app.ledger.read() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(
                    drawer_movements.c.kind,
                    drawer_movements.c.amount_cents,
                    drawer_movements.c.gl,
                    drawer_movements.c.approver,
                    drawer_movements.c.bag,
                ).order_by(drawer_movements.c.id)
            )
        ]


def _paper(counter: Counter) -> list[str]:
    printer = counter.desk.printer
    assert isinstance(printer, MemoryPrinter)
    return printer.jobs


def test_a_paid_out_above_the_limit_asks_a_lead_in_the_dialog(counter: Counter) -> None:
    open_day(counter)
    press(counter, Qt.Key.Key_P, CTRL)
    dialog = shown(counter, "paidOutDialog")
    approver = counter.find(QLineEdit, "paidOutApprover")
    enter(counter, "paidOutAmount", "2.50")
    assert not approver.isVisible()  # within the limit: no lead needed, no fields for one
    enter(counter, "paidOutReason", "postage")
    assert focused().objectName() == "paidOutGl"
    # back to the amount: above 50.00 the lead's fields appear and Enter goes through them
    counter.find(QLineEdit, "paidOutAmount").setFocus()
    focused().selectAll()
    enter(counter, "paidOutAmount", "60.00")
    assert approver.isVisible() and counter.find(QLabel, "paidOutApprovalNote").isVisible()
    enter(counter, "paidOutReason")
    enter(counter, "paidOutGl", "101-1200-52100")
    enter(counter, "paidOutApprover", "amy")  # the cashier herself: refused, dialog stays
    enter(counter, "paidOutApproverPin", "4821")
    counter.idle()
    assert dialog.isVisible() and "different person" in banner(counter)
    counter.find(QLineEdit, "paidOutApprover").setText("lee")
    counter.find(QLineEdit, "paidOutApproverPin").setFocus()
    enter(counter, "paidOutApproverPin", "1111")
    counter.idle()
    gone(counter, "paidOutDialog")
    assert "Paid out 60.00 (postage) to 101-1200-52100, approved by lee." in banner(counter)
    assert _movements(counter) == [("paid_out", 6000, "101-1200-52100", "lee", None)]
    voucher = _paper(counter)[-1]
    assert "PAID-OUT VOUCHER" in voucher and "Received by (signature)" in voucher
    assert "Approver lee" in voucher


def test_the_paid_out_account_is_chosen_from_the_accounts_allowed(counter: Counter) -> None:
    allowed = ("101-1200-52100", "101-1200-52200")
    config = dataclasses.replace(counter.desk.config, paid_out_accounts=allowed)
    counter.desk.config = config
    counter.ctx.config = config
    open_day(counter)
    press(counter, Qt.Key.Key_P, CTRL)
    shown(counter, "paidOutDialog")
    assert counter.window.findChild(QLineEdit, "paidOutGl") is None
    accounts = counter.find(QComboBox, "paidOutAccounts")
    assert [accounts.itemText(i) for i in range(accounts.count())] == list(allowed)
    enter(counter, "paidOutAmount", "3.00")
    enter(counter, "paidOutReason", "tape")
    wait_focus(counter, "paidOutAccounts")
    counter.qtbot.keyClick(accounts, Qt.Key.Key_Down)  # the second account
    counter.qtbot.keyClick(accounts, Qt.Key.Key_Return)
    counter.idle()
    gone(counter, "paidOutDialog")
    assert _movements(counter) == [("paid_out", 300, "101-1200-52200", None, None)]


def test_the_drop_slip_shows_the_bag_number(counter: Counter) -> None:
    open_day(counter)
    press(counter, Qt.Key.Key_D, CTRL)
    shown(counter, "dropDialog")
    enter(counter, "dropAmount", "40.00")
    enter(counter, "dropBag", "B-1042")
    counter.idle()
    gone(counter, "dropDialog")
    assert _movements(counter) == [("drop", 4000, None, None, "B-1042")]
    slip = _paper(counter)[-1]
    assert "S A F E   D R O P" in slip and "B-1042" in slip


def _short_close(counter: Counter) -> None:
    """amy (100.00 fund) counts 90.00: 10.00 short, beyond tolerance."""
    start(counter)
    run_ok(counter.app, {"op": "open_drawer", "drawer": "D1", "opening": {"100.00": 1}})
    go_close(counter)
    count_rows(counter, {"50.00": 1, "20.00": 2})
    finish_close(counter)
    counter.idle()
    wait_focus(counter, "approveCloseButton")


def test_a_lead_sends_the_count_back_and_the_cashier_counts_again(counter: Counter) -> None:
    _short_close(counter)
    assert counter.find(QLabel, "closeStatus").text().endswith("(Alt+B).")
    press(counter, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    wait_focus(counter, "approverLogin")
    # the dialog's button says what it does (an outside trial met "Approve" here)
    assert counter.find(QPushButton, "approverOk").text() == "Send back"
    key_enter(counter, "lee")
    key_enter(counter, "1111")
    key_enter(counter, "count the fifties again")
    counter.idle()
    assert [s.state for s in counter.desk.day_sessions()] == ["recount"]
    wait_focus(counter, "closeCount_10000")  # the same screen, empty, for the new count
    info = counter.find(QLabel, "closeSessionInfo").text()
    assert "count again" in info and "count the fifties again" in info  # the lead's comment
    count_rows(counter, {"100.00": 1})
    finish_close(counter)
    counter.idle()
    wait_focus(counter, "closeLogoutButton")
    assert [s.state for s in counter.desk.day_sessions()] == ["closed"]
    assert "count again" not in counter.find(QLabel, "closeSessionInfo").text()
    with counter.app.ledger.read() as conn:
        counts = conn.execute(
            sa.select(drawer_closes.c.count_no, drawer_closes.c.needs_approval)
        ).all()
        sent = conn.execute(sa.select(close_rejections.c.approver, close_rejections.c.comment))
        assert [tuple(r) for r in sent] == [("lee", "count the fifties again")]
    assert [tuple(r) for r in counts] == [(1, True), (2, False)]


def _closed_short(counter: Counter, *then: dict[str, object]) -> None:
    """amy's close, 50.00 short, awaiting approval (and what ``then`` does); nobody logged in."""
    run_ok(
        counter.app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"100.00": 1}},
        {"op": "close_drawer", "counted": {"cash": {"50.00": 1}}},
        *then,
        {"op": "logout"},
    )


def test_logging_in_with_a_count_sent_back_goes_to_the_count(counter: Counter) -> None:
    _closed_short(
        counter,
        {"op": "reject_close", "approver": "lee", "approver_pin": "1111", "comment": "again"},
    )
    start(counter)
    counter.qtbot.waitUntil(lambda: counter.screen() == "close_drawer")
    counter.idle()
    info = counter.find(QLabel, "closeSessionInfo")
    assert "count again" in info.text()
    counter.qtbot.waitUntil(lambda: "lee sent the count back — “again”" in info.text())


def test_the_closeout_screen_sends_a_close_back_with_b(counter: Counter) -> None:
    _closed_short(counter)
    start(counter, "lee", "1111")
    counter.qtbot.waitUntil(lambda: counter.screen() == "closeout")
    counter.idle()
    table = counter.find(QTableWidget, "sessionTable")
    table.setFocus()
    counter.qtbot.keyClick(table, Qt.Key.Key_B)
    wait_focus(counter, "approverLogin")
    key_enter(counter, "pat")
    key_enter(counter, "2222")
    key_enter(counter, "the fifty is not enough")
    counter.idle()
    assert [s.state for s in counter.desk.day_sessions()] == ["recount"]
    counter.qtbot.waitUntil(lambda: table.item(0, 4).text() == "SENT BACK FOR RECOUNT")
    assert "counts the drawer again" in banner(counter)


def test_a_lead_unlocks_a_locked_out_cashier(counter: Counter) -> None:
    for _ in range(5):
        with pytest.raises(Refusal):
            counter.desk.login("amy", "0000")
    start(counter, "lee", "1111")
    counter.idle()
    press(counter, Qt.Key.Key_U, CTRL_SHIFT)
    shown(counter, "unlockUserDialog")
    assert counter.find(QLineEdit, "unlockApprover").text() == "lee"
    enter(counter, "unlockUser", "amy")
    enter(counter, "unlockApprover")
    enter(counter, "unlockPin", "1111")
    counter.idle()
    gone(counter, "unlockUserDialog")
    assert "Amy Okafor (amy) is unlocked" in banner(counter)
    assert counter.desk.login("amy", "4821").login == "amy"


def test_a_cashier_has_no_unlock(counter: Counter) -> None:
    start(counter)
    action, role = counter.window.menu_actions["unlock_user"]
    assert role == "lead" and not action.isEnabled()
