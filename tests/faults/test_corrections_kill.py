"""Corrections after the closeout, SIGKILLed part-way through the command line (issue 16): a
returned check, a refund and a transfer are each one transaction — after a kill each is there
whole (its correction, what it took back, its GL, its open items, its flag, its audit record)
or not at all, the audit chain verifies, and running the script again finishes the work without
doing a returned check twice."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from cashier_desk.app import App
from tests.faults.harness import CLI, child_env, cli
from tests.helpers import run_ok

LEE = {"approver": "lee", "approver_pin": "1111"}
SAM = {"approver": "sam", "approver_pin": "3333"}
OPS = [
    {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE},
    {"op": "transfer", "receipt": "W1-000002", "from_ref": "UB-100235", "to_ref": "UB-100236",
     "amount": "5.00", **LEE},
    {"op": "refund", "receipt": "W1-000002", "amount": "1.00", "payee": "Vera", "method": "check",
     "address": "1 Main St", "reason": "overpaid", **SAM},
]  # fmt: skip


def _closed_day(make_app: Callable[..., App]) -> Path:
    app = make_app("data")
    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"ref": "UB-100234"}, {"code": "DOG-LIC"}],
         "tenders": [{"type": "check", "amount": "102.15", "number": "1042"}]},
        {"op": "sale", "items": [{"ref": "UB-100235", "amount": "10.00"}],
         "tenders": [{"type": "cash", "amount": "10.00"}]},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "10.00": 1},
                                           "checks": [{"number": "1042", "amount": "102.15"}]}},
        {"op": "closeout", **LEE},
    )  # fmt: skip
    folder = app.ledger.path.parent
    app.close()
    return folder


def _state(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        unbalanced = conn.execute(
            "SELECT COUNT(*) FROM (SELECT correction_id FROM correction_postings "
            "GROUP BY correction_id HAVING SUM(amount_cents) != 0)"
        ).fetchone()[0]
        assert unbalanced == 0
        counts = {
            kind: conn.execute(
                "SELECT COUNT(*) FROM corrections WHERE kind = ?", (kind,)
            ).fetchone()[0]
            for kind in ("returned_check", "transfer", "refund")
        }
        counts["new_items"] = conn.execute(
            "SELECT COUNT(*) FROM open_items WHERE ref LIKE 'W1-RC%'"
        ).fetchone()[0]
        counts["flags"] = conn.execute("SELECT COUNT(*) FROM account_flags").fetchone()[0]
        counts["audited"] = conn.execute(
            "SELECT COUNT(*) FROM audit_log "
            "WHERE action IN ('returned_check', 'transfer', 'refund')"
        ).fetchone()[0]
        return counts
    finally:
        conn.close()


def test_a_kill_during_corrections_leaves_each_whole_or_absent(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    data = _closed_day(make_app)
    script = tmp_path / "fix.jsonl"
    script.write_text("".join(json.dumps(op) + "\n" for op in OPS), encoding="utf-8")
    rng = random.Random(20261206)
    for _ in range(3):
        proc = subprocess.Popen(
            [*CLI, "--data-dir", str(data), "run", str(script)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=child_env(),
        )
        time.sleep(rng.uniform(0.2, 3.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = _state(data / "ledger.db")
        assert state["returned_check"] <= 1
        # A returned check is there with its two new items (the dog licence, the fee), its
        # flag and its audit record — or none of them is.
        assert state["new_items"] == 2 * state["returned_check"]
        assert state["flags"] == state["returned_check"]
        made = state["returned_check"] + state["transfer"] + state["refund"]
        assert state["audited"] == made
        assert cli(data, "audit", "verify").returncode == 0
    # Finishing: a returned check already recorded is refused, never made twice.
    again = cli(data, "run", str(script))
    first = json.loads(again.stdout.splitlines()[0])
    assert first["ok"] or first["error"] == "already_returned", first
    assert _state(data / "ledger.db")["returned_check"] == 1
