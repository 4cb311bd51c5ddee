"""The Corrections screen (issue 16, item 4), by the keyboard only: a lead opens it with
Ctrl+Shift+E the day after a closed-out day (``small_day``: W1-000002 paid UB-100234 by check
1042, 82.15), finds the receipt, takes the check back approved by a lead and sees its amount,
fee and GL; a refund too large is refused with the message shown and nothing changed; a cashier
does not get the screen; a transfer and clearing certified funds only (a supervisor) too.  The
README's picture comes from here:
``CASHIER_DESK_SHOTS=docs/screenshots pytest tests/ui/test_corrections_screen.py`` (1366×768;
whole at 1280×700 too)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.ledger.corrections import is_flagged
from cashier_desk.ui.fit import clipped
from cashier_desk.ui.qt import QApplication, QLabel, QLineEdit, QSize, Qt
from cashier_desk.ui.screens.corrections import CorrectionsScreen
from cashier_desk.ui.widgets.approver import ApproverDialog
from tests.helpers import FakeClock, dump_tables, run_ok, small_day
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press, wait_focus
from tests.ui.steps import when_modal

Key = Qt.Key
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
SCREENS = (QSize(1366, 768), QSize(1280, 700))


def at_corrections(c: Counter, user: str = "lee", pin: str = "1111") -> CorrectionsScreen:
    """The day closed out, the clock on to the next day; ``user`` logs in, Ctrl+Shift+E."""
    small_day(c.app)
    run_ok(c.app, {"op": "logout"})
    clock = c.desk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(days=1)
    c.login(user, pin)
    press(c, Key.Key_E, CTRL_SHIFT)
    assert c.screen() == "corrections"
    screen = c.window.screens["corrections"]
    assert isinstance(screen, CorrectionsScreen)
    wait_focus(c, "corr_receipt")
    return screen


def type_here(c: Counter, text: str, field: str) -> None:
    """Type into the field the cursor is in (``field``), then Enter."""
    assert focused().objectName() == field
    if text:
        c.qtbot.keyClicks(focused(), text)
    press(c, Key.Key_Return)


def approve_as(c: Counter, login: str, pin: str) -> None:
    """The approver's dialog comes up: the login, Enter, the PIN, Enter."""

    def answer(box: Any) -> bool:
        if not isinstance(box, ApproverDialog) or not box.isVisible():
            return False
        fields = {f.objectName(): f for f in box.findChildren(QLineEdit)}
        if QApplication.focusWidget() is not fields["approverLogin"]:
            return False  # not up yet: the cursor lands in the login when it is
        c.qtbot.keyClicks(fields["approverLogin"], login)
        c.qtbot.keyClick(fields["approverLogin"], Key.Key_Return)
        c.qtbot.keyClicks(fields["approverPin"], pin)
        c.qtbot.keyClick(fields["approverPin"], Key.Key_Return)
        return True

    when_modal(answer)


def corrections(c: Counter) -> list[Any]:
    with c.app.ledger.read() as conn:
        return list(conn.execute(sa.text("SELECT kind, receipt_no, amount_cents, fee_cents, "
                                         "approver FROM corrections")))  # fmt: skip


def test_a_lead_takes_a_returned_check_back_and_sees_its_amount_fee_and_gl(
    make_counter: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c: Counter = make_counter()
    screen = at_corrections(c)
    opened: list[Path] = []
    monkeypatch.setattr(
        CorrectionsScreen, "opener", staticmethod(lambda p: opened.append(p) or True)
    )
    type_here(c, "W1-000002", "corr_receipt")
    wait_focus(c, "corr_kind")  # the receipt was found
    assert "82.15" in screen.receipt_shown.text() and "1042" in screen.receipt_shown.text()
    assert screen.kind.currentIndex() == 0  # Returned check (NSF)
    press(c, Key.Key_Return)
    wait_focus(c, "corr_check")
    type_here(c, "1042", "corr_check")
    approve_as(c, "lee", "1111")
    type_here(c, "NSF", "corr_reason")  # Enter in the last field asks for the approver
    c.qtbot.waitUntil(lambda: screen.result.text() != "", timeout=10000)
    c.idle()
    shown = screen.result.text()
    assert shown.startswith("Returned check ") and "82.15 taken back" in shown, shown
    assert "Returned check fee:" in shown and "GL:" in shown and "Letter to the payer" in shown
    [row] = corrections(c)
    assert (row[0], row[1], row[2], row[4]) == ("returned_check", "W1-000002", 8215, "lee")
    assert f"{row[3] // 100}.{row[3] % 100:02d}" in shown  # the fee, as the ledger has it
    assert c.find(QLabel, "banner").isVisible()
    out = Path(os.environ.get("CASHIER_DESK_SHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    for size in (*SCREENS[1:], SCREENS[0]):
        c.window.resize(size)
        c.qtbot.wait(50)
        assert clipped(c.window, size) == [], size
    assert c.window.grab().save(str(out / "19-corrections-returned-check.png"))
    press(c, Key.Key_P, CTRL_SHIFT)  # the letter, to print
    assert len(opened) == 1 and opened[0].is_file() and opened[0].name in shown
    assert "PDF viewer" in c.find(QLabel, "banner").text()


def test_a_refund_too_large_is_refused_with_the_message_and_nothing_changed(
    make_counter: Any,
) -> None:
    c: Counter = make_counter()
    screen = at_corrections(c)
    type_here(c, "W1-000002", "corr_receipt")
    wait_focus(c, "corr_kind")
    press(c, Key.Key_Down)  # Refund
    assert screen.kind_name() == "refund"
    press(c, Key.Key_Return)
    type_here(c, "500.00", "corr_amount")
    focused().clear()  # the receipt's payer, if it had one, is there to keep or replace
    type_here(c, "Pat Doe", "corr_payee")
    type_here(c, "1 Main St", "corr_address")
    type_here(c, "overpaid", "corr_reason")
    type_here(c, "", "corr_line")
    before = dump_tables(c.app)
    approve_as(c, "sam", "3333")  # a supervisor
    press(c, Key.Key_Return)  # Refund by: check, the last field
    c.qtbot.waitUntil(lambda: screen.result.text() != "", timeout=10000)
    c.idle()
    shown = screen.result.text()
    assert shown.startswith("Refused:") and "82.15 left" in shown and "500.00" in shown, shown
    banner = c.find(QLabel, "banner")
    assert banner.isVisible() and "500.00" in banner.text()
    assert corrections(c) == []
    assert dump_tables(c.app) == before
    screen.method.setFocus()
    wait_focus(c, "corr_method")
    press(c, Key.Key_Down)  # by card: the authorisation too, the most fields of any kind
    assert screen.shown_fields()[-1] == "auth"
    for size in (*SCREENS[1:], SCREENS[0]):
        c.window.resize(size)
        c.qtbot.wait(50)
        assert clipped(c.window, size) == [], size


def test_a_cashier_does_not_get_the_screen(make_counter: Any) -> None:
    c: Counter = make_counter()
    small_day(c.app)
    run_ok(c.app, {"op": "logout"})
    c.login("amy", "4821")
    before = c.screen()
    press(c, Key.Key_E, CTRL_SHIFT)
    assert c.screen() == before != "corrections"
    action, role = c.window.menu_actions["corrections"]
    assert role == "lead" and not action.isEnabled()


def test_a_lead_moves_a_payment_to_the_item_meant(make_counter: Any) -> None:
    c: Counter = make_counter()
    screen = at_corrections(c)
    type_here(c, "W1-000002", "corr_receipt")
    wait_focus(c, "corr_kind")
    press(c, Key.Key_Down)
    press(c, Key.Key_Down)  # Transfer
    assert screen.kind_name() == "transfer"
    press(c, Key.Key_Return)
    type_here(c, "UB-100234", "corr_from_ref")
    type_here(c, "UB-100235", "corr_to_ref")
    type_here(c, "45.60", "corr_amount")
    approve_as(c, "lee", "1111")
    type_here(c, "", "corr_reason")  # optional: Enter asks for the approver
    c.qtbot.waitUntil(lambda: screen.result.text() != "", timeout=10000)
    c.idle()
    shown = screen.result.text()
    assert "45.60 moved from UB-100234 to UB-100235" in shown and "GL:" in shown, shown
    assert "Transfer notice for the payer: printed." in shown
    assert [tuple(r)[:3] for r in corrections(c)] == [("transfer", "W1-000002", 4560)]


def test_a_supervisor_clears_certified_funds_only(make_counter: Any) -> None:
    c: Counter = make_counter()
    screen = at_corrections(c)
    run_ok(c.app, {"op": "returned_check", "receipt": "W1-000002", "number": "1042",
                   "reason": "NSF", "approver": "lee", "approver_pin": "1111"})  # fmt: skip
    with c.app.ledger.read() as conn:
        assert is_flagged(conn, "11-9082-01")
    screen.kind.setFocus()
    wait_focus(c, "corr_kind")
    for _ in range(3):
        press(c, Key.Key_Down)  # Clear certified funds only
    assert screen.kind_name() == "clear" and not screen.receipt.isVisible()
    press(c, Key.Key_Return)
    type_here(c, "11-9082-01", "corr_account")
    approve_as(c, "lee", "1111")  # a lead is not enough
    type_here(c, "paid in cash", "corr_reason")
    c.qtbot.waitUntil(lambda: screen.result.text() != "", timeout=10000)
    c.idle()
    assert screen.result.text().startswith("Refused:"), screen.result.text()
    with c.app.ledger.read() as conn:
        assert is_flagged(conn, "11-9082-01")
    screen.result.setText("")
    approve_as(c, "sam", "3333")  # a supervisor
    press(c, Key.Key_Return)  # the cursor is on Approve after the refusal
    c.qtbot.waitUntil(lambda: screen.result.text() != "", timeout=10000)
    c.idle()
    assert "Account 11-9082-01 may pay by check again" in screen.result.text()
    with c.app.ledger.read() as conn:
        assert not is_flagged(conn, "11-9082-01")
