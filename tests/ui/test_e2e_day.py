"""A whole counter day through the window's keys only — then the same day as a headless script,
and the two closeouts must agree to the cent.

The window is driven like a cashier drives it: keystrokes into whatever has the focus
(``qtbot.keyClicks`` / ``keyClick``), two scanners (a keyboard-wedge burst into the sale input,
and a code from the serial scanner as the bridge delivers it), and the dialogs for the void,
the drop, the paid-out and the lead's approvals.  The Desk and the ledger are only READ here,
to check what the keys did; nothing is done through them.

The day: amy logs in, opens drawer D1 by the ten-key and rings eleven sales covering every
tender (cash with change, exact cash F9, quick cash Ctrl+2/3/5, check, money order, card, a
split check + cash, an open item by keyed reference, a per-unit code with a quantity both ways,
an open fee with its amount, a partial payment changed with F4), voids the last sale with lee's
override, drops to the safe, pays out postage, closes blind 10.00 short (beyond the tolerance),
lee approves the close, amy logs out; pat logs in and closes out the day (F10 and her PIN).

The same operations then run as a JSON Lines script through ``python -m cashier_desk run`` on a
fresh copy of the demo data dir; both business dates are today (the window's clock is a
FakeClock started at the real now; a run that would cross local midnight waits it out first).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.devices.model import Scanned
from cashier_desk.ledger.drawer import DENOMINATIONS
from cashier_desk.ledger.schema import batches
from cashier_desk.money import Money
from cashier_desk.ui.qt import QApplication, QDialog, QLabel, QLineEdit, Qt
from cashier_desk.ui.screens.closeout import CloseoutScreen
from cashier_desk.ui.screens.sale import SaleScreen
from tests.helpers import FakeClock
from tests.ui import keys
from tests.ui.conftest import Counter
from tests.ui.keys import StepClock, focused

Key = Qt.Key
NO_MOD = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
WAIT_MS = 15000  # generous: a loaded two-core machine

OPENING = {"20.00": 5, "1.00": 20, "0.25": 40}  # 130.00
# Expected cash in the drawer at close: 130.00 opening + 184.00 net cash sales (the voided
# 10.00 sale not counted) - 100.00 drop - 2.50 paid-out = 211.50.  Counted: 201.50, 10.00 short.
COUNTED_CASH = {"20.00": 9, "10.00": 1, "5.00": 2, "1.00": 1, "0.25": 2}
CHECKS = [("1042", "82.15"), ("2001", "50.00")]
MONEY_ORDERS = [("MO-77", "12.00")]
CARD = "95.00"
VOID_REASON = "rang up the wrong licence"
CLOSE_COMMENT = "recounted with the cashier"


# -- the same day as script operations -----------------------------------------------------------


def cash(amount: str) -> dict[str, str]:
    return {"type": "cash", "amount": amount}


#: Every sale of the day, as the script writes it; the window rings the same in ``ring_sales``.
SALES: list[dict[str, Any]] = [
    # 1 cash with change: 20.00, 50.00 keyed after F5
    {"items": [{"code": "DOG-LIC", "qty": 1}], "tenders": [cash("50.00")]},
    # 2 exact cash (F9)
    {"items": [{"code": "CAT-LIC"}], "tenders": [cash("10.00")]},
    # 3 per-unit codes: a quantity asked for (3 visitor passes) and keyed (COPIES*12); Ctrl+2
    {"items": [{"code": "PKG-PRM-VIS", "qty": 3}, {"code": "COPIES", "qty": 12}],
     "tenders": [cash("10.00")]},
    # 4 an open item by keyed reference, paid by check
    {"items": [{"ref": "UB-100234"}],
     "tenders": [{"type": "check", "amount": "82.15", "number": "1042"}]},
    # 5 an open fee with its amount, paid by money order
    {"items": [{"code": "MISC", "amount": "12.00"}],
     "tenders": [{"type": "money_order", "amount": "12.00", "number": "MO-77"}]},
    # 6 card (a code with a split GL)
    {"items": [{"code": "BUS-LIC-NEW"}],
     "tenders": [{"type": "card", "amount": "95.00", "auth": "A1B2C3", "last4": "4242"}]},
    # 7 split tender: check 50.00 + cash 30.00 on 75.00, change 5.00
    {"items": [{"code": "DOG-LIC-U"}, {"code": "NOTARY"}],
     "tenders": [{"type": "check", "amount": "50.00", "number": "2001"}, cash("30.00")]},
    # 8 a citation scanned by the keyboard-wedge scanner, exact cash
    {"items": [{"ref": "PC-2026-000001"}], "tenders": [cash("45.00")]},
    # 9 a bill from the serial scanner, paid in part (F4: 60.00), quick cash Ctrl+5
    {"items": [{"ref": "UB-100001", "amount": "60.00"}], "tenders": [cash("100.00")]},
    # 10 two fees, quick cash Ctrl+3 (20.00), change 5.00
    {"items": [{"code": "ANIMAL-TAG"}, {"code": "GARAGE-SALE"}], "tenders": [cash("20.00")]},
    # 11 exact cash; voided with lee's override
    {"items": [{"code": "DOG-LIC-S"}], "tenders": [cash("10.00")]},
]  # fmt: skip
VOIDED = "W1-000011"


def script_ops(business_date: str) -> list[dict[str, Any]]:
    def items(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"number": n, "amount": a} for n, a in pairs]

    return [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": OPENING},
        *({"op": "sale", **sale} for sale in SALES),
        {"op": "void", "receipt": VOIDED, "approver": "lee", "approver_pin": "1111",
         "reason": VOID_REASON},
        {"op": "drop", "amount": "100.00"},
        {"op": "paid_out", "amount": "2.50", "reason": "postage", "gl": "101-1200-52100"},
        {"op": "close_drawer", "counted": {"cash": COUNTED_CASH, "checks": items(CHECKS),
                                           "money_orders": items(MONEY_ORDERS), "card": CARD}},
        {"op": "approve_close", "approver": "lee", "approver_pin": "1111",
         "comment": CLOSE_COMMENT},
        {"op": "logout"},
        {"op": "closeout", "date": business_date, "approver": "pat", "approver_pin": "2222"},
    ]  # fmt: skip


# -- typing like a cashier: always into whatever has the focus -----------------------------------


def wait_focus(c: Counter, name: str) -> None:
    keys.wait_focus(c, name, timeout=WAIT_MS)


def press(c: Counter, key: Key, modifier: Any = NO_MOD) -> None:
    c.qtbot.keyClick(focused(), key, modifier)
    QApplication.processEvents()
    c.idle(WAIT_MS)


def type_in(c: Counter, field: str, text: str = "", *, enter: bool = True) -> None:
    """The cursor is in ``field``: type ``text`` there (and Enter)."""
    wait_focus(c, field)
    if text:
        c.qtbot.keyClicks(focused(), text)
    if enter:
        press(c, Key.Key_Return)


def ring(c: Counter, text: str) -> None:
    """Key a code or reference into the sale input, then Enter."""
    type_in(c, "saleInput", text)


def dialog_shown(c: Counter, name: str) -> QDialog:
    def visible() -> list[QDialog]:
        return [d for d in c.window.findChildren(QDialog, name) if d.isVisible()]

    c.qtbot.waitUntil(lambda: bool(visible()), timeout=WAIT_MS)
    return visible()[0]


def dialog_gone(c: Counter, name: str) -> None:
    c.qtbot.waitUntil(
        lambda: not [d for d in c.window.findChildren(QDialog, name) if d.isVisible()],
        timeout=WAIT_MS,
    )


def approve(c: Counter, login: str | None, pin: str, reason: str | None) -> None:
    """Type into the lead's override (``approverDialog``), which has the focus."""
    dialog_shown(c, "approverDialog")
    if login is not None:
        type_in(c, "approverLogin", login)
    type_in(c, "approverPin", pin)
    if reason is not None:
        type_in(c, "approverReason", reason)


def banner(c: Counter) -> str:
    return str(c.window.banner.text()) if c.window.banner.isVisible() else ""


def label(c: Counter, name: str) -> str:
    return str(c.find(QLabel, name).text())


def login(c: Counter, user: str, pin: str) -> None:
    assert c.screen() == "login"
    type_in(c, "loginUser", user)
    type_in(c, "loginPin", pin)
    c.idle(WAIT_MS)


def count_rows(c: Counter, prefix: str, counts: dict[str, int]) -> None:
    """From the first denomination row: each count then Enter, all the rows."""
    wait_focus(c, f"{prefix}Count_10000")
    for denom in DENOMINATIONS:
        n = counts.get(str(denom))
        type_in(c, f"{prefix}Count_{denom.cents}", str(n) if n else "")


def sale_screen(c: Counter) -> SaleScreen:
    screen = c.window.screens["sale"]
    assert isinstance(screen, SaleScreen)
    return screen


def posted(c: Counter, n: int) -> None:
    """Sale number ``n`` of the day is posted and its receipt shows."""
    c.qtbot.waitUntil(lambda: sale_screen(c).result is not None, timeout=WAIT_MS)
    result = sale_screen(c).result
    assert result is not None
    assert result.receipt == f"W1-{n:06d}", banner(c)
    assert result.receipt in label(c, "receiptNumber")
    assert str(result.change) in label(c, "changeDue")


def still_due(c: Counter, amount: str) -> None:
    assert f"TOTAL {amount}" in label(c, "totalDue"), (label(c, "totalDue"), banner(c))


# -- the eleven sales ------------------------------------------------------------------------------


def ring_sales(c: Counter) -> None:
    screen = sale_screen(c)
    person = StepClock(200)  # a person's rhythm: qtbot types far faster than anyone can
    screen.wedge.clock = person

    # 1: cash with change
    ring(c, "DOG-LIC")
    still_due(c, "20.00")
    press(c, Key.Key_F5)
    type_in(c, "tenderAmount", "50")
    assert "change 30.00" in label(c, "remainingDue")
    type_in(c, "saleInput")  # Enter in the empty input finishes the sale
    posted(c, 1)
    press(c, Key.Key_Return)  # next customer

    # 2: exact cash
    ring(c, "CAT-LIC")
    press(c, Key.Key_F9)
    press(c, Key.Key_F10)
    posted(c, 2)
    press(c, Key.Key_F2)  # next customer, by the menu key

    # 3: a per-unit fee asks how many; COPIES*12 says it; quick cash Ctrl+2 (next $10)
    ring(c, "PKG-PRM-VIS")
    type_in(c, "salePromptQty", "3")
    ring(c, "COPIES*12")
    still_due(c, "9.00")
    press(c, Key.Key_2, CTRL)
    assert "change 1.00" in label(c, "remainingDue")
    type_in(c, "saleInput")
    posted(c, 3)

    # 4: an open item by its keyed reference (the posted sale clears by itself), by check
    ring(c, "UB-100234")
    still_due(c, "82.15")
    press(c, Key.Key_F6)
    type_in(c, "tenderAmount")  # what is due, filled in
    type_in(c, "tenderNumber", "1042")
    type_in(c, "saleInput")
    posted(c, 4)
    press(c, Key.Key_Return)

    # 5: an open fee with its amount, by money order
    ring(c, "MISC")
    type_in(c, "salePromptAmount", "12.00")
    still_due(c, "12.00")
    press(c, Key.Key_F7)
    type_in(c, "tenderAmount")
    type_in(c, "tenderNumber", "MO-77")
    press(c, Key.Key_F10)
    posted(c, 5)
    press(c, Key.Key_Return)

    # 6: card: the last four and the authorisation
    ring(c, "BUS-LIC-NEW")
    press(c, Key.Key_F8)
    type_in(c, "tenderAmount")
    type_in(c, "tenderLast4", "4242")
    type_in(c, "tenderAuth", "A1B2C3")
    type_in(c, "saleInput")
    posted(c, 6)
    press(c, Key.Key_Return)

    # 7: split tender, check then cash with change
    ring(c, "DOG-LIC-U")
    ring(c, "NOTARY")
    still_due(c, "75.00")
    press(c, Key.Key_F6)
    type_in(c, "tenderAmount", "50")
    type_in(c, "tenderNumber", "2001")
    assert "Still due 25.00" in label(c, "remainingDue")
    press(c, Key.Key_F5)
    type_in(c, "tenderAmount", "30")
    assert "change 5.00" in label(c, "remainingDue")
    type_in(c, "saleInput")
    posted(c, 7)
    press(c, Key.Key_Return)

    # 8: the keyboard-wedge scanner: a burst, a key every 5 ms, ending in Enter
    wait_focus(c, "saleInput")
    screen.wedge.clock = StepClock(5)
    with c.qtbot.waitSignal(screen.wedge.scanned, timeout=WAIT_MS) as scan:
        c.qtbot.keyClicks(focused(), "PC-2026-000001")
        press(c, Key.Key_Return)
    assert scan.args == ["PC-2026-000001"]  # a scan, not typing
    screen.wedge.clock = person
    assert [line.ref for line in screen.lines] == ["PC-2026-000001"]
    assert c.find(QLineEdit, "saleInput").text() == ""  # the scanner's characters taken back
    still_due(c, "45.00")
    press(c, Key.Key_F9)
    press(c, Key.Key_Return)
    posted(c, 8)
    press(c, Key.Key_Return)

    # 9: the serial scanner (as the bridge delivers its code); F4 pays part of the bill
    c.ctx.bridge.happened.emit(Scanned("UB-100001"))
    c.idle(WAIT_MS)
    assert [line.ref for line in screen.lines] == ["UB-100001"]
    still_due(c, "97.16")
    wait_focus(c, "saleInput")
    press(c, Key.Key_F4)
    type_in(c, "salePromptAmount", "60.00")
    still_due(c, "60.00")
    press(c, Key.Key_5, CTRL)  # next $100
    assert "change 40.00" in label(c, "remainingDue")
    press(c, Key.Key_F10)
    posted(c, 9)
    press(c, Key.Key_Return)

    # 10: two fees, quick cash Ctrl+3 (next $20)
    ring(c, "ANIMAL-TAG")
    ring(c, "GARAGE-SALE")
    still_due(c, "15.00")
    press(c, Key.Key_3, CTRL)
    type_in(c, "saleInput")
    posted(c, 10)
    press(c, Key.Key_Return)

    # 11: exact cash; voided below
    ring(c, "DOG-LIC-S")
    press(c, Key.Key_F9)
    press(c, Key.Key_F10)
    posted(c, 11)
    press(c, Key.Key_Return)
    wait_focus(c, "saleInput")


def check_receipts_match_the_script(c: Counter) -> None:
    """What the keys posted is exactly what the script says (items, tenders), read back."""
    numbers = [r.receipt_no for r in c.desk.receipts()]
    assert sorted(numbers) == [f"W1-{n:06d}" for n in range(1, len(SALES) + 1)]
    for n, sale in enumerate(SALES, start=1):
        view = c.desk.receipt(f"W1-{n:06d}")
        assert view is not None
        items = sale["items"]
        assert [(x.ref or x.code, x.qty) for x in view.lines] == [
            (spec.get("ref") or spec["code"], spec.get("qty", 1)) for spec in items
        ], n
        for spec, line in zip(items, view.lines, strict=True):
            if "amount" in spec:
                assert line.amount == Money.parse(spec["amount"]), (n, spec)
        tenders = [
            {
                "type": t.kind,
                "amount": str(t.amount),
                **({"number": t.number} if t.number else {}),
                **({"auth": t.auth, "last4": t.last4} if t.kind == "card" else {}),
            }
            for t in view.tenders
        ]
        assert tenders == sale["tenders"], n
        assert view.voided == (f"W1-{n:06d}" == VOIDED)
        if view.voided:
            assert (view.void_approver, view.void_reason) == ("lee", VOID_REASON)


# -- the day -------------------------------------------------------------------------------------


def window_day(c: Counter) -> dict[str, Any]:
    """The whole day through the window; returns the closeout summary the window's batch holds."""
    c.window.activateWindow()
    c.qtbot.waitUntil(lambda: QApplication.activeWindow() is c.window, timeout=WAIT_MS)

    # amy: log in, open drawer D1 with the change fund by the ten-key
    login(c, "amy", "4821")
    assert c.screen() == "open_drawer"
    count_rows(c, "open", OPENING)  # Enter on the last row opens the drawer
    c.idle(WAIT_MS)
    assert c.screen() == "sale"
    session = c.desk.current_session()
    assert session is not None and session.drawer == "D1"
    assert session.opening == Money.parse("130.00")

    ring_sales(c)

    # the void: Ctrl+Shift+V, the last receipt of the drawer is filled in; lee overrides
    press(c, Key.Key_V, CTRL_SHIFT)
    void = dialog_shown(c, "voidDialog")
    receipt = void.findChild(QLineEdit, "voidReceipt")
    assert receipt is not None
    c.qtbot.waitUntil(lambda: receipt.text() == VOIDED, timeout=WAIT_MS)
    type_in(c, "voidReceipt")
    approve(c, "lee", "1111", VOID_REASON)
    c.idle(WAIT_MS)
    dialog_gone(c, "voidDialog")
    assert "VOID" in banner(c) and "lee" in banner(c)

    # a drop to the safe, a paid-out
    wait_focus(c, "saleInput")
    press(c, Key.Key_D, CTRL)
    dialog_shown(c, "dropDialog")
    type_in(c, "dropAmount", "100.00")
    type_in(c, "dropBag", "B-7")
    dialog_gone(c, "dropDialog")
    wait_focus(c, "saleInput")
    press(c, Key.Key_P, CTRL)
    dialog_shown(c, "paidOutDialog")
    type_in(c, "paidOutAmount", "2.50")
    type_in(c, "paidOutReason", "postage")
    type_in(c, "paidOutGl", "101-1200-52100")
    dialog_gone(c, "paidOutDialog")

    # the blind close: cash, checks, money orders, card; 10.00 short needs lee's approval
    wait_focus(c, "saleInput")
    press(c, Key.Key_C, CTRL_SHIFT)
    assert c.screen() == "close_drawer"
    count_rows(c, "close", COUNTED_CASH)
    assert label(c, "closeTotal") == "Cash counted: 201.50"
    for number, amount in CHECKS:
        type_in(c, "checkNumber", number)
        type_in(c, "checkAmount", amount)
    type_in(c, "checkNumber")  # no more checks
    for number, amount in MONEY_ORDERS:
        type_in(c, "moneyOrderNumber", number)
        type_in(c, "moneyOrderAmount", amount)
    type_in(c, "moneyOrderNumber")
    type_in(c, "cardTotal", CARD)
    type_in(c, "submitCountButton")
    wait_focus(c, "approveCloseButton")
    shown = {
        lbl.property("tender"): lbl.text()
        for lbl in c.window.findChildren(QLabel, "overShort")
        if lbl.isVisible()
    }
    assert shown == {
        "cash": "Cash: 10.00 short",
        "check": "Checks: 0.00",
        "money_order": "Money orders: 0.00",
        "card": "Card: 0.00",
    }
    assert [s.state for s in c.desk.day_sessions()] == ["awaiting_approval"]
    type_in(c, "approveCloseButton")
    approve(c, "lee", "1111", CLOSE_COMMENT)
    c.idle(WAIT_MS)
    type_in(c, "closeLogoutButton")  # Enter: log out
    c.idle(WAIT_MS)
    assert c.desk.user is None and c.screen() == "login"
    assert [s.state for s in c.desk.day_sessions()] == ["closed"]

    # pat: the lead's closeout, F10 and her own PIN (her login is filled in)
    login(c, "pat", "2222")
    assert c.screen() == "closeout"
    wait_focus(c, "sessionTable")
    press(c, Key.Key_F10)
    dialog = dialog_shown(c, "approverDialog")
    pat = dialog.findChild(QLineEdit, "approverLogin")
    assert pat is not None and pat.text() == "pat"
    approve(c, None, "2222", None)
    screen = c.window.screens["closeout"]
    assert isinstance(screen, CloseoutScreen)
    c.qtbot.waitUntil(lambda: screen.papers is not None, timeout=WAIT_MS)
    c.idle(WAIT_MS)
    assert screen.result is not None
    assert [s.state for s in c.desk.day_sessions()] == ["batched"]

    check_receipts_match_the_script(c)
    with c.app.ledger.read() as conn:
        payload = json.loads(conn.execute(sa.select(batches.c.payload)).scalar_one())
    summary: dict[str, Any] = payload["summary"]
    assert summary == screen.result.as_json()
    assert label(c, "depositTotal") == summary["deposit"]["total"]
    return summary


def settle(c: Counter) -> None:
    """Let the window finish what its timers started while the script ran (the status bar's
    counts), so that nothing of it comes back after the window is gone."""
    c.qtbot.wait(50)
    c.idle(WAIT_MS)


def wait_out_the_end_of_the_day(margin_seconds: float = 300) -> None:
    """The headless run takes its business date from the real clock, after the window's day:
    started in the last minutes before local midnight, the two would fall on two dates."""
    now = datetime.now().astimezone()
    midnight = datetime.combine(now.date() + timedelta(days=1), dt_time(), tzinfo=now.tzinfo)
    left = (midnight - now).total_seconds()
    if left < margin_seconds:
        time.sleep(left + 1)


def headless_day(template: Path, target: Path, business_date: str) -> list[dict[str, Any]]:
    shutil.copytree(template, target)
    script = target.parent / f"{target.name}.jsonl"
    script.write_text(
        "".join(json.dumps(op) + "\n" for op in script_ops(business_date)), encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(target), "run", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_a_keyboard_only_day_closes_out_exactly_as_the_same_day_run_headless(
    make_counter: Callable[..., Counter], template_dir: Path, tmp_path: Path
) -> None:
    wait_out_the_end_of_the_day()
    c = make_counter(clock=FakeClock(datetime.now(UTC)))
    business_date = c.desk.business_date()
    window = window_day(c)

    results = headless_day(template_dir, tmp_path / "headless", business_date)
    settle(c)
    assert [r["op"] for r in results] == [op["op"] for op in script_ops(business_date)]
    assert all(r["ok"] for r in results), results
    # sale by sale, the same receipt, total and change as the window posted
    sales = [r for r in results if r["op"] == "sale"]
    for n, result in enumerate(sales, start=1):
        view = c.desk.receipt(f"W1-{n:06d}")
        assert view is not None
        assert (result["receipt"], result["total"], result["change"]) == (
            view.receipt_no,
            str(view.total),
            str(view.change),
        )
    (close,) = (r for r in results if r["op"] == "close_drawer")
    assert close["needs_approval"] is True
    assert close["over_short"] == {
        "cash": "-10.00", "check": "0.00", "money_order": "0.00", "card": "0.00",
    }  # fmt: skip

    headless = results[-1]
    assert headless["op"] == "closeout"
    expected = {k: v for k, v in headless.items() if k not in ("op", "ok", "batch", "papers")}
    got = {k: v for k, v in window.items() if k != "batch"}
    assert got == expected
    # and the figures are the day's (not two equal mistakes)
    assert got["date"] == business_date
    assert (got["receipts"], got["voids"]) == (11, 1)
    assert got["tenders"]["cash"] == {
        "expected": "181.50", "counted": "171.50", "over_short": "-10.00",
    }  # fmt: skip
    assert got["deposit"] == {
        "cash": "171.50", "checks": "132.15", "money_orders": "12.00", "total": "315.65",
    }  # fmt: skip
