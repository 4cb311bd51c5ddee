"""Closeout of a busy day, and the memory the workstation holds after it.

The day runs in a process of its own (``benchmarks.day``): ``size.day_receipts`` receipts
through ``Desk.sale``, two drawers closed, then the ``Desk.closeout`` call alone is timed (it
includes the lead's PIN check, the readiness checks, the batch payload with every receipt and
the audit segment, its SHA-256, the durable commit with the outbox row, and the backup of the
ledger written after it, timed again alone for the note).

The closeout's limit is reading the same rows with ``sqlite3`` (the day's receipts, lines,
tenders, journal and audit records) in one read transaction: what any closeout has to read.
The memory's limit is the same app opened on the demo city in a fresh process, idle.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Context, Figure, add_open_items

CLOSEOUT_TARGET = "value<=1"  # seconds
MEMORY_TARGET = "value<=300"  # MB


def _worker(ctx: Context, *args: str) -> dict[str, Any]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.day", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=3600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmarks.day failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def busy_day(ctx: Context) -> dict[str, Any]:
    """Run (once per suite run) the busy day; its data folder is kept for the sync benchmark."""
    if "day" not in ctx.shared:
        data = ctx.fresh_data_dir("day")
        add_open_items(data / "ledger.db", ctx.size.day_receipts)
        args = ["--data", str(data), "--receipts", str(ctx.size.day_receipts)]
        if ctx.profile_dir is not None:
            args += ["--profile", str(ctx.profile_dir)]
        result = _worker(ctx, *args)
        result["data_dir"] = str(data)
        ctx.shared["day"] = result
    day: dict[str, Any] = ctx.shared["day"]
    return day


def raw_read(ledger_db: Path, batch: str) -> float:
    """Seconds to read what the batch's closeout read, with plain sqlite3."""
    conn = sqlite3.connect(ledger_db, isolation_level=None)
    try:
        found = conn.execute("SELECT session_id FROM batch_sessions WHERE batch_id=?", (batch,))
        sessions = [r[0] for r in found]
        marks = ",".join("?" * len(sessions))
        started = time.perf_counter()
        conn.execute("BEGIN")
        receipts = f"SELECT id FROM receipts WHERE session_id IN ({marks})"
        for sql in (
            f"SELECT * FROM drawer_sessions WHERE id IN ({marks})",
            f"SELECT * FROM receipts WHERE session_id IN ({marks}) ORDER BY seq",
            f"SELECT * FROM receipt_lines WHERE receipt_id IN ({receipts}) ORDER BY id",
            f"SELECT * FROM tenders WHERE receipt_id IN ({receipts}) ORDER BY id",
            f"SELECT * FROM voids WHERE receipt_id IN ({receipts})",
            "SELECT j.id, j.session_id, j.kind, j.receipt_id, p.account, p.amount_cents "
            "FROM journal_entries j JOIN postings p ON p.entry_id = j.id "
            f"WHERE j.session_id IN ({marks}) ORDER BY p.id",
        ):
            conn.execute(sql, sessions * sql.count(marks)).fetchall()
        conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
        conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()


def run(ctx: Context) -> list[Figure]:
    day = busy_day(ctx)
    data = Path(day["data_dir"])
    raw_s = min(raw_read(data / "ledger.db", day["batch"]) for _ in range(3))
    idle_dir = ctx.fresh_data_dir("idle")
    idle = _worker(ctx, "--data", str(idle_dir), "--idle")
    sales = day["sales"]
    n = f"{day['receipts']:,} receipts"
    return [
        Figure(
            "closeout.seconds",
            f"Closeout of a {n} day",
            day["closeout_s"],
            "s",
            raw_s,
            "raw sqlite3 read of the same rows",
            CLOSEOUT_TARGET,
            f"{day['voids']} voids; of it the backup after the closeout about "
            f"{day['backup_s']:.2f} s (ledger {day['ledger_mb']:.0f} MB); the day's {sales['n']:,} "
            "sales took median "
            f"{sales['p50_ms']:.1f} ms, p99 {sales['p99_ms']:.1f} ms each",
            {"day": day},
        ),
        Figure(
            "memory.after_day",
            f"Resident memory after the {n} day",
            day["maxrss_mb"],
            "MB",
            idle["maxrss_mb"],
            "the app idle, fresh process",
            MEMORY_TARGET,
            f"peak (ru_maxrss since exec, VmHWM) of the day's own process; resident at its end "
            f"{day['rss_mb']:.0f} MB",
            {"idle": idle},
        ),
    ]
