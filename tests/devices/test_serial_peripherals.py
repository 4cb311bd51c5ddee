"""Serial peripherals against their simulators: real pyserial over real ptys and RFC 2217 TCP.

Nothing here mocks pyserial: the drawer is reached through ``rfc2217://127.0.0.1:PORT`` (a pty
has no modem lines), the scanner and the display through the slave side of a pty.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from cashier_desk.devices.display import LineDisplay
from cashier_desk.devices.model import Device, DeviceStatus
from cashier_desk.devices.scanner import LineSplitter, ScanLine, SerialScanner
from cashier_desk.devices.serial_drawer import SerialDrawer
from cashier_desk.devices.sim.display import LineDisplaySim
from cashier_desk.devices.sim.scanner import ScannerSim
from cashier_desk.devices.sim.serial_drawer import SerialDrawerSim

ESC_AT = b"\x1b\x40"

# pyserial 3.5's RFC 2217 client still calls Thread.setDaemon/setName.
pytestmark = [
    pytest.mark.filterwarnings("ignore:setDaemon:DeprecationWarning:serial"),
    pytest.mark.filterwarnings("ignore:setName:DeprecationWarning:serial"),
]


def eventually(condition: Callable[[], object], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def no_threads_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3
    while (left := set(threading.enumerate()) - before) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not left, f"threads left running: {sorted(t.name for t in left)}"


def record(device: Device) -> list[DeviceStatus]:
    events: list[DeviceStatus] = []
    device.add_listener(lambda _device, status: events.append(status))
    return events


# -- the standalone drawer (RFC 2217) ---------------------------------------------------------


def test_a_pulse_opens_the_drawer_and_the_modem_line_brings_its_state_to_the_status() -> None:
    with SerialDrawerSim(close_after=0.4) as sim:
        drawer = SerialDrawer(sim.url)
        events = record(drawer)
        assert drawer.start().ok
        try:
            assert drawer.status.online and drawer.status.drawer_open is False
            assert drawer.is_open() is False

            assert drawer.open_drawer() is True
            eventually(lambda: drawer.status.drawer_open is True)
            assert sim.pulses == 1 and bytes(sim.received) == b"\x07"
            assert drawer.is_open() is True

            eventually(lambda: drawer.status.drawer_open is False)  # closes by itself
            assert [e.drawer_open for e in events if e.online] == [False, True, False]
        finally:
            drawer.close()
        assert not drawer.status.online and drawer.status.detail == "closed"
        assert drawer.open_drawer() is False


def test_the_sense_line_and_its_polarity_are_configurable() -> None:
    with SerialDrawerSim(
        open_byte=0x1B, sense="cts", open_means_high=False, close_after=None
    ) as sim:
        drawer = SerialDrawer(sim.url, open_byte=0x1B, sense="cts", open_means_high=False)
        assert drawer.start().ok
        try:
            assert drawer.status.drawer_open is False  # CTS high: shut
            assert drawer.open_drawer()
            eventually(lambda: drawer.status.drawer_open is True)  # CTS low: open
            sim.close_drawer()
            eventually(lambda: drawer.status.drawer_open is False)
        finally:
            drawer.close()


def test_a_drawer_left_open_raises_one_alert_per_opening() -> None:
    alerts: list[str] = []
    with SerialDrawerSim(close_after=None) as sim:
        drawer = SerialDrawer(sim.url, alert_after=0.2, on_alert=alerts.append)
        assert drawer.start().ok
        try:
            assert drawer.open_drawer()
            eventually(lambda: len(alerts) == 1)
            time.sleep(0.4)  # still open: no second alert for the same opening
            assert alerts == ["the cash drawer has been open for more than 0.2 seconds"]

            sim.close_drawer()
            eventually(lambda: drawer.status.drawer_open is False)
            assert drawer.open_drawer()
            eventually(lambda: len(alerts) == 2)
        finally:
            drawer.close()


def test_an_unplugged_drawer_goes_offline_and_comes_back_after_plug_and_reconnect() -> None:
    with SerialDrawerSim(close_after=0.2) as sim:
        drawer = SerialDrawer(sim.url)
        events = record(drawer)
        assert drawer.start().ok
        try:
            sim.unplug()
            eventually(lambda: not drawer.status.online)
            assert drawer.status.detail.startswith("cannot read the drawer switch")
            assert drawer.status.drawer_open is None
            assert drawer.open_drawer() is False
            assert sim.pulses == 0

            refused = drawer.reconnect()  # still unplugged
            assert not refused.ok and refused.code == "offline"
            assert "refused" in refused.message and drawer.status.detail == refused.message

            sim.plug()
            assert drawer.reconnect().ok
            assert drawer.status.online and drawer.status.detail == ""
            assert drawer.open_drawer() is True
            eventually(lambda: drawer.status.drawer_open is True)
            assert sim.pulses == 1
        finally:
            drawer.close()
        assert [e.online for e in events].count(False) >= 2  # offline, then closed


def test_close_then_start_reopens_the_line() -> None:
    with SerialDrawerSim(close_after=0.2) as sim:
        drawer = SerialDrawer(sim.url)
        assert drawer.start().ok
        drawer.close()
        assert drawer.start().ok
        try:
            assert drawer.open_drawer()
            eventually(lambda: drawer.status.drawer_open is True)
        finally:
            drawer.close()


def test_a_drawer_line_that_cannot_be_opened_is_an_offline_status_not_an_exception() -> None:
    drawer = SerialDrawer("/dev/no-such-tty-for-cashier-desk")
    result = drawer.start()
    assert not result.ok and result.code == "offline"
    assert not drawer.status.online and "no-such-tty" in drawer.status.detail
    assert drawer.open_drawer() is False and drawer.is_open() is None
    drawer.close()


def test_a_drawer_is_configured_with_a_real_sense_line() -> None:
    with pytest.raises(ValueError, match="sense"):
        SerialDrawer("/dev/ttyS1", sense="ri")
    with pytest.raises(ValueError, match="open_byte"):
        SerialDrawer("/dev/ttyS1", open_byte=256)


# -- the scanner (pty) ------------------------------------------------------------------------


class Scans:
    def __init__(self) -> None:
        self.codes: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def scanner() -> Iterator[tuple[ScannerSim, SerialScanner, Scans]]:
    got = Scans()
    with ScannerSim() as sim:
        device = SerialScanner(sim.port, on_scan=got.codes.append, on_error=got.errors.append)
        assert device.start().ok
        try:
            yield sim, device, got
        finally:
            device.close()


def test_scans_ended_by_cr_lf_or_crlf_are_delivered_in_order(
    scanner: tuple[ScannerSim, SerialScanner, Scans],
) -> None:
    sim, device, got = scanner
    assert device.status.online
    sim.scan("PARK-000123")
    sim.scan("TAX-2024-77", suffix=b"\n")
    sim.scan("Ünïcode-Ω", suffix=b"\r\n")
    sim.send_raw(b"SPLIT-")  # half a line now, the rest later
    time.sleep(0.05)
    sim.send_raw(b"CODE\r")
    sim.send_raw(b"A\rB\nC\r\n")  # several in one read
    eventually(lambda: len(got.codes) == 7)
    assert got.codes == [
        "PARK-000123",
        "TAX-2024-77",
        "Ünïcode-Ω",
        "SPLIT-CODE",
        "A",
        "B",
        "C",
    ]
    assert got.errors == []


def test_bad_lines_are_refused_and_good_scans_keep_coming(
    scanner: tuple[ScannerSim, SerialScanner, Scans],
) -> None:
    sim, device, got = scanner
    sim.send_raw(b"\xff\xfeBAD\r")
    sim.scan("GOOD-1")
    sim.send_raw(b"AB\x01CD\r")
    sim.scan("GOOD-2")
    sim.send_raw(b"9" * 10_000 + b"TAIL\r")  # the tail must not become a scan of its own
    sim.scan("GOOD-3")
    sim.send_raw(b"x" * 129 + b"\n")
    sim.scan("GOOD-4", suffix=b"\r\n")
    eventually(lambda: len(got.codes) == 4 and len(got.errors) == 4)
    assert got.codes == ["GOOD-1", "GOOD-2", "GOOD-3", "GOOD-4"]
    assert got.errors == [
        "scan refused: not valid UTF-8 (byte 0xff)",
        "scan refused: control character U+0001",
        "scan refused: longer than 128 characters",
        "scan refused: longer than 128 characters",
    ]
    assert device.status.online


def test_a_callback_that_raises_does_not_stop_the_reader(
    scanner: tuple[ScannerSim, SerialScanner, Scans],
) -> None:
    sim, device, got = scanner

    def fussy(code: str) -> None:
        got.codes.append(code)
        if code == "FIRST":
            raise RuntimeError("the UI was busy")

    device.on_scan = fussy
    sim.scan("FIRST")
    sim.scan("SECOND")
    eventually(lambda: got.codes == ["FIRST", "SECOND"])


def test_an_unplugged_scanner_goes_offline_and_reads_again_after_reconnect(
    scanner: tuple[ScannerSim, SerialScanner, Scans],
) -> None:
    sim, device, got = scanner
    sim.unplug()
    eventually(lambda: not device.status.online)
    assert device.status.detail.startswith("cannot read the scanner:")

    new_port = sim.plug()
    assert device.reconnect(new_port).ok
    sim.scan("AFTER-REPLUG")
    eventually(lambda: got.codes == ["AFTER-REPLUG"])
    assert device.status.online and device.status.detail == ""


def test_the_line_splitter_counts_characters_not_bytes() -> None:
    splitter = LineSplitter()
    assert splitter.feed("é".encode() * 128 + b"\r") == [ScanLine("é" * 128)]
    assert splitter.feed(b"A" * 128 + b"\r") == [ScanLine("A" * 128)]
    assert splitter.feed(b"A" * 129 + b"\r")[0].code is None
    assert splitter.feed(b"X\r") == [ScanLine("X")]
    assert splitter.feed(b"Y\r") + splitter.feed(b"\nZ\r") == [ScanLine("Y"), ScanLine("Z")]


# -- the customer display (pty) ---------------------------------------------------------------


@pytest.fixture
def display() -> Iterator[tuple[LineDisplaySim, LineDisplay]]:
    with LineDisplaySim() as sim:
        device = LineDisplay(sim.port)
        assert device.start().ok
        try:
            yield sim, device
        finally:
            device.close()


def test_the_display_shows_what_show_total_sent(
    display: tuple[LineDisplaySim, LineDisplay],
) -> None:
    sim, device = display
    assert device.show_total("12.30") is True
    eventually(lambda: sim.lines == ("TOTAL".ljust(20), "12.30".rjust(20)))
    assert sim.received.startswith(ESC_AT)  # initialised when enabled
    assert sim.unknown == 0 and sim.code_table == 0 and not sim.cursor_shown


def test_display_lines_are_cut_padded_and_shown_in_cp437(
    display: tuple[LineDisplaySim, LineDisplay],
) -> None:
    sim, device = display
    assert device.show_item("Café parking €5 permit, residents", "5.00")
    eventually(lambda: sim.lines == ("Café parking ?5 perm", "5.00".rjust(20)))
    assert device.show("Line\rbreak", "ok")
    eventually(lambda: sim.lines == ("Line?break".ljust(20), "ok".ljust(20)))
    assert device.show_change("7.70")
    eventually(lambda: sim.lines == ("CHANGE".ljust(20), "7.70".rjust(20)))
    assert device.clear()
    eventually(lambda: sim.lines == (" " * 20, " " * 20))


def test_a_display_that_goes_away_is_an_offline_status_not_an_exception() -> None:
    sim = LineDisplaySim().start()
    device = LineDisplay(sim.port)
    assert device.start().ok
    sim.stop()  # the pty is gone under the driver
    assert device.show_total("1.00") is False
    assert not device.status.online and device.status.detail.startswith("cannot write")
    assert device.show_total("1.00") is False
    with LineDisplaySim() as replugged:
        assert device.reconnect(replugged.port).ok and device.status.online
        assert device.show_total("1.00") is True
        eventually(lambda: replugged.lines[1] == "1.00".rjust(20))
        device.close()

    missing = LineDisplay("/dev/no-such-tty-for-cashier-desk")
    assert not missing.start().ok and not missing.status.online
    assert missing.show("a", "b") is False
    missing.close()
