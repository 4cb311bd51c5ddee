"""A bug in this program on the printer's path is a bug, not "the printer is offline".

The driver turns only what a link raises (``OSError`` — pyserial's, the socket's, pyusb's —
and python-escpos's errors) into an offline printer; anything else reaches the caller and the
log with its traceback, and the printer's status stays what the printer said.  Real path: the
ESC/POS driver over pyserial to the simulated printer on a TCP socket; nothing is mocked but
the one function of ours made to fail.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from cashier_desk.devices import printer as printer_module
from cashier_desk.devices.printer import EscPosPrinter
from cashier_desk.devices.receipt import Line, ReceiptDoc
from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
from cashier_desk.devices.sim.transports import TcpSimServer

DOC = ReceiptDoc(42, (Line("TOTAL 12.30", bold=True),))


def _broken(*args: object) -> None:
    raise TypeError("a bug in reading the status")


@pytest.fixture
def linked() -> Iterator[tuple[TcpSimServer, EscPosPrinter]]:
    with TcpSimServer(EscPosPrinterSim()) as server:
        host, port = server.address
        printer = EscPosPrinter(f"escpos+tcp://{host}:{port}", poll_interval=0.05)
        assert printer.start().ok
        try:
            yield server, printer
        finally:
            printer.close()


def test_a_bug_on_the_device_thread_surfaces_and_leaves_the_printer_online(
    linked: tuple[TcpSimServer, EscPosPrinter],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, printer = linked
    assert printer.refresh().online
    caplog.set_level(logging.ERROR, logger=printer_module.__name__)
    monkeypatch.setattr(printer_module, "decode_status", _broken)
    with pytest.raises(TypeError, match="a bug"):
        printer.print_receipt(DOC)
    with pytest.raises(TypeError, match="a bug"):
        printer.refresh()
    assert printer.status.online and printer.status.detail == ""  # not "offline"
    # The poll between jobs says it with its traceback, and the thread goes on.
    deadline = time.monotonic() + 3
    while not any(r.exc_info for r in caplog.records) and time.monotonic() < deadline:
        time.sleep(0.02)
    polled = [r for r in caplog.records if r.exc_info]
    assert polled and "the status poll failed" in polled[0].getMessage()
    monkeypatch.undo()
    assert printer.print_receipt(DOC) is True
    sim: EscPosPrinterSim = server.sim  # type: ignore[assignment]
    assert [r.text.strip() for r in sim.receipts] == ["TOTAL 12.30"]


def test_a_cut_link_is_still_an_offline_printer(
    linked: tuple[TcpSimServer, EscPosPrinter],
) -> None:
    server, printer = linked
    server.unplug()
    assert printer.print_receipt(DOC) is False
    assert not printer.status.online and printer.status.detail.startswith("offline")
