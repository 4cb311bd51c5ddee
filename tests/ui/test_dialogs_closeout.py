"""Void, drop, paid-out, no-sale and reprint dialogs, receipt research and the lead's closeout,
through the window's keys only.

Every step types into whatever has the focus (so the tests also prove where the cursor goes).
The day is set up with script operations (the sale screen is not under test here), and results
are checked through the Desk, the ledger and the printer afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.ledger.schema import batches, drawer_movements, print_jobs
from cashier_desk.ui.qt import QDialog, QLabel, Qt, QTableWidget, QWidget
from cashier_desk.ui.screens.closeout import CloseoutScreen
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import run_ok
from tests.ui.conftest import Counter
from tests.ui.keys import focused, wait_focus

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CASH_12 = {"type": "cash", "amount": "12.00"}


# -- typing like a cashier -------------------------------------------------------------------


def press(counter: Counter, key: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    counter.qtbot.keyClick(focused(), key, modifier)


def enter(counter: Counter, field: str, text: str = "") -> None:
    """The cursor is in ``field``: type ``text`` there and press Enter."""
    wait_focus(counter, field)
    if text:
        counter.qtbot.keyClicks(focused(), text)
    press(counter, Qt.Key.Key_Return)


def visible(counter: Counter, name: str) -> list[QDialog]:
    return [d for d in counter.window.findChildren(QDialog, name) if d.isVisible()]


def shown(counter: Counter, name: str) -> QDialog:
    """Wait for the dialog ``name`` to be on screen."""
    counter.qtbot.waitUntil(lambda: bool(visible(counter, name)))
    return visible(counter, name)[0]


def gone(counter: Counter, name: str) -> None:
    """Wait for the dialog ``name`` to be closed (it is deleted soon after)."""
    counter.qtbot.waitUntil(lambda: not visible(counter, name))


def banner(counter: Counter) -> str:
    return str(counter.window.banner.text())


def open_day(counter: Counter, *ops: dict[str, Any]) -> None:
    """Amy logs in and opens drawer D1 with 100.00, then whatever ``ops`` say."""
    run_ok(
        counter.app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        *ops,
    )


def sale(amount: str, payer: str = "", tender: dict[str, str] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "op": "sale",
        "items": [{"code": "MISC", "amount": amount}],
        "tenders": [tender or {"type": "cash", "amount": amount}],
    }
    if payer:
        op["payer"] = payer
    return op


def approve(counter: Counter, login: str, pin: str, reason: str | None) -> None:
    """Type into the lead's override (approverDialog), which has the focus."""
    shown(counter, "approverDialog")
    if login:
        enter(counter, "approverLogin", login)
    enter(counter, "approverPin", pin)
    if reason is not None:
        enter(counter, "approverReason", reason)


# -- void -------------------------------------------------------------------------------------


def test_void_needs_a_lead_a_self_approval_is_refused_and_the_dialog_stays(
    counter: Counter,
) -> None:
    open_day(counter, sale("12.00"), sale("30.00", "Jane Roe"))
    press(counter, Qt.Key.Key_V, CTRL_SHIFT)
    dialog = shown(counter, "voidDialog")
    receipt = dialog.findChild(QWidget, "voidReceipt")
    counter.qtbot.waitUntil(lambda: receipt.text() == "W1-000002")  # the last of the drawer
    enter(counter, "voidReceipt")
    approve(counter, "amy", "4821", "wrong amount")
    counter.idle()
    assert dialog.isVisible(), "a refusal keeps the dialog open for correction"
    message = dialog.findChild(QLabel, "dialogMessage")
    assert message.isVisible() and "different person" in message.text()
    assert "different person" in banner(counter)
    view = counter.desk.receipt("W1-000002")
    assert view is not None and not view.voided

    enter(counter, "voidReceipt")  # try again, with a lead
    approve(counter, "lee", "1111", "wrong amount")
    counter.idle()
    gone(counter, "voidDialog")
    view = counter.desk.receipt("W1-000002")
    assert view is not None and view.voided
    assert view.void_approver == "lee" and view.void_reason == "wrong amount"
    assert "VOID" in banner(counter) and "lee" in banner(counter)
    printer = counter.desk.printer
    assert isinstance(printer, MemoryPrinter)
    assert "V O I D" in printer.jobs[-1] and "Approved by: lee" in printer.jobs[-1]


def test_a_fault_frees_the_dialog_and_escape_cancels_it(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_day(counter)

    def broken(reason: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(counter.desk, "no_sale", broken)
    press(counter, Qt.Key.Key_N, CTRL)
    dialog = shown(counter, "noSaleDialog")
    enter(counter, "noSaleReason", "just looking")
    counter.idle()
    assert dialog.isVisible() and "Something went wrong" in banner(counter)
    press(counter, Qt.Key.Key_Escape)
    gone(counter, "noSaleDialog")
    with counter.app.ledger.read() as conn:
        assert conn.execute(sa.select(drawer_movements)).first() is None


# -- cash movements ---------------------------------------------------------------------------


def test_drop_paid_out_and_no_sale_through_their_dialogs(counter: Counter) -> None:
    open_day(counter, sale("12.00"))
    drawer = counter.desk.cash_drawer
    assert isinstance(drawer, CountingDrawer)
    opened_before = drawer.opened

    press(counter, Qt.Key.Key_D, CTRL)
    dialog = shown(counter, "dropDialog")
    enter(counter, "dropAmount", "5000.00")  # more than the drawer holds: refused, stays open
    enter(counter, "dropBag", "B-1042")
    counter.idle()
    assert dialog.isVisible() and "more than that" in banner(counter)
    enter(counter, "dropAmount", "50.00")  # the refused amount is selected: typing replaces it
    enter(counter, "dropBag")  # the bag number stays
    counter.idle()
    gone(counter, "dropDialog")
    assert "Dropped 50.00 to the safe in bag B-1042." in banner(counter)

    press(counter, Qt.Key.Key_P, CTRL)
    shown(counter, "paidOutDialog")
    enter(counter, "paidOutAmount", "2.50")
    enter(counter, "paidOutReason", "postage")
    enter(counter, "paidOutGl", "101-1200-52100")
    counter.idle()
    gone(counter, "paidOutDialog")

    press(counter, Qt.Key.Key_N, CTRL)
    shown(counter, "noSaleDialog")
    enter(counter, "noSaleReason", "make change")
    counter.idle()
    gone(counter, "noSaleDialog")

    with counter.app.ledger.read() as conn:
        rows = conn.execute(
            sa.select(
                drawer_movements.c.kind,
                drawer_movements.c.amount_cents,
                drawer_movements.c.reason,
                drawer_movements.c.gl,
            ).order_by(drawer_movements.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("drop", 5000, "drop to safe", None),
        ("paid_out", 250, "postage", "101-1200-52100"),
        ("no_sale", 0, "make change", None),
    ]
    assert drawer.opened == opened_before + 3


# -- receipt research -------------------------------------------------------------------------


def test_receipt_search_by_payer_shows_the_receipt_and_reprints_it(counter: Counter) -> None:
    open_day(counter, sale("12.00", "Jane Roe"), sale("30.00", "John Smith"))
    press(counter, Qt.Key.Key_F, CTRL)
    assert counter.screen() == "receipts"
    wait_focus(counter, "searchNumber")
    press(counter, Qt.Key.Key_Tab)
    wait_focus(counter, "searchDate")
    press(counter, Qt.Key.Key_Tab)
    enter(counter, "searchPayer", "roe")
    counter.idle()
    table = counter.find(QTableWidget, "receiptResults")
    wait_focus(counter, "receiptResults")
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in (0, 2, 3)] == ["W1-000001", "Jane Roe", "12.00"]
    assert "printed" in table.item(0, 4).text()

    press(counter, Qt.Key.Key_Return)  # the receipt as printed
    counter.idle()
    detail = counter.find(QWidget, "receiptDetail")
    assert "W1-000001" in detail.toPlainText() and "Payer: Jane Roe" in detail.toPlainText()

    printer = counter.desk.printer
    assert isinstance(printer, MemoryPrinter)
    printed_before = len(printer.jobs)
    press(counter, Qt.Key.Key_R, CTRL)  # reprint the selected row
    counter.idle()
    assert len(printer.jobs) == printed_before + 1
    assert "R E P R I N T" in printer.jobs[-1] and "||| W1-000001 |||" in printer.jobs[-1]
    with counter.app.ledger.read() as conn:
        kinds = conn.execute(sa.select(print_jobs.c.kind).order_by(print_jobs.c.id)).scalars()
        assert list(kinds)[-1] == "reprint"
    assert "reprinted" in banner(counter)

    press(counter, Qt.Key.Key_V, CTRL_SHIFT)  # void starts from the selected row too
    shown(counter, "voidDialog")
    wait_focus(counter, "voidReceipt")
    assert focused().text() == "W1-000001"  # type: ignore[attr-defined]
    press(counter, Qt.Key.Key_Escape)
    gone(counter, "voidDialog")


# -- the lead's closeout -----------------------------------------------------------------------


def test_closeout_lists_sessions_approves_a_close_and_closes_out(counter: Counter) -> None:
    check = {"type": "check", "amount": "30.00", "number": "1042"}
    open_day(
        counter,
        sale("12.00"),
        sale("30.00", "Jane Roe", check),
        # 105.00 counted of 112.00 expected: 7.00 short, beyond the 5.00 tolerance
        {
            "op": "close_drawer",
            "counted": {
                "cash": {"20.00": 5, "5.00": 1},
                "checks": [{"number": "1042", "amount": "30.00"}],
            },
        },
    )
    counter.login("pat", "2222")
    assert counter.screen() == "closeout"
    counter.idle()
    table = counter.find(QTableWidget, "sessionTable")
    wait_focus(counter, "sessionTable")
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in (1, 2, 4)] == ["D1", "amy", "AWAITING APPROVAL"]

    press(counter, Qt.Key.Key_F10)  # not yet: the close awaits approval
    approve(counter, "", "2222", None)
    counter.idle()
    assert "awaits a lead's approval" in banner(counter)

    wait_focus(counter, "sessionTable")
    press(counter, Qt.Key.Key_A)
    approve(counter, "lee", "1111", "recounted with the cashier")
    counter.idle()
    assert [s.state for s in counter.desk.day_sessions()] == ["closed"]
    counter.qtbot.waitUntil(lambda: table.item(0, 4).text() == "closed")

    wait_focus(counter, "sessionTable")
    press(counter, Qt.Key.Key_F10)
    dialog = shown(counter, "approverDialog")
    assert dialog.findChild(QWidget, "approverLogin").text() == "pat"  # their own login
    approve(counter, "", "2222", None)  # the cursor waits in the PIN
    counter.idle()
    assert [s.state for s in counter.desk.day_sessions()] == ["batched"]

    screen = counter.window.screens["closeout"]
    assert isinstance(screen, CloseoutScreen) and screen.result is not None
    with counter.app.ledger.read() as conn:
        payload = json.loads(conn.execute(sa.select(batches.c.payload)).scalar_one())
    summary = payload["summary"]
    assert summary == screen.result.as_json()
    total = counter.find(QLabel, "depositTotal").text()
    assert total == summary["deposit"]["total"] == "35.00"
    made_of = counter.find(QLabel, "depositDetail").text()
    assert "Currency 105.00, coin 0.00, less change funds 100.00, safe drops 0.00" in made_of
    assert "1 check(s), 0 money order(s)" in made_of
    tenders = counter.find(QTableWidget, "closeoutTenders")
    assert tenders.rowCount() == 4
    cash_row = [tenders.item(0, c).text() for c in range(4)]
    assert cash_row == ["Cash", "12.00", "5.00", "-7.00"]
    gl = counter.find(QTableWidget, "closeoutGl")
    assert {gl.item(r, 0).text(): gl.item(r, 1).text() for r in range(gl.rowCount())} == {
        k: v for k, v in summary["gl"].items()
    }

    counter.qtbot.waitUntil(lambda: screen.papers is not None)
    assert screen.papers is not None and screen.papers.saved is not None
    folder = Path(counter.app.ledger.path).parent / "reports"
    for pdf in screen.papers.saved.all():
        assert pdf.parent == folder and pdf.read_bytes().startswith(b"%PDF")
    listed = counter.find(QLabel, "closeoutFiles").text()
    names = ", ".join(pdf.name for pdf in screen.papers.saved.all())
    assert f"Saved in {folder}: {names}" in listed  # the folder once, then its files
    # No open item was paid: the GL journal alone goes to the exports folder.
    [journal] = screen.papers.exports
    assert journal == folder.parent / "exports" / f"gl-journal-{screen.result.batch}.csv"
    assert journal.read_text(encoding="utf-8").startswith("business_date,batch,line,account")
    assert f"Wrote in {journal.parent}: {journal.name}" in listed
    printer = counter.desk.printer
    assert isinstance(printer, MemoryPrinter)
    assert "C L O S E O U T" in printer.jobs[-1] and "35.00" in printer.jobs[-1]


def test_a_drawer_closed_after_the_days_closeout_is_what_the_screen_shows(
    counter: Counter,
) -> None:
    """An outside trial: with a batch closed out earlier and a drawer closed since, the lead's
    screen showed the earlier batch ("Closed out earlier", its figures) — not what F10 would
    close out now.  It says the drawer waits."""
    open_day(
        counter,
        sale("12.00"),
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "10.00": 1, "1.00": 2}}},
    )
    day = counter.desk.business_date()
    made = counter.desk.closeout(day, "pat", "2222")
    run_ok(counter.app, {"op": "logout"}, {"op": "login", "user": "bob", "pin": "2468"},
           {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}}, sale("7.00"),
           {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "5.00": 1, "1.00": 2}}},
           {"op": "logout"})  # fmt: skip
    counter.login("pat", "2222")
    assert counter.screen() == "closeout"
    batch = counter.find(QLabel, "closeoutBatch")
    counter.qtbot.waitUntil(lambda: "wait to be closed out" in batch.text())
    assert "D2" in batch.text() and made.batch not in batch.text()
    assert counter.find(QLabel, "depositTotal").text() == ""
    assert "Closed out earlier" not in counter.find(QLabel, "closeoutFiles").text()


def test_a_day_closed_out_earlier_shows_its_batch_and_prints_its_papers_again(
    counter: Counter,
) -> None:
    open_day(
        counter,
        sale("12.00"),
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "10.00": 1, "1.00": 2}}},
    )
    day = counter.desk.business_date()
    made = counter.desk.closeout(day, "pat", "2222")  # closed out earlier (not on this screen)
    counter.login("pat", "2222")
    assert counter.screen() == "closeout"
    screen = counter.window.screens["closeout"]
    assert isinstance(screen, CloseoutScreen)
    counter.qtbot.waitUntil(lambda: screen.result is not None)
    assert screen.result == made
    assert made.batch in counter.find(QLabel, "closeoutBatch").text()
    assert counter.find(QLabel, "depositTotal").text() == "12.00"
    assert "Alt+G" in counter.find(QLabel, "closeoutFiles").text()

    printer = counter.desk.printer
    assert isinstance(printer, MemoryPrinter)
    before = len(printer.jobs)
    wait_focus(counter, "sessionTable")
    press(counter, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    counter.qtbot.waitUntil(lambda: screen.papers is not None)
    assert screen.papers is not None and screen.papers.saved is not None
    assert screen.papers.saved.deposit_slip.name == f"deposit-slip-{made.batch}.pdf"
    assert screen.papers.saved.deposit_slip.read_bytes().startswith(b"%PDF")
    assert len(printer.jobs) == before + 1
    assert "R E P R I N T" in printer.jobs[-1] and "C L O S E O U T" in printer.jobs[-1]

    # Another date without a closeout clears the batch; Alt+G then says there is none.
    enter_date = counter.find(QWidget, "closeoutDate")
    enter_date.setFocus()
    wait_focus(counter, "closeoutDate")
    focused().selectAll()  # type: ignore[attr-defined]
    counter.qtbot.keyClicks(focused(), "2001-01-02")
    press(counter, Qt.Key.Key_Return)
    counter.qtbot.waitUntil(lambda: screen.result is None)
    assert "No closeout of 2001-01-02" in counter.find(QLabel, "closeoutBatch").text()
    assert not counter.find(QWidget, "papersAgainButton").isEnabled()


def test_r_prints_the_drawer_report_of_a_closed_session_only(counter: Counter) -> None:
    open_day(
        counter,
        sale("12.00"),
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "10.00": 1, "1.00": 2}}},
        {"op": "login", "user": "bob", "pin": "2468"},
        {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}},
    )
    counter.login("pat", "2222")
    assert counter.screen() == "closeout"
    table = counter.find(QTableWidget, "sessionTable")
    counter.qtbot.waitUntil(lambda: table.rowCount() == 2)
    assert [table.item(r, 2).text() for r in (0, 1)] == ["amy", "bob"]
    printer = counter.desk.printer
    assert isinstance(printer, MemoryPrinter)
    before = len(printer.jobs)

    wait_focus(counter, "sessionTable")
    table.selectRow(1)
    press(counter, Qt.Key.Key_R)  # bob's drawer is still open: the count is blind
    counter.qtbot.waitUntil(lambda: "still open" in banner(counter))
    assert len(printer.jobs) == before

    table.selectRow(0)
    press(counter, Qt.Key.Key_R)
    counter.qtbot.waitUntil(lambda: len(printer.jobs) == before + 1)
    assert "D R A W E R   R E P O R T" in printer.jobs[-1] and "amy" in printer.jobs[-1]
    counter.qtbot.waitUntil(lambda: "printed" in banner(counter))
