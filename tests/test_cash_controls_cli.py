"""Cash that leaves the drawer, through the command line (`cashier-desk run`), as a script
would drive it: paid-outs with a lead's approval above the limit and only to the accounts
allowed, drops with a bag number, a close sent back for a recount, and a lead unlocking a
login — every rule and refusal, the papers on the simulated printer, and the exact closeout of a
day whose close was counted twice."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

AMY = {"op": "login", "user": "amy", "pin": "4821"}
LEE = {"approver": "lee", "approver_pin": "1111"}


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template_dir, target)
    return target


def _policy(data_dir: Path, text: str) -> None:
    """Set one key of [policy] in the data dir's config.toml."""
    config = data_dir / "config.toml"
    key = text.split("=")[0].strip()
    lines = [
        line
        for line in config.read_text(encoding="utf-8").splitlines()
        if not line.startswith(f"{key} =")
    ]
    at = lines.index("[policy]") + 1
    config.write_text("\n".join([*lines[:at], text, *lines[at:]]) + "\n", encoding="utf-8")


def _run(data_dir: Path, ops: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]], str]:
    script = data_dir.parent / "script.jsonl"
    script.write_text("".join(json.dumps(op) + "\n" for op in ops), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir),
         "--workstation", "W1", "run", str(script)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, results, done.stderr


def _all_met(data_dir: Path, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    code, results, err = _run(data_dir, ops)
    assert code == 0, (results[-1:], err)
    assert len(results) == len(ops)
    return results


def _errors(ops: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[str | None]:
    return [r.get("error") for op, r in zip(ops, results, strict=True) if "expect" in op]


def _query(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(data_dir / "ledger.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _paper(data_dir: Path) -> list[str]:
    """The slips the simulated printer cut, in order."""
    roll = (data_dir / "sim" / "printer.txt").read_text(encoding="utf-8")
    return [part.strip("\n") for part in roll.split("-" * 20 + " cut\n") if part.strip()]


def test_paid_outs_need_a_lead_above_the_limit_and_an_allowed_account(data_dir: Path) -> None:
    _policy(data_dir, 'paid_out_accounts = ["101-1200-52100", "101-1200-52200"]')
    err = "error"
    pay = {"op": "paid_out", "reason": "postage", "gl": "101-1200-52100"}
    ops: list[dict[str, Any]] = [
        AMY,
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 10}},
        {**pay, "amount": "50.00"},  # exactly the limit: no approval needed
        {**pay, "amount": "50.01", "expect": err},
        {**pay, "amount": "60.00", "gl": "101-0000-41100", **LEE, "expect": err},
        {**pay, "amount": "60.00", "approver": "amy", "approver_pin": "4821", "expect": err},
        {**pay, "amount": "60.00", "approver": "bob", "approver_pin": "2468", "expect": err},
        {**pay, "amount": "60.00", "approver": "lee", "approver_pin": "9999", "expect": err},
        {**pay, "amount": "60.00", "approver": "lee", "expect": err},
        {**pay, "amount": "60.00", "approver": "", "approver_pin": "", "expect": err},
        {**pay, "amount": "60.00", "reason": "courier, tape", "gl": "101-1200-52200", **LEE},
        {**pay, "amount": "90.01", **LEE, "expect": err},  # the drawer holds 90.00
        {**pay, "amount": "1.00", "approver_pin": "1111", "expect": err},
        {**pay, "amount": "1.00", "surprise": 1, "expect": err},
    ]
    results = _all_met(data_dir, ops)
    assert results[2] == {"op": "paid_out", "ok": True, "amount": "50.00",
                          "gl": "101-1200-52100", "approver": None, "printed": True}  # fmt: skip
    assert results[10] == {"op": "paid_out", "ok": True, "amount": "60.00",
                           "gl": "101-1200-52200", "approver": "lee", "printed": True}  # fmt: skip
    assert _errors(ops, results) == [
        "approval_required",
        "gl_not_allowed",
        "self_approval",
        "not_authorized",
        "bad_credentials",
        "bad_credentials",
        "approval_required",
        "more_than_drawer",
        "bad_credentials",
        "bad_request",
    ]
    assert "needs a lead's approval" in results[3]["message"]
    assert "101-1200-52100, 101-1200-52200" in results[4]["message"]
    # Only the two paid-outs were written, with the approver kept; lee's wrong PIN counted
    # (as every approver's: towards the lockout, audited).
    assert _query(data_dir, "SELECT amount_cents, gl, approver, reason FROM drawer_movements") == [
        (5000, "101-1200-52100", None, "postage"),
        (6000, "101-1200-52200", "lee", "courier, tape"),
    ]
    failed = _query(data_dir, "SELECT details FROM audit_log WHERE action = 'login_failed'")
    assert [json.loads(d) for (d,) in failed] == [{"failures": 1, "purpose": "paid_out"}]
    # Each paid-out printed its petty-cash voucher, with the lines to sign.
    vouchers = [p for p in _paper(data_dir) if "PAID-OUT VOUCHER" in p]
    assert len(vouchers) == 2
    second = vouchers[1]
    for shown in ("PETTY CASH\nPAID-OUT VOUCHER", "AMOUNT", "60.00", "Paid for: courier, tape",
                  "101-1200-52200", "Cashier: amy", "Session W1-S000001", "Drawer D1",
                  "Station W1", "Received by (signature)", "Approver lee"):  # fmt: skip
        assert shown in second, (shown, second)
    assert "2026-" in second and "_" * 42 in second
    assert "(within the limit)" in vouchers[0] and "Approver lee" not in vouchers[0]
    assert "Received by (signature)" in vouchers[0]


def test_a_stricter_limit_and_any_account_by_default(data_dir: Path) -> None:
    _policy(data_dir, 'paid_out_limit = "10.00"')
    ops = [
        AMY,
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "paid_out", "amount": "10.01", "reason": "coffee", "gl": "999-9999-99999",
         "expect": "error"},
        {"op": "paid_out", "amount": "10.01", "reason": "coffee", "gl": "999-9999-99999",
         "approver": "sam", "approver_pin": "3333"},
    ]  # fmt: skip
    results = _all_met(data_dir, ops)
    assert results[2]["error"] == "approval_required"
    assert results[3]["approver"] == "sam"


def test_a_drop_keeps_its_bag_number_and_prints_it_on_the_slip(data_dir: Path) -> None:
    ops: list[dict[str, Any]] = [
        AMY,
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "drop", "amount": "40.00", "bag": "B-1042"},
        {"op": "drop", "amount": "10.00"},
        {"op": "drop", "amount": "5.00", "bag": "4111 1111 1111 1111", "expect": "error"},
        {"op": "drop", "amount": "5.00", "bag": 1042, "expect": "error"},
        {"op": "drop", "amount": "5.00", "bag": "x" * 41, "expect": "error"},
        {"op": "drop", "amount": "50.01", "bag": "B-1043", "expect": "error"},
    ]
    results = _all_met(data_dir, ops)
    assert results[2] == {"op": "drop", "ok": True, "amount": "40.00", "bag": "B-1042",
                          "printed": True}  # fmt: skip
    assert results[3]["bag"] is None
    assert _errors(ops, results) == ["bad_text", "bad_text", "bad_text", "more_than_drawer"]
    assert "card number" in results[4]["message"] and "4111" not in results[4]["message"]
    assert _query(data_dir, "SELECT kind, amount_cents, bag FROM drawer_movements") == [
        ("drop", 4000, "B-1042"),
        ("drop", 1000, None),
    ]
    slips = [p for p in _paper(data_dir) if "SAFE DROP" in p]
    assert len(slips) == 2
    assert "Bag / envelope" in slips[0] and "B-1042" in slips[0] and "40.00" in slips[0]
    assert "(none given)" in slips[1]
    assert "Witness" in slips[0] and "Cashier amy" in slips[0]


def _day_to_close(first_count: dict[str, Any]) -> list[dict[str, Any]]:
    """amy's drawer: 100.00 change fund, 40.00 cash and 25.00 by check taken, 12.50 paid out,
    20.00 dropped; it should hold 107.50 in cash and the check."""
    return [
        AMY,
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"code": "MISC", "amount": "40.00"}],
         "tenders": [{"type": "cash", "amount": "50.00"}]},
        {"op": "sale", "items": [{"code": "DOG-LIC"}, {"code": "MISC", "amount": "5.00"}],
         "tenders": [{"type": "check", "amount": "25.00", "number": "501"}]},
        {"op": "paid_out", "amount": "12.50", "reason": "postage", "gl": "101-1200-52100"},
        {"op": "drop", "amount": "20.00", "bag": "B-7"},
        {"op": "close_drawer", "counted": first_count},
    ]  # fmt: skip


CHECK_501 = [{"number": "501", "amount": "25.00"}]


def test_a_close_sent_back_is_counted_again_and_the_new_count_decides(data_dir: Path) -> None:
    first = {"cash": {"20.00": 5}, "checks": CHECK_501}  # 100.00: 7.50 short
    second = {"cash": {"20.00": 5, "1.00": 4}, "checks": CHECK_501}  # 104.00: 3.50 short
    pat = {"approver": "pat", "approver_pin": "2222"}
    err = "error"
    ops: list[dict[str, Any]] = [
        *_day_to_close(first),
        {"op": "reject_close", "session": "W1-S000001", "approver": "amy", "approver_pin": "4821",
         "comment": "mine", "expect": err},
        {"op": "reject_close", "session": "W1-S000001", "approver": "bob", "approver_pin": "2468",
         "comment": "recount", "expect": err},
        {"op": "reject_close", "session": "W1-S000001", **LEE, "comment": "", "expect": err},
        {"op": "reject_close", "session": "W1-S000009", **LEE, "comment": "x", "expect": err},
        {"op": "reject_close", "session": "W1-S000001", **LEE,
         "comment": "count the ones again"},
        {"op": "reject_close", "session": "W1-S000001", **LEE, "comment": "again",
         "expect": err},
        {"op": "reject_close", **LEE, "comment": "again", "expect": err},
        {"op": "approve_close", **LEE, "comment": "ok", "expect": err},
        {"op": "sale", "items": [{"code": "DOG-LIC"}],
         "tenders": [{"type": "cash", "amount": "20.00"}], "expect": err},
        {"op": "drop", "amount": "1.00", "expect": err},
        {"op": "open_drawer", "drawer": "D2", "opening": {}, "expect": err},
        {"op": "closeout", **pat, "expect": err},
        {"op": "login", "user": "bob", "pin": "2468"},
        {"op": "open_drawer", "drawer": "D1", "opening": {}, "expect": err},
        {"op": "close_drawer", "counted": second, "expect": err},  # bob has no drawer
        AMY,
        {"op": "close_drawer", "counted": second},
        {"op": "closeout", **pat},
    ]  # fmt: skip
    results = _all_met(data_dir, ops)
    assert results[6] == {"op": "close_drawer", "ok": True, "session": "W1-S000001",
                          "over_short": {"cash": "-7.50", "check": "0.00",
                                         "money_order": "0.00", "card": "0.00"},
                          "needs_approval": True}  # fmt: skip
    assert results[11] == {"op": "reject_close", "ok": True, "session": "W1-S000001",
                           "sent_back": 1}  # fmt: skip
    assert _errors(ops, results) == [
        "self_approval", "not_authorized", "bad_text", "not_awaiting_approval",
        "not_awaiting_approval", "not_awaiting_approval", "nothing_to_approve",
        "recount_pending", "recount_pending", "recount_pending", "recount_pending",
        "drawer_in_use", "no_open_drawer",
    ]  # fmt: skip
    assert results[-2] == {"op": "close_drawer", "ok": True, "session": "W1-S000001",
                           "over_short": {"cash": "-3.50", "check": "0.00",
                                          "money_order": "0.00", "card": "0.00"},
                           "needs_approval": False}  # fmt: skip
    closeout = results[-1]
    assert closeout["receipts"] == 2 and closeout["voids"] == 0
    # cash expected: 40.00 taken less 12.50 paid out; counted: 104.00 - 100.00 fund + 20.00 drop
    assert closeout["tenders"] == {
        "cash": {"expected": "27.50", "counted": "24.00", "over_short": "-3.50"},
        "check": {"expected": "25.00", "counted": "25.00", "over_short": "0.00"},
        "money_order": {"expected": "0.00", "counted": "0.00", "over_short": "0.00"},
        "card": {"expected": "0.00", "counted": "0.00", "over_short": "0.00"},
    }
    assert closeout["gl"] == {
        "101-0000-49100": "45.00",
        "101-0000-49900": "-3.50",
        "101-1200-52100": "-12.50",
        "101-2200-42100": "20.00",
    }
    assert closeout["deposit"] == {"cash": "24.00", "checks": "25.00", "money_orders": "0.00",
                                   "total": "49.00"}  # fmt: skip
    # Both counts are kept, who sent the first back and why; nothing was changed.
    assert _query(data_dir, "SELECT count_no, needs_approval FROM drawer_closes") == [
        (1, 1), (2, 0)]  # fmt: skip
    assert _query(
        data_dir,
        "SELECT count_no, expected_cents, counted_cents FROM close_counts WHERE tender = 'cash'"
        " ORDER BY count_no",
    ) == [(1, 10750, 10000), (2, 10750, 10400)]
    assert _query(data_dir, "SELECT count_no, approver, comment FROM close_rejections") == [
        (1, "lee", "count the ones again")
    ]
    # The first count's over/short stays posted, reversed by a new entry; the second decides.
    over_short = _query(
        data_dir,
        "SELECT e.id, p.amount_cents FROM journal_entries e JOIN postings p ON p.entry_id = e.id"
        " WHERE e.kind = 'over_short' AND p.account = '101-0000-49900' ORDER BY e.id",
    )
    assert [cents for _id, cents in over_short] == [750, -750, 350]
    actions = [a for (a,) in _query(data_dir, "SELECT action FROM audit_log ORDER BY seq")]
    assert actions.count("close_drawer") == 2 and actions.count("reject_close") == 1
    # The over/short history reads the deciding count.
    done = subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), "--workstation",
         "W1", "report", "over-short", "--from", closeout["date"], "--to", closeout["date"]],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["by_cashier"] == {"amy": "-3.50"}


def test_a_recount_that_needs_approval_again_can_be_sent_back_again(data_dir: Path) -> None:
    ops: list[dict[str, Any]] = [
        *_day_to_close({"cash": {"20.00": 5}, "checks": CHECK_501}),  # 7.50 short
        {"op": "reject_close", **LEE, "comment": "count again"},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 6}, "checks": CHECK_501}},
        {"op": "reject_close", **LEE, "comment": "over now? count once more"},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "5.00": 1, "1.00": 2,
                                                    "0.25": 2}, "checks": []}},
        {"op": "approve_close", **LEE, "comment": "check 501 went to the safe by mistake"},
        {"op": "closeout", "approver": "pat", "approver_pin": "2222"},
    ]  # fmt: skip
    results = _all_met(data_dir, ops)
    assert results[8]["over_short"]["cash"] == "12.50" and results[8]["needs_approval"]
    assert results[9]["sent_back"] == 2
    assert results[10]["over_short"] == {"cash": "0.00", "check": "-25.00",
                                         "money_order": "0.00", "card": "0.00"}  # fmt: skip
    closeout = results[-1]
    assert closeout["tenders"]["cash"] == {"expected": "27.50", "counted": "27.50",
                                           "over_short": "0.00"}  # fmt: skip
    assert closeout["tenders"]["check"] == {"expected": "25.00", "counted": "0.00",
                                            "over_short": "-25.00"}  # fmt: skip
    assert closeout["gl"]["101-0000-49900"] == "-25.00"
    assert closeout["deposit"] == {"cash": "27.50", "checks": "0.00", "money_orders": "0.00",
                                   "total": "27.50"}  # fmt: skip
    assert _query(data_dir, "SELECT count(*) FROM drawer_closes") == [(3,)]


def test_a_lead_unlocks_a_locked_login(data_dir: Path) -> None:
    wrong = {"op": "login", "user": "amy", "pin": "0000", "expect": "error"}
    err = "error"
    ops: list[dict[str, Any]] = [
        *[wrong] * 5,
        {**AMY, "expect": err},
        {"op": "unlock_user", "user": "amy", "approver": "bob", "approver_pin": "2468",
         "expect": err},
        {"op": "unlock_user", "user": "amy", "approver": "amy", "approver_pin": "4821",
         "expect": err},
        {"op": "unlock_user", "user": "zed", **LEE, "expect": err},
        {"op": "unlock_user", "user": "bob", **LEE, "expect": err},
        {"op": "unlock_user", "user": "amy", **LEE},
        AMY,
        {"op": "unlock_user", "user": "amy", **LEE, "expect": err},
        *[{**wrong, "user": "sam"}] * 5,
        {"op": "unlock_user", "user": "sam", **LEE, "expect": err},
        {"op": "unlock_user", "user": "sam", "approver": "ada", "approver_pin": "9999"},
        {"op": "login", "user": "sam", "pin": "3333"},
    ]  # fmt: skip
    results = _all_met(data_dir, ops)
    assert results[4]["error"] == "locked"
    assert "ask a lead to unlock it" in results[4]["message"]
    assert results[5]["error"] == "locked" and "ask a lead to unlock it" in results[5]["message"]
    assert [r["error"] for r in results[6:10]] == [
        "not_authorized", "self_approval", "unknown_user", "not_locked"]  # fmt: skip
    assert results[10] == {"op": "unlock_user", "ok": True, "user": "amy", "unlocked": True}
    assert results[11]["ok"] and results[12]["error"] == "not_locked"
    assert results[18]["error"] == "not_authorized"
    assert results[19]["ok"] and results[20]["ok"]
    audit = _query(
        data_dir, "SELECT actor, target, outcome FROM audit_log WHERE action = 'unlock_user'"
    )
    assert audit == [("lee", "amy", "ok"), ("ada", "sam", "ok")]
    refused = _query(
        data_dir, "SELECT actor, details FROM audit_log WHERE action = 'override_refused'"
    )
    assert [a for a, _d in refused] == ["bob", "lee"]
