"""Kills placed exactly between the steps at the counter: commit → print → mark printed → drawer.

Each case runs ``counter_child.py`` in a child process that SIGKILLs itself at one point (see
that file), then restarts the workstation in this process on the same data folder and the same
printer (a simulator that outlived the child, as a real printer would) and checks that the state
is the explainable one of docs/reliability.md:

* the receipt exists exactly when its transaction committed;
* its print job is pending or printed, and pending jobs print by themselves at start-up;
* a receipt the printer finished but the ledger had not yet marked prints again, marked REPRINT
  (a duplicate paper copy, never a lost receipt); so does one that never reached the printer
  (the workstation cannot tell the two apart);
* the audit chain verifies, the database is intact, and receipt numbers continue without a gap.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.devices.printer import EscPosPrinter, PrinterDrawer, wait_for
from cashier_desk.runner import run_op
from tests.faults.conftest import OutsidePrinter
from tests.faults.harness import child_env

CHILD = Path(__file__).with_name("counter_child.py")
SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC", "qty": 2}],
    "tenders": [{"type": "cash", "amount": "50.00"}],
}


@dataclass(frozen=True)
class Expected:
    receipts: tuple[str, ...]  # in the ledger right after the kill
    pending: tuple[tuple[str, str], ...]  # (receipt, job kind) not marked printed after the kill
    paper_after_kill: dict[str, int]  # whole copies on the paper right after the kill
    paper_after_restart: dict[str, int]
    drawer_pulses: int  # after the kill (the setup sale pulsed once)
    next_receipt: str
    voided: tuple[str, ...] = ()
    drops: int = 0
    restart_mark: str | None = None  # the mark on the copy that prints at the restart


CASES: dict[str, Expected] = {
    "in_commit": Expected(
        receipts=("W1-000001",),
        pending=(),
        paper_after_kill={"W1-000001": 1, "W1-000002": 0},
        paper_after_restart={"W1-000001": 1, "W1-000002": 0},
        drawer_pulses=1,
        next_receipt="W1-000002",
    ),
    "before_print": Expected(
        receipts=("W1-000001", "W1-000002"),
        pending=(("W1-000002", "original"),),
        paper_after_kill={"W1-000002": 0},
        paper_after_restart={"W1-000002": 1},
        drawer_pulses=1,
        next_receipt="W1-000003",
        restart_mark="REPRINT",  # it may have come out before the stop: it says it is a copy
    ),
    "after_print": Expected(
        receipts=("W1-000001", "W1-000002"),
        pending=(("W1-000002", "original"),),
        paper_after_kill={"W1-000002": 1},
        paper_after_restart={"W1-000002": 2},  # the duplicate paper copy
        drawer_pulses=1,
        next_receipt="W1-000003",
        restart_mark="REPRINT",
    ),
    "before_drawer": Expected(
        receipts=("W1-000001", "W1-000002"),
        pending=(),
        paper_after_kill={"W1-000002": 1},
        paper_after_restart={"W1-000002": 1},
        drawer_pulses=1,  # the drawer never opened for W1-000002
        next_receipt="W1-000003",
    ),
    "void_print": Expected(
        receipts=("W1-000001",),
        pending=(("W1-000001", "void"),),
        paper_after_kill={"W1-000001": 1},
        paper_after_restart={"W1-000001": 2},  # the original, then the VOID copy
        drawer_pulses=1,
        next_receipt="W1-000002",
        voided=("W1-000001",),
        restart_mark="VOID",
    ),
    "drop_drawer": Expected(
        receipts=("W1-000001",),
        pending=(),
        paper_after_kill={"W1-000001": 1},
        paper_after_restart={"W1-000001": 1},
        drawer_pulses=1,  # the drop is in the ledger; the drawer did not open for it
        next_receipt="W1-000002",
        drops=1,
    ),
}


def kill_at(data_dir: Path, printer: OutsidePrinter, stage: str) -> None:
    run = subprocess.run(
        [sys.executable, str(CHILD), str(data_dir), printer.url, stage],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(),
        check=False,
    )
    assert run.returncode == -signal.SIGKILL, (run.returncode, run.stdout, run.stderr)
    ready = json.loads(run.stdout.splitlines()[0])["ready"]
    assert all(r["ok"] for r in ready), ready


@dataclass
class LedgerState:
    receipts: list[str]
    pending: list[tuple[str, str]]
    voided: list[str]
    drops: int
    integrity: str


def ledger_state(data_dir: Path) -> LedgerState:
    conn = sqlite3.connect(f"file:{data_dir / 'ledger.db'}?mode=ro", uri=True)
    try:
        return LedgerState(
            [r[0] for r in conn.execute("SELECT receipt_no FROM receipts ORDER BY seq")],
            [
                (r[0], r[1])
                for r in conn.execute(
                    "SELECT r.receipt_no, j.kind FROM print_jobs j JOIN receipts r "
                    "ON r.id = j.receipt_id WHERE j.printed_at IS NULL ORDER BY j.id"
                )
            ],
            [
                r[0]
                for r in conn.execute(
                    "SELECT r.receipt_no FROM voids v JOIN receipts r ON r.id = v.receipt_id"
                )
            ],
            conn.execute("SELECT COUNT(*) FROM drawer_movements WHERE kind = 'drop'").fetchone()[0],
            conn.execute("PRAGMA integrity_check").fetchone()[0],
        )
    finally:
        conn.close()


@pytest.fixture
def restart(data_dir: Path, outside_printer: OutsidePrinter) -> Iterator[Callable[[], App]]:
    """The workstation started again on the same folder and the same printer."""
    apps: list[tuple[App, EscPosPrinter]] = []

    def start() -> App:
        printer = EscPosPrinter(outside_printer.url, poll_interval=0.1)
        printer.start()
        app = open_app(data_dir, "W1", printer=printer, cash_drawer=PrinterDrawer(printer))
        apps.append((app, printer))
        return app

    yield start
    for app, printer in apps:
        app.close()
        printer.close()


@pytest.mark.parametrize("stage", list(CASES))
def test_a_kill_between_the_steps_at_the_counter_recovers_to_an_explainable_state(
    stage: str, data_dir: Path, outside_printer: OutsidePrinter, restart: Callable[[], App]
) -> None:
    want = CASES[stage]
    kill_at(data_dir, outside_printer, stage)

    after_kill = ledger_state(data_dir)
    assert after_kill.integrity == "ok"
    assert tuple(after_kill.receipts) == want.receipts
    assert tuple(after_kill.pending) == want.pending
    assert tuple(after_kill.voided) == want.voided
    assert after_kill.drops == want.drops
    for receipt, n in want.paper_after_kill.items():
        assert len(outside_printer.copies(receipt)) == n, receipt
    assert outside_printer.sim.drawer_pulses == want.drawer_pulses

    app = restart()
    # Pending receipts print by themselves at start-up.
    assert wait_for(lambda: app.desk.pending_prints() == 0, timeout=15)
    for receipt, n in want.paper_after_restart.items():
        assert len(outside_printer.copies(receipt)) == n, receipt
    if want.restart_mark is not None:
        (receipt,) = [r for r, n in want.paper_after_restart.items() if n]
        copies = outside_printer.copies(receipt)
        assert f"*** {want.restart_mark} ***" in copies[-1]
        for earlier in copies[: want.paper_after_kill.get(receipt, 0)]:
            assert "***" not in earlier  # what came out before the kill is the plain original
    assert app.desk.verify_audit().ok
    assert [r.receipt_no for r in app.desk.receipts()] == list(want.receipts)
    assert all(r.printed for r in app.desk.receipts())
    # The cashier logs in again; the drawer session survived; numbering goes on without a gap.
    assert run_op(app.desk, {"op": "login", "user": "amy", "pin": "4821"})["ok"]
    result = run_op(app.desk, SALE)
    assert result["ok"], result
    assert result["receipt"] == want.next_receipt
    assert result["printed"] is True
    assert app.desk.verify_audit().ok
    assert ledger_state(data_dir).integrity == "ok"
