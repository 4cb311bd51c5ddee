"""Tampering with money rows is caught (issue 12, item 3): after a realistic day, someone with
the file drops the append-only triggers and edits, deletes or inserts money rows with
``sqlite3``; `cashier-desk audit verify` exits 1 and names the table and the row's key.  Every
attack runs twice: on the ledger as made, and on one where a retention purge removed an older
day first (issue 18, item 4)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cashier_desk.app import App
from cashier_desk.ledger.schema import APPEND_ONLY
from tests.helpers import ADMIN, FakeClock, run_ok, small_day
from tests.test_retention import quiet_day

# the session of small_day (closed and batched) and the one left open after it
S1, S2 = "W1-S000001", "W1-S000002"

#: attack -> (SQL run with the triggers dropped, words the message must hold)
ATTACKS: dict[str, tuple[list[str], list[str]]] = {
    "receipt total": (
        ["UPDATE receipts SET total_cents = total_cents - 1000 WHERE receipt_no = 'W1-000003'"],
        ["receipts W1-000003"],
    ),
    "line amount": (
        ["UPDATE receipt_lines SET amount_cents = 100 WHERE receipt_id = "
         "(SELECT id FROM receipts WHERE receipt_no = 'W1-000003')"],
        ["receipt_lines W1-000003"],
    ),
    "tender amount": (
        ["UPDATE tenders SET amount_cents = amount_cents + 500 WHERE receipt_id = "
         "(SELECT id FROM receipts WHERE receipt_no = 'W1-000003')"],
        ["tenders W1-000003"],
    ),
    "tender kind": (
        ["UPDATE tenders SET kind = 'check' WHERE id = (SELECT min(id) FROM tenders WHERE "
         "receipt_id = (SELECT id FROM receipts WHERE receipt_no = 'W1-000004'))"],
        ["tenders W1-000004"],
    ),
    "posting amount": (
        ["UPDATE postings SET amount_cents = amount_cents + 100 WHERE id = (SELECT min(p.id) "
         "FROM postings p JOIN journal_entries j ON j.id = p.entry_id JOIN receipts r "
         "ON r.id = j.receipt_id WHERE r.receipt_no = 'W1-000002')"],
        ["postings W1-000002"],
    ),
    "posting account": (
        ["UPDATE postings SET account = 'DRAWER:card' WHERE id = (SELECT min(p.id) "
         "FROM postings p JOIN journal_entries j ON j.id = p.entry_id JOIN receipts r "
         "ON r.id = j.receipt_id WHERE r.receipt_no = 'W1-000002')"],
        ["postings W1-000002"],
    ),
    "void approver": (["UPDATE voids SET approver = 'amy'"], ["voids W1-000001"]),
    "drop amount": (
        ["UPDATE drawer_movements SET amount_cents = 4000 WHERE kind = 'drop'"],
        ["drawer_movements", "drop", S1],
    ),
    "paid-out GL": (
        ["UPDATE drawer_movements SET gl = '101-1200-52999' WHERE kind = 'paid_out'"],
        ["drawer_movements", "paid_out", S1],
    ),
    "close counted": (
        ["UPDATE close_counts SET counted_cents = counted_cents + 1450 "
         f"WHERE session_id = '{S1}' AND count_no = 2 AND tender = 'cash'"],
        ["close_counts", f"{S1} count 2"],
    ),
    "close expected cash": (
        ["UPDATE close_counts SET expected_cents = expected_cents - 1450 "
         f"WHERE session_id = '{S1}' AND count_no = 2 AND tender = 'cash'"],
        ["close_counts", f"{S1} count 2"],
    ),
    "session opening": (
        [f"UPDATE drawer_sessions SET opening_cents = 5000 WHERE id = '{S2}'"],
        [f"drawer_sessions {S2}"],
    ),
    "line deleted": (
        ["DELETE FROM receipt_lines WHERE id = (SELECT max(id) FROM receipt_lines WHERE "
         "receipt_id = (SELECT id FROM receipts WHERE receipt_no = 'W1-000004'))"],
        ["receipt_lines W1-000004"],
    ),
    "receipt inserted": (
        ["INSERT INTO receipts (receipt_no, workstation, seq, session_id, cashier, payer, "
         "created_at, business_date, total_cents, change_cents) SELECT 'W1-000099', "
         "workstation, 99, session_id, cashier, '', created_at, business_date, 1000, 0 "
         "FROM receipts WHERE receipt_no = 'W1-000004'",
         "INSERT INTO receipt_lines (receipt_id, line_no, code, ref, description, qty, "
         "amount_cents) SELECT id, 1, 'MISC', NULL, 'Misc', 1, 1000 FROM receipts "
         "WHERE receipt_no = 'W1-000099'",
         "INSERT INTO tenders (receipt_id, kind, amount_cents) SELECT id, 'cash', 1000 "
         "FROM receipts WHERE receipt_no = 'W1-000099'"],
        ["receipts W1-000099"],
    ),
}  # fmt: skip


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _tamper(data_dir: Path, attack: str) -> list[str]:
    sql, named = ATTACKS[attack]
    db = sqlite3.connect(data_dir / "ledger.db", isolation_level=None)
    for table in APPEND_ONLY:
        for op in ("update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
    for statement in sql:
        assert db.execute(statement).rowcount >= 1, statement
    db.close()
    return named


def _verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return _cli(data_dir, "audit", "verify")


def _history_then_purged(make_app: Callable[..., App]) -> None:
    """Workstation W0's two days of 2019 in the same ledger, synced; the first is purged
    once W1's day is in (retention, issue 18 item 4): the attacks then hit what remains."""
    clock = FakeClock(datetime(2019, 3, 4, 15, 0, tzinfo=UTC))
    w0 = make_app(workstation="W0", clock=clock)
    quiet_day(w0, clock, datetime(2019, 3, 4, 15, 0, tzinfo=UTC))
    quiet_day(w0, clock, datetime(2019, 3, 5, 15, 0, tzinfo=UTC))
    run_ok(w0, {"op": "sync"})
    w0.close()


@pytest.fixture(params=["as made", "after a purge"])
def day_dir(make_app: Callable[..., App], request: pytest.FixtureRequest) -> Path:
    purged = request.param == "after a purge"
    if purged:
        _history_then_purged(make_app)
    app = make_app()
    small_day(app)
    run_ok(
        app,
        {"op": "login", "user": "bob", "pin": "2468"},
        {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"code": "MISC", "amount": "30.00"},
                                 {"code": "DOG-LIC", "qty": 1}],
         "tenders": [{"type": "cash", "amount": "20.00"}, {"type": "cash", "amount": "30.00"},
                     {"type": "check", "amount": "10.00", "number": "77"}]},
    )  # fmt: skip
    if purged:
        done = app.desk.retention_purge("2021-01-01", "Res. 2026-14", **ADMIN)
        assert done.found.batches == ["W0-20190304-001"], done
    app.close()
    return app.data_dir


def test_the_untouched_day_verifies(day_dir: Path) -> None:
    done = _verify(day_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["ok"] is True


def test_a_sales_record_sums_its_tenders_per_kind(day_dir: Path) -> None:
    db = sqlite3.connect(day_dir / "ledger.db")
    details = db.execute(
        "SELECT details FROM audit_log WHERE action = 'sale' AND target = 'W1-000004'"
    ).fetchone()[0]
    assert json.loads(details)["tenders"] == {"cash": "50.00", "check": "10.00"}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_attack_on_money_rows_is_named(day_dir: Path, attack: str) -> None:
    named = _tamper(day_dir, attack)
    done = _verify(day_dir)
    assert done.returncode == 1, done.stdout
    out = json.loads(done.stdout)
    assert out["ok"] is False and "bad_record" not in out  # the chain itself still holds
    assert any(all(w in p for w in named) for p in out["problems"]), out["problems"]
    assert all(w in done.stderr for w in named)


@pytest.mark.parametrize("attack", ["tender amount", "receipt inserted", "drop amount"])
def test_doctor_and_restore_catch_edited_money_rows(
    day_dir: Path, tmp_path: Path, attack: str
) -> None:
    """operations.md: doctor checks the audit chain, restore checks it before it writes: both
    run the money-row cross-check too, so an edited backup (its hash taken after the edit, as
    the backup command does) is refused and doctor fails, naming the row."""
    clean = tmp_path / "clean.zip"
    assert _cli(day_dir, "backup", str(clean)).returncode == 0
    doctor = _cli(day_dir, "doctor")
    assert "ok    audit chain" in doctor.stdout, doctor.stdout
    named = _tamper(day_dir, attack)
    doctor = _cli(day_dir, "doctor")
    assert doctor.returncode == 1
    line = next(x for x in doctor.stdout.splitlines() if "audit chain" in x)
    assert line.startswith("FAIL") and all(w in line for w in named), line
    edited = tmp_path / "edited.zip"
    made = _cli(day_dir, "backup", str(edited))
    assert made.returncode == 0, made.stderr
    done = _cli(tmp_path / "into", "restore", str(edited))
    assert done.returncode == 1 and "(bad_backup)" in done.stderr, done.stderr
    assert "money rows" in done.stderr and all(w in done.stderr for w in named), done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "into").exists()
    whole = _cli(tmp_path / "again", "restore", str(clean))  # the untouched copy still restores
    assert whole.returncode == 0, whole.stderr
