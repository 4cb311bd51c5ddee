"""A data folder this account may read but not write (an auditor's account, read-only media)
still answers the reading commands — receipts, audit verify, report, search, papers and export
(with --out) — without writing a byte, after a clean close and after a crash that left
committed work in ``ledger.db-wal``; commands that would write refuse ``read_only``.  Run as
``nobody`` (root ignores permissions)."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_desk.app import open_app
from cashier_desk.runner import run_op
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.faults.unprivileged import as_nobody, make_read_only, open_folder, snapshot
from tests.helpers import FakeClock

DAY = [
    {"op": "login", "user": "amy", "pin": "4821"},
    {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
    *(
        {"op": "sale", "items": [{"code": "DOG-LIC"}], "tenders": [{"type": "cash", "amount": a}]}
        for a in ("20.00", "50.00", "100.00")
    ),
    {"op": "close_drawer", "counted": {"cash": {"20.00": 8}}},
    {"op": "closeout", "approver": "lee", "approver_pin": "1111"},
]
READING = [
    ["receipts"],
    ["audit", "verify"],
    ["search", "UB-1000"],
    ["report", "over-short", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "{out}/os.csv"],
    ["papers", "--date", "2026-11-23", "--out", "{out}"],
    ["export", "--date", "2026-11-23", "--out", "{out}"],
]
WRITING = [["run", "{out}/day.jsonl"], ["import", "users", "{out}/users.csv"], ["demo"]]


@pytest.fixture
def shared() -> Iterator[Path]:
    with open_folder() as folder:
        out = folder / "out"
        out.mkdir()
        out.chmod(0o777)  # where nobody may write its papers
        (out / "day.jsonl").write_text(json.dumps(DAY[0]) + "\n", encoding="utf-8")
        (out / "users.csv").write_text("login,name,role,pin\n", encoding="utf-8")
        for f in out.iterdir():
            f.chmod(0o644)
        yield folder


def _a_day(template: Path, data: Path, *, crash_copy: Path | None = None) -> None:
    """The demo city's day at W1 (three sales, the closeout).  With ``crash_copy``: the files
    are copied while the ledger is still open, as a power cut leaves them (the last commits
    only in ledger.db-wal)."""
    shutil.copytree(template, data)
    app = open_app(
        data, "W1", clock=FakeClock(), printer=MemoryPrinter(), cash_drawer=CountingDrawer()
    )
    try:
        for op in DAY:
            assert run_op(app.desk, op)["ok"], op
        if crash_copy is not None:
            shutil.copytree(data, crash_copy)
    finally:
        app.close()


def _receipts(done_stdout: str) -> list[str]:
    return [json.loads(line)["receipt"] for line in done_stdout.splitlines()]


def _reads_everything(data: Path, shared: Path) -> None:
    out = shared / "out"
    before = snapshot(data)
    for args in READING:
        done = as_nobody(data, *(a.format(out=out) for a in args), cwd=shared)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
        if args == ["receipts"]:
            assert _receipts(done.stdout) == ["W1-000001", "W1-000002", "W1-000003"]
        if args == ["audit", "verify"]:
            assert json.loads(done.stdout)["ok"] is True
    assert snapshot(data) == before  # not a byte written, no -shm, -wal, log or config made
    assert {p.name for p in out.iterdir()} >= {"os.csv"}
    assert any(p.name.startswith("deposit-slip") for p in out.iterdir())
    for args in WRITING:
        done = as_nobody(data, *(a.format(out=out) for a in args), cwd=shared)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert "(read_only)" in done.stderr and "read-only for this account" in done.stderr
        assert "Traceback" not in done.stderr
    assert snapshot(data) == before


def test_a_read_only_folder_after_a_clean_close_answers_reading_commands(
    slim_template: Path, shared: Path
) -> None:
    data = shared / "data"
    _a_day(slim_template, data)
    assert not (data / "ledger.db-wal").exists()  # a clean close: the file alone
    make_read_only(data)
    _reads_everything(data, shared)


def _crashed(template: Path, shared: Path) -> Path:
    """A data folder as a power cut during the day leaves it: the day only in its WAL."""
    crashed = shared / "crashed"
    _a_day(template, shared / "data", crash_copy=crashed)
    assert (crashed / "ledger.db-wal").stat().st_size > 0
    return crashed


def test_a_read_only_folder_after_a_crash_reads_the_work_in_the_wal(
    slim_template: Path, shared: Path
) -> None:
    crashed = _crashed(slim_template, shared)
    # The receipts are in the WAL only: reading the file alone would show none of them.
    with contextlib.closing(
        sqlite3.connect(f"file:{crashed / 'ledger.db'}?mode=ro&immutable=1", uri=True)
    ) as alone:
        assert alone.execute("SELECT count(*) FROM receipts").fetchone() == (0,)
    make_read_only(crashed)
    _reads_everything(crashed, shared)


def test_a_wal_without_its_index_is_refused_rather_than_read_short(
    slim_template: Path, shared: Path
) -> None:
    crashed = _crashed(slim_template, shared)
    (crashed / "ledger.db-shm").unlink()
    make_read_only(crashed)
    before = snapshot(crashed)
    done = as_nobody(crashed, "receipts", cwd=shared)
    assert done.returncode == 1 and done.stdout == ""
    assert "(read_only)" in done.stderr and "ledger.db-wal" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(crashed) == before
