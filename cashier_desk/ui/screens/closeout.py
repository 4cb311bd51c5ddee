"""The lead's closeout screen."""

from __future__ import annotations

from cashier_desk.ui.qt import QLabel, QVBoxLayout
from cashier_desk.ui.screens import Screen


class CloseoutScreen(Screen):
    name = "closeout"
    title = "Closeout"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        QVBoxLayout(self).addWidget(QLabel("Closeout (being built)"))
