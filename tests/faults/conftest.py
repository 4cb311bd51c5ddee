"""Fixtures for the fault tests: a fresh copy of the demo city, a slim city that is fast to dump
(for the fuzzing), and a receipt printer simulator that lives in the test process (so it
outlives a killed workstation, like a real printer)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
from cashier_desk.devices.sim.transports import TcpSimServer
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.faults.fuzzing import slim_city
from tests.helpers import FakeClock


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template_dir, target)
    return target


class OutsidePrinter:
    """The ESC/POS simulator behind a TCP port of this process."""

    def __init__(self) -> None:
        self.sim = EscPosPrinterSim(drawer_close_after=0)
        self.server = TcpSimServer(self.sim)
        self.server.start()
        host, port = self.server.address
        self.url = f"escpos+tcp://{host}:{port}"

    def copies(self, receipt_no: str) -> list[str]:
        """The whole pieces of paper that carry this receipt's barcode (their text)."""
        return [
            p.text
            for p in self.sim.receipts
            if p.complete and p.cut is not None and ("CODE128", receipt_no) in p.barcodes
        ]

    def close(self) -> None:
        self.server.stop()
        self.sim.close()


@pytest.fixture
def outside_printer() -> Iterator[OutsidePrinter]:
    printer = OutsidePrinter()
    yield printer
    printer.close()


@pytest.fixture(scope="session")
def slim_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("slim") / "data"
    slim_city(path)
    return path


@pytest.fixture
def slim_app(slim_template: Path, tmp_path: Path) -> Iterator[App]:
    target = tmp_path / "slim"
    shutil.copytree(slim_template, target)
    app = open_app(
        target, "W1", clock=FakeClock(), printer=MemoryPrinter(), cash_drawer=CountingDrawer()
    )
    yield app
    app.close()
