"""The open items found as the cashier types a name, account, reference or address.

Each item takes two lines: who and where, then what is owed — the whole amount still due first
(never cut short; what ``lookup`` gives: a citation's penalties grown, what is left of a plan;
then the amount billed when part was paid), the program (an item a returned check made of a
receipt line: its own description), the due date, the status (``lookup``'s) and the reference.
Long lines wrap rather than being cut.  A search that finds nothing says "no match" in a line
of its own.
"""

from __future__ import annotations

from cashier_desk.desk import OpenItemView
from cashier_desk.ui.qt import QAbstractItemView, QLabel, QListWidget, Qt, QVBoxLayout, QWidget

MAX_HEIGHT = 240


def describe(item: OpenItemView) -> str:
    """The two lines of one item found."""
    who = " · ".join(part for part in (item.name, item.address) if part)
    owed = f"{item.still_due} due"  # as the counter would charge it (``lookup``'s)
    if item.still_due < item.amount_due:  # part paid (not a citation's penalties, a plan's fee)
        owed += f" (of {item.amount_due})"
    status = item.status if item.status == "open" else item.status.upper()
    program = item.description or item.program.title()  # a returned check's item: its own
    what = [owed, program, f"due date {item.due_date}", status, item.ref]
    return f"{who}\n{' · '.join(what)}"


class OpenItemResults(QWidget):
    """``list`` holds the items found (↓ from the input goes into it); ``none`` says that
    nothing matches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[OpenItemView] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.none = QLabel()
        self.none.setObjectName("saleNoMatch")
        self.none.setAccessibleName("Search result")
        self.none.setWordWrap(True)
        self.none.hide()
        layout.addWidget(self.none)
        self.list = QListWidget()
        self.list.setObjectName("saleSearchResults")
        self.list.setAccessibleName("Open items found")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setMaximumHeight(MAX_HEIGHT)
        self.list.hide()
        layout.addWidget(self.list)
        self.hide()

    def show_items(self, query: str, items: list[OpenItemView]) -> None:
        self.items = list(items)
        self.list.clear()
        for item in items:
            self.list.addItem(describe(item))
        self.list.setVisible(bool(items))
        self.none.setText(
            ""
            if items
            else f"No match for “{query}”: no open item has that name, account, reference, "
            "plate or address. Enter looks it up as a fee code, bill or receipt."
        )
        self.none.setVisible(not items)
        self.show()

    def clear_items(self) -> None:
        self.items = []
        self.list.clear()
        self.none.clear()
        self.hide()

    def current(self) -> OpenItemView | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def enter(self) -> bool:
        """Into the list, on its first item (False when there is none)."""
        if not self.items:
            return False
        self.list.setCurrentRow(0)
        self.list.setFocus()
        return True
