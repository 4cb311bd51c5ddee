"""What the forms of the city's program items share (issue 15, item 5): :class:`ProgramForm`,
a form whose fields make one program item and which shows, as the cashier types, the lines the
Desk's ``quote`` makes of it (off the GUI thread, a moment after the last key) or why the Desk
refuses it.  Enter moves on through the fields shown; Enter on the last field, once the lines
shown are those of what is typed, adds the item to the sale; Esc cancels.  The forms are in
:mod:`cashier_desk.ui.dialogs_licences` and :mod:`cashier_desk.ui.dialogs_permits`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from cashier_desk.desk import ItemRequest, Quote
from cashier_desk.desk.requests import ProgramRequest
from cashier_desk.errors import Refusal
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.dialogs import DeskDialog
from cashier_desk.ui.dialogs_programs import EnterCheckBox
from cashier_desk.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QFontMetrics,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QWidget,
)
from cashier_desk.ui.widgets.money import MoneyEdit

#: What the sale screen does with an item the form priced: the request, its quote, and the
#: name on the account looked up (the sale's payer), if any.
Added = Callable[[ProgramRequest, Quote, str | None], None]
#: How long after the last key the form asks for its figures.
QUOTE_DELAY_MS = 250
#: The width the lines' table has from the start (a late return's penalty line and its amount).
WIDE_LINE = "Transient occupancy tax TOT-0000 2026-Q3    99999.99"


class Incomplete(Exception):
    """What is typed is not yet an item: the message says what is missing, ``field`` where."""

    def __init__(self, message: str, field: QWidget) -> None:
        super().__init__(message)
        self.field = field


def text_of(edit: QLineEdit) -> str:
    return edit.text().strip()


def amount_of(edit: MoneyEdit, what: str) -> str:
    """The amount typed as the Desk reads it (``"50000.00"``); 0.00 or more."""
    amount = edit.money()
    if amount is None:
        raise Incomplete(edit.problem() or f"Key {what}, like 50000.00.", edit)
    return str(amount)


class ProgramForm(DeskDialog):
    """A program item's form: fields in the Enter order, the Desk's lines under them."""

    confirm_text = "Add to the sale"
    #: Refusal code → the attribute of the field it is about (else the first field).
    focus_for: ClassVar[dict[str, str]] = {}

    def __init__(
        self, ctx: UiContext, title: str, object_name: str, explanation: str, then: Added
    ) -> None:
        super().__init__(ctx, title, object_name, explanation)
        self.then = then
        self.order: list[QWidget] = []
        self.quote: Quote | None = None  # the lines shown, of ``quoted``
        self.quoted: ProgramRequest | None = None
        self._gen = 0
        self.holder: QLabel | None = None  # the account's name and address, looked up
        self.holder_name: str | None = None
        self._looked_up = ""
        self._add_when_quoted = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(QUOTE_DELAY_MS)
        self.timer.timeout.connect(lambda: self.ask(adding=False))
        self.table = QTableWidget(0, 2)
        self.table.setObjectName(f"{object_name}Lines")
        self.table.setAccessibleName("The lines the Desk makes of this item")
        self.table.setHorizontalHeaderLabels(["Line", "Amount"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.total = QLabel("")
        self.total.setObjectName(f"{object_name}Total")
        self.total.setAccessibleName("What the item comes to")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout = self.layout()
        if layout is not None:  # under the form, over the message and the buttons
            layout.insertWidget(2, self.table)  # type: ignore[attr-defined]
            layout.insertWidget(3, self.total)  # type: ignore[attr-defined]
        sample = QFontMetrics(self.table.font()).horizontalAdvance(WIDE_LINE)
        self.table.setMinimumWidth(sample)
        self.table.setMinimumHeight(self._table_height(3))
        self.table.setMaximumHeight(self._table_height(3))

    def _table_height(self, rows: int) -> int:
        row = self.table.verticalHeader().defaultSectionSize()
        return self.table.horizontalHeader().sizeHint().height() + rows * row + 4

    # -- building ----------------------------------------------------------------------------

    def add(self, label: str, object_name: str, widget: QWidget) -> Any:
        """A row of the form, in the Enter order; any change asks for the figures again."""
        if isinstance(widget, QLineEdit):
            self.field(label, object_name, widget)
        else:
            widget.setObjectName(object_name)
            widget.setAccessibleName(label)
            self.form.addRow(label, widget)
        self._watch(widget)
        return widget

    def add_beside(self, label: str, parts: list[tuple[str, str, str, QWidget]]) -> None:
        """Several widgets on one row of the form (a short screen keeps the form whole), each
        ``(its label, accessible name, object name, widget)``, in the Enter order."""
        row = QWidget()
        row.setObjectName(f"{parts[0][2]}Row")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for text, name, object_name, widget in parts:
            if text:
                layout.addWidget(QLabel(text))
            widget.setObjectName(object_name)
            widget.setAccessibleName(name)
            layout.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
            self._watch(widget)
        self.form.addRow(label, row)

    def _watch(self, widget: QWidget) -> None:
        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(lambda _t: self.changed())
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _i: self.changed())
        elif isinstance(widget, EnterCheckBox):
            widget.toggled.connect(lambda _b: self.changed())
        self.order.append(widget)

    def wire(self) -> None:
        """Enter moves on from each widget (call after the last :meth:`add`)."""
        for widget in self.order:
            signal = getattr(widget, "returnPressed", None)
            if signal is not None:
                signal.connect(lambda w=widget: self.next_from(w))
        self.order[0].setFocus()
        self.show_lines(None)

    def show_row(self, widget: QWidget, shown: bool) -> None:
        self.form.setRowVisible(widget, shown)

    def next_from(self, widget: QWidget) -> None:
        """Enter: on to the next widget shown, or add the item from the last one."""
        shown = [w for w in self.order if w.isVisibleTo(self)]
        later = shown[shown.index(widget) + 1 :] if widget in shown else []
        if later:
            later[0].setFocus()
        else:
            self.submit()

    # -- what the subclasses say -------------------------------------------------------------

    def request(self) -> ProgramRequest:
        """The item as typed; :class:`Incomplete` when something is missing."""
        raise NotImplementedError

    def changed(self) -> None:
        """Something typed changed: the lines shown are no longer its; ask again shortly."""
        self._gen += 1
        self.quote = self.quoted = None
        self._add_when_quoted = False
        self.timer.start()

    # -- the Desk's figures ------------------------------------------------------------------

    def ask(self, *, adding: bool) -> None:
        """Quote what is typed (off the GUI thread); ``adding``: then add it to the sale."""
        try:
            wanted = self.request()
        except Incomplete as missing:
            if adding:
                self.complain(str(missing), missing.field)
            else:
                self.show_lines(None)
            return
        self.timer.stop()
        self._gen += 1
        gen = self._gen
        self._add_when_quoted = adding
        desk = self.ctx.desk

        def quoted(quote: Quote) -> None:
            if gen == self._gen:
                self.quote, self.quoted = quote, wanted
                self.show_lines(quote)
                if self._add_when_quoted:
                    self._add()

        def refused(refusal: Refusal) -> None:
            if gen == self._gen:
                self.show_lines(None)
                self.said(refusal, focus=self._add_when_quoted)

        self.run(lambda: desk.quote([ItemRequest(program=wanted)]), quoted, refused)

    def show_lines(self, quote: Quote | None) -> None:
        lines = quote.lines if quote is not None else ()
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            for col, text in enumerate((line.description, str(line.amount))):
                cell = QTableWidgetItem(text)
                if col == 1:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, cell)
        self.total.setText("" if quote is None else f"Total {quote.total}")
        if quote is not None:
            self.message.setProperty("error", False)
            self.message.setText("Enter adds these lines to the sale.")
            self.message.show()
            self._repolish(self.message)
        else:
            self.message.hide()
        self._widen()

    def said(self, refusal: Refusal, *, focus: bool) -> None:
        """A refusal, in the form (and on the banner, with the cursor on its field, when the
        cashier pressed Enter to add)."""
        self.message.setProperty("error", True)
        self.message.setText(refusal.message)
        self.message.show()
        self._repolish(self.message)
        self._fit()
        if focus:
            self.ctx.show_refusal(refusal)
            name = self.focus_for.get(refusal.code)
            target = getattr(self, name) if name else self.order[0]
            target.setFocus()
            if isinstance(target, QLineEdit):
                target.selectAll()

    def _widen(self) -> None:
        """Wide enough for the longest line's description and amount on one line each."""
        columns = self.table.sizeHintForColumn(0) + self.table.sizeHintForColumn(1)
        needed = columns + 2 * self.table.frameWidth() + 4
        if needed > self.table.minimumWidth():
            self.table.setMinimumWidth(needed)
        self._fit()

    def _fit(self) -> None:
        """As big as what it now shows needs (a message shown takes its room, not the
        fields')."""
        layout = self.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()
        hint = self.sizeHint()
        self.resize(max(self.width(), hint.width()), max(self.height(), hint.height()))

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def submit(self) -> None:
        """Enter on the last field: add the lines shown, or ask for them and then add."""
        try:
            wanted = self.request()
        except Incomplete as missing:
            self.complain(str(missing), missing.field)
            return
        if self.quote is not None and self.quoted == wanted:
            self._add()
        else:
            self.ask(adding=True)

    def _add(self) -> None:
        quote, wanted = self.quote, self.quoted
        if quote is None or wanted is None or self._ended:
            return
        self._add_when_quoted = False
        self.accept()
        self.then(wanted, quote, self.holder_name)

    # -- the account looked up ---------------------------------------------------------------

    def holder_row(self, label: str, object_name: str, account: QLineEdit) -> QLabel:
        """A row under ``account`` for the name and address of the account typed."""
        holder = QLabel("")
        holder.setObjectName(object_name)
        holder.setAccessibleName(f"{label}: the account's name and address")
        holder.setWordWrap(True)
        self.form.addRow(label, holder)
        account.textChanged.connect(lambda _t: self._forget_holder())
        self.holder = holder
        return holder

    def _forget_holder(self) -> None:
        self.holder_name = None
        if self.holder is not None:
            self.holder.setText("")

    def look_up(self, account: str, rule: str, what: str) -> None:
        """The account's name and address beside it (``Desk.account``, off the GUI thread),
        once what is typed is complete enough to quote."""
        holder = self.holder
        if holder is None or (account == self._looked_up and holder.text()):
            return
        self._looked_up = account
        desk = self.ctx.desk

        def found(row: dict[str, str]) -> None:
            if account == self._looked_up:
                if row["rule"] != rule:
                    holder.setText(f"{account} is not {what}.")
                    return
                where = f", {row['address']}" if row["address"] else ""
                holder.setText(f"{row['name']}{where}")
                self.holder_name = row["name"]

        def unknown(refusal: Refusal) -> None:
            if account == self._looked_up:
                holder.setText(refusal.message)

        self.run(lambda: desk.account(account), found, unknown)
