"""Counting widgets for the ten-key: cash by denomination, and itemised checks or money orders.

Both show only what the cashier has typed (their own count), never a figure from the ledger,
so the close screen can use them for a blind count.

Object names, for tests and scripts (``prefix`` is given by the screen):

- ``{prefix}Count_{cents}`` — the count field of one denomination (``openCount_10000`` is the
  100.00 row, ``openCount_1`` the 0.01 row); ``{prefix}Line_{cents}`` its line total;
  ``{prefix}Total`` the running total of the grid.
- ``{prefix}Number``, ``{prefix}Amount``, ``{prefix}List``, ``{prefix}Summary`` — the number
  and amount fields, the table and the summary line of an itemised list.
"""

from __future__ import annotations

import itertools

from cashier_desk.desk.requests import CountedItem
from cashier_desk.ledger.drawer import DENOMINATIONS
from cashier_desk.money import Money, total
from cashier_desk.ui.qt import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QRegularExpression,
    QRegularExpressionValidator,
    QShortcut,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from cashier_desk.ui.widgets.money import MoneyEdit, over_maximum

MAX_COUNT_DIGITS = 5  # the Desk takes up to 100000 of a denomination
COUNT_FIELD_WIDTH = 160


def denomination_text(denom: Money) -> str:
    """How a row is labelled: ``100`` for a bill, ``0.25`` for a coin."""
    whole, cents = divmod(denom.cents, 100)
    return str(whole) if cents == 0 else str(denom)


class DenominationGrid(QWidget):
    """One row per denomination (100.00 … 0.01; bills in one column, coins in the next): a
    count, digits only; Enter goes to the next denomination, Enter on the last (0.01) emits
    ``finished``.  The running total follows every key."""

    finished = Signal()
    totalChanged = Signal(object)  # Money

    def __init__(self, prefix: str, total_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefix = prefix
        #: The most a count may come to, and any one denomination of it (``[policy]
        #: max_amount``); None: no limit of its own.
        self.maximum: Money | None = None
        self.setObjectName(f"{prefix}Grid")
        self.setAccessibleName("Cash count by denomination")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setVerticalSpacing(4)
        self.fields: dict[Money, QLineEdit] = {}
        self.lines: dict[Money, QLabel] = {}
        validator = QRegularExpressionValidator(
            QRegularExpression(f"[0-9]{{0,{MAX_COUNT_DIGITS}}}"), self
        )
        bills = [d for d in DENOMINATIONS if d.cents >= 100]
        coins = [d for d in DENOMINATIONS if d.cents < 100]
        for column, (caption, group) in enumerate((("Bills", bills), ("Coins", coins))):
            header = QLabel(caption)
            header.setAccessibleName(caption)
            grid.addWidget(header, 0, column * 3 + 1)
            for row, denom in enumerate(group, start=1):
                self._add_row(grid, row, column * 3, denom, validator)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(5, 1)
        ordered = [self.fields[d] for d in DENOMINATIONS]
        for here, after in itertools.pairwise(ordered):
            here.returnPressed.connect(after.setFocus)
            here.returnPressed.connect(after.selectAll)
        ordered[-1].returnPressed.connect(self.finished.emit)
        layout.addLayout(grid)
        self.total_caption = total_label
        self.total_label = QLabel()
        self.total_label.setObjectName(f"{prefix}Total")
        self.total_label.setAccessibleName(total_label)
        layout.addWidget(self.total_label)
        layout.addStretch(1)
        self._recount()

    def _add_row(
        self,
        grid: QGridLayout,
        row: int,
        column: int,
        denom: Money,
        validator: QRegularExpressionValidator,
    ) -> None:
        prefix = self.prefix
        name = denomination_text(denom)
        label = QLabel(f"{name} ×")
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        field = QLineEdit()
        field.setObjectName(f"{prefix}Count_{denom.cents}")
        field.setAccessibleName(f"Count of {name}")
        field.setValidator(validator)
        field.setMaxLength(MAX_COUNT_DIGITS)
        field.setAlignment(Qt.AlignmentFlag.AlignRight)
        field.setPlaceholderText("0")
        field.setMaximumWidth(COUNT_FIELD_WIDTH)
        field.setProperty("compact", True)  # twelve rows of them fit a 768-high screen
        label.setBuddy(field)
        line = QLabel("")
        line.setObjectName(f"{prefix}Line_{denom.cents}")
        line.setAccessibleName(f"Value of the {name} count")
        line.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        line.setMinimumWidth(110)
        grid.addWidget(label, row, column)
        grid.addWidget(field, row, column + 1)
        grid.addWidget(line, row, column + 2)
        field.textChanged.connect(self._recount)
        self.fields[denom] = field
        self.lines[denom] = line

    def first_field(self) -> QLineEdit:
        return self.fields[DENOMINATIONS[0]]

    def counts(self) -> dict[Money, int]:
        """The counts typed, denominations left empty or at 0 left out."""
        out: dict[Money, int] = {}
        for denom, field in self.fields.items():
            text = field.text()
            if text.isdigit() and int(text) > 0:
                out[denom] = int(text)
        return out

    def total(self) -> Money:
        return total(denom * n for denom, n in self.counts().items())

    def problem(self) -> str | None:
        """Why the count cannot be taken (a denomination's value or the whole above the
        maximum), or None."""
        if self.maximum is None:
            return None
        for denom, n in self.counts().items():
            if denom * n > self.maximum:
                what = f"The count of {denomination_text(denom)} comes to"
                return over_maximum(what, denom * n, self.maximum)
        if self.total() > self.maximum:
            return over_maximum(f"The {self.total_caption.lower()}", self.total(), self.maximum)
        return None

    def clear(self) -> None:
        for field in self.fields.values():
            field.clear()

    def set_read_only(self, read_only: bool) -> None:
        for field in self.fields.values():
            field.setReadOnly(read_only)

    def _recount(self) -> None:
        counts = self.counts()
        for denom, line in self.lines.items():
            n = counts.get(denom)
            line.setText(f"= {denom * n}" if n else "")
        amount = self.total()
        self.total_label.setText(f"{self.total_caption}: {amount}")
        self.totalChanged.emit(amount)


class CountedItemsEntry(QWidget):
    """Itemised checks or money orders: number, Enter, amount, Enter adds the row and goes back
    to the number.  Enter on an empty number emits ``finished``; Delete removes the selected
    row of the list.  ``problem`` carries a message for the person (an amount that is not one)."""

    finished = Signal()
    problem = Signal(str)
    changed = Signal()

    def __init__(self, prefix: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefix = prefix
        self.what = what
        self.setObjectName(f"{prefix}Entry")
        self.setAccessibleName(f"{what}s counted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.number = QLineEdit()
        self.number.setObjectName(f"{prefix}Number")
        self.number.setAccessibleName(f"{what} number")
        self.number.setPlaceholderText(f"{what} number")
        self.number.setMaxLength(40)
        self.amount = MoneyEdit(f"{what} amount")
        self.amount.setObjectName(f"{prefix}Amount")
        for field in (self.number, self.amount):
            field.setProperty("compact", True)
        row.addWidget(self.number, 2)
        row.addWidget(self.amount, 1)
        layout.addLayout(row)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName(f"{prefix}List")
        self.table.setAccessibleName(f"{what}s counted (Delete removes the selected one)")
        self.table.setHorizontalHeaderLabels(["Number", "Amount"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(72)  # a header and a row or two: it scrolls for more
        layout.addWidget(self.table)
        self.summary = QLabel()
        self.summary.setObjectName(f"{prefix}Summary")
        self.summary.setAccessibleName(f"{what}s counted so far")
        layout.addWidget(self.summary)
        self._items: list[CountedItem] = []
        self._read_only = False
        self.number.returnPressed.connect(self._number_entered)
        self.amount.returnPressed.connect(self._amount_entered)
        remove = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self.remove_selected)
        self._show()

    def items(self) -> list[CountedItem]:
        return list(self._items)

    def total(self) -> Money:
        return total(item.amount for item in self._items)

    def clear(self) -> None:
        self._items.clear()
        self.number.clear()
        self.amount.set_money(None)
        self._show()

    def set_read_only(self, read_only: bool) -> None:
        self.number.setReadOnly(read_only)
        self.amount.setReadOnly(read_only)
        self._read_only = read_only

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if self._read_only or not 0 <= row < len(self._items):
            return
        del self._items[row]
        self._show()
        self.changed.emit()

    def _number_entered(self) -> None:
        if self._read_only:
            return
        if not self.number.text().strip():
            self.finished.emit()
            return
        self.amount.setFocus()
        self.amount.selectAll()

    def _amount_entered(self) -> None:
        if self._read_only:
            return
        number = self.number.text().strip()
        if not number:
            self.number.setFocus()
            return
        amount = self.amount.money()
        if amount is None or not amount.is_positive():
            self.problem.emit(
                self.amount.problem() or f"Type the {self.what.lower()}'s amount, like 125.00."
            )
            self.amount.setFocus()
            return
        self._items.append(CountedItem(number, amount))
        self.number.clear()
        self.amount.set_money(None)
        self._show()
        self.number.setFocus()
        self.changed.emit()

    def _show(self) -> None:
        self.table.setRowCount(len(self._items))
        for row, item in enumerate(self._items):
            number = QTableWidgetItem(item.number)
            amount = QTableWidgetItem(str(item.amount))
            amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 0, number)
            self.table.setItem(row, 1, amount)
        n = len(self._items)
        noun = self.what.lower() + ("" if n == 1 else "s")
        self.summary.setText(f"{n} {noun}, {self.total()}")
