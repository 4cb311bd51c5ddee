"""Telling a keyboard-wedge scanner from a person typing.

A wedge scanner "types" its barcode into whatever has the keyboard focus, a character every few
milliseconds, and ends with Enter or Tab.  A person cannot type four characters each less than
30 ms apart, so :class:`WedgeDetector` watches the keys reaching the widgets it is given: a
fast burst of at least ``min_chars`` printable characters followed (just as fast) by the suffix
is a scan — the characters the burst put into a line edit are taken back out, the suffix is
swallowed and :attr:`WedgeDetector.scanned` carries the code.  Anything slower is typing and is
left alone, Enter and Tab included.

The clock is injectable (``clock`` returns milliseconds) so tests can feed key events with a
made-up rhythm; it is read once per key press (presses of Shift and the like alone are not counted).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cashier_desk.ui.qt import QEvent, QKeyEvent, QLineEdit, QObject, Qt, QWidget, Signal

MsClock = Callable[[], int]


def monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


SUFFIXES = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
#: Presses of these alone carry no character (a scanner "holds Shift" for capitals): ignored.
MODIFIER_KEYS = (
    Qt.Key.Key_Shift,
    Qt.Key.Key_Control,
    Qt.Key.Key_Alt,
    Qt.Key.Key_AltGr,
    Qt.Key.Key_Meta,
    Qt.Key.Key_CapsLock,
)
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


class WedgeDetector(QObject):
    """An event filter for the widgets a scan may land in; emits ``scanned(code)``."""

    scanned = Signal(str)

    def __init__(
        self,
        clock: MsClock = monotonic_ms,
        *,
        min_chars: int = 4,
        max_gap_ms: int = 30,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.min_chars = min_chars
        self.max_gap_ms = max_gap_ms
        self._burst = ""
        self._last_ms: int | None = None
        self._target: QObject | None = None
        self._before: str | None = None  # the line edit's text before the burst began

    def watch(self, *widgets: QWidget) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def reset(self) -> None:
        self._burst = ""
        self._last_ms = None
        self._target = None
        self._before = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() in MODIFIER_KEYS:
            return False
        now = self.clock()
        fast = self._last_ms is not None and now - self._last_ms < self.max_gap_ms
        if event.key() in SUFFIXES and not event.modifiers() & _COMMAND_MODIFIERS:
            is_scan = fast and watched is self._target and len(self._burst) >= self.min_chars
            code, before = self._burst, self._before
            self.reset()
            if not is_scan:
                return False
            if isinstance(watched, QLineEdit) and before is not None:
                watched.setText(before)  # take the scanner's characters back out
            self.scanned.emit(code)
            return True
        text = event.text()
        if (
            not text
            or not text.isprintable()
            or event.isAutoRepeat()
            or event.modifiers() & _COMMAND_MODIFIERS
        ):
            self.reset()
            return False
        if fast and watched is self._target and self._burst:
            self._burst += text
        else:
            self._burst = text
            self._target = watched
            self._before = watched.text() if isinstance(watched, QLineEdit) else None
        self._last_ms = now
        return False
