"""The sale screen: scan or key, lines, tenders, change due."""

from __future__ import annotations

from cashier_desk.ui.qt import QLabel, QVBoxLayout
from cashier_desk.ui.screens import Screen


class SaleScreen(Screen):
    name = "sale"
    title = "Sale"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        QVBoxLayout(self).addWidget(QLabel("Sale (being built)"))
