"""Access: PINs are never kept or logged in clear, five wrong PINs lock a login, a cashier
reaches no lead-only operation by any path (script, command line, Desk API), and every audit
record says who, what, when, where (the workstation) and with what outcome.

The window's Lead menu is checked in ``test_access_window.py`` (it needs Qt).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.desk import BlindCount
from cashier_desk.errors import Refusal
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from tests.faults.fuzzing import at_the_counter
from tests.faults.harness import cli
from tests.faults.harness import run_script as harness_run_script
from tests.helpers import AS_ADMIN, FakeClock, dump_tables

Op = dict[str, Any]

# People with PINs no file could hold by chance (the demo's four digits could).
PEOPLE = [
    ("kim", "Kim Cashier", "cashier", "Kq7-pin-41x9"),
    ("lou", "Lou Cashier", "cashier", "Lz3-pin-88w2"),
    ("max", "Max Lead", "lead", "Mv5-pin-17j4"),
    ("ned", "Ned Lead", "lead", "Nt8-pin-62c0"),
    ("ora", "Ora Admin", "admin", "Op1-pin-39k6"),
]
PIN = {login: pin for login, _n, _r, pin in PEOPLE}
WRONG_PINS = ["Wr0ng-pin-5150", "Wr0ng-pin-7788", "Wr0ng-pin-0001"]


def login(user: str, pin: str | None = None) -> Op:
    return {"op": "login", "user": user, "pin": pin if pin is not None else PIN[user]}


def cash_sale(amount: str = "20.00") -> Op:
    return {
        "op": "sale",
        "items": [{"code": "DOG-LIC"}],
        "tenders": [{"type": "cash", "amount": amount}],
    }


def people_csv(tmp: Path) -> Path:
    path = tmp / "people.csv"
    path.write_text(
        "login,name,role,pin\n" + "".join(f"{a},{b},{c},{d}\n" for a, b, c, d in PEOPLE),
        encoding="utf-8",
    )
    return path


def run_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(data, *args, timeout=300)


def run_script(data: Path, tmp: Path, ops: list[Op]) -> subprocess.CompletedProcess[str]:
    return harness_run_script(data, ops, tmp / "script.jsonl")


# -- PINs ------------------------------------------------------------------------------------


def test_pins_are_never_in_the_database_the_log_or_central_in_clear(
    slim_template: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    imported = run_cli(data, *AS_ADMIN, "import", "users", str(people_csv(tmp_path)))
    assert imported.returncode == 0, imported.stderr
    day: list[Op] = [
        {**login("kim", WRONG_PINS[0]), "expect": "error"},
        login("kim"),
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        cash_sale(),
        {
            "op": "void",
            "receipt": "W1-000001",
            "approver": "max",
            "approver_pin": WRONG_PINS[1],
            "reason": "x",
            "expect": "error",
        },
        {
            "op": "void",
            "receipt": "W1-000001",
            "approver": "max",
            "approver_pin": PIN["max"],
            "reason": "keyed twice",
        },
        {"op": "close_drawer", "counted": {"cash": {"20.00": 4}}},
        {
            "op": "approve_close",
            "approver": "max",
            "approver_pin": PIN["max"],
            "comment": "short 20",
        },
        {"op": "closeout", "approver": "ned", "approver_pin": WRONG_PINS[2], "expect": "error"},
        {"op": "closeout", "approver": "ned", "approver_pin": PIN["ned"]},
        {"op": "sync"},
        login("lou"),
        {"op": "logout"},
    ]
    done = run_script(data, tmp_path, day)
    assert done.returncode == 0, done.stdout + done.stderr
    secrets = [p.encode() for p in [*PIN.values(), *WRONG_PINS]]
    for name in ("ledger.db", "ledger.db-wal", "cashier-desk.log", "central.db", "central.db-wal"):
        path = data / name
        if path.exists():
            content = path.read_bytes()
            leaked = [s.decode() for s in secrets if s in content]
            assert not leaked, f"{name} holds PINs in clear: {leaked}"
    assert not any(s in (done.stdout + done.stderr).encode() for s in secrets)
    conn = sqlite3.connect(f"file:{data / 'ledger.db'}?mode=ro", uri=True)
    try:
        hashes = dict(conn.execute("SELECT login, pin_hash FROM users").fetchall())
        details = [r[0] for r in conn.execute("SELECT details FROM audit_log")]
    finally:
        conn.close()
    assert all(h.startswith("$pepper1$") and "$argon2id$" in h for h in hashes.values()), hashes
    assert not any("pin" in json.loads(d) for d in details)


# -- lockout ---------------------------------------------------------------------------------


def test_five_wrong_pins_lock_the_login_even_against_the_right_pin_until_it_expires(
    make_app: Callable[..., App],
) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)
    for attempt in range(1, 6):
        result = run_op(app.desk, {"op": "login", "user": "amy", "pin": "0000"})
        assert result["error"] == ("locked" if attempt == 5 else "bad_credentials"), result
    before = dump_tables(app)
    result = run_op(app.desk, {"op": "login", "user": "amy", "pin": "4821"})
    assert result["error"] == "locked", result
    assert dump_tables(app) == before  # attempts while locked change nothing at all
    clock.advance(minutes=29)
    assert run_op(app.desk, {"op": "login", "user": "amy", "pin": "4821"})["error"] == "locked"
    clock.advance(minutes=2)
    assert run_op(app.desk, {"op": "login", "user": "amy", "pin": "4821"})["ok"]


def test_wrong_pins_count_together_at_login_and_as_an_approver(
    make_app: Callable[..., App],
) -> None:
    """Three wrong PINs typed at login and two typed as a void's approver lock the lead: the
    lockout cannot be dodged by guessing through another path."""
    app = make_app()
    for _ in range(3):
        assert run_op(app.desk, {"op": "login", "user": "lee", "pin": "0000"})["error"] == (
            "bad_credentials"
        )
    for op in (
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        cash_sale(),
    ):
        assert run_op(app.desk, op)["ok"]
    void = {"op": "void", "receipt": "W1-000001", "approver": "lee", "reason": "x"}
    assert run_op(app.desk, {**void, "approver_pin": "0000"})["error"] == "bad_credentials"
    assert run_op(app.desk, {**void, "approver_pin": "0000"})["error"] == "locked"
    assert run_op(app.desk, {**void, "approver_pin": "1111"})["error"] == "locked"
    with app.ledger.read() as conn:
        locked = conn.exec_driver_sql(
            "SELECT outcome, actor, target FROM audit_log WHERE action = 'lockout'"
        ).all()
    assert [tuple(r) for r in locked] == [("locked", "lee", "lee")]


def test_the_lockout_holds_across_restarts_and_through_the_command_line(
    slim_template: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    wrong = [{"op": "login", "user": "bob", "pin": "0000", "expect": "error"}] * 3
    assert run_script(data, tmp_path, wrong).returncode == 0
    more = [{"op": "login", "user": "bob", "pin": "0000", "expect": "error"}] * 2
    more.append({"op": "login", "user": "bob", "pin": "2468"})
    done = run_script(data, tmp_path, more)  # a new process: the count was kept
    assert done.returncode == 1
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r.get("error") for r in results] == ["bad_credentials", "locked", "locked"]
    assert "Traceback" not in done.stderr


# -- a cashier and the lead-only operations --------------------------------------------------

CASHIER_AS_LEAD: dict[str, tuple[list[Op], Op, str]] = {
    # what: (set-up, the operation with a cashier's credentials, the refusal)
    "void approved by another cashier": (
        [cash_sale()],
        {
            "op": "void",
            "receipt": "W1-000001",
            "approver": "bob",
            "approver_pin": "2468",
            "reason": "x",
        },
        "not_authorized",
    ),
    "void approved by the cashier herself": (
        [cash_sale()],
        {
            "op": "void",
            "receipt": "W1-000001",
            "approver": "amy",
            "approver_pin": "4821",
            "reason": "x",
        },
        "self_approval",
    ),
    "over/short approved by another cashier": (
        [{"op": "close_drawer", "counted": {"cash": {"20.00": 1}}}],
        {"op": "approve_close", "approver": "bob", "approver_pin": "2468", "comment": "ok"},
        "not_authorized",
    ),
    "over/short approved by the cashier herself": (
        [{"op": "close_drawer", "counted": {"cash": {"20.00": 1}}}],
        {"op": "approve_close", "approver": "amy", "approver_pin": "4821", "comment": "ok"},
        "self_approval",
    ),
    "closeout by a cashier": (
        [{"op": "close_drawer", "counted": {"cash": {"20.00": 5}}}],
        {"op": "closeout", "approver": "bob", "approver_pin": "2468"},
        "not_authorized",
    ),
    "closeout by the cashier of the batch": (
        [{"op": "close_drawer", "counted": {"cash": {"20.00": 5}}}],
        {"op": "closeout", "approver": "amy", "approver_pin": "4821"},
        "self_approval",
    ),
}


@pytest.mark.parametrize("case", list(CASHIER_AS_LEAD))
def test_a_cashier_cannot_do_a_leads_part_through_a_script(slim_app: App, case: str) -> None:
    setup, op, error = CASHIER_AS_LEAD[case]
    steps: list[Op] = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        *setup,
    ]
    for step in steps:
        assert run_op(slim_app.desk, step)["ok"], step
    before = dump_tables(slim_app)
    result = run_op(slim_app.desk, op)
    assert result["ok"] is False and result["error"] == error, result
    # Refused without counting a failure; a cashier's PIN given for a lead's part is audited.
    assert_only_a_refused_override(slim_app, before, "bob" if error == "not_authorized" else None)


def assert_only_a_refused_override(app: App, before: dict[str, Any], who: str | None) -> None:
    """Nothing changed but, when ``who`` is given, one audit record of ``who``'s refused
    override (and the audit chain's counter)."""
    after = dump_tables(app)
    changed = {t for t in after if after[t] != before[t]}
    if who is None:
        assert not changed
        return
    assert changed == {"audit_log", "counters"}, changed
    [record] = after["audit_log"][len(before["audit_log"]) :]
    assert record[3:7] == (who, "override_refused", who, "refused"), record
    assert json.loads(record[7])["role"] == "cashier"


def test_a_cashier_cannot_do_a_leads_part_through_the_command_line(
    slim_template: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    setup: list[Op] = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        cash_sale(),
    ]
    attempts: list[Op] = [
        {
            "op": "void",
            "receipt": "W1-000001",
            "approver": "bob",
            "approver_pin": "2468",
            "reason": "x",
            "expect": "error",
        },
        {"op": "close_drawer", "counted": {"cash": {"20.00": 1}}},
        {
            "op": "approve_close",
            "approver": "bob",
            "approver_pin": "2468",
            "comment": "ok",
            "expect": "error",
        },
        {"op": "login", "user": "bob", "pin": "2468"},
        {
            "op": "approve_close",
            "approver": "bob",
            "approver_pin": "2468",
            "comment": "ok",
            "expect": "error",
        },
        {"op": "closeout", "approver": "bob", "approver_pin": "2468", "expect": "error"},
    ]
    done = run_script(data, tmp_path, setup + attempts)
    assert done.returncode == 0, done.stdout + done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    refused = [r["error"] for r in results if not r["ok"]]
    assert refused == ["not_authorized", "not_authorized", "not_authorized", "approval_pending"]
    # The command line itself: a closeout is a script operation with a lead's credentials;
    # there is no command that closes out, approves or voids on a cashier's say-so.
    help_text = run_cli(data, "--help").stdout
    for word in ("closeout", "approve", "void"):
        assert word not in help_text


def test_a_cashier_cannot_do_a_leads_part_through_the_desk(make_app: Callable[..., App]) -> None:
    """The Desk API the window calls: every lead-only method checks the approver itself."""
    app = make_app()
    desk = app.desk
    at_the_counter(app)
    calls: dict[str, Callable[[], object]] = {
        "void": lambda: desk.void("W1-000001", "bob", "2468", "x"),
        "void, self": lambda: desk.void("W1-000001", "amy", "4821", "x"),
        "take over a locked counter": lambda: desk.unlock("bob", "2468", "amy"),
    }
    for what, call in calls.items():
        before = dump_tables(app)
        with pytest.raises(Refusal) as refused:
            call()
        assert refused.value.code in ("not_authorized", "self_approval"), what
        who = "bob" if refused.value.code == "not_authorized" else None
        assert_only_a_refused_override(app, before, who)
    assert desk.user is not None and desk.user.login == "amy"
    desk.close_drawer(BlindCount(cash={Money(2000): 1}))
    for what, call in {
        "approve a close": lambda: desk.approve_close(None, "bob", "2468", "ok"),
        "approve her own close": lambda: desk.approve_close(None, "amy", "4821", "ok"),
    }.items():
        with pytest.raises(Refusal) as refused:
            call()
        assert refused.value.code in ("not_authorized", "self_approval"), what
    desk.approve_close(None, "lee", "1111", "short, recounted")
    for approver, pin, code in (
        ("bob", "2468", "not_authorized"),
        ("amy", "4821", "self_approval"),
    ):
        with pytest.raises(Refusal) as refused:
            desk.closeout(None, approver, pin)
        assert refused.value.code == code
    assert desk.closeout(None, "pat", "2222").receipts == 1


# -- the audit trail -------------------------------------------------------------------------


def test_every_audit_record_says_who_what_when_where_and_the_outcome(
    make_app: Callable[..., App],
) -> None:
    app = make_app()
    ops: list[Op] = [
        {"op": "login", "user": "amy", "pin": "0000"},
        {"op": "login", "user": "nobody", "pin": "0000"},
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        cash_sale("50.00"),
        {"op": "reprint", "receipt": "W1-000001"},
        {
            "op": "void",
            "receipt": "W1-000001",
            "approver": "lee",
            "approver_pin": "1111",
            "reason": "keyed twice",
        },
        cash_sale("20.00"),
        {"op": "drop", "amount": "20.00"},
        {"op": "paid_out", "amount": "1.00", "reason": "postage", "gl": "101-1200-52100"},
        {"op": "no_sale", "reason": "make change"},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 3}}},
        {"op": "reject_close", "approver": "lee", "approver_pin": "1111", "comment": "again"},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 4}}},
        {"op": "approve_close", "approver": "lee", "approver_pin": "1111", "comment": "short"},
        {"op": "closeout", "approver": "pat", "approver_pin": "2222"},
        {"op": "sync"},
        {"op": "logout"},
    ]
    for op in ops:
        run_op(app.desk, op)
    for _ in range(5):
        run_op(app.desk, {"op": "login", "user": "bob", "pin": "0000"})
    run_op(
        app.desk, {"op": "unlock_user", "user": "bob", "approver": "lee", "approver_pin": "1111"}
    )
    with app.ledger.read() as conn:
        rows = [dict(r) for r in conn.exec_driver_sql("SELECT * FROM audit_log").mappings()]
    actions = {r["action"] for r in rows}
    expected = {
        "import",
        "login_failed",
        "login",
        "open_drawer",
        "sale",
        "reprint",
        "void",
        "drop",
        "paid_out",
        "no_sale",
        "close_drawer",
        "approve_close",
        "closeout",
        "sync",
        "logout",
        "lockout",
        "reject_close",
        "unlock_user",
    }
    assert expected <= actions, expected - actions
    for r in rows:
        assert r["actor"], r  # who
        assert r["action"], r  # what
        when = datetime.fromisoformat(r["at"])  # when, with its zone
        assert when.tzinfo is not None, r
        assert r["workstation"] == "W1", r  # where
        assert r["outcome"] in ("ok", "refused", "locked", "sent", "already_there", "printed"), r
    by_action = {r["action"]: r for r in rows}
    assert by_action["sale"]["actor"] == "amy"
    assert json.loads(by_action["void"]["details"])["approver"] == "lee"
    assert by_action["approve_close"]["actor"] == "lee"
    assert by_action["closeout"]["actor"] == "pat"
    assert by_action["sync"]["actor"] == "system"
    failed = [r for r in rows if r["action"] == "login_failed"]
    assert {r["actor"] for r in failed} == {"amy", "?", "bob"}
    assert all(r["outcome"] == "refused" for r in failed)
    assert by_action["lockout"]["outcome"] == "locked"
    assert app.desk.verify_audit().ok
