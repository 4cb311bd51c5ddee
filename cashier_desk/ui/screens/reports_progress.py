"""A report read off the GUI thread with a progress dialog that can cancel it (issue 17,
item 4).

The Desk's report methods tell ``progress(done, total)`` from the worker thread; the
callback here passes each new percent to the GUI thread by a queued signal (never more than
a hundred times a report), and raises :func:`~cashier_desk.desk.reporting.cancelled` once the
person cancels (Cancel or Esc), which stops the report where it is: a report only reads, so
nothing changed.  The dialog is window-modal and shows only when the report takes longer than
:data:`SHOW_AFTER_MS`; the event loop never waits for the report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from cashier_desk.desk.reporting import Progress, cancelled
from cashier_desk.errors import Refusal
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QObject,
    QProgressDialog,
    QPushButton,
    Qt,
    QTimer,
    QWidget,
    Signal,
)

SHOW_AFTER_MS = 300


class _Ticks(QObject):
    moved = Signal(int, int)


class ReportRun:
    """One report: ``start(read, on_done, on_refused, on_failed)`` runs ``read(progress)`` on
    the Desk's worker and calls back on the GUI thread; a cancelled report comes back as the
    refusal ``cancelled``, a fault (logged by the runner) as ``on_failed()``."""

    def __init__(self, ctx: UiContext, parent: QWidget, label: str) -> None:
        self.ctx = ctx
        self.cancel_asked = threading.Event()
        self._last = -2  # the last percent sent (worker thread only)
        self.ticks = _Ticks()
        self.ticks.moved.connect(self._moved)
        dialog = self.dialog = QProgressDialog(label, "Cancel (Esc)", 0, 0, parent)
        # Cancel is Esc or Space on the button, never Enter: a second Enter on the screen that
        # asked for the report must not stop it.
        # (Replacing the button would leave Qt's Esc shortcut twice, and Esc ambiguous.)
        for stop in dialog.findChildren(QPushButton):
            stop.setObjectName("reportCancel")
            stop.setAutoDefault(False)
            stop.setDefault(False)
        dialog.setObjectName("reportProgress")
        dialog.setAccessibleName("Report progress")
        dialog.setWindowTitle("Reading the report")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        dialog.setMinimumDuration(2**30)  # shown by ``later`` only (Qt's own timer waits on)
        self.later = QTimer(dialog)
        self.later.setSingleShot(True)
        self.later.timeout.connect(self._show)
        dialog.setMinimumWidth(420)
        dialog.canceled.connect(self.cancel)
        dialog.rejected.connect(self.cancel)  # closed by the lock (gate.close_dialogs)
        self.running = False
        self.shown = False  # the dialog came up (the report took longer than SHOW_AFTER_MS)

    def cancel(self) -> None:
        """Stop the report at its next step (the dialog's Cancel, Esc)."""
        self.cancel_asked.set()

    def progress(self, done: int, total: int) -> None:
        """The Desk's ``progress`` (worker thread): raises once cancelled."""
        if self.cancel_asked.is_set():
            raise cancelled()
        percent = 100 * done // total if total > 0 else -1
        if percent != self._last:
            self._last = percent
            self.ticks.moved.emit(done, total)

    def _moved(self, done: int, total: int) -> None:
        if not self.running:
            return
        if total <= 0:
            self.dialog.setRange(0, 0)  # how much is left is not known yet
            return
        self.dialog.setRange(0, total)
        self.dialog.setValue(min(done, total))

    def start(
        self,
        read: Callable[[Progress], Any],
        on_done: Callable[[Any], None],
        on_refused: Callable[[Refusal], None],
        on_failed: Callable[[], None],
    ) -> None:
        self.running = True
        self.later.start(SHOW_AFTER_MS)

        def done(result: Any) -> None:
            self._finish()
            on_done(result)

        def refused(refusal: Refusal) -> None:
            self._finish()
            on_refused(refusal)

        def failed(_exc: Exception) -> None:  # ctx.run has said so on the banner
            self._finish()
            on_failed()

        self.ctx.run(lambda: read(self.progress), done, refused, failed)

    def _show(self) -> None:
        if self.running and not self.cancel_asked.is_set():
            self.dialog.show()
            self.shown = True

    def _finish(self) -> None:
        self.running = False
        self.later.stop()
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.rejected.disconnect(self.cancel)
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
        parent = self.dialog.parentWidget()
        if self.shown and parent is not None:
            parent.activateWindow()  # the keys come back to the window
