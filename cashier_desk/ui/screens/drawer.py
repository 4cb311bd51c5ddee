"""Open a drawer (the change fund by denomination) and close it with a blind count."""

from __future__ import annotations

from cashier_desk.ui.qt import QLabel, QVBoxLayout
from cashier_desk.ui.screens import Screen


class OpenDrawerScreen(Screen):
    name = "open_drawer"
    title = "Open drawer"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        QVBoxLayout(self).addWidget(QLabel("Open drawer (being built)"))


class CloseDrawerScreen(Screen):
    name = "close_drawer"
    title = "Close drawer"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        QVBoxLayout(self).addWidget(QLabel("Close drawer (being built)"))
