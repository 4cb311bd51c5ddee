"""Device discovery and checks for ``cashier-desk devices list`` and ``devices test``.

Each configured device is reported with its setting and status in words a person can act on;
the serial ports the machine has are listed through pyserial's ``list_ports``.  The test prints
a test page, pulses the drawer and waits for a scan, saying plainly what failed.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Any

from serial.tools import list_ports

from cashier_desk.config import Config
from cashier_desk.devices.model import Device
from cashier_desk.devices.printer import EscPosPrinter, PrinterDrawer
from cashier_desk.devices.receipt import Line, ReceiptDoc
from cashier_desk.devices.setup import Devices


def serial_ports() -> list[dict[str, str]]:
    return [
        {"port": p.device, "description": p.description or "", "hwid": p.hwid or ""}
        for p in sorted(list_ports.comports(), key=lambda p: p.device)
    ]


_NO_PORT = re.compile(r"could not open port ([^:\s]+): \[Errno 2\]")
_NO_RIGHTS = re.compile(r"could not open port ([^:\s]+): \[Errno 13\]")


def plain(detail: str) -> str:
    """A driver's detail in words for the person at the counter."""
    if m := _NO_PORT.search(detail):
        return f"not connected: there is no port {m.group(1)} (is it plugged in?)"
    if m := _NO_RIGHTS.search(detail):
        return f"no permission to use {m.group(1)} (add this user to the dialout group)"
    if "Connection refused" in detail or "timed out" in detail:
        return "not answering on the network (is it switched on and plugged in?)"
    return detail


def _status_words(device: Any) -> tuple[str, str]:
    if isinstance(device, EscPosPrinter):
        status = device.refresh()
        if status.online and not device.reports_status:
            return "online", "ready as far as can be told (it reports no status)"
    elif isinstance(device, PrinterDrawer):
        return _printer_drawer_words(device)
    elif isinstance(device, Device):
        status = device.status
    else:
        return "none", "not configured"
    problem = plain(status.problem())
    if status.ready and status.paper_near_end:
        problem = "paper low"
    if not problem:
        problem = "ready"
    if getattr(device, "has_sensor", None) is not None and not device.has_sensor():
        problem += f", {NO_SENSOR} (set so in the config): {NO_WAIT}"
    return ("online" if status.ready else "offline"), problem


NO_SENSOR = "no sensor"
NO_WAIT = "its state is unknown and sales do not wait for it to close"


def _printer_drawer_words(drawer: PrinterDrawer) -> tuple[str, str]:
    """The drawer on the printer's port: open or closed only when its sensor can be read."""
    printer = drawer.printer
    status = printer.status
    online = "online" if status.online else "offline"
    if not printer.reports_status:
        return online, f"{NO_SENSOR} (the printer reports no status): {NO_WAIT}"
    if not drawer.has_sensor():
        return online, f"{NO_SENSOR} (set so in the config): {NO_WAIT}"
    if not status.online and not status.cover_open and not status.paper_empty:
        if status.detail == "offline (no answer)":
            return "offline", (
                f"{NO_SENSOR} reading: the printer does not answer status queries (on a "
                "one-way link add ?status=none to its URL); sales do not wait for the drawer"
            )
        return "offline", "the printer it hangs on is offline"
    state = {True: "open", False: "closed", None: "unknown"}[status.drawer_open]
    return "online", f"drawer {state}"


def list_devices(config: Config, devices: Devices) -> list[dict[str, Any]]:
    rows = []
    for kind, setting, device in (
        ("printer", config.printer, devices.printer),
        ("drawer", config.drawer, devices.drawer),
        ("scanner", config.scanner, devices.scanner),
        ("display", config.display, devices.display),
    ):
        if setting == "wedge":
            rows.append({"device": kind, "setting": setting, "status": "window",
                         "detail": "a keyboard-wedge scanner types into the window"})  # fmt: skip
            continue
        status, detail = _status_words(device) if setting != "none" else ("none", "not used")
        rows.append({"device": kind, "setting": setting, "status": status, "detail": detail})
    return rows


def test_page(workstation: str, config: Config, columns: int) -> ReceiptDoc:
    now = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    return ReceiptDoc(
        columns,
        (
            Line(config.city, bold=True, align="center"),
            Line("PRINTER TEST", bold=True, big=True, align="center"),
            Line(f"Station {workstation}  {now}"),
            Line("-" * columns),
            Line("0123456789" * (columns // 10)),
            Line("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz"[:columns]),
            Line("TOTAL 12.30", bold=True, big=True),
            Line(barcode=f"{workstation}-TEST"),
            Line("If you can read this, the printer works.", align="center"),
        ),
    )


def run_tests(
    workstation: str, config: Config, devices: Devices, scan_wait: float
) -> list[dict[str, Any]]:
    """Print a test page, pulse the drawer, wait for a scan; one result per check."""
    results: list[dict[str, Any]] = []
    printer = devices.printer
    if config.printer == "none":
        results.append({"check": "test page", "ok": False, "message": "no printer is configured"})
    else:
        ok = printer.print_receipt(test_page(workstation, config, printer.columns))
        message = "printed" if ok else f"not printed: {_status_words(printer)[1]}"
        results.append({"check": "test page", "ok": ok, "message": message})
    if config.drawer == "none":
        results.append({"check": "drawer", "ok": False, "message": "no drawer is configured"})
    else:
        ok = devices.drawer.open_drawer()
        message = "pulsed open" if ok else "could not be reached (check its cable or the printer)"
        results.append({"check": "drawer", "ok": ok, "message": message})
    results.append(_scan_check(devices, scan_wait))
    return results


def _scan_check(devices: Devices, wait: float) -> dict[str, Any]:
    scanner = devices.scanner
    if scanner is None:
        return {"check": "scan", "ok": False, "message": "no serial scanner is configured"}
    if not scanner.status.online:
        return {"check": "scan", "ok": False,
                "message": f"the scanner is {plain(scanner.status.problem())}"}  # fmt: skip
    got: list[str] = []
    arrived = threading.Event()

    def on_scan(code: str) -> None:
        got.append(code)
        arrived.set()

    scanner.on_scan = on_scan
    sim = devices.scanner_sim
    if sim is not None:
        sim.scan("TEST-SCAN-0001")  # the simulator scans by itself; a person scans a real one
    if not arrived.wait(wait):
        return {"check": "scan", "ok": False, "message": f"no scan arrived in {wait:g} seconds"}
    return {"check": "scan", "ok": True, "message": f"scanned {got[0]}"}
