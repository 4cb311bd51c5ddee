"""The status bar: receipts waiting to print and batches waiting for central, kept current."""

from __future__ import annotations

from cashier_desk.devices.base import MemoryPrinter
from tests.helpers import small_day
from tests.ui.conftest import Counter


def test_the_status_bar_counts_what_waits(counter: Counter) -> None:
    printer = counter.desk.printer
    assert isinstance(printer, MemoryPrinter)
    printer.online = False
    small_day(counter.app)
    counter.window.refresh_counts()
    counter.idle()
    assert counter.window.pending.text() == "4 receipts to print"
    assert counter.window.sync_label.text() == "1 batch for central"
    printer.online = True
    counter.desk.print_pending()
    counter.desk.sync()
    counter.window.refresh_counts()
    counter.idle()
    assert counter.window.pending.text() == ""
    assert counter.window.sync_label.text() == ""


def test_the_idle_lock_time_comes_from_the_config(counter: Counter) -> None:
    assert counter.window.idle_lock_seconds == 15 * 60
    from cashier_desk.config import ConfigError, parse_config

    assert parse_config("[policy]\nidle_lock_minutes = 3\n").idle_lock_minutes == 3
    try:
        parse_config("[policy]\nidle_lock_minutes = 0\n")
    except ConfigError as exc:
        assert "idle_lock_minutes" in str(exc)
    else:  # pragma: no cover - the assertion below names the failure
        raise AssertionError("idle_lock_minutes = 0 was accepted")


def test_the_status_bar_fits_1280_wide_with_everything_in_it(counter: Counter) -> None:
    """Every device in trouble, receipts and batches waiting, a long name: still one line no
    wider than a 1280-wide screen, every label whole."""
    from cashier_desk.devices.model import DeviceStatus
    from cashier_desk.ui.fit import clipped
    from cashier_desk.ui.qt import QSize

    window = counter.window
    window.device_status("printer", "printer", DeviceStatus(online=True, paper_empty=True))
    window.device_status("drawer", "drawer", DeviceStatus(online=True, drawer_open=True))
    window.device_status("scanner", "scanner", DeviceStatus(online=False, detail="offline"))
    window.device_status("display", "display", DeviceStatus(online=False, detail="offline"))
    window.set_pending_prints(12)
    window.set_pending_batches(3)
    window.person.setText("Maria Oyelaran-Whitcombe (supervisor)")
    window.resize(1280, 768)
    counter.qtbot.wait(50)
    assert window.statusBar().minimumSizeHint().width() <= 1280
    bar = window.statusBar()
    assert [f for f in clipped(window, QSize(1280, 1024)) if "status" in f] == []
    assert bar.width() <= 1280
