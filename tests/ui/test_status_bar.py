"""The status bar: receipts waiting to print, where batches go and what waits for central,
kept current."""

from __future__ import annotations

from tests.doubles import MemoryPrinter
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
    assert counter.window.sync_label.text() == ("central: this machine only · 1 batch waiting")
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


def test_the_lead_sees_a_batch_held_in_quarantine(counter: Counter) -> None:
    import json

    from cashier_desk.app import default_central_url
    from cashier_desk.sync import central
    from tests.sync.conftest import local_payload, reseal

    day = small_day(counter.app)
    payload, _ = local_payload(counter.app, day["batch"])
    planted = json.loads(payload)
    planted["approver"] = "sam"
    engine = central.engine_for(default_central_url(counter.app.data_dir))
    try:
        central.ensure_ready(engine)
        assert central.deliver(engine, *reseal(planted), "2026-11-23T23:00:00+00:00") == "sent"
    finally:
        engine.dispose()
    assert counter.desk.sync().quarantined == 1
    counter.window.refresh_counts()
    counter.idle()
    assert counter.window.banner.isVisible()
    assert f"Central holds batch {day['batch']}" in counter.window.banner.text()
    label = counter.window.sync_label
    assert label.text() == "central: this machine only · 1 batch in quarantine"
    assert label.property("problem") is True
    # Told once: a later pass changes nothing and alerts no more.
    counter.window.clear_message()
    assert counter.desk.sync().held_now == []


def test_the_status_bar_fits_1280_wide_with_everything_in_it(counter: Counter) -> None:
    """Every device in trouble, receipts and batches waiting, a long name: still one line no
    wider than a 1280-wide screen, every label whole."""
    from cashier_desk.devices.model import DeviceStatus
    from cashier_desk.sync.relay import describe
    from cashier_desk.ui.fit import clipped
    from cashier_desk.ui.qt import QSize

    window = counter.window
    window.device_status("printer", "printer", DeviceStatus(online=True, paper_empty=True))
    window.device_status("drawer", "drawer", DeviceStatus(online=True, drawer_open=True))
    window.device_status("scanner", "scanner", DeviceStatus(online=False, detail="offline"))
    window.device_status("display", "display", DeviceStatus(online=False, detail="offline"))
    window.set_pending_prints(12)
    window.set_pending_batches(describe(True, 3, 1))
    window.show_person("Maria Oyelaran-Whitcombe (supervisor)")
    window.resize(1280, 768)
    counter.qtbot.wait(50)
    assert window.statusBar().minimumSizeHint().width() <= 1280
    bar = window.statusBar()
    assert [f for f in clipped(window, QSize(1280, 1024)) if "status" in f] == []
    assert bar.width() <= 1280
