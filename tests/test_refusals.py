"""Every refusal of the contract (``spec/headless.md``) is refused with a stable error code and
CHANGES NOTHING.

Each case sets up its state with script operations (``run_op``), takes a dump of every table,
runs the refused operation and checks that it came back ``ok: false`` with the expected
``error`` code and a message for a person, and that every table is exactly as before (and that
no receipt was printed, the drawer did not open and the logged-in user did not change).

The one refusal that does leave a trace is a wrong PIN (it counts towards the lockout); that
is tested on its own: once locked, even the right PIN is refused and changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.runner import run_op
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock, dump_tables

Op = dict[str, Any]

# A Visa test number: 16 digits that pass the Luhn check.
PAN = "4111111111111111"

# -- building blocks of the set-ups ------------------------------------------------------------

AMY: Op = {"op": "login", "user": "amy", "pin": "4821"}
BOB: Op = {"op": "login", "user": "bob", "pin": "2468"}
LOGOUT: Op = {"op": "logout"}
OPENING: dict[str, int] = {"20.00": 5, "1.00": 20, "0.25": 40}  # a change fund of 130.00
OPEN_D1: Op = {"op": "open_drawer", "drawer": "D1", "opening": OPENING}
AMY_AT_D1: list[Op] = [AMY, OPEN_D1]


def cash(amount: str) -> Op:
    return {"type": "cash", "amount": amount}


def check(amount: str, number: str = "1042") -> Op:
    return {"type": "check", "amount": amount, "number": number}


def card(amount: str, **fields: str) -> Op:
    return {"type": "card", "amount": amount, "auth": "A1B2C3", "last4": "4242", **fields}


def sale(items: Sequence[Op], tenders: Sequence[Op], **extra: Any) -> Op:
    return {"op": "sale", "items": list(items), "tenders": list(tenders), **extra}


def ring(*items: Op) -> Op:
    """A sale of these items paid with more cash than any of them costs."""
    return sale(items, [cash("500.00")])


DOG: Op = {"code": "DOG-LIC"}  # fixed 20.00
DOG_CASH = sale([DOG], [cash("50.00")])  # W1-000001 in the set-ups below: 20.00, change 30.00
DOG_CHECK = sale([DOG], [check("20.00")])
# After these the drawer should hold 130.00 + 20.00 = 150.00 in cash (the check is not cash).
CASH_150: list[Op] = [*AMY_AT_D1, DOG_CASH, DOG_CHECK]
SOLD: list[Op] = [*AMY_AT_D1, DOG_CASH]

EXACT_COUNT: Op = {"op": "close_drawer", "counted": {"cash": {"20.00": 6, "1.00": 20, "0.25": 40}}}
SHORT_COUNT: Op = {  # 10.00 short: beyond the 5.00 tolerance, so the close awaits a lead
    "op": "close_drawer",
    "counted": {"cash": {"20.00": 5, "10.00": 1, "1.00": 20, "0.25": 40}},
}
AWAITING: list[Op] = [*SOLD, SHORT_COUNT]
CLOSED: list[Op] = [*SOLD, EXACT_COUNT]


def void(receipt: str = "W1-000001", approver: str = "lee", pin: str = "1111", **kw: str) -> Op:
    return {
        "op": "void",
        "receipt": receipt,
        "approver": approver,
        "approver_pin": pin,
        "reason": kw.get("reason", "keyed twice"),
    }


def approve(approver: str = "lee", pin: str = "1111", comment: str = "recounted") -> Op:
    return {"op": "approve_close", "approver": approver, "approver_pin": pin, "comment": comment}


def closeout(approver: str = "lee", pin: str = "1111", **extra: str) -> Op:
    return {"op": "closeout", "approver": approver, "approver_pin": pin, **extra}


def wrong_pins(user: str, times: int = 5) -> list[Op]:
    return [{"op": "login", "user": user, "pin": "0000", "expect": "error"}] * times


# -- running and checking ---------------------------------------------------------------------


def run_setup(app: App, ops: Sequence[Op]) -> None:
    for op in ops:
        result = run_op(app.desk, op)
        assert result["ok"] is (op.get("expect", "ok") == "ok"), (op, result)


def devices(app: App) -> tuple[int, int]:
    printer, drawer = app.desk.printer, app.desk.cash_drawer
    assert isinstance(printer, MemoryPrinter) and isinstance(drawer, CountingDrawer)
    return len(printer.jobs), drawer.opened


def assert_refused_without_change(app: App, op: Op, error: str) -> Op:
    """Run ``op``; it must be refused with ``error`` and change nothing at all — but for the
    audit record of a refused override (the right PIN of someone who may not approve)."""
    before = dump_tables(app)
    before_devices, before_user = devices(app), app.desk.logged_in()
    result = run_op(app.desk, op)
    assert result["ok"] is False, result
    assert result["op"] == op.get("op")
    assert result["error"] == error, result
    assert isinstance(result["message"], str) and result["message"].strip(), result
    assert set(result) == {"op", "ok", "error", "message"}, result
    after = dump_tables(app)
    changed = sorted(t for t in before if before[t] != after[t])
    if error == "not_authorized":
        assert changed == ["audit_log", "counters"], changed
        [record] = after["audit_log"][len(before["audit_log"]) :]
        assert (record[4], record[6]) == ("override_refused", "refused"), record
    else:
        assert not changed, f"the refused {op['op']} changed {changed}"
    assert devices(app) == before_devices, "a refused operation printed or opened the drawer"
    assert app.desk.logged_in() == before_user
    return result


# -- the cases --------------------------------------------------------------------------------

CASES: list[Any] = [
    # ---- items ----
    pytest.param(AMY_AT_D1, ring({"code": "NO-SUCH"}), "unknown_code", id="unknown-code"),
    pytest.param(AMY_AT_D1, ring({"ref": "UB-999999"}), "unknown_ref", id="unknown-ref"),
    pytest.param(
        AMY_AT_D1, ring({"code": "MISC", "amount": "12.345"}), "bad_amount", id="three-decimals"
    ),
    pytest.param(
        AMY_AT_D1, ring({"code": "MISC", "amount": 12.5}), "bad_amount", id="amount-not-a-string"
    ),
    pytest.param(
        AMY_AT_D1, ring({"code": "MISC", "amount": "0.00"}), "bad_amount", id="open-amount-zero"
    ),
    pytest.param(
        AMY_AT_D1, ring({"code": "MISC", "amount": "-5.00"}), "bad_amount", id="open-amount-neg"
    ),
    *(
        pytest.param(
            AMY_AT_D1, ring({"code": code, "qty": qty}), "bad_quantity", id=f"qty-{code}-{qty!r}"
        )
        for code in ("DOG-LIC", "COPIES")
        for qty in (0, -1, 1.5, 2.0, "2", True, None, 10000)
    ),
    pytest.param(
        AMY_AT_D1, ring({"ref": "UB-100234", "qty": 2}), "bad_quantity", id="qty-on-open-item"
    ),
    pytest.param(AMY_AT_D1, ring({"ref": "PC-2026-000002"}), "item_on_hold", id="item-on-hold"),
    pytest.param(
        AMY_AT_D1,
        ring({"ref": "PC-2026-000001", "amount": "20.00"}),
        "partial_not_allowed",
        id="partial-not-allowed",
    ),
    pytest.param(
        AMY_AT_D1,
        ring({"ref": "UB-100234", "amount": "82.16"}),
        "overpayment",
        id="overpayment",
    ),
    pytest.param(
        AMY_AT_D1,
        ring({"ref": "UB-100234", "amount": "50.00"}, {"ref": "UB-100234", "amount": "40.00"}),
        "overpayment",
        id="overpayment-over-two-lines",
    ),
    pytest.param(
        [*AMY_AT_D1, sale([{"ref": "UB-100234"}], [cash("82.15")])],
        ring({"ref": "UB-100234", "amount": "0.01"}),
        "already_paid",
        id="open-item-paid-today",
    ),
    pytest.param(AMY_AT_D1, ring({"ref": "UB-100064"}), "already_paid", id="open-item-paid"),
    pytest.param(
        AMY_AT_D1,
        ring({"ref": "UB-100234"}, {"ref": "UB-100234"}),
        "overpayment",
        id="open-item-paid-by-an-earlier-line",
    ),
    pytest.param(
        AMY_AT_D1,
        ring({"code": "DOG-LIC", "amount": "20.00"}),
        "amount_not_allowed",
        id="fixed-fee-with-amount",
    ),
    pytest.param(
        AMY_AT_D1,
        ring({"code": "COPIES", "qty": 4, "amount": "1.00"}),
        "amount_not_allowed",
        id="per-unit-with-amount",
    ),
    pytest.param(AMY_AT_D1, ring({"code": "MISC"}), "amount_required", id="open-without-amount"),
    pytest.param(
        AMY_AT_D1, ring({"code": "DOG-LIC", "ref": "UB-100234"}), "bad_item", id="code-and-ref"
    ),
    pytest.param(AMY_AT_D1, ring({"qty": 1}), "bad_item", id="neither-code-nor-ref"),
    pytest.param(
        AMY_AT_D1,
        ring({"code": "DOG-LIC", "price": "20.00"}),
        "bad_request",
        id="unknown-field-in-item",
    ),
    pytest.param(AMY_AT_D1, sale([], [cash("20.00")]), "no_items", id="no-items"),
    # ---- tenders ----
    pytest.param(AMY_AT_D1, sale([DOG], [cash("19.99")]), "tenders_short", id="tenders-short"),
    pytest.param(
        AMY_AT_D1,
        sale([DOG], [check("10.00"), cash("9.99")]),
        "tenders_short",
        id="tenders-short-mixed",
    ),
    pytest.param(
        AMY_AT_D1, sale([DOG], [check("25.00")]), "non_cash_over_total", id="check-over-total"
    ),
    pytest.param(
        AMY_AT_D1, sale([DOG], [card("20.01")]), "non_cash_over_total", id="card-over-total"
    ),
    pytest.param(
        AMY_AT_D1,
        sale(
            [DOG],
            [check("15.00"), {"type": "money_order", "amount": "10.00", "number": "MO-77"}],
        ),
        "non_cash_over_total",
        id="non-cash-together-over-total",
    ),
    pytest.param(
        AMY_AT_D1,
        sale([DOG], [check("25.00"), cash("5.00")]),
        "non_cash_over_total",
        id="check-over-total-with-cash",
    ),
    pytest.param(AMY_AT_D1, sale([DOG], [cash("20.005")]), "bad_amount", id="tender-3-decimals"),
    pytest.param(AMY_AT_D1, sale([DOG], [cash("0.00")]), "bad_amount", id="tender-zero"),
    pytest.param(
        AMY_AT_D1,
        sale([DOG], [cash("25.00"), cash("-5.00")]),
        "bad_amount",
        id="tender-negative",
    ),
    pytest.param(
        AMY_AT_D1,
        sale([DOG], [{"type": "bitcoin", "amount": "20.00"}]),
        "bad_tender",
        id="unknown-tender",
    ),
    pytest.param(AMY_AT_D1, sale([DOG], []), "no_tender", id="no-tender"),
    pytest.param(
        AMY_AT_D1,
        sale([DOG], [{"type": "check", "amount": "20.00"}]),
        "bad_request",
        id="check-without-number",
    ),
    # ---- card numbers must never be kept ----
    pytest.param(
        AMY_AT_D1, sale([DOG], [card("20.00", last4=PAN)]), "bad_card", id="card-pan-in-last4"
    ),
    pytest.param(
        AMY_AT_D1, sale([DOG], [card("20.00", auth=PAN)]), "bad_text", id="card-pan-in-auth"
    ),
    pytest.param(
        AMY_AT_D1,
        sale([DOG], [card("20.00", number=PAN)]),
        "bad_request",
        id="card-pan-as-number-field",
    ),
    pytest.param(
        AMY_AT_D1, sale([DOG], [card("20.00", pan=PAN)]), "bad_request", id="card-pan-field"
    ),
    pytest.param(
        AMY_AT_D1, sale([DOG], [card("20.00", last4="42a2")]), "bad_card", id="card-bad-last4"
    ),
    pytest.param(
        AMY_AT_D1,
        sale([DOG], [check("20.00", number="4111 1111 1111 1111")]),
        "bad_text",
        id="check-number-is-a-pan",
    ),
    pytest.param(
        AMY_AT_D1, sale([DOG], [cash("20.00")], payer=PAN), "bad_text", id="payer-is-a-pan"
    ),
    pytest.param(
        AMY_AT_D1,
        sale([DOG], [cash("20.00")], payer="J. Doe, card 5555-5555-5555-4444"),
        "bad_text",
        id="payer-holds-a-pan",
    ),
    # ---- the shape of an operation ----
    pytest.param(
        AMY_AT_D1,
        sale([DOG], [cash("20.00")], note="hello"),
        "bad_request",
        id="unknown-field-in-op",
    ),
    pytest.param([], {**AMY, "workstation": "W2"}, "bad_request", id="unknown-field-in-login"),
    pytest.param(AMY_AT_D1, {"op": "refund", "receipt": "W1-000001"}, "bad_request", id="no-op"),
    pytest.param(AMY_AT_D1, {"op": "drop"}, "bad_request", id="missing-field"),
    # ---- no drawer, nobody logged in ----
    *(
        pytest.param([], op, "not_logged_in", id=f"nobody-logged-in-{op['op']}")
        for op in (
            sale([DOG], [cash("20.00")]),
            {"op": "drop", "amount": "10.00"},
            {"op": "paid_out", "amount": "1.00", "reason": "postage", "gl": "101-1200-52100"},
            {"op": "no_sale", "reason": "make change"},
            EXACT_COUNT,
            OPEN_D1,
            void(),
            {"op": "reprint", "receipt": "W1-000001"},
            LOGOUT,
        )
    ),
    pytest.param(
        [*SOLD, LOGOUT], sale([DOG], [cash("20.00")]), "not_logged_in", id="sale-after-logout"
    ),
    *(
        pytest.param([AMY], op, "no_open_drawer", id=f"no-drawer-{op['op']}")
        for op in (
            sale([DOG], [cash("20.00")]),
            {"op": "drop", "amount": "10.00"},
            {"op": "paid_out", "amount": "1.00", "reason": "postage", "gl": "101-1200-52100"},
            {"op": "no_sale", "reason": "make change"},
            EXACT_COUNT,
            void(),
        )
    ),
    pytest.param(
        SOLD, {"op": "reprint", "receipt": "W1-000099"}, "unknown_receipt", id="reprint-unknown"
    ),
    pytest.param(CLOSED, DOG_CASH, "no_open_drawer", id="sale-after-close"),
    pytest.param(CLOSED, EXACT_COUNT, "no_open_drawer", id="second-close"),
    # ---- opening a drawer ----
    pytest.param(
        AMY_AT_D1, {**OPEN_D1, "drawer": "D2"}, "drawer_already_open", id="second-open-by-amy"
    ),
    pytest.param(AMY_AT_D1, OPEN_D1, "drawer_already_open", id="same-drawer-again-by-amy"),
    pytest.param([*AMY_AT_D1, LOGOUT, BOB], OPEN_D1, "drawer_in_use", id="drawer-in-use"),
    pytest.param([AMY], {**OPEN_D1, "opening": {"3.00": 1}}, "bad_denomination", id="open-3.00"),
    pytest.param([AMY], {**OPEN_D1, "opening": {"1.00": -1}}, "bad_quantity", id="open-neg"),
    pytest.param([AMY], {**OPEN_D1, "opening": {"1.005": 1}}, "bad_amount", id="open-3-decimals"),
    pytest.param([AMY], {**OPEN_D1, "drawer": PAN}, "bad_text", id="drawer-id-is-a-pan"),
    # ---- drops and paid-outs: never more than the cash the drawer should hold (150.00) ----
    pytest.param(CASH_150, {"op": "drop", "amount": "150.01"}, "more_than_drawer", id="drop"),
    pytest.param(
        CASH_150,
        {"op": "paid_out", "amount": "150.01", "reason": "postage", "gl": "101-1200-52100"},
        "more_than_drawer",
        id="paid-out",
    ),
    pytest.param(
        [*CASH_150, {"op": "drop", "amount": "100.00"}],
        {"op": "drop", "amount": "50.01"},
        "more_than_drawer",
        id="drop-after-drop",
    ),
    pytest.param(
        [
            *CASH_150,
            {"op": "paid_out", "amount": "30.00", "reason": "postage", "gl": "101-1200-52100"},
        ],
        {"op": "paid_out", "amount": "120.01", "reason": "postage", "gl": "101-1200-52100"},
        "more_than_drawer",
        id="paid-out-after-paid-out",
    ),
    pytest.param(CASH_150, {"op": "drop", "amount": "0.00"}, "bad_amount", id="drop-zero"),
    pytest.param(CASH_150, {"op": "drop", "amount": "-1.00"}, "bad_amount", id="drop-negative"),
    pytest.param(CASH_150, {"op": "drop", "amount": "1.005"}, "bad_amount", id="drop-3-decimals"),
    pytest.param(
        CASH_150,
        {"op": "paid_out", "amount": "1.00", "reason": "postage", "gl": "postage"},
        "bad_gl",
        id="paid-out-bad-gl",
    ),
    pytest.param(
        CASH_150,
        {"op": "paid_out", "amount": "1.00", "reason": f"card {PAN}", "gl": "101-1200-52100"},
        "bad_text",
        id="paid-out-reason-pan",
    ),
    # ---- voids ----
    pytest.param(SOLD, void(approver="amy", pin="4821"), "self_approval", id="void-self"),
    pytest.param(SOLD, void(approver="bob", pin="2468"), "not_authorized", id="void-by-cashier"),
    pytest.param(
        [*wrong_pins("bob", 2), *SOLD],
        void(approver="bob", pin="2468"),
        "not_authorized",
        id="void-by-cashier-with-earlier-wrong-pins",
    ),
    pytest.param([*SOLD, void()], void(approver="pat", pin="2222"), "already_voided", id="2nd"),
    pytest.param(SOLD, void(receipt="W1-000099"), "unknown_receipt", id="void-unknown-receipt"),
    pytest.param(SOLD, void(reason=f"card {PAN}"), "bad_text", id="void-reason-pan"),
    pytest.param(
        [*SOLD, LOGOUT, BOB, {**OPEN_D1, "drawer": "D2"}],
        void(),
        "not_in_session",
        id="void-other-cashiers-receipt",
    ),
    pytest.param(
        [*SOLD, EXACT_COUNT, {**OPEN_D1, "drawer": "D2"}],
        void(),
        "not_in_session",
        id="void-after-close",
    ),
    pytest.param([*wrong_pins("lee"), *SOLD], void(), "locked", id="void-approver-locked"),
    # ---- close, approval, closeout ----
    pytest.param(SOLD, closeout(), "drawer_open", id="closeout-drawer-open"),
    pytest.param(AWAITING, closeout(), "approval_pending", id="closeout-approval-pending"),
    pytest.param(
        [*AWAITING, LOGOUT, BOB, {**OPEN_D1, "drawer": "D2"}],
        closeout(),
        "drawer_open",
        id="closeout-one-open-one-awaiting",
    ),
    pytest.param(AWAITING, approve("amy", "4821"), "self_approval", id="approve-own-close"),
    pytest.param(AWAITING, approve("bob", "2468"), "not_authorized", id="approve-by-cashier"),
    pytest.param(AWAITING, approve(comment=f"ok {PAN}"), "bad_text", id="approve-comment-pan"),
    pytest.param(
        [*AWAITING, approve()], approve("pat", "2222"), "nothing_to_approve", id="approve-twice"
    ),
    pytest.param(SOLD, approve(), "nothing_to_approve", id="approve-open-drawer"),
    pytest.param(
        [*AWAITING, *wrong_pins("lee")], approve(), "locked", id="approve-approver-locked"
    ),
    pytest.param(CLOSED, closeout("bob", "2468"), "not_authorized", id="closeout-by-cashier"),
    pytest.param(CLOSED, closeout("amy", "4821"), "self_approval", id="closeout-by-its-cashier"),
    pytest.param(CLOSED, closeout(date="2026-13-01"), "bad_date", id="closeout-bad-date"),
    pytest.param([*CLOSED, closeout()], closeout(), "nothing_to_close", id="closeout-twice"),
    pytest.param([], closeout(), "nothing_to_close", id="closeout-nothing"),
    pytest.param(
        SOLD,
        {"op": "close_drawer", "counted": {"checks": [{"number": PAN, "amount": "20.00"}]}},
        "bad_text",
        id="close-check-number-pan",
    ),
    pytest.param(
        SOLD,
        {"op": "close_drawer", "counted": {"card": "-1.00"}},
        "bad_amount",
        id="close-negative-card",
    ),
    pytest.param(
        SOLD,
        {"op": "close_drawer", "counted": {"cash": {"20.00": 6}, "coins": 3}},
        "bad_request",
        id="close-unknown-field",
    ),
    # ---- logging in ----
    pytest.param([*wrong_pins("amy")], AMY, "locked", id="login-locked-right-pin"),
    pytest.param([*wrong_pins("amy")], {**AMY, "pin": "9999"}, "locked", id="login-locked-wrong"),
    pytest.param([], {**AMY, "pin": ""}, "bad_credentials", id="login-empty-pin"),
    pytest.param([], {**AMY, "pin": 4821}, "bad_credentials", id="login-pin-a-number"),
]


@pytest.mark.parametrize(("setup", "op", "error"), CASES)
def test_refused_and_nothing_changes(app: App, setup: list[Op], op: Op, error: str) -> None:
    run_setup(app, setup)
    assert_refused_without_change(app, op, error)


def test_the_limits_themselves_are_allowed(app: App) -> None:
    """The refusals above are refused for the reason named, not for something else: the same
    set-ups accept the largest amount that is allowed."""
    run_setup(app, CASH_150)
    ok = run_op(app.desk, {"op": "drop", "amount": "150.00"})
    assert ok["ok"], ok
    assert not run_op(app.desk, {"op": "drop", "amount": "0.01"})["ok"]
    assert run_op(app.desk, ring({"ref": "UB-100234", "amount": "82.14"}))["ok"]
    assert run_op(app.desk, ring({"ref": "UB-100234", "amount": "0.01"}))["ok"]
    assert run_op(app.desk, sale([DOG], [check("15.00"), cash("10.00")]))["change"] == "5.00"


def test_lockout_counts_wrong_pins_then_refuses_the_right_one_until_it_expires(
    make_app: Callable[..., App],
) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)
    for n in range(1, 5):
        before = dump_tables(app)
        r = run_op(app.desk, {"op": "login", "user": "amy", "pin": "0000"})
        assert (r["ok"], r["error"]) == (False, "bad_credentials"), r
        # A wrong PIN is the one refusal that leaves a trace: it is counted (and audited).
        assert dump_tables(app) != before, f"wrong PIN {n} was not counted"
    r = run_op(app.desk, {"op": "login", "user": "amy", "pin": "0000"})
    assert (r["ok"], r["error"]) == (False, "locked"), r
    assert r["message"]

    # Locked: the right PIN is refused and changes nothing; so is another wrong one.
    clock.advance(minutes=29)
    assert_refused_without_change(app, AMY, "locked")
    assert_refused_without_change(app, {**AMY, "pin": "1234"}, "locked")
    assert app.desk.logged_in() is None
    # Another person is not affected by amy's lockout.
    assert run_op(app.desk, BOB)["ok"]
    assert run_op(app.desk, LOGOUT)["ok"]

    clock.advance(minutes=2)  # 31 minutes after the lockout
    r = run_op(app.desk, AMY)
    assert r["ok"], r
    assert app.desk.logged_in() == "amy"
    # ...and the count starts again from zero: four wrong PINs do not lock her.
    for _ in range(4):
        assert run_op(app.desk, {**AMY, "pin": "0000"})["error"] == "bad_credentials"
    assert run_op(app.desk, AMY)["ok"]


def test_a_wrong_approver_pin_is_refused_and_only_counted(app: App) -> None:
    run_setup(app, SOLD)
    before = dump_tables(app)
    r = run_op(app.desk, void(pin="9999"))
    assert (r["ok"], r["error"]) == (False, "bad_credentials"), r
    after = dump_tables(app)
    # Counted: lee's failure, its audit record and the audit chain's counter; nothing else.
    assert {t for t in before if before[t] != after[t]} == {"login_state", "audit_log", "counters"}
    assert after["login_state"] == [("lee", 1, None)]
    assert [r for r in after["counters"] if r[1] != "audit"] == [
        r for r in before["counters"] if r[1] != "audit"
    ]


BIG = "9999999999999.99"  # the largest amount Money.parse accepts


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(ring({"code": "MISC", "amount": BIG, "qty": 2}), id="line-amount-x-qty"),
        pytest.param(
            ring({"code": "MISC", "amount": BIG}, {"code": "MISC", "amount": BIG}),
            id="sum-of-lines",
        ),
        pytest.param(sale([DOG], [cash(BIG), cash(BIG)]), id="sum-of-tenders"),
        pytest.param(
            {
                "op": "close_drawer",
                "counted": {
                    "checks": [{"number": "1", "amount": BIG}, {"number": "2", "amount": BIG}]
                },
            },
            id="sum-of-counted-checks",
        ),
    ],
)
def test_totals_too_large_are_refused(app: App, op: Op) -> None:
    # Each of these amounts is over [policy] max_amount before any sum could overflow.
    run_setup(app, AMY_AT_D1)
    assert_refused_without_change(app, op, "amount_too_large")


def test_one_drawer_per_cashier_across_workstations(make_app: Callable[..., App]) -> None:
    """amy's drawer open on W1 is hers on every workstation of the same ledger."""
    w1 = make_app()
    run_setup(w1, AMY_AT_D1)
    w2 = make_app("data", workstation="W2")  # the same data dir, another workstation
    run_setup(w2, [AMY])
    assert_refused_without_change(w2, {**OPEN_D1, "drawer": "D7"}, "drawer_already_open")
    assert_refused_without_change(w2, DOG_CASH, "no_open_drawer")
    assert_refused_without_change(w2, {"op": "drop", "amount": "1.00"}, "no_open_drawer")
    assert_refused_without_change(w2, closeout(), "nothing_to_close")
    assert_refused_without_change(w1, closeout(), "drawer_open")


# -- the same refusals through the command line ------------------------------------------------

CLI_SCRIPT: list[tuple[Op, str | None]] = [
    (AMY, None),
    (OPEN_D1, None),
    (DOG_CASH, None),
    (ring({"code": "NO-SUCH"}), "unknown_code"),
    (ring({"code": "MISC", "amount": "12.345"}), "bad_amount"),
    (ring({"code": "DOG-LIC", "qty": 0}), "bad_quantity"),
    (sale([DOG], [cash("19.99")]), "tenders_short"),
    (sale([DOG], [check("25.00")]), "non_cash_over_total"),
    (ring({"ref": "PC-2026-000002"}), "item_on_hold"),
    (ring({"ref": "PC-2026-000001", "amount": "20.00"}), "partial_not_allowed"),
    (ring({"ref": "UB-100234", "amount": "82.16"}), "overpayment"),
    (sale([DOG], [cash("20.00")], payer=PAN), "bad_text"),
    (sale([DOG], [card("20.00", last4=PAN)]), "bad_card"),
    (sale([DOG], [cash("20.00")], note="x"), "bad_request"),
    (void(approver="amy", pin="4821"), "self_approval"),
    (void(approver="bob", pin="2468"), "not_authorized"),
    ({"op": "drop", "amount": "1000.00"}, "more_than_drawer"),
    ({**OPEN_D1, "drawer": "D2"}, "drawer_already_open"),
    (closeout(), "drawer_open"),
    (sale([DOG], [cash("20.00")]), None),  # W1-000002: the refusals used no receipt number
    (void(receipt="W1-000002"), None),
    (void(receipt="W1-000002", approver="pat", pin="2222"), "already_voided"),
]


def test_cli_run_reports_each_expected_refusal(template_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "cli-data"
    shutil.copytree(template_dir, data)
    script = tmp_path / "refusals.jsonl"
    lines = [{**op, "expect": "error"} if error else op for op, error in CLI_SCRIPT]
    script.write_text("".join(json.dumps(op) + "\n" for op in lines), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHIER_DESK_")}
    base = [sys.executable, "-m", "cashier_desk", "--data-dir", str(data)]

    proc = subprocess.run(
        [*base, "run", str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    printed = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(printed) == len(CLI_SCRIPT)
    for (op, error), result in zip(CLI_SCRIPT, printed, strict=True):
        if error is None:
            assert result["ok"] is True and result["op"] == op["op"], result
            continue
        assert set(result) == {"op", "ok", "error", "message"}, result
        assert result["op"] == op["op"] and result["ok"] is False, result
        assert result["error"] == error, result
        assert isinstance(result["message"], str) and result["message"].strip()
    assert printed[19]["receipt"] == "W1-000002"

    # Only the two sales that were not refused left a receipt.
    listed = subprocess.run(
        [*base, "receipts"], capture_output=True, text=True, env=env, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    receipts = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["receipt"], r["total"], r["voided"]) for r in receipts] == [
        ("W1-000001", "20.00", False),
        ("W1-000002", "20.00", True),
    ]
