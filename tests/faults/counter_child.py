"""A workstation that kills itself at one chosen step at the counter (run as a child process).

``python tests/faults/counter_child.py DATA_DIR PRINTER_URL STAGE`` opens the app on DATA_DIR
with the ESC/POS printer at PRINTER_URL (a simulator in the parent process), logs in, opens a
drawer and rings one cash sale (W1-000001, printed), prints ``{"ready": ...}``, then arms the
kill and does the operation of STAGE, SIGKILLing itself at the chosen point:

``in_commit``       inside the sale's transaction (the clock is read while the receipt is being
                    written): nothing of the sale may survive;
``before_print``    after the sale committed, as the printer is handed the receipt;
``after_print``     after the printer took the whole receipt, before it is marked printed;
``before_drawer``   after the receipt was printed and marked, before the drawer is pulsed;
``void_print``      after a void committed, as its VOID copy goes to the printer;
``drop_drawer``     after a drop to the safe committed, before the drawer opens.

If it is still alive after the operation it prints ``{"survived": true}`` and exits 1.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cashier_desk.app import open_app
from cashier_desk.devices.printer import EscPosPrinter, PrinterDrawer
from cashier_desk.devices.receipt import ReceiptDoc
from cashier_desk.runner import run_op

STAGES = (
    "in_commit",
    "before_print",
    "after_print",
    "before_drawer",
    "void_print",
    "drop_drawer",
)


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class Trap:
    """Where to die; armed only for the operation under test."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.armed = False

    def at(self, stage: str) -> None:
        if self.armed and self.stage == stage:
            die()


class KillingClock:
    def __init__(self, trap: Trap) -> None:
        self.trap = trap

    def __call__(self) -> datetime:
        self.trap.at("in_commit")
        return datetime.now(UTC)


class KillingPrinter(EscPosPrinter):
    def __init__(self, url: str, trap: Trap) -> None:
        super().__init__(url, poll_interval=0.2)
        self.trap = trap

    def print_receipt(self, doc: ReceiptDoc) -> bool:
        self.trap.at("before_print")
        self.trap.at("void_print")
        ok = super().print_receipt(doc)
        self.trap.at("after_print")
        return ok


class KillingDrawer(PrinterDrawer):
    def __init__(self, printer: EscPosPrinter, trap: Trap) -> None:
        super().__init__(printer)
        self.trap = trap

    def open_drawer(self) -> bool:
        self.trap.at("before_drawer")
        self.trap.at("drop_drawer")
        return super().open_drawer()


CASH_SALE: dict[str, Any] = {
    "op": "sale",
    "items": [{"code": "DOG-LIC", "qty": 2}],
    "tenders": [{"type": "cash", "amount": "50.00"}],
}


def main(data_dir: Path, url: str, stage: str) -> int:
    if stage not in STAGES:
        raise SystemExit(f"stage must be one of {', '.join(STAGES)}")
    trap = Trap(stage)
    printer = KillingPrinter(url, trap)
    printer.start()
    app = open_app(
        data_dir,
        "W1",
        clock=KillingClock(trap),
        printer=printer,
        cash_drawer=KillingDrawer(printer, trap),
    )
    setup: list[dict[str, Any]] = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        CASH_SALE,
    ]
    results = [run_op(app.desk, op) for op in setup]
    print(json.dumps({"ready": results}), flush=True)
    if not all(r["ok"] for r in results):
        return 2
    op: dict[str, Any]
    if stage == "void_print":
        op = {
            "op": "void",
            "receipt": "W1-000001",
            "approver": "lee",
            "approver_pin": "1111",
            "reason": "wrong licence",
        }
    elif stage == "drop_drawer":
        op = {"op": "drop", "amount": "20.00"}
    else:
        op = CASH_SALE
    trap.armed = True
    result = run_op(app.desk, op)
    print(json.dumps({"survived": True, "result": result}), flush=True)
    app.close()
    printer.close()
    return 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
