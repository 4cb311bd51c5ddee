"""A printer that cannot answer never blocks the counter.

A drawer whose state cannot be read (on a printer that reports no status, a silent printer, or
one set with ``drawer_sensor = "no"``) is unknown, never open: the wait-for-close policy
applies only to a drawer with a sensor, and `devices list` says "no sensor".  Everything runs
the real path (python-escpos over pyserial or its File link, the simulators behind real ports).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.config import ConfigError, parse_config
from cashier_desk.devices.check import list_devices
from cashier_desk.devices.printer import EscPosPrinter, PrinterDrawer, wait_for
from cashier_desk.devices.setup import Devices
from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
from cashier_desk.devices.sim.transports import TcpSimServer
from cashier_desk.runner import run_op
from tests.helpers import run_ok

LOGIN = [
    {"op": "login", "user": "amy", "pin": "4821"},
    {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
]
CASH_SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC", "qty": 1}],
    "tenders": [{"type": "cash", "amount": "50.00"}],
}
ESC_P = b"\x1bp"  # python-escpos's drawer kick


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template_dir, target)
    return target


def _configured(data_dir: Path, devices: str) -> App:
    (data_dir / "config.toml").write_text(f'[devices]\nscanner = "none"\n{devices}\n')
    return open_app(data_dir, "W1")


def _cli_list(data_dir: Path) -> dict[str, dict[str, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), "devices", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    return {r["device"]: r for r in rows if "device" in r}


def _three_sales(app: App) -> None:
    run_ok(app, *LOGIN)
    for _ in range(3):
        result = run_op(app.desk, CASH_SALE)
        assert result["ok"] is True, result  # never cash_drawer_open


def test_a_file_printer_never_blocks_the_next_sale(data_dir: Path, tmp_path: Path) -> None:
    paper = tmp_path / "lp0"
    app = _configured(data_dir, f'printer = "escpos+file://{paper}"\ndrawer = "printer"')
    try:
        _three_sales(app)
        assert app.desk.cash_drawer.is_open() is None  # unknown, never "open"
        assert [r.printed for r in app.desk.receipts()] == [True, True, True]
    finally:
        app.close()
    written = paper.read_bytes()
    assert written.count(ESC_P) == 3 and b"W1-000003" in written
    rows = _cli_list(data_dir)
    assert rows["drawer"]["status"] == "online"
    assert "no sensor (the printer reports no status)" in rows["drawer"]["detail"]
    assert "reports no status" in rows["printer"]["detail"]


@pytest.fixture
def silent_sim() -> Iterator[tuple[EscPosPrinterSim, str]]:
    sim = EscPosPrinterSim(drawer_close_after=None)  # once pulsed, the drawer stays open
    sim.set_silent()
    with TcpSimServer(sim) as server:
        host, port = server.address
        yield sim, f"escpos+tcp://{host}:{port}"
    sim.close()


def _counter(data_dir: Path, url: str) -> tuple[App, EscPosPrinter]:
    printer = EscPosPrinter(url, poll_interval=0.1)
    printer.start()
    return open_app(data_dir, "W1", printer=printer, cash_drawer=PrinterDrawer(printer)), printer


def test_a_silent_one_way_printer_prints_and_never_blocks(
    data_dir: Path, silent_sim: tuple[EscPosPrinterSim, str]
) -> None:
    sim, url = silent_sim
    app, printer = _counter(data_dir, url + "?status=none")
    try:
        _three_sales(app)
        assert wait_for(lambda: sim.drawer_pulses == 3, 5)
        assert sim.drawer_open  # really open, and still no sale waited for it
        assert app.desk.cash_drawer.is_open() is None
        assert [r.printed for r in app.desk.receipts()] == [True, True, True]
        assert len([r for r in sim.receipts if r.complete]) == 3
        rows = {
            r["device"]: r
            for r in list_devices(parse_config(""), Devices(printer, app.desk.cash_drawer))
        }
        assert "no sensor" in rows["drawer"]["detail"]
    finally:
        app.close()
        printer.close()


def test_a_silent_printer_is_offline_and_its_drawer_unknown_not_open(
    data_dir: Path, silent_sim: tuple[EscPosPrinterSim, str]
) -> None:
    sim, url = silent_sim
    app, printer = _counter(data_dir, url)
    try:
        _three_sales(app)  # the sales stand; the receipts wait for a printer that answers
        assert wait_for(lambda: sim.drawer_pulses == 3, 5)
        assert app.desk.cash_drawer.is_open() is None
        assert [r.printed for r in app.desk.receipts()] == [False, False, False]
        rows = {
            r["device"]: r
            for r in list_devices(parse_config(""), Devices(printer, app.desk.cash_drawer))
        }
        assert rows["printer"]["status"] == "offline"
        assert rows["drawer"]["status"] == "offline"
        assert "no sensor" in rows["drawer"]["detail"]
        sim.set_silent(False)  # it answers again: everything prints by itself
        assert wait_for(lambda: [r.printed for r in app.desk.receipts()] == [True] * 3, 10)
        assert wait_for(lambda: app.desk.cash_drawer.is_open() is True, 5)
    finally:
        app.close()
        printer.close()


def test_drawer_sensor_no_ignores_a_printer_drawer_that_reads_open(data_dir: Path) -> None:
    app = _configured(data_dir, 'drawer_sensor = "no"\nsim_drawer_close_seconds = 3600')
    try:
        _three_sales(app)
        assert app.devices is not None and app.devices.printer_sim.drawer_open
        assert app.desk.cash_drawer.is_open() is None
    finally:
        app.close()
    assert "no sensor (set so in the config)" in _cli_list(data_dir)["drawer"]["detail"]


def test_drawer_sensor_no_on_a_serial_drawer(data_dir: Path) -> None:
    app = _configured(
        data_dir, 'drawer = "sim"\ndrawer_sensor = "no"\nsim_drawer_close_seconds = 3600'
    )
    try:
        _three_sales(app)
        assert app.desk.cash_drawer.is_open() is None
    finally:
        app.close()
    rows = _cli_list(data_dir)
    assert rows["drawer"]["status"] == "online"
    assert "no sensor (set so in the config)" in rows["drawer"]["detail"]


def test_a_drawer_with_a_sensor_still_makes_the_next_sale_wait(data_dir: Path) -> None:
    app = _configured(data_dir, 'drawer_sensor = "yes"\nsim_drawer_close_seconds = 3600')
    try:
        run_ok(app, *LOGIN, CASH_SALE)
        assert wait_for(lambda: app.desk.cash_drawer.is_open() is True, 5)
        assert run_op(app.desk, CASH_SALE)["error"] == "cash_drawer_open"
    finally:
        app.close()


def test_drawer_sensor_settings_are_checked(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="drawer_sensor"):
        parse_config('[devices]\ndrawer_sensor = "maybe"\n')
    (data_dir / "config.toml").write_text(
        f'[devices]\nprinter = "escpos+file://{tmp_path / "lp0"}"\ndrawer_sensor = "yes"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), "devices", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "reports no status" in done.stderr and "Traceback" not in done.stderr


def test_the_silent_simulator_prints_but_never_answers() -> None:
    sim = EscPosPrinterSim()
    sim.set_silent()
    assert sim.feed(b"\x10\x04\x01\x10\x04\x02\x10\x04\x04") == b""
    assert sim.feed(b"\x1da\xff") == b""  # nor Automatic Status Back
    sim.feed(b"\x1b@HELLO\n\x1dV\x00")
    assert sim.receipts[0].text == "HELLO"
    sim.set_silent(False)
    assert sim.feed(b"\x10\x04\x01") == b"\x12"
