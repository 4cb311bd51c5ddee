"""The window never stalls while a receipt crawls over a slow serial line.

The real path: the window, the Desk, the ESC/POS driver (python-escpos over pyserial) and the
simulated printer behind a pseudo-terminal paced at 9600 baud — about a millisecond a byte, so a
receipt takes a second or more on the line.  A cash sale is rung up by keyboard on the sale
screen, and a 10 ms QTimer measures the event loop from before the tender key until the receipt
has printed: no gap between two ticks may reach 100 ms.

The status bar's printer label is fed by signals from the device thread; it must follow them
while the receipt prints (a status published mid-print, as a device thread publishes it) and
after (paper running low, noticed by the driver's own status query at the end of the job).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import open_app
from cashier_desk.devices.escpos_render import to_escpos
from cashier_desk.devices.model import Device, DeviceStatus, DeviceStatusChanged
from cashier_desk.devices.printer import EscPosPrinter, PrinterDrawer
from cashier_desk.devices.receipt import ReceiptDoc
from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
from cashier_desk.devices.sim.transports import PtySimServer
from cashier_desk.events import PrintFinished
from cashier_desk.ledger.drawer import DENOMINATIONS
from cashier_desk.ledger.schema import print_jobs
from cashier_desk.ui.app import build_window, qt_app
from cashier_desk.ui.qt import QApplication, QElapsedTimer, QEvent, QLabel, Qt, QTimer
from cashier_desk.ui.screens.sale import SaleScreen
from tests.ui.conftest import Counter
from tests.ui.keys import StepClock, focused

Key = Qt.Key
BAUD = 9600
TICK_MS = 10
MAX_GAP_MS = 100  # the requirement: the event loop answers within 100 ms, always
WAIT_MS = 20000
KEY_PACE_MS = 30  # between two keys: far quicker than a person, and the loop runs between
READY = "printer: ready"
LOW = "printer: paper low"


@dataclass
class SlowLine:
    counter: Counter
    sim: EscPosPrinterSim
    printer: EscPosPrinter


@pytest.fixture
def slow_line(template_dir: Path, tmp_path: Path, qtbot: Any) -> Iterator[SlowLine]:
    qt_app()
    data_dir = tmp_path / "data"
    shutil.copytree(template_dir, data_dir)
    sim = EscPosPrinterSim(drawer_close_after=0)
    with PtySimServer(sim, baud=BAUD) as server:
        printer = EscPosPrinter(f"escpos+serial://{server.port}?baudrate={BAUD}")
        app = open_app(data_dir, "W1", printer=printer, cash_drawer=PrinterDrawer(printer))
        win = build_window(app)
        qtbot.addWidget(win.window)
        win.window.show()
        counter = Counter(app, win, qtbot)
        try:
            # Started after the window is up: the label learns "ready" by a signal.
            assert printer.start().ok
            yield SlowLine(counter, sim, printer)
        finally:
            # Let every Desk call the window started come back while its widgets still exist
            # (a status-bar count answered after the window is deleted would raise in Qt).
            counter.idle(WAIT_MS)
            win.close()
            QApplication.processEvents()  # signals queued before the bridge was detached
            counter.idle(WAIT_MS)
            app.close()
            printer.close()
            win.window.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            QApplication.processEvents()
    sim.close()


# -- the watch on the event loop -------------------------------------------------------------------


@dataclass
class LoopWatch:
    """A 10 ms timer that notes every gap between its ticks, and each change of the printer
    label (its text and when it was first seen)."""

    label: QLabel
    gaps: list[int] = field(default_factory=list)
    changes: list[tuple[str, float]] = field(default_factory=list)  # (text, monotonic)
    low_shown: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._note_label()
        self.clock.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.gaps.append(self.clock.elapsed())  # the last stretch counts too

    def _tick(self) -> None:
        self.gaps.append(self.clock.restart())
        self._note_label()

    def _note_label(self) -> None:
        text = self.label.text()
        if not self.changes or self.changes[-1][0] != text:
            self.changes.append((text, time.monotonic()))
            if text == LOW:
                self.low_shown.set()

    def texts(self) -> list[str]:
        return [text for text, _t in self.changes]


@dataclass
class MidPrint:
    """What the helper thread did while the receipt was on the line."""

    published: float | None = None  # when it published a status, as a device thread does
    shown_while_printing: bool = False  # the label showed it before the receipt was done


# -- typing like a cashier -------------------------------------------------------------------------


def type_in(c: Counter, field_name: str, text: str = "") -> None:
    """Wait for the cursor in ``field_name``, type ``text`` there, press Enter."""
    c.qtbot.waitUntil(
        lambda: QApplication.focusWidget() is not None and focused().objectName() == field_name,
        timeout=WAIT_MS,
    )
    for char in text:
        c.qtbot.keyClicks(focused(), char)
        c.qtbot.wait(KEY_PACE_MS)
    press(c, Key.Key_Return)


def press(c: Counter, key: Key) -> None:
    """One key, then the event loop runs (a person's keys come one at a time, each through
    the event loop; a burst of synthetic keys with no loop between would be a stall of the
    test's own making)."""
    c.qtbot.keyClick(focused(), key)
    c.qtbot.wait(KEY_PACE_MS)
    c.idle(WAIT_MS)


def to_the_sale_screen(c: Counter) -> SaleScreen:
    c.window.activateWindow()
    c.qtbot.waitUntil(lambda: QApplication.activeWindow() is c.window, timeout=WAIT_MS)
    type_in(c, "loginUser", "amy")
    type_in(c, "loginPin", "4821")
    for denom in DENOMINATIONS:  # a change fund of 5 x 20.00; Enter on the last row opens
        type_in(c, f"openCount_{denom.cents}", "5" if str(denom) == "20.00" else "")
    c.qtbot.waitUntil(lambda: c.screen() == "sale", timeout=WAIT_MS)
    screen = c.window.screens["sale"]
    assert isinstance(screen, SaleScreen)
    screen.wedge.clock = StepClock(200)  # a person's rhythm, not a scanner's
    return screen


# -- the test --------------------------------------------------------------------------------------


def test_the_event_loop_never_stalls_while_a_receipt_prints_at_9600_baud(
    slow_line: SlowLine,
) -> None:
    c, sim, printer = slow_line.counter, slow_line.sim, slow_line.printer
    label = c.window.device_labels["printer"]
    c.qtbot.waitUntil(lambda: label.text() == READY, timeout=WAIT_MS)
    screen = to_the_sale_screen(c)
    type_in(c, "saleInput", "DOG-LIC")
    type_in(c, "saleInput", "UB-100234")  # a bill: its payer and reference make a longer receipt
    assert "TOTAL 102.15" in c.find(QLabel, "totalDue").text()

    printed: list[tuple[int, bool, float]] = []
    c.ctx.bridge.on(PrintFinished, lambda e: printed.append((e.job, e.printed, time.monotonic())))
    reported: list[tuple[DeviceStatus, float]] = []  # the printer's own reports, on its thread

    def on_status(_device: Device, status: DeviceStatus) -> None:
        reported.append((status, time.monotonic()))

    printer.add_listener(on_status)
    watch = LoopWatch(label)
    mid = MidPrint()

    def mid_print() -> None:
        """Once the receipt is on its way: a status from this thread (as a device thread sends
        it) must reach the label at once; then paper runs low on the simulator for real, which
        the driver's status query at the end of the job reports."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not sim.in_progress.text:
            time.sleep(0.005)
        if sim.receipts or not sim.in_progress.text:
            return
        mid.published = time.monotonic()
        low = printer.status.with_(paper_near_end=True)
        c.desk.events.publish(DeviceStatusChanged("printer", "printer", low))
        mid.shown_while_printing = watch.low_shown.wait(5) and not sim.receipts
        real = printer.status
        c.desk.events.publish(DeviceStatusChanged("printer", "printer", real))
        sim.set_paper_near_end(True)

    helper = threading.Thread(target=mid_print, name="mid-print", daemon=True)

    watch.start()
    try:
        press(c, Key.Key_F5)  # the tender key
        type_in(c, "tenderAmount", "150")
        helper.start()
        finished = time.monotonic()
        type_in(c, "saleInput")  # Enter: post the sale; the receipt goes to the printer
        c.qtbot.waitUntil(
            lambda: (
                any(ok for _j, ok, _t in printed)
                and len(sim.receipts) == 1
                and screen.result is not None
                and watch.texts()[-3:] == [LOW, READY, LOW]
            ),
            timeout=WAIT_MS,
        )
    finally:
        watch.stop()
        helper.join(timeout=10)

    # the sale and its receipt
    result = screen.result
    assert result is not None and result.printed
    assert str(result.change) == "47.85"
    (receipt,) = c.desk.receipts()
    assert receipt.printed
    assert receipt.receipt_no in sim.receipts[0].text and sim.receipts[0].complete

    # the print really crawled: about the time the line needs for the job's bytes
    with c.app.ledger.read() as conn:
        content = conn.execute(sa.select(print_jobs.c.content)).scalar_one()
    size = len(to_escpos(ReceiptDoc.from_json(content)))
    line_time = size * 10 / BAUD
    took = min(t for _j, ok, t in printed if ok) - finished
    max_gap = max(watch.gaps)
    print(
        f"\nevent loop: {len(watch.gaps)} ticks over {sum(watch.gaps)} ms, max gap {max_gap} ms "
        f"(worst: {sorted(watch.gaps)[-5:]}); receipt {size} bytes, line time "
        f"{line_time:.2f} s, printed after {took:.2f} s"
    )
    assert took > 0.5, (took, size)
    assert took > 0.9 * line_time, (took, line_time)

    # the event loop never waited: every gap between two ticks under 100 ms
    assert max_gap < MAX_GAP_MS, sorted(watch.gaps)[-10:]

    # the printer label followed the signals: mid-print, and after the job
    assert mid.published is not None, "the receipt was never seen on its way to the printer"
    assert mid.shown_while_printing, "the label changed only after the receipt printed"
    assert watch.texts() == [READY, LOW, READY, LOW]
    (_ready, _t0), (_low, shown_mid), _back, (_low2, shown_after) = watch.changes
    assert shown_mid - mid.published < MAX_GAP_MS / 1000
    low_reports = [t for status, t in reported if status.paper_near_end]
    assert low_reports, "the driver never reported the paper running low"
    assert shown_after - low_reports[0] < MAX_GAP_MS / 1000
    assert label.text() == LOW
