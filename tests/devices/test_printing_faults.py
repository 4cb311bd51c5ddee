"""Printing at the counter when the printer misbehaves: the sale always stands, the drawer still
opens, and the receipt prints by itself — whole — once the printer is back.

Everything runs the real path: the Desk, the ESC/POS driver (python-escpos over pyserial) and
the simulated printer behind a real TCP socket or pseudo-terminal.  No library is mocked.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.devices.printer import EscPosPrinter, PrinterDrawer, wait_for
from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
from cashier_desk.devices.sim.transports import PtySimServer, TcpSimServer
from cashier_desk.runner import run_op
from tests.helpers import run_ok

CASH_SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC", "qty": 1}],
    "tenders": [{"type": "cash", "amount": "50.00"}],
}


class Counter:
    """A Desk wired to a simulated ESC/POS printer (and its drawer port) over a real link."""

    def __init__(self, data_dir: Path, server: TcpSimServer | PtySimServer, url: str) -> None:
        self.server = server
        self.sim: EscPosPrinterSim = server.sim  # type: ignore[assignment]
        self.printer = EscPosPrinter(url, poll_interval=0.1)
        self.printer.start()
        self.app: App = open_app(
            data_dir, "W1", printer=self.printer, cash_drawer=PrinterDrawer(self.printer)
        )
        run_ok(
            self.app,
            {"op": "login", "user": "amy", "pin": "4821"},
            {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        )

    def sale(self, **changes: Any) -> dict[str, Any]:
        result = run_op(self.app.desk, {**CASH_SALE, **changes})
        assert result["ok"], result
        return result

    def printed_flags(self) -> list[bool]:
        return [r.printed for r in self.app.desk.receipts()]

    def complete_receipts(self) -> list[str]:
        return [r.text for r in self.sim.receipts if r.complete]

    def close(self) -> None:
        self.app.close()
        self.printer.close()


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template_dir, target)
    return target


@pytest.fixture
def counter(data_dir: Path) -> Iterator[Counter]:
    sim = EscPosPrinterSim(drawer_close_after=0)
    with TcpSimServer(sim) as server:
        host, port = server.address
        c = Counter(data_dir, server, f"escpos+tcp://{host}:{port}")
        yield c
        c.close()
    sim.close()


def test_a_receipt_prints_and_the_drawer_opens(counter: Counter) -> None:
    result = counter.sale()
    assert result["printed"] is True
    assert wait_for(lambda: counter.sim.drawer_pulses == 1, 5)
    [text] = counter.complete_receipts()
    assert "W1-000001" in text and "CHANGE" in text
    assert counter.printed_flags() == [True]


@pytest.mark.parametrize(
    ("fault", "clear"),
    [
        (lambda s: s.set_paper_out(True), lambda s: s.set_paper_out(False)),
        (lambda s: s.set_offline(True), lambda s: s.set_offline(False)),
        (lambda s: s.set_cover_open(True), lambda s: s.set_cover_open(False)),
    ],
    ids=["paper-out", "offline", "cover-open"],
)
def test_a_fault_never_loses_the_sale_and_the_receipt_prints_when_it_clears(
    counter: Counter,
    fault: Callable[[EscPosPrinterSim], None],
    clear: Callable[[EscPosPrinterSim], None],
) -> None:
    fault(counter.sim)
    assert wait_for(lambda: not counter.printer.status.ready, 5)
    result = counter.sale()
    assert result["printed"] is False
    assert result["receipt"] == "W1-000001"
    # The drawer still opens for cash: the real-time pulse works while the printer is stopped.
    assert wait_for(lambda: counter.sim.drawer_pulses == 1, 5)
    assert counter.complete_receipts() == []
    assert counter.printed_flags() == [False]
    clear(counter.sim)
    assert wait_for(lambda: counter.printed_flags() == [True], 10)
    [text] = counter.complete_receipts()
    assert "W1-000001" in text


def test_unplugged_then_plugged_in_the_receipt_prints_by_itself(counter: Counter) -> None:
    counter.server.unplug()
    assert wait_for(lambda: not counter.printer.status.online, 5)
    result = counter.sale()
    assert result["printed"] is False
    assert counter.printed_flags() == [False]
    counter.server.plug()
    assert wait_for(lambda: counter.printed_flags() == [True], 10)
    assert len(counter.complete_receipts()) == 1


def test_pending_receipts_print_in_order_when_the_printer_is_back(counter: Counter) -> None:
    counter.sim.set_paper_out(True)
    assert wait_for(lambda: not counter.printer.status.ready, 5)
    for _ in range(3):
        assert counter.sale()["printed"] is False
    counter.sim.set_paper_out(False)
    assert wait_for(lambda: counter.printed_flags() == [True] * 3, 10)
    numbers = [t.split("RECEIPT")[1].split()[0] for t in counter.complete_receipts()]
    assert numbers == ["W1-000001", "W1-000002", "W1-000003"]


def test_the_print_pending_operation_reports_what_it_printed(counter: Counter) -> None:
    counter.app.desk.stop_spooler()  # only the operation prints in this test
    counter.sim.set_paper_out(True)
    assert wait_for(lambda: not counter.printer.status.ready, 5)
    counter.sale()
    assert run_op(counter.app.desk, {"op": "print_pending"}) == {
        "op": "print_pending", "ok": True, "printed": 0, "pending": 1,
    }  # fmt: skip
    counter.sim.set_paper_out(False)
    assert wait_for(lambda: counter.printer.status.ready, 5)
    assert run_op(counter.app.desk, {"op": "print_pending"}) == {
        "op": "print_pending", "ok": True, "printed": 1, "pending": 0,
    }  # fmt: skip


def test_a_reprint_is_marked_reprint(counter: Counter) -> None:
    counter.sale()
    result = run_op(counter.app.desk, {"op": "reprint", "receipt": "W1-000001"})
    assert result == {"op": "reprint", "ok": True, "receipt": "W1-000001", "printed": True}
    original, copy = counter.complete_receipts()
    assert "REPRINT" not in original and "REPRINT" in copy


def test_the_connection_cut_mid_receipt_leaves_the_job_pending_and_it_prints_whole(
    data_dir: Path,
) -> None:
    sim = EscPosPrinterSim(drawer_close_after=0)
    # A slow line, so that the cut lands while the receipt is on its way.
    with TcpSimServer(sim, baud=2400) as server:
        host, port = server.address
        # baudrate in the URL: the driver waits as long as such a line needs.
        c = Counter(data_dir, server, f"escpos+tcp://{host}:{port}?baudrate=2400")
        try:
            cut = threading.Timer(0.5, server.unplug)
            cut.start()
            result = c.sale(payer="A payer with a long name to make the receipt longer")
            cut.join()
            assert result["printed"] is False
            assert c.printed_flags() == [False]
            assert c.complete_receipts() == []  # half a receipt never counts
            server.baud = None
            server.plug()
            assert wait_for(lambda: c.printed_flags() == [True], 15)
            [text] = c.complete_receipts()
            assert "W1-000001" in text and "Thank you" in text
        finally:
            c.close()
    sim.close()


def test_on_a_slow_9600_baud_line_a_sale_waits_only_as_long_as_the_line_needs(
    data_dir: Path,
) -> None:
    sim = EscPosPrinterSim(drawer_close_after=0)
    with PtySimServer(sim, baud=9600) as server:
        c = Counter(data_dir, server, f"escpos+serial://{server.port}?baudrate=9600")
        try:
            reads: list[float] = []
            stop = threading.Event()

            def read_status() -> None:
                while not stop.is_set():
                    t = time.perf_counter()
                    _ = c.printer.status  # what the window reads: never waits for the line
                    _ = c.app.desk.pending_prints()
                    reads.append(time.perf_counter() - t)
                    time.sleep(0.005)

            watcher = threading.Thread(target=read_status)
            watcher.start()
            started = time.perf_counter()
            result = c.sale()
            took = time.perf_counter() - started
            stop.set()
            watcher.join()
            assert result["printed"] is True
            size = sum(len(r.text) for r in sim.receipts) + 200  # text plus commands, roughly
            line_time = size * 10 / 9600
            # Generous bounds (machines are noisy); the benchmark suite measures the ratio.
            assert took < line_time + 3.0
            assert max(reads) < 0.5
        finally:
            c.close()
    sim.close()
