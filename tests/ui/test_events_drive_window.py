"""Issue 13, item 5: the window reacts to the Desk's typed events — the status bar's counts
follow sales, prints and syncs with nothing polling them on a timer."""

from __future__ import annotations

from cashier_desk.events import Alert
from tests.doubles import MemoryPrinter
from tests.helpers import small_day
from tests.ui.conftest import Counter


def test_the_counts_follow_the_events_without_a_timer(counter: Counter) -> None:
    from cashier_desk.ui.qt import QTimer

    window = counter.window
    repeating = [t.interval() for t in window.findChildren(QTimer) if t.isActive()
                 and not t.isSingleShot()]  # fmt: skip
    assert repeating == [1000]  # the idle lock's clock only: no count is polled
    printer = counter.desk.printer
    assert isinstance(printer, MemoryPrinter)
    printer.online = False
    small_day(counter.app)  # sales whose receipts cannot print, a closeout: events only
    counter.qtbot.waitUntil(lambda: window.pending.text() == "4 receipts to print", timeout=3000)
    counter.qtbot.waitUntil(lambda: "1 batch waiting" in window.sync_label.text(), timeout=3000)
    printer.online = True
    counter.desk.print_pending()  # each job printed is an event
    counter.desk.sync()  # a sync pass is an event
    counter.qtbot.waitUntil(lambda: window.pending.text() == "", timeout=3000)
    counter.qtbot.waitUntil(
        lambda: window.sync_label.text() == "central: this machine only", timeout=3000
    )


def test_an_alert_published_on_another_thread_reaches_the_banner(counter: Counter) -> None:
    import threading

    message = "The cash drawer has been open for more than 60 seconds: close it."
    thread = threading.Thread(target=counter.desk.events.publish, args=(Alert("x", message),))
    thread.start()
    thread.join()
    counter.qtbot.waitUntil(lambda: window_message(counter) == message, timeout=3000)


def window_message(counter: Counter) -> str:
    return counter.window.banner.text() if counter.window.banner.isVisible() else ""
