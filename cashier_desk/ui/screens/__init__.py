"""The window's screens, each a :class:`Screen` the main window shows one at a time."""

from __future__ import annotations

from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import QWidget


class Screen(QWidget):
    """A full-window screen.  ``name`` is how the window finds it; ``activated()`` runs each
    time it is shown (refresh what it shows, put the cursor where the cashier types first)."""

    name = "screen"
    title = ""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(self.name)
        self.setAccessibleName(self.title or self.name)

    def activated(self) -> None:
        """Called when the screen is shown."""
