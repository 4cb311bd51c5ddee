"""The devices at work with the Desk, as the app wires them from the config file: scans that
resolve, the customer display, the drawer-wait policy, the left-open alert, and receipts left
pending that print by themselves at start-up."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.devices.model import Scanned
from cashier_desk.devices.printer import wait_for
from cashier_desk.errors import Refusal
from cashier_desk.events import Alert
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


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template_dir, target)
    return target


def _app(data_dir: Path, devices: str, policy: str = "") -> App:
    (data_dir / "config.toml").write_text(f"[devices]\n{devices}\n[policy]\n{policy}\n")
    return open_app(data_dir, "W1", peripherals=True)


@pytest.fixture
def counter(data_dir: Path) -> Iterator[App]:
    app = _app(data_dir, 'display = "sim"\nsim_drawer_close_seconds = 0')
    run_ok(app, *LOGIN)
    yield app
    app.close()


def test_a_scan_on_the_serial_scanner_resolves_through_the_desk(counter: App) -> None:
    assert counter.devices is not None and counter.devices.scanner_sim is not None
    scans: list[str] = []
    arrived = threading.Event()

    def on_scan(code: str) -> None:
        scans.append(code)
        arrived.set()

    counter.desk.events.subscribe(Scanned, lambda e: on_scan(e.code))
    counter.devices.scanner_sim.scan("UB-100234")
    assert arrived.wait(5)
    found = counter.desk.lookup_scan(scans[0])
    assert (found.kind, found.code) == ("open_item", "UB-100234")
    assert found.item is not None and str(found.item.still_due) == "82.15"
    assert counter.desk.lookup_scan("DOG-LIC").kind == "revenue_code"
    # keyed in small letters (an outside trial: "copies" was refused): found in capitals
    assert (counter.desk.lookup_scan("dog-lic").code, counter.desk.lookup_scan("ub-100234").code) \
        == ("DOG-LIC", "UB-100234")  # fmt: skip
    receipt = run_ok(counter, CASH_SALE)[0]["receipt"]
    assert counter.desk.lookup_scan(receipt).kind == "receipt"
    assert counter.desk.lookup_scan(receipt.lower()).code == receipt
    with pytest.raises(Refusal) as refused:
        counter.desk.lookup_scan("NO-SUCH-THING")
    assert refused.value.code == "unknown_scan"


def test_a_garbled_scan_raises_an_alert_and_the_next_scan_still_works(counter: App) -> None:
    assert counter.devices is not None and counter.devices.scanner_sim is not None
    alerts: list[dict[str, Any]] = []
    scans: list[str] = []
    counter.desk.events.subscribe(Alert, lambda a: alerts.append(vars(a)))
    counter.desk.events.subscribe(Scanned, lambda e: scans.append(e.code))
    counter.devices.scanner_sim.send_raw(b"\xff\xfe\x01garbage\r")
    counter.devices.scanner_sim.scan("PC-2026-000001")
    assert wait_for(lambda: scans == ["PC-2026-000001"], 5)
    assert [a["kind"] for a in alerts] == ["scan_refused"]


def test_the_customer_display_shows_total_and_change(counter: App) -> None:
    assert counter.devices is not None and counter.devices.display_sim is not None
    run_ok(counter, CASH_SALE)
    sim = counter.devices.display_sim
    assert wait_for(lambda: "TOTAL 20.00" in sim.lines[0], 5)
    assert "CHANGE 30.00" in sim.lines[1]


def test_the_next_sale_waits_for_the_drawer_to_close(data_dir: Path) -> None:
    app = _app(data_dir, "sim_drawer_close_seconds = 3600")  # the cashier leaves it open
    try:
        run_ok(app, *LOGIN, CASH_SALE)
        assert app.devices is not None and app.devices.printer_sim is not None
        assert wait_for(lambda: app.desk.cash_drawer.is_open() is True, 5)
        refused = run_op(app.desk, CASH_SALE)
        assert refused["ok"] is False and refused["error"] == "cash_drawer_open"
        app.devices.printer_sim.close_drawer()
        assert wait_for(lambda: app.desk.cash_drawer.is_open() is False, 5)
        assert run_op(app.desk, CASH_SALE)["ok"] is True
    finally:
        app.close()


def test_a_drawer_left_open_raises_an_alert(data_dir: Path) -> None:
    app = _app(data_dir, "sim_drawer_close_seconds = 3600", "drawer_alert_seconds = 1")
    try:
        alerts: list[dict[str, Any]] = []
        app.desk.events.subscribe(Alert, lambda a: alerts.append(vars(a)))
        run_ok(app, *LOGIN, CASH_SALE)
        assert wait_for(lambda: bool(alerts), 5)
        assert alerts[0]["kind"] == "drawer_left_open"
        assert "open for more than 1 seconds" in alerts[0]["message"]
    finally:
        app.close()


def test_a_receipt_left_pending_prints_by_itself_at_start_up(data_dir: Path) -> None:
    app = _app(data_dir, 'printer = "none"\ndrawer = "none"')
    try:
        assert run_ok(app, *LOGIN, CASH_SALE)[-1]["printed"] is False
    finally:
        app.close()
    app = _app(data_dir, "")  # the simulated printer is back
    try:
        assert wait_for(lambda: [r.printed for r in app.desk.receipts()] == [True], 10)
        assert app.devices is not None and app.devices.printer_sim is not None
        assert "W1-000001" in app.devices.printer_sim.receipts[0].text
    finally:
        app.close()
