"""Fixtures for the window's tests (pytest-qt, offscreen): a window on a fresh copy of the demo
city, with in-memory printer and drawer unless a test asks for the simulators."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from cashier_desk.app import App, open_app
from cashier_desk.ui.app import Window, build_window, qt_app
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock


class Counter:
    """The window and what is behind it, with helpers to type like a cashier."""

    def __init__(self, app: App, win: Window, qtbot: Any) -> None:
        self.app = app
        self.win = win
        self.window = win.window
        self.ctx = win.ctx
        self.desk = app.desk
        self.qtbot = qtbot

    def idle(self, timeout: int = 10000) -> None:
        """Wait until every Desk call the window started has come back."""
        self.qtbot.waitUntil(lambda: self.ctx.runner.running == 0, timeout=timeout)

    def screen(self) -> str:
        return self.window.current_screen().name

    def find(self, cls: type[Any], name: str) -> Any:
        widget = self.window.findChild(cls, name)
        assert widget is not None, f"no {cls.__name__} named {name!r}"
        return widget

    def type_into(self, widget: Any, text: str, enter: bool = True) -> None:
        from cashier_desk.ui.qt import Qt

        widget.setFocus()
        if hasattr(widget, "selectAll"):
            widget.selectAll()  # typing replaces what the field held, as at a real counter
        self.qtbot.keyClicks(widget, text)
        if enter:
            self.qtbot.keyClick(widget, Qt.Key.Key_Return)

    def login(self, user: str, pin: str) -> None:
        from cashier_desk.ui.qt import QLineEdit

        self.type_into(self.find(QLineEdit, "loginUser"), user)
        self.type_into(self.find(QLineEdit, "loginPin"), pin)
        self.idle()


@pytest.fixture(scope="session")
def qapp_cls() -> Any:
    from cashier_desk.ui.qt import QApplication

    return QApplication


@pytest.fixture
def make_counter(
    template_dir: Path, tmp_path: Path, qtbot: Any
) -> Iterator[Callable[..., Counter]]:
    made: list[Counter] = []

    def make(
        *, clock: Any = None, sims: bool = False, idle_lock_minutes: float = 15, **kw: Any
    ) -> Counter:
        qt_app()
        target = tmp_path / f"data{len(made)}"
        shutil.copytree(template_dir, target)
        if sims:
            app = open_app(target, "W1", clock=clock or FakeClock(), peripherals=True, **kw)
        else:
            app = open_app(
                target,
                "W1",
                clock=clock or FakeClock(),
                printer=MemoryPrinter(),
                cash_drawer=CountingDrawer(),
                **kw,
            )
        win = build_window(app, idle_lock_minutes=idle_lock_minutes)
        qtbot.addWidget(win.window)
        win.window.show()
        counter = Counter(app, win, qtbot)
        made.append(counter)
        return counter

    yield make
    for c in made:
        c.win.close()
        c.app.close()
        c.window.deleteLater()
    from cashier_desk.ui.qt import QApplication, QEvent

    # Let Qt delete the closed windows now, so tests do not slow down one after another.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


@pytest.fixture
def counter(make_counter: Callable[..., Counter]) -> Counter:
    return make_counter()


@pytest.fixture
def sale(counter: Counter) -> Counter:
    """A cashier at the sale screen with drawer D1 open (see ``steps.at_sale``)."""
    from tests.ui.steps import at_sale

    return at_sale(counter)
