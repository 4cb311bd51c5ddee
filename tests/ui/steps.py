"""Steps the window's tests share: a cashier at the sale screen with a customer's line."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from cashier_desk.money import Money
from cashier_desk.ui.qt import QApplication, QTimer
from tests.ui.conftest import Counter
from tests.ui.keys import StepClock


def at_sale(counter: Counter) -> Counter:
    """Amy logs in through the window and has drawer D1 open, at the sale screen, typing at a
    person's rhythm (not a scanner's)."""
    counter.login("amy", "4821")
    counter.desk.open_drawer("D1", {Money.parse("20.00"): 5})
    counter.window.show_screen("sale")
    counter.idle()
    counter.window.screens["sale"].wedge.clock = StepClock(200)  # type: ignore[attr-defined]
    return counter


def at_sale_with_a_line(counter: Counter) -> Any:
    """:func:`at_sale`, with one line (DOG-LIC) on the sale screen, not yet paid; returns the
    sale screen."""
    at_sale(counter)
    sale: Any = counter.window.screens["sale"]
    counter.type_into(sale.input, "DOG-LIC")
    counter.qtbot.waitUntil(lambda: len(sale.lines) == 1)
    counter.idle()
    return sale


def when_modal(act: Callable[[Any], bool], within: float = 60.0) -> None:
    """Once a modal dialog is up that ``act`` takes (it returns True, having closed it), stop
    looking; until then look again every 20 ms.

    A test must fail, never hang: when ``act`` raises, the dialog it was given is closed before
    the error goes on (pytest-qt fails the test with it), and after ``within`` seconds with no
    dialog taken, whatever modal dialog is up is closed and the test fails saying so."""
    deadline = time.monotonic() + within

    def look() -> None:
        box = QApplication.activeModalWidget()
        if box is not None:
            try:
                if act(box):
                    return
            except BaseException:
                _close(box)
                raise
        if time.monotonic() > deadline:
            if box is not None:
                _close(box)
            raise AssertionError(f"no modal dialog the test could answer in {within:.0f} s")
        QTimer.singleShot(20, look)

    QTimer.singleShot(20, look)


def _close(box: Any) -> None:
    if hasattr(box, "reject"):
        box.reject()
    else:
        box.close()
