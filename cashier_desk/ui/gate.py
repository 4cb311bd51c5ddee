"""The one gate of the window: while the counter is covered (locked, or nobody logged in yet)
no shortcut and no dialog works, wherever it was made.

:class:`Gate` is an event filter on the whole application.  Every shortcut Qt dispatches —
the menus' actions and any ``QShortcut`` of any screen or widget, made now or added later —
reaches its owner as one ``Shortcut`` event, and the gate swallows it while the window says it
is locked.  A dialog shown while locked is closed as it appears.  What stays open is what
unlocks: widgets (screens, dialogs) with the Qt property ``openWhenLocked`` set, and whatever
lies inside them.  The same filter notes the time of the last key or click for the idle lock,
and lets the lock key lock from anywhere, a dialog included (a dialog blocks the window's own
shortcuts).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cashier_desk.ui.qt import (
    QApplication,
    QDialog,
    QEvent,
    QKeyEvent,
    QKeySequence,
    QObject,
    QTimer,
    QWidget,
)

#: The Qt property that marks a widget (and all inside it) as part of unlocking.
OPEN_WHEN_LOCKED = "openWhenLocked"

_ACTIVITY = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel)


def open_when_locked(obj: QObject | None) -> bool:
    """Whether ``obj`` lies inside a widget marked :data:`OPEN_WHEN_LOCKED`."""
    while obj is not None:
        if isinstance(obj, QWidget) and obj.property(OPEN_WHEN_LOCKED):
            return True
        obj = obj.parent()
    return False


class Gate(QObject):
    """Swallows shortcuts and closes dialogs while ``locked()``; notes activity (``last``)."""

    def __init__(
        self,
        locked: Callable[[], bool],
        lock: Callable[[], None],
        lock_key: QKeySequence,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.locked = locked
        self.lock = lock
        self.lock_key = lock_key
        self.last = time.monotonic()
        self.refused = 0  # shortcuts swallowed (for the curious: tests, the log)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _ACTIVITY:
            self.last = time.monotonic()
            if (
                kind == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and QKeySequence(event.keyCombination()) == self.lock_key
                and not self.locked()
            ):
                self.lock()  # the key reached a widget: no shortcut took it (a dialog is up)
                return True
        elif kind == QEvent.Type.Shortcut:
            if self.locked() and not open_when_locked(watched):
                self.refused += 1
                return True
        elif (
            kind == QEvent.Type.Show
            and isinstance(watched, QDialog)
            and self.locked()
            and not open_when_locked(watched)
        ):
            QTimer.singleShot(0, watched.reject)
        return False


def close_dialogs(owner: QWidget) -> None:
    """Close the open menus and every dialog of ``owner`` (or of no window) not marked
    :data:`OPEN_WHEN_LOCKED`: what was open when the counter locked does not wait behind it."""
    for _ in range(10):  # menus inside menus: each close shows the one below
        popup = QApplication.activePopupWidget()
        if popup is None:
            break
        popup.close()
    for widget in QApplication.topLevelWidgets():
        if not isinstance(widget, QDialog) or not widget.isVisible():
            continue
        if open_when_locked(widget) or not _belongs_to(widget, owner):
            continue
        widget.reject()


def _belongs_to(widget: QWidget, owner: QWidget) -> bool:
    parent = widget.parentWidget()
    if parent is None:
        return True
    while parent is not None:
        if parent is owner:
            return True
        parent = parent.parentWidget()
    return False
