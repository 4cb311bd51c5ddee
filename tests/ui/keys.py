"""Typing like a cashier in the window tests: whatever has the focus takes the keys."""

from __future__ import annotations

from typing import Any

from cashier_desk.ui.qt import QApplication, Qt
from tests.ui.conftest import Counter


class StepClock:
    """A millisecond clock that moves ``step`` on every reading (one reading per key press)."""

    def __init__(self, step: int) -> None:
        self.step = step
        self.now = 1_000_000

    def __call__(self) -> int:
        self.now += self.step
        return self.now


def focused() -> Any:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(
    c: Counter, key: Any, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """One key (with a modifier) to whatever has the focus, then let the window settle."""
    c.qtbot.keyClick(focused(), key, modifier)
    QApplication.processEvents()
    c.idle()


def wait_focus(counter: Counter, name: str, timeout: int = 5000) -> None:
    """Wait for the cursor to land in ``name`` (a dialog closing hands the focus back later)."""

    def there() -> bool:
        widget = QApplication.focusWidget()
        return widget is not None and widget.objectName() == name

    try:
        counter.qtbot.waitUntil(there, timeout=timeout)
    except AssertionError:
        widget = QApplication.focusWidget()
        where = widget.objectName() if widget is not None else None
        raise AssertionError(f"the focus is in {where!r}, not in {name!r}") from None
