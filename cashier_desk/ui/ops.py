"""Desk operations off the GUI thread (in the manner of Anki's CollectionOp).

Every database or device call from the window goes through :class:`DeskRunner`: the call runs
on one worker thread (so Desk calls never overlap), and its result or refusal comes back to the
GUI thread by a signal.  The event loop never waits on the ledger, the printer or the drawer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from cashier_desk.errors import Refusal
from cashier_desk.ui.qt import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object, object)  # result, error (Refusal or Exception) or None


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # a refusal, or a fault: reported, never raised into Qt
            if not isinstance(exc, Refusal):
                log.exception("a desk operation failed")
            self.relay.done.emit(None, exc)
            return
        self.relay.done.emit(result, None)


class DeskRunner(QObject):
    """Runs Desk calls one at a time on a worker thread; reports back on the GUI thread."""

    busyChanged = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self._relays: set[_Relay] = set()
        self.running = 0

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_refused: Callable[[Refusal], None] | None = None,
        on_failed: Callable[[Exception], None] | None = None,
    ) -> None:
        relay = _Relay()
        self._relays.add(relay)

        def finished(result: Any, error: Exception | None) -> None:
            self._relays.discard(relay)
            self.running -= 1
            if self.running == 0:
                self.busyChanged.emit(False)
            if error is None:
                if on_done is not None:
                    on_done(result)
            elif isinstance(error, Refusal):
                if on_refused is not None:
                    on_refused(error)
            elif on_failed is not None:
                on_failed(error)

        relay.done.connect(finished)
        self.running += 1
        if self.running == 1:
            self.busyChanged.emit(True)
        self.pool.start(_Task(fn, relay))

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for the worker to finish (shutdown and tests only)."""
        return bool(self.pool.waitForDone(msecs))
