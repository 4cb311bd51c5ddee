"""What every screen of the window is given: the Desk, the runner, the event bridge, the
devices and a way to move between screens.  Passed in from ``ui/app.py``; no globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cashier_desk.config import Config
from cashier_desk.desk import Desk
from cashier_desk.devices.setup import Devices
from cashier_desk.errors import Refusal
from cashier_desk.ui.bridge import DeskBridge
from cashier_desk.ui.ops import DeskRunner

if TYPE_CHECKING:
    from cashier_desk.ui.main_window import MainWindow


FAILED_MESSAGE = "Something went wrong; nothing was half-written. Details are in the log."


@dataclass
class UiContext:
    desk: Desk
    config: Config
    runner: DeskRunner
    bridge: DeskBridge
    devices: Devices | None = None
    window: MainWindow | None = field(default=None, repr=False)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_refused: Callable[[Refusal], None] | None = None,
        on_failed: Callable[[Exception], None] | None = None,
    ) -> None:
        """The window's one way to run a Desk call: off the GUI thread, its answer back on
        it.  A refusal is shown to the person unless ``on_refused`` takes it; a fault (logged
        with its traceback by the runner) is always said the same way, then ``on_failed``
        lets the caller put its screen right (clear a busy flag, re-enable a button)."""

        def failed(exc: Exception) -> None:
            self.show_error(FAILED_MESSAGE)
            if on_failed is not None:
                on_failed(exc)

        self.runner.run(fn, on_done, on_refused or self.show_refusal, failed)

    def show_refusal(self, refusal: Refusal) -> None:
        self.show_error(refusal.message)

    def show_error(self, message: str) -> None:
        """Red: something was refused or went wrong; nothing changed."""
        if self.window is not None:
            self.window.show_message(message, kind="error")

    def show_warning(self, message: str) -> None:
        """Amber: done, or nothing to do, but something needs the person's eye (printing
        later, nothing found, nothing posted)."""
        if self.window is not None:
            self.window.show_message(message, kind="warning")

    def show_info(self, message: str) -> None:
        """Green: what the person asked for was done."""
        if self.window is not None:
            self.window.show_message(message, kind="success")

    def go(self, screen: str) -> None:
        if self.window is not None:
            self.window.show_screen(screen)
