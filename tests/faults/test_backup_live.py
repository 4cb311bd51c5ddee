"""A backup taken while a day is rung up in another process restores to that very moment
(issue 18 item 3).

A child process runs whole days (the crash harness's planned cycles: sales of every tender, a
void, a drop, a blind close, an approval, a closeout with its own automatic backup, a sync)
while this test takes backups from the command line, another process again.  Each backup
restores into a new folder whose ledger passes `audit verify`, and whose answers are the
source's at the moment of the backup: its audit log is exactly the first records of the
source's, every row of the tables that are never changed is the source's, its receipts are the
source's first receipts (same total, same session; a receipt voided later was not yet voided),
and each closeout and closed drawer it holds reports as the source's does.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from cashier_desk.app import open_app
from cashier_desk.devices.base import NoPrinter
from cashier_desk.devices.setup import NoDrawer
from cashier_desk.ledger.schema import APPEND_ONLY
from tests.faults.harness import CLI, Planner, child_env, cli, noon_zone, prepare

CYCLES = 14


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def _receipts(data: Path) -> list[dict[str, Any]]:
    done = cli(data, "receipts")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _reports(data: Path, day: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Each closeout's JSON by batch, and each closed drawer's over/short by session."""
    app = open_app(data, "W1", printer=NoPrinter(), cash_drawer=NoDrawer(), devices=False)
    try:
        closeouts = {c.batch: c.as_json() for c in app.desk.day_closeouts(day)}
        drawers = {r.session: str(r.total) for r in app.desk.over_short_history(day, day)}
    finally:
        app.close()
    return closeouts, drawers


def test_a_backup_during_a_day_in_another_process_restores_to_that_moment(
    tmp_path: Path, template_dir: Path
) -> None:
    data = tmp_path / "day"
    prepare(data, template_dir)
    zone, day = noon_zone()
    (data / "config.toml").write_text(
        f'[station]\ntimezone = "{zone}"\n\n[policy]\ndrawer_alert_seconds = 0\n\n'
        '[devices]\nprinter = "none"\ndrawer = "none"\nscanner = "none"\ndisplay = "none"\n',
        encoding="utf-8",
    )
    plan = Planner(7, day)
    ops: list[dict[str, Any]] = []
    for c in range(CYCLES):
        cycle = plan.cycle(c)
        ops.append({"op": "login", "user": cycle.cashier[0], "pin": cycle.cashier[1]})
        ops.extend(s.op for s in cycle.steps)
    script = tmp_path / "day.jsonl"
    script.write_text("".join(json.dumps(o) + "\n" for o in ops), encoding="utf-8")
    child = subprocess.Popen(
        [*CLI, "--data-dir", str(data), "run", str(script)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    taken: list[tuple[Path, dict[str, Any]]] = []
    try:
        deadline = time.monotonic() + 120
        while not _rows(data / "ledger.db", "SELECT 1 FROM receipts LIMIT 1"):
            assert child.poll() is None and time.monotonic() < deadline, "the day did not start"
            time.sleep(0.05)
        while child.poll() is None and len(taken) < 4:
            file = tmp_path / f"backup-{len(taken)}.zip"
            done = cli(data, "backup", str(file))
            assert done.returncode == 0, done.stderr
            taken.append((file, json.loads(done.stdout)))
        _, err = child.communicate(timeout=300)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err

    source = data / "ledger.db"
    all_receipts = _receipts(data)
    audit = _rows(source, "SELECT * FROM audit_log ORDER BY seq")
    reports = _reports(data, day)
    mid_day = [m for _, m in taken if m["row_counts"]["receipts"] < len(all_receipts)]
    assert mid_day, "no backup was taken while the day was being rung up"
    for i, (file, manifest) in enumerate(taken):
        target = tmp_path / f"restored-{i}"
        done = cli(target, "restore", str(file))
        assert done.returncode == 0, done.stderr
        verify = cli(target, "audit", "verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr
        restored = target / "ledger.db"
        n = manifest["audit_head"]["seq"]
        assert _rows(restored, "SELECT * FROM audit_log ORDER BY seq") == audit[:n]
        for table in APPEND_ONLY:
            mine = set(_rows(restored, f"SELECT * FROM {table}"))
            assert mine <= set(_rows(source, f"SELECT * FROM {table}")), table
        got = _receipts(target)
        assert len(got) == manifest["row_counts"]["receipts"]
        first = all_receipts[: len(got)]
        assert [(r["receipt"], r["total"], r["session"]) for r in got] == [
            (r["receipt"], r["total"], r["session"]) for r in first
        ]
        assert all(r["voided"] <= s["voided"] for r, s in zip(got, first, strict=True))
        closeouts, drawers = _reports(target, day)
        assert closeouts == {b: reports[0][b] for b in closeouts}
        assert drawers == {s: reports[1][s] for s in drawers}
