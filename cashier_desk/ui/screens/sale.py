"""The sale screen: scan or key, lines, tenders, change due.

One input takes everything: a bill stub or citation (scanned or keyed), a revenue code
(``COPIES*12`` for a quantity), a receipt number (offers a reprint), or the start of a
reference, name or address — matching open items appear below as the cashier types (↓ into
the list, Enter adds).  Scans from the serial scanner and from a keyboard-wedge scanner take
the same path as Enter.  Every change to the lines is quoted by the Desk before it is shown, so
the lines on screen are always lines the Desk would take; a refused change leaves them as they
were and says why.  Tenders are taken in the tender panel (F5–F9, Ctrl+1..5); Enter or F10
posts the sale; the change due and the receipt number then fill the side of the screen until
Enter (or F2) starts the next customer.

Keys: Enter resolve / finish / next customer · ↑↓ choose a line · F3 quantity · F4 amount ·
Delete remove a line · Esc clear the input or drop the sale · F5 cash · F6 check · F7 money order
· F8 card · F9 exact cash · Ctrl+1..5 quick cash · F10 finish · F2 next customer.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cashier_desk.desk import ItemRequest, OpenItemView, SaleResult, ScanResult
from cashier_desk.errors import Refusal
from cashier_desk.money import Money
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QAbstractItemView,
    QEvent,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QObject,
    QPushButton,
    QRegularExpression,
    QRegularExpressionValidator,
    QShortcut,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.wedge import WedgeDetector
from cashier_desk.ui.widgets.money import MoneyEdit
from cashier_desk.ui.widgets.tender import TenderPanel

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
MIN_SEARCH = 2
COLUMNS = ("Description", "Reference", "Qty", "Amount")
COL_DESC, COL_REF, COL_QTY, COL_AMOUNT = range(4)
_QTY_AFTER = re.compile(r"(?P<code>[^*\s][^*]*?)\s*\*\s*(?P<qty>[0-9]{1,4})")
_QTY_BEFORE = re.compile(r"(?P<qty>[0-9]{1,4})\s*\*\s*(?P<code>[^*\s][^*]*)")
FAILED = "Something went wrong; nothing was half-written. Details are in the log."
NOT_PRINTED = (
    "The printer is not ready: the receipt is saved and will print by itself when the "
    "printer is back."
)

_keys = itertools.count(1)


def split_quantity(text: str) -> tuple[str, int | None]:
    """``COPIES*12`` or ``12*COPIES`` → ("COPIES", 12); anything else → (text, None)."""
    for pattern in (_QTY_AFTER, _QTY_BEFORE):
        m = pattern.fullmatch(text)
        if m:
            return m.group("code").strip(), int(m.group("qty"))
    return text, None


@dataclass(frozen=True)
class Fee:
    code: str
    description: str
    fee_type: str  # fixed, per_unit, open
    amount: Money | None


@dataclass(frozen=True)
class SaleLine:
    """One line on the screen: a revenue code (qty, or a keyed amount for an open fee) or a
    payment on an open item (a keyed amount, at most what is still due)."""

    description: str
    code: str | None = None
    ref: str | None = None
    fee_type: str = "open"  # of a code line: fixed, per_unit, open
    unit: Money | None = None  # the set price of a fixed or per-unit fee
    qty: int = 1
    amount: Money | None = None  # keyed: an open fee's amount or the payment on an open item
    still_due: Money | None = None  # of an open item, when it was added
    key: int = 0

    def request(self) -> ItemRequest:
        if self.ref is not None:
            return ItemRequest(ref=self.ref, amount=self.amount)
        keyed = self.amount if self.fee_type == "open" else None
        return ItemRequest(code=self.code, qty=self.qty, amount=keyed)

    def line_amount(self) -> Money:
        if self.ref is None and self.fee_type != "open" and self.unit is not None:
            return self.unit * self.qty
        return (self.amount or Money(0)) * self.qty

    @property
    def qty_editable(self) -> bool:
        return self.ref is None and self.fee_type in ("fixed", "per_unit")

    @property
    def amount_editable(self) -> bool:
        return self.ref is not None or self.fee_type == "open"


def new_line(**kw: Any) -> SaleLine:
    return SaleLine(key=next(_keys), **kw)


class _Failure:
    """What a Desk call returns to the GUI thread when it failed unexpectedly."""


Change = Callable[[list[SaleLine]], list[SaleLine] | None]


class SaleScreen(Screen):
    name = "sale"
    title = "Sale"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.lines: list[SaleLine] = []
        self.total = Money(0)
        self.fees: dict[str, Fee] = {}
        self.result: SaleResult | None = None  # the sale just posted, until the next customer
        self._changes: deque[tuple[Change, int | None]] = deque()
        self._quoting = False
        self._lookups = 0
        self._selling = False
        self._finish_when_ready = False
        self._search_gen = 0
        self._gen = 0  # one per customer: answers about an earlier customer's lines are dropped
        self._results: list[OpenItemView] = []
        self._prompt_answer: Callable[[], bool] | None = None
        self._user: str | None = None
        self._build()
        self.wedge = WedgeDetector(parent=self)
        self.wedge.watch(
            self.input,
            self.results,
            self.table,
            self.prompt_amount,
            self.prompt_qty,
            self.prompt_yes,
            *self.tender.fields,
            self.tender.list,
        )
        self.wedge.scanned.connect(self.scan)
        ctx.bridge.scanned.connect(self._serial_scan)
        ctx.bridge.userChanged.connect(self._user_changed)
        ctx.bridge.changed.connect(self._desk_changed)

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        outer.addLayout(left, 3)

        self.note = QLabel()
        self.note.setObjectName("saleNote")
        self.note.setAccessibleName("Sale note")
        self.note.setWordWrap(True)
        self.note.hide()
        left.addWidget(self.note)

        hint = QLabel(
            "Scan or key a bill, citation, fee code or receipt — or type a name or address"
        )
        hint.setObjectName("saleInputLabel")
        hint.setAccessibleName("What to scan or key")
        left.addWidget(hint)
        self.input = QLineEdit()
        self.input.setObjectName("saleInput")
        self.input.setAccessibleName("Scan or key a reference, code, receipt, name or address")
        self.input.setPlaceholderText("UB-100234 · DOG-LIC · COPIES*12 · a name or address")
        self.input.setMaxLength(128)
        hint.setBuddy(self.input)
        left.addWidget(self.input)

        self.prompt = QFrame()
        self.prompt.setObjectName("salePrompt")
        self.prompt.setAccessibleName("Question")
        prompt_row = QHBoxLayout(self.prompt)
        self.prompt_label = QLabel()
        self.prompt_label.setObjectName("salePromptLabel")
        self.prompt_label.setAccessibleName("Question")
        self.prompt_label.setWordWrap(True)
        prompt_row.addWidget(self.prompt_label, 2)
        self.prompt_amount = MoneyEdit("Amount")
        self.prompt_amount.setObjectName("salePromptAmount")
        prompt_row.addWidget(self.prompt_amount, 1)
        self.prompt_qty = QLineEdit()
        self.prompt_qty.setObjectName("salePromptQty")
        self.prompt_qty.setAccessibleName("Quantity")
        self.prompt_qty.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.prompt_qty.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{0,4}"), self.prompt_qty)
        )
        prompt_row.addWidget(self.prompt_qty, 1)
        self.prompt_yes = QPushButton("Yes (Enter)")
        self.prompt_yes.setObjectName("salePromptYes")
        self.prompt_yes.setAccessibleName("Yes")
        self.prompt_yes.clicked.connect(self._answer_prompt)
        prompt_row.addWidget(self.prompt_yes)
        self.prompt_no = QPushButton("No (Esc)")
        self.prompt_no.setObjectName("salePromptNo")
        self.prompt_no.setAccessibleName("No")
        self.prompt_no.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.prompt_no.clicked.connect(self._close_prompt)
        prompt_row.addWidget(self.prompt_no)
        self.prompt.hide()
        left.addWidget(self.prompt)

        self.results = QListWidget()
        self.results.setObjectName("saleSearchResults")
        self.results.setAccessibleName("Open items found")
        self.results.setMaximumHeight(220)
        self.results.hide()
        left.addWidget(self.results)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("saleLines")
        self.table.setAccessibleName("Lines of this sale")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_DESC, QHeaderView.ResizeMode.Stretch)
        for col in (COL_REF, COL_QTY, COL_AMOUNT):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.itemChanged.connect(self._cell_edited)
        left.addWidget(self.table, 1)

        self.keys = QLabel(
            "Enter add · ↑↓ choose a line · F3 quantity · F4 amount · Delete remove line · "
            "Esc clear / drop the sale"
        )
        self.keys.setObjectName("saleKeys")
        self.keys.setAccessibleName("Sale keys")
        self.keys.setWordWrap(True)
        left.addWidget(self.keys)

        self.total_label = QLabel()
        self.total_label.setObjectName("totalDue")
        self.total_label.setAccessibleName("Total due")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        left.addWidget(self.total_label)

        self.side = QStackedWidget()
        self.side.setObjectName("saleSide")
        self.side.setAccessibleName("Tenders or change due")
        outer.addWidget(self.side, 2)
        self.tender = TenderPanel()
        self.tender.problem.connect(self.ctx.show_error)
        self.tender.entryClosed.connect(self._focus_input)
        self.tender.changed.connect(self._tenders_changed)
        self.side.addWidget(self.tender)
        self.side.addWidget(self._build_done())

        self.input.returnPressed.connect(self._input_entered)
        self.input.textEdited.connect(self._typed)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search)
        for widget in (
            self.input,
            self.results,
            self.table,
            self.prompt_amount,
            self.prompt_qty,
            self.prompt_yes,
        ):
            widget.installEventFilter(self)
        self.shortcuts = self.tender.install_shortcuts(self)
        for key, slot in (("F3", self.edit_qty), ("F4", self.edit_amount), ("F10", self.finish)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)
        self._show_total()

    def _build_done(self) -> QWidget:
        done = QFrame()
        done.setObjectName("saleDone")
        done.setAccessibleName("Sale posted")
        layout = QVBoxLayout(done)
        self.change_label = QLabel()
        self.change_label.setObjectName("changeDue")
        self.change_label.setAccessibleName("Change due")
        self.change_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.change_label)
        self.receipt_label = QLabel()
        self.receipt_label.setObjectName("receiptNumber")
        self.receipt_label.setAccessibleName("Receipt number")
        self.receipt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.receipt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.receipt_label)
        self.print_note = QLabel(NOT_PRINTED)
        self.print_note.setObjectName("printNote")
        self.print_note.setAccessibleName("Printer note")
        self.print_note.setWordWrap(True)
        layout.addWidget(self.print_note)
        layout.addStretch(1)
        self.next_button = QPushButton("Next customer (Enter or F2)")
        self.next_button.setObjectName("nextCustomer")
        self.next_button.setAccessibleName("Next customer")
        self.next_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next_button.clicked.connect(self.next_customer)
        layout.addWidget(self.next_button)
        return done

    # -- activation and outside events -------------------------------------------------------

    def activated(self) -> None:
        """Shown (F2 among others): after a posted sale this is the next customer."""
        if self.result is not None:
            self.next_customer()
        self._focus_input()
        self._load_fees()
        self._call(self.ctx.desk.current_session, self._session_known)

    def _session_known(self, session: Any) -> None:
        if session is None:
            self.note.setText("No drawer is open: open one (Ctrl+O) before taking money.")
            self.note.show()
        else:
            self.note.hide()

    def _load_fees(self, then: Callable[[], None] | None = None) -> None:
        def loaded(rows: list[tuple[str, str, str, Money | None]]) -> None:
            self.fees = {code: Fee(code, desc, kind, amount) for code, desc, kind, amount in rows}
            if then is not None:
                then()

        self._call(self.ctx.desk.fee_codes, loaded)

    def _desk_changed(self, name: str) -> None:
        if name == "reference_data_changed":
            self._load_fees()
        elif name == "drawer_opened" and self.isVisible():
            self.note.hide()

    def _user_changed(self, user: Any) -> None:
        login = getattr(user, "login", None)
        if login != self._user and (self.lines or self.result is not None):
            self.next_customer()  # another person's customer is not this person's sale
        if login is not None:
            self._user = login

    def _is_current(self) -> bool:
        window = self.ctx.window
        if window is not None:
            return window.stack.currentWidget() is self
        return self.isVisible()

    def _serial_scan(self, code: str) -> None:
        if self._is_current() and self.ctx.desk.user is not None:
            self.scan(code)

    # -- Desk calls --------------------------------------------------------------------------

    def _call(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_refused: Callable[[Refusal], None] | None = None,
        on_failed: Callable[[], None] | None = None,
    ) -> None:
        """``ctx.run`` with the unexpected failure also reported back, so that no flag of this
        screen stays set when a call fails."""

        def guarded() -> Any:
            try:
                return fn()
            except Refusal:
                raise
            except Exception:
                log.exception("a desk operation of the sale screen failed")
                return _Failure()

        def done(result: Any) -> None:
            if isinstance(result, _Failure):
                self.ctx.show_error(FAILED)
                if on_failed is not None:
                    on_failed()
            else:
                on_done(result)

        def refused(refusal: Refusal) -> None:
            if on_refused is not None:
                on_refused(refusal)
            else:
                self.ctx.show_refusal(refusal)
                if on_failed is not None:
                    on_failed()

        self.ctx.run(guarded, done, refused)

    # -- the input: Enter, scans, search as you type -----------------------------------------

    def _focus_input(self) -> None:
        self.input.setFocus()

    def _input_entered(self) -> None:
        text = self.input.text().strip()
        if not text:
            self.finish()
            return
        self._resolve(text, keyed=True)

    def scan(self, code: str) -> None:
        """A scan (serial or wedge): resolved at once, whatever the cashier was doing."""
        code = code.strip()
        if not code:
            return
        self.tender.close_entry(focus=False)
        self._close_prompt(focus=False)
        self._resolve(code, keyed=False)
        self._focus_input()

    def _resolve(self, text: str, *, keyed: bool) -> None:
        if self._selling:
            self.ctx.show_error("The sale is being posted; scan again in a moment.")
            return
        if self.result is not None:
            self.next_customer()
        code, qty = split_quantity(text) if keyed else (text, None)
        self._stop_search()
        self._lookups += 1

        def found(result: ScanResult) -> None:
            self._lookups -= 1
            if keyed and self.input.text().strip() == text:
                self.input.clear()
            self._found(result, qty)
            self._ready()

        def refused(refusal: Refusal) -> None:
            self._lookups -= 1
            still_there = keyed and self.input.text().strip() == text
            if still_there and self._results and refusal.code == "unknown_scan":
                # a name or address typed, then Enter: into the list of what was found
                self.ctx.show_error(f"{refusal.message} Choose from the open items found.")
                self._enter_results()
            else:
                self.ctx.show_refusal(refusal)
                if still_there:
                    self.input.selectAll()
            self._ready()

        def failed() -> None:
            self._lookups -= 1
            self._ready()

        self._call(lambda: self.ctx.desk.lookup_scan(code), found, refused, failed)

    def _found(self, result: ScanResult, qty: int | None) -> None:
        if result.kind == "open_item" and result.item is not None:
            if qty is not None:
                self.ctx.show_error(f"{result.code} is a payment; it has no quantity.")
                return
            self._add_open_item(result.item)
        elif result.kind == "revenue_code":
            self._add_fee(result.code, qty)
        elif result.kind == "receipt":
            number = result.code
            self._ask_yes(
                f"Receipt {number} ({result.description}). Reprint it?",
                lambda: self._reprint(number),
            )

    def _reprint(self, number: str) -> None:
        def done(printed: bool) -> None:
            if printed:
                self.ctx.show_info(f"Receipt {number} reprinted (marked REPRINT).")
            else:
                self.ctx.show_info(f"The reprint of {number} will print when the printer is back.")

        self._call(lambda: self.ctx.desk.reprint(number), done)

    def _typed(self, text: str) -> None:
        if len(text.strip()) >= MIN_SEARCH and "*" not in text:
            self._search_timer.start()
        else:
            self._stop_search()

    def _stop_search(self) -> None:
        self._search_timer.stop()
        self._search_gen += 1
        self._hide_results()

    def _search(self) -> None:
        query = self.input.text().strip()
        if len(query) < MIN_SEARCH:
            return
        self._search_gen += 1
        gen = self._search_gen

        def found(items: list[OpenItemView]) -> None:
            if gen == self._search_gen and self.input.text().strip() == query:
                self._show_results(items)

        self._call(lambda: self.ctx.desk.search_open_items(query), found, lambda _r: None)

    def _show_results(self, items: list[OpenItemView]) -> None:
        self._results = list(items)
        self.results.clear()
        for item in items:
            status = "" if item.status == "open" else f"  [{item.status.upper()}]"
            self.results.addItem(
                f"{item.ref}   {item.name}   {item.address}   {item.still_due} due{status}"
            )
        self.results.setVisible(bool(items))

    def _hide_results(self) -> None:
        self._results = []
        self.results.clear()
        self.results.hide()

    def _enter_results(self) -> None:
        if self._results:
            self.results.setCurrentRow(0)
            self.results.setFocus()

    def _choose_result(self) -> None:
        row = self.results.currentRow()
        if 0 <= row < len(self._results):
            item = self._results[row]
            self.input.clear()
            self._stop_search()
            self._focus_input()
            if self.result is not None:
                self.next_customer()
            self._add_open_item(item)

    # -- keys on the widgets -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.input:
            return self._input_key(key)
        if watched is self.results:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose_result()
                return True
            if key == Qt.Key.Key_Escape or (
                key == Qt.Key.Key_Up and self.results.currentRow() <= 0
            ):
                self._focus_input()
                return True
            return False
        if watched is self.table:
            if key == Qt.Key.Key_Delete:
                self.remove_current()
                return True
            if key == Qt.Key.Key_Escape:
                self._focus_input()
                return True
            return False
        if watched in (self.prompt_amount, self.prompt_qty, self.prompt_yes):
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._answer_prompt()
                return True
            if key == Qt.Key.Key_Escape:
                self._close_prompt()
                return True
        return False

    def _input_key(self, key: int) -> bool:
        empty = not self.input.text()
        if key == Qt.Key.Key_Down and self.results.isVisible() and self._results:
            self._enter_results()
            return True
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self._move_current(1 if key == Qt.Key.Key_Down else -1)
            return True
        if key == Qt.Key.Key_Delete and empty:
            self.remove_current()
            return True
        if key == Qt.Key.Key_Escape:
            if not empty:
                self.input.clear()
                self._stop_search()
            elif self.result is not None:
                self.next_customer()
            elif self.lines:
                self._ask_yes("Drop this sale and clear every line and tender?", self.drop_sale)
            return True
        return False

    # -- the prompt (an amount, a quantity, a yes) -------------------------------------------

    def _open_prompt(self, question: str, field: QWidget, answer: Callable[[], bool]) -> None:
        self.prompt_label.setText(question)
        for widget in (self.prompt_amount, self.prompt_qty, self.prompt_yes):
            widget.setVisible(widget is field)
        self.prompt_no.setText("Cancel (Esc)" if field is not self.prompt_yes else "No (Esc)")
        self._prompt_answer = answer
        self.prompt.show()
        field.setFocus()
        if isinstance(field, QLineEdit):
            field.selectAll()

    def _ask_money(
        self, question: str, initial: Money | None, then: Callable[[Money], None]
    ) -> None:
        self.prompt_amount.set_money(initial)

        def answer() -> bool:
            amount = self.prompt_amount.money()
            if amount is None or not amount.is_positive():
                self.ctx.show_error("Key an amount of more than 0.00, or Esc to cancel.")
                return False
            then(amount)
            return True

        self._open_prompt(question, self.prompt_amount, answer)

    def _ask_qty(self, question: str, initial: int, then: Callable[[int], None]) -> None:
        self.prompt_qty.setText(str(initial))

        def answer() -> bool:
            text = self.prompt_qty.text()
            if not text or not 1 <= int(text) <= 9999:
                self.ctx.show_error("Key a quantity from 1 to 9999, or Esc to cancel.")
                return False
            then(int(text))
            return True

        self._open_prompt(question, self.prompt_qty, answer)

    def _ask_yes(self, question: str, then: Callable[[], None]) -> None:
        def answer() -> bool:
            then()
            return True

        self._open_prompt(question, self.prompt_yes, answer)

    def _answer_prompt(self) -> None:
        answer = self._prompt_answer
        if answer is None:
            return
        focus_before = self.focusWidget()
        if answer():
            # the answer may have opened the next question; close only the one answered
            if self._prompt_answer is answer:
                self._close_prompt()
        elif focus_before is not None:
            focus_before.setFocus()

    def _close_prompt(self, *, focus: bool = True) -> None:
        self._prompt_answer = None
        self.prompt.hide()
        self.prompt_amount.clear()
        self.prompt_qty.clear()
        if focus:
            self._focus_input()

    # -- lines -------------------------------------------------------------------------------

    def _add_open_item(self, item: OpenItemView) -> None:
        for line in self.lines:
            if line.ref == item.ref:
                self.ctx.show_error(f"{item.ref} is already on this sale (F4 changes the amount).")
                self._select_key(line.key)
                return
        fee = self.fees.get(item.revenue_code)
        what = fee.description if fee else item.program.title()
        line = new_line(
            description=f"{item.name} — {what}",
            ref=item.ref,
            amount=item.still_due,
            still_due=item.still_due,
        )
        self._apply(lambda lines: [*lines, line], line.key)

    def _add_fee(self, code: str, qty: int | None) -> None:
        fee = self.fees.get(code)
        if fee is None:
            self._lookups += 1

            def loaded() -> None:
                self._lookups -= 1
                if code in self.fees:
                    self._add_fee(code, qty)
                else:
                    self.ctx.show_error(f"There is no revenue code {code!r}.")
                self._ready()

            self._load_fees(loaded)
            return
        if fee.fee_type == "open":
            if qty is not None:
                self.ctx.show_error(f"{fee.description} is keyed as one amount, not a quantity.")
                return
            self._ask_money(
                f"Amount for {fee.description} ({fee.code})",
                None,
                lambda amount: self._append(
                    new_line(description=fee.description, code=fee.code, amount=amount)
                ),
            )
            return
        if fee.fee_type == "per_unit" and qty is None:
            self._ask_qty(
                f"How many? {fee.description} ({fee.amount} each)",
                1,
                lambda n: self._add_counted(fee, n),
            )
            return
        self._add_counted(fee, qty or 1)

    def _add_counted(self, fee: Fee, qty: int) -> None:
        for line in self.lines:
            if line.code == fee.code and line.ref is None:
                more = replace(line, qty=line.qty + qty)
                self._apply(_replacing(more), more.key)
                return
        self._append(
            new_line(
                description=fee.description,
                code=fee.code,
                fee_type=fee.fee_type,
                unit=fee.amount,
                qty=qty,
            )
        )

    def _append(self, line: SaleLine) -> None:
        self._apply(lambda lines: [*lines, line], line.key)

    def current_line(self) -> SaleLine | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.lines):
            return self.lines[row]
        return self.lines[-1] if self.lines else None

    def _move_current(self, step: int) -> None:
        if not self.lines:
            return
        row = self.table.currentRow()
        row = len(self.lines) - 1 if row < 0 else max(0, min(len(self.lines) - 1, row + step))
        self.table.setCurrentCell(row, COL_DESC)

    def _select_key(self, key: int | None) -> None:
        for row, line in enumerate(self.lines):
            if line.key == key:
                self.table.setCurrentCell(row, COL_DESC)
                return

    def remove_current(self) -> None:
        if self.result is not None or self._selling:
            return
        line = self.current_line()
        if line is None:
            return
        row = self.lines.index(line)
        after = self.lines[row + 1] if row + 1 < len(self.lines) else None
        before = self.lines[row - 1] if row > 0 else None
        keep = after or before
        self._apply(
            lambda lines: [x for x in lines if x.key != line.key], keep.key if keep else None
        )

    def edit_qty(self) -> None:
        if self.result is not None or self._selling:
            return
        line = self.current_line()
        if line is None:
            self.ctx.show_error("Ring up an item first.")
            return
        if not line.qty_editable:
            self.ctx.show_error(f"{line.description} has no quantity; F4 changes the amount.")
            return
        self._ask_qty(
            f"Quantity for {line.description}",
            line.qty,
            lambda n: self._apply(_replacing(replace(line, qty=n)), line.key),
        )

    def edit_amount(self) -> None:
        if self.result is not None or self._selling:
            return
        line = self.current_line()
        if line is None:
            self.ctx.show_error("Ring up an item first.")
            return
        if not line.amount_editable:
            self.ctx.show_error(
                f"The fee for {line.description} is set at {line.unit}; F3 changes the quantity."
            )
            return
        due = f" ({line.still_due} due)" if line.still_due is not None else ""
        self._ask_money(
            f"Amount for {line.ref or line.description}{due}",
            line.amount,
            lambda amount: self._apply(_replacing(replace(line, amount=amount)), line.key),
        )

    def _cell_edited(self, cell: QTableWidgetItem) -> None:
        row, col = cell.row(), cell.column()
        if not 0 <= row < len(self.lines):
            return
        line = self.lines[row]
        text = cell.text().strip()
        if col == COL_QTY and line.qty_editable:
            if text.isdigit() and 1 <= int(text) <= 9999:
                self._apply(_replacing(replace(line, qty=int(text))), line.key)
                return
            self.ctx.show_error("A quantity is a whole number from 1 to 9999.")
        elif col == COL_AMOUNT and line.amount_editable:
            try:
                amount = Money.parse(text)
            except ValueError:
                amount = None
            if amount is not None and amount.is_positive():
                self._apply(_replacing(replace(line, amount=amount)), line.key)
                return
            self.ctx.show_error('An amount is written like "12.30" and is more than 0.00.')
        self._render_lines()

    # -- quoting: every change is checked by the Desk before it shows -------------------------

    def _apply(self, change: Change, select: int | None = None) -> None:
        self._changes.append((change, select))
        if not self._quoting:
            self._next_change()

    def _next_change(self) -> None:
        while self._changes:
            change, select = self._changes.popleft()
            proposed = change(list(self.lines))
            if proposed is not None:
                self._quote(proposed, select)
                return
        self._quoting = False
        self._ready()

    def _quote(self, proposed: list[SaleLine], select: int | None) -> None:
        requests = [line.request() for line in proposed]
        self._quoting = True
        gen = self._gen

        def quoted(total: Money) -> None:
            if gen == self._gen:  # else the customer was cleared meanwhile
                self.lines = proposed
                self.total = total
                self._render_lines()
                self._select_key(select)
                self._show_total()
            self._next_change()

        def refused(refusal: Refusal) -> None:
            if gen == self._gen:
                self.ctx.show_refusal(refusal)
                self._render_lines()
            self._next_change()

        self._call(lambda: self.ctx.desk.quote(requests), quoted, refused, self._render_then_next)

    def _render_then_next(self) -> None:
        self._render_lines()
        self._next_change()

    def _render_lines(self) -> None:
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self.lines))
            for row, line in enumerate(self.lines):
                cells = (
                    (line.description, False),
                    (line.ref or line.code or "", False),
                    (str(line.qty), line.qty_editable and self.result is None),
                    (str(line.line_amount()), line.amount_editable and self.result is None),
                )
                for col, (text, editable) in enumerate(cells):
                    cell = QTableWidgetItem(text)
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    if editable:
                        flags |= Qt.ItemFlag.ItemIsEditable
                    cell.setFlags(flags)
                    if col in (COL_QTY, COL_AMOUNT):
                        cell.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                    if col == COL_AMOUNT and line.still_due is not None:
                        cell.setToolTip(f"{line.still_due} due")
                    self.table.setItem(row, col, cell)
        finally:
            self.table.blockSignals(False)

    def _show_total(self) -> None:
        self.total_label.setText(f"TOTAL {self.total}")
        self.tender.set_total(self.total)

    def _tenders_changed(self) -> None:
        if self.tender.covered() and self.tender.pending is None:
            self._focus_input()

    # -- finishing ---------------------------------------------------------------------------

    def _ready(self) -> None:
        """After each Desk answer: finish the sale if Enter/F10 came while one was out."""
        if self._finish_when_ready and not self._quoting and not self._lookups:
            self._finish_when_ready = False
            self.finish()

    def finish(self) -> None:
        """Enter (in an empty input) or F10: post the sale when the tenders cover the total;
        after a posted sale, Enter is the next customer."""
        if self.result is not None:
            self.next_customer()
            return
        if self._selling or self._prompt_answer is not None:
            return
        if self._quoting or self._lookups:
            self._finish_when_ready = True
            return
        if not self.lines:
            return
        if not self.tender.covered():
            self.ctx.show_error(
                f"{self.tender.remaining()} is still due: take a tender (F5 cash, F6 check, "
                "F7 money order, F8 card, F9 exact cash)."
            )
            return
        items = [line.request() for line in self.lines]
        tenders = self.tender.requests()
        self._selling = True
        self.tender.setEnabled(False)
        self._call(
            lambda: self.ctx.desk.sale(items, tenders),
            self._sold,
            self._sale_refused,
            self._sale_failed,
        )

    def _sold(self, result: SaleResult) -> None:
        self._selling = False
        self.result = result
        self.tender.close_entry(focus=False)
        self.change_label.setText(f"Change due\n{result.change}")
        self.receipt_label.setText(f"Receipt {result.receipt}")
        self.print_note.setVisible(not result.printed)
        self.side.setCurrentIndex(1)
        self._render_lines()
        if result.printed and not result.after_commit:
            self.ctx.show_info(
                f"Receipt {result.receipt} posted: {result.total}, change {result.change}."
            )
        else:  # saved, with something after the commit left to do: never take it again
            self.tender.clear()
            later = ", printing later" if not result.printed else ""
            trouble = f"; {result.after_commit}" if result.after_commit else ""
            say = self.ctx.show_error if result.after_commit else self.ctx.show_info
            say(f"Saved — {result.receipt}{later}{trouble}.")
        self._focus_input()

    def _sale_refused(self, refusal: Refusal) -> None:
        self.ctx.show_refusal(refusal)
        self._sale_failed()

    def _sale_failed(self) -> None:
        self._selling = False
        self.tender.setEnabled(True)
        self._focus_input()

    def drop_sale(self) -> None:
        """Esc, yes: this customer's lines and tenders go; nothing was posted."""
        self._clear()
        self.ctx.show_info("The sale was dropped; nothing was posted.")

    def next_customer(self) -> None:
        self._clear()

    def _clear(self) -> None:
        if self._selling:
            return
        self.result = None
        self._gen += 1
        self._changes.clear()
        self._finish_when_ready = False
        self.lines = []
        self.total = Money(0)
        self.tender.setEnabled(True)
        self.tender.clear()
        self.side.setCurrentIndex(0)
        self._close_prompt(focus=False)
        self.input.clear()
        self._stop_search()
        self._render_lines()
        self._show_total()
        self._focus_input()


def _replacing(new: SaleLine) -> Change:
    """A change that puts ``new`` in place of the line with its key (gone → no change)."""

    def change(lines: list[SaleLine]) -> list[SaleLine] | None:
        for i, line in enumerate(lines):
            if line.key == new.key:
                lines[i] = new
                return lines
        return None

    return change
