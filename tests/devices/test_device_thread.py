"""Issue 13, item 5: the printer's port is used on the printer's own thread only, and a
debug run says so when anything else tries (Electrum's device-thread rule)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cashier_desk.devices.model import WrongThread
from cashier_desk.devices.printer import EscPosPrinter
from cashier_desk.devices.receipt import ReceiptDoc
from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
from cashier_desk.devices.sim.transports import TcpSimServer
from cashier_desk.paper import Line


def test_the_port_is_used_on_the_device_thread_only() -> None:
    sim = EscPosPrinterSim()
    with TcpSimServer(sim) as server:
        host, port = server.address
        printer = EscPosPrinter(f"escpos+tcp://{host}:{port}", poll_interval=0.1)
        try:
            assert printer.start().ok
            assert printer.print_receipt(ReceiptDoc(42, (Line("THROUGH ITS THREAD"),)))
            with pytest.raises(WrongThread, match="not its own"):
                printer._print(b"hello\n")  # straight from the test's thread: refused
            assert printer.print_receipt(ReceiptDoc(42, (Line("STILL PRINTS"),)))
        finally:
            printer.close()
    printed = "\n".join(r.text for r in sim.receipts)
    assert "THROUGH ITS THREAD" in printed and "STILL PRINTS" in printed and "hello" not in printed


def test_an_optimised_run_leaves_the_check_out() -> None:
    code = (
        "import threading; from cashier_desk.devices.model import check_device_thread\n"
        "check_device_thread(threading.Thread(), 'printer'); print('unchecked')"
    )
    run = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "unchecked", run.stderr
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1 and "WrongThread" in run.stderr
