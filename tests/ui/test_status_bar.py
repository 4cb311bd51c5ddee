"""The status bar: receipts waiting to print, where batches go and what waits for central,
kept current."""

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
    assert counter.window.pending.text().startswith("4 receipt(s) waiting to print")
    assert counter.window.sync_label.text() == (
        "central: this machine only · 1 batch(es) waiting for central"
    )
    printer.online = True
    counter.desk.print_pending()
    counter.desk.sync()
    counter.window.refresh_counts()
    counter.idle()
    assert counter.window.pending.text() == ""
    assert counter.window.sync_label.text() == "central: this machine only"


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
