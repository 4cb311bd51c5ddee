"""The forms of the city's program items (programs.md; issue 15, item 5), opened from the sale
screen: a TOT return (Alt+H), a business licence (Alt+B), and in
:mod:`cashier_desk.ui.dialogs_permits` an animal licence (Alt+A) and a parking permit (Alt+K).

Each form asks the Desk for a ``quote`` of its one item while the cashier types (off the GUI
thread, a moment after the last key), and shows the lines the Desk makes of it — a return's
tax, penalty and interest, a licence's tax, state fee and penalty — and their total, or why the
Desk refuses it.  Enter moves on through the fields shown; Enter on the last field, once the
lines shown are those of what is typed, adds the item to the sale (the sale screen quotes the
whole sale again, so an item refused beside the others is not added).  Esc cancels.  Nothing is
written by a form: the sale records the return or the licence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from cashier_desk.desk import ItemRequest, Quote
from cashier_desk.desk.requests import LicenceRequest, ProgramRequest, TotRequest
from cashier_desk.errors import Refusal
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.dialogs import DeskDialog
from cashier_desk.ui.dialogs_cash import AccountBox
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

#: What the sale screen does with an item the form priced: the request and its quote.
Added = Callable[[ProgramRequest, Quote], None]
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
        self._widen()
        if quote is not None:
            self.message.setProperty("error", False)
            self.message.setText("Enter adds these lines to the sale.")
            self.message.show()
            self._repolish(self.message)
        else:
            self.message.hide()

    def said(self, refusal: Refusal, *, focus: bool) -> None:
        """A refusal, in the form (and on the banner, with the cursor on its field, when the
        cashier pressed Enter to add)."""
        self.message.setProperty("error", True)
        self.message.setText(refusal.message)
        self.message.show()
        self._repolish(self.message)
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
            self.resize(max(self.width(), self.sizeHint().width()), self.height())

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
        self.then(wanted, quote)


class TotForm(ProgramForm):
    """A hotel's transient occupancy tax return: account, period, rents, amended or not."""

    focus_for: ClassVar[dict[str, str]] = {
        "unknown_account": "account", "bad_period": "period", "already_filed": "period",
        "not_filed": "amended", "nothing_due": "amended", "bad_return": "exempt",
        "bad_amount": "gross", "bad_text": "account",
    }  # fmt: skip

    def __init__(self, ctx: UiContext, then: Added) -> None:
        super().__init__(
            ctx,
            "TOT return",
            "totForm",
            "The operator's account, the period (2026-Q3 or 2026-07), the gross rents and the "
            "exempt rents; Space ticks 'amended'. The tax, penalty and interest show as you "
            "type; Enter on the last field adds them to the sale.",
            then,
        )
        self.account = self.add("Account", "totAccount", QLineEdit())
        self.account.setMaxLength(60)
        self.account.setPlaceholderText("TOT-0042")
        self.period = self.add("Period", "totPeriod", QLineEdit())
        self.period.setMaxLength(7)
        self.period.setPlaceholderText("2026-Q3")
        self.gross = self.add("Gross rents", "totGross", MoneyEdit("Gross rents"))
        self.exempt = self.add("Exempt rents", "totExempt", MoneyEdit("Exempt rents"))
        self.amended = self.add("Amended return", "totAmended", EnterCheckBox("Amended"))
        self.wire()

    def request(self) -> TotRequest:
        account, period = text_of(self.account), text_of(self.period).upper()
        if not account:
            raise Incomplete("Key the operator's TOT account.", self.account)
        if not period:
            raise Incomplete("Key the period, like 2026-Q3 or 2026-07.", self.period)
        gross = amount_of(self.gross, "the gross rents")
        exempt = amount_of(self.exempt, "the exempt rents") if self.exempt.text() else "0.00"
        return TotRequest(account, period, gross, exempt, amended=self.amended.isChecked())


KINDS = (("New licence", "new"), ("Renewal", "renewal"))


class LicenceForm(ProgramForm):
    """A business licence: new (name, address) or a renewal (the account, looked up)."""

    focus_for: ClassVar[dict[str, str]] = {
        "unknown_account": "account", "already_licensed": "account", "bad_kind": "kind",
        "bad_request": "year", "bad_year": "year", "bad_amount": "gross", "bad_text": "name",
    }  # fmt: skip

    def __init__(self, ctx: UiContext, then: Added) -> None:
        super().__init__(
            ctx,
            "Business licence",
            "licenceForm",
            "New or renewal (↑↓), the licence year and the gross receipts; a new licence "
            "names the business and its address, a renewal its account (looked up as you "
            "type). The tax, state fee and penalty show as you type; Enter on the last field "
            "adds them to the sale.",
            then,
        )
        self.kind = self.add("Kind", "licenceKind", AccountBox())
        for label, value in KINDS:
            self.kind.addItem(label, value)
        self.account = self.add("Account", "licenceAccount", QLineEdit())
        self.account.setMaxLength(60)
        self.account.setPlaceholderText("BL-W1-000001")
        self.holder = QLabel("")
        self.holder.setObjectName("licenceHolder")
        self.holder.setAccessibleName("The account's business and address")
        self.holder.setWordWrap(True)
        self.form.addRow("Business", self.holder)
        self.name = self.add("Business name", "licenceName", QLineEdit())
        self.name.setMaxLength(200)
        self.address = self.add("Address", "licenceAddress", QLineEdit())
        self.address.setMaxLength(200)
        self.year = self.add("Licence year", "licenceYear", QLineEdit())
        self.year.setMaxLength(4)
        self.year.setPlaceholderText("2027")
        self.gross = self.add("Gross receipts", "licenceGross", MoneyEdit("Gross receipts"))
        self._looked_up = ""
        self.kind.currentIndexChanged.connect(lambda _i: self._show_kind())
        self.account.textChanged.connect(lambda _t: self.holder.setText(""))
        self._show_kind()
        self.wire()

    def renewal(self) -> bool:
        return bool(self.kind.currentData() == "renewal")

    def _show_kind(self) -> None:
        renewal = self.renewal()
        self.show_row(self.account, renewal)
        self.show_row(self.holder, renewal)
        for widget in (self.name, self.address):
            self.show_row(widget, not renewal)
        self.adjustSize()

    def request(self) -> LicenceRequest:
        year_text = self.year.text().strip()
        if self.renewal():
            account = text_of(self.account)
            if not account:
                raise Incomplete("Key the account the licence renews.", self.account)
            self.look_up(account)
        elif not text_of(self.name):
            raise Incomplete("Key the business's name.", self.name)
        if len(year_text) != 4 or not year_text.isdigit():
            raise Incomplete("Key the licence year, like 2027.", self.year)
        gross = amount_of(self.gross, "the gross receipts")
        if self.renewal():
            return LicenceRequest("renewal", int(year_text), gross, account=text_of(self.account))
        return LicenceRequest(
            "new", int(year_text), gross, name=text_of(self.name), address=text_of(self.address)
        )

    def look_up(self, account: str) -> None:
        """The account's business and address beside it (off the GUI thread), once a typed
        account is complete enough to quote."""
        if account == self._looked_up and self.holder.text():
            return
        self._looked_up = account
        desk = self.ctx.desk

        def found(row: dict[str, str]) -> None:
            if text_of(self.account) == account:
                if row["rule"] != "business_licence":
                    self.holder.setText(f"{account} is not a business licence account.")
                    return
                where = f", {row['address']}" if row["address"] else ""
                self.holder.setText(f"{row['name']}{where}")

        def unknown(refusal: Refusal) -> None:
            if text_of(self.account) == account:
                self.holder.setText(refusal.message)

        self.run(lambda: desk.account(account), found, unknown)
