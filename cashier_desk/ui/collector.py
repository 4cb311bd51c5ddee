"""Python's cycle collector, run on the window's thread only.

The collector runs on whichever thread happens to allocate when its threshold is crossed. Were
that the print spooler's, the sync's or a device's thread while a screen or a dialog waits in a
reference cycle, the Qt objects would be destroyed off the GUI thread: Qt then deadlocks on its
own mutex (seen: the window froze building the sale screen while the spooler's thread, deep in
SQLAlchemy, freed a closed wizard's labels) or crashes. So, as Anki does, the window turns the
automatic collection off and collects on its own thread instead: the young generations every
few seconds, everything now and then."""

from __future__ import annotations

import gc
import itertools
import os

from cashier_desk.ui.qt import QObject, QTimer

EVERY_MS = 5_000
#: The young generations every tick (a few milliseconds); everything every this many ticks
#: (every 5 minutes): a full collection of a big heap holds the window for a good part of a
#: second, so it is rare. ``CASHIER_DESK_FULL_COLLECT_TICKS=0``: never (the test session
#: collects everything itself, between tests).
FULL_EVERY = int(os.environ.get("CASHIER_DESK_FULL_COLLECT_TICKS", "60"))


def collect_on_gui_thread(owner: QObject, every_ms: int = EVERY_MS) -> QTimer:
    """Turn automatic collection off and collect every ``every_ms`` on ``owner``'s (the GUI)
    thread; the timer is ``owner``'s child, so it ends with it. Installing it twice is harmless:
    the second call returns the first timer."""
    found = owner.findChild(QTimer, "cycleCollector")
    if isinstance(found, QTimer):
        return found
    gc.disable()
    timer = QTimer(owner)
    timer.setObjectName("cycleCollector")
    timer.setInterval(every_ms)
    ticks = itertools.count(1)
    timer.timeout.connect(lambda: _collect(next(ticks)))
    timer.start()
    return timer


def _collect(tick: int) -> None:
    full = FULL_EVERY > 0 and tick % FULL_EVERY == 0
    gc.collect(2 if full else 1)
