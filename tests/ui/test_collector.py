"""Python's cycle collector runs on the window's thread only (cashier_desk/ui/collector.py):
a widget in a reference cycle is freed there, never on a spooler's or device's thread."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from cashier_desk.ui.app import qt_app
from cashier_desk.ui.collector import collect_on_gui_thread
from cashier_desk.ui.qt import QLabel, QObject, QTimer


def test_the_window_turns_automatic_collection_off_and_collects_on_its_own_thread(
    qtbot: Any,
) -> None:
    gc.enable()
    owner = QObject()
    try:
        timer = collect_on_gui_thread(owner, every_ms=50)
        assert not gc.isenabled()
        assert collect_on_gui_thread(owner) is timer and timer.isActive()

        freed_on: list[str] = []

        class Cycle:
            def __init__(self) -> None:
                self.me = self
                self.label = QLabel("left in a cycle")

            def __del__(self) -> None:
                freed_on.append(threading.current_thread().name)

        alive = weakref.ref(Cycle())
        assert alive() is not None  # only the collector can free it
        # Garbage piles up on another thread: with automatic collection off, nothing is freed
        # there.
        worker = threading.Thread(target=lambda: [[{}] for _ in range(200_000)], name="worker")
        worker.start()
        worker.join()
        assert alive() is not None and freed_on == []
        qtbot.waitUntil(lambda: alive() is None, timeout=2_000)
        assert freed_on == [threading.main_thread().name]
    finally:
        owner.deleteLater()
        gc.disable()  # as the test session keeps it (tests/conftest.py)


def test_the_application_the_window_runs_in_has_the_collector() -> None:
    app = qt_app()
    timer = app.findChild(QTimer, "cycleCollector")
    assert isinstance(timer, QTimer) and timer.isActive()
    assert not gc.isenabled()
