"""The audit chain: every money and control event is recorded, and `audit verify` catches a
record edited, deleted, or two records swapped — each done here with raw SQL."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cashier_desk.app import App
from tests.helpers import small_day


def _verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), "audit", "verify"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _tamper(path: Path, *sql: str) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP TRIGGER audit_log_no_update")  # a tamperer would
    db.execute("DROP TRIGGER audit_log_no_delete")
    for statement in sql:
        db.execute(statement)
    db.close()


@pytest.fixture
def day_dir(make_app: Callable[..., App]) -> Path:
    app = make_app()
    small_day(app)
    app.close()
    return app.data_dir


def test_an_untouched_log_verifies(day_dir: Path) -> None:
    done = _verify(day_dir)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


def test_the_log_records_who_what_when_where_and_the_outcome(app: App) -> None:
    small_day(app)
    with app.ledger.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT action, actor, workstation, outcome, at FROM audit_log ORDER BY seq"
        ).all()
    actions = [r.action for r in rows]
    for action in ("import", "login", "open_drawer", "sale", "void", "drop", "paid_out",
                   "no_sale", "close_drawer", "approve_close", "closeout"):  # fmt: skip
        assert action in actions
    assert all(r.workstation == "W1" and r.actor and r.outcome and r.at for r in rows)
    by_action = {r.action: r for r in rows}
    assert by_action["void"].actor == "amy"
    assert by_action["approve_close"].actor == "lee"
    assert by_action["closeout"].actor == "pat"


def test_failed_logins_and_the_lockout_are_recorded(app: App) -> None:
    from cashier_desk.runner import run_op

    for _ in range(5):
        assert not run_op(app.desk, {"op": "login", "user": "bob", "pin": "0000"})["ok"]
    with app.ledger.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT action, outcome, details FROM audit_log WHERE target = 'bob' ORDER BY seq"
        ).all()
    assert [r.action for r in rows] == ["login_failed"] * 5 + ["lockout"]
    assert all("0000" not in r.details for r in rows)  # the PIN typed is never kept


def test_an_edited_amount_is_caught(day_dir: Path) -> None:
    db = day_dir / "ledger.db"
    seq = (
        sqlite3.connect(db)
        .execute("SELECT seq FROM audit_log WHERE action = 'sale' ORDER BY seq LIMIT 1")
        .fetchone()[0]
    )
    _tamper(
        db, f"UPDATE audit_log SET details = replace(details, '40.00', '4.00') WHERE seq = {seq}"
    )
    done = _verify(day_dir)
    assert done.returncode == 1
    assert json.loads(done.stdout)["bad_record"] == seq
    assert f"record {seq}" in done.stderr


def test_a_deleted_record_is_caught(day_dir: Path) -> None:
    _tamper(day_dir / "ledger.db", "DELETE FROM audit_log WHERE seq = 7")
    done = _verify(day_dir)
    assert done.returncode == 1
    assert json.loads(done.stdout)["bad_record"] == 7
    assert "missing" in done.stderr


def test_the_newest_record_cut_off_is_caught(day_dir: Path) -> None:
    db = day_dir / "ledger.db"
    last = sqlite3.connect(db).execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    _tamper(db, f"DELETE FROM audit_log WHERE seq = {last}")
    done = _verify(day_dir)
    assert done.returncode == 1
    assert json.loads(done.stdout)["bad_record"] == last


def test_two_swapped_records_are_caught(day_dir: Path) -> None:
    _tamper(
        day_dir / "ledger.db",
        "UPDATE audit_log SET seq = -1 WHERE seq = 5",
        "UPDATE audit_log SET seq = 5 WHERE seq = 6",
        "UPDATE audit_log SET seq = 6 WHERE seq = -1",
    )
    done = _verify(day_dir)
    assert done.returncode == 1
    assert json.loads(done.stdout)["bad_record"] == 5


def test_a_record_rehashed_after_an_edit_still_breaks_the_next_link(day_dir: Path) -> None:
    db = day_dir / "ledger.db"
    first = "CASE substr(hash, 1, 1) WHEN 'f' THEN '0' ELSE 'f' END"  # always a change
    _tamper(db, f"UPDATE audit_log SET hash = {first} || substr(hash, 2) WHERE seq = 2")
    done = _verify(day_dir)
    assert done.returncode == 1
    assert json.loads(done.stdout)["bad_record"] == 2


def test_the_canonical_form_never_changes() -> None:
    """Hashes already stored in ledgers and at central were taken over this exact text: sorted
    keys, no spaces, ASCII only."""
    from cashier_desk.ledger.audit import GENESIS, canonical, record_hash

    assert canonical({"b": 1, "a": "é ☃", "c": {"z": None, "y": [True]}}) == (
        '{"a":"\\u00e9 \\u2603","b":1,"c":{"y":[true],"z":null}}'
    )
    row = {"at": "2026-11-23T12:00:00+00:00", "workstation": "W1", "actor": "amy",
           "action": "sale", "target": "W1-000001", "outcome": "ok", "details": "{}"}  # fmt: skip
    content = (
        '{"action":"sale","actor":"amy","at":"2026-11-23T12:00:00+00:00","details":"{}",'
        '"outcome":"ok","seq":1,"target":"W1-000001","workstation":"W1"}'
    )
    expected = hashlib.sha256(f"{GENESIS}\n{content}".encode()).hexdigest()
    assert record_hash(GENESIS, 1, row) == expected
