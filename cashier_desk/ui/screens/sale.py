"""The sale screen: scan or key, lines, tenders, change due.

One input takes everything: a bill stub or citation (scanned or keyed), a revenue code
(``COPIES*12`` for a quantity), a receipt number (offers a reprint), or the start of a
reference, name or address — matching open items appear below as the cashier types, each with
what is due on it (↓ into the list, Enter adds), or "no match".  The payer recorded on the
receipt is the name on the first open item, unless the cashier keys another (Alt+P).  Scans
from the serial scanner and from a keyboard-wedge scanner take the same path as Enter.  Every
change to the lines is quoted by the Desk before it is shown, so the lines on screen are always
lines the Desk would take; a refused change leaves them as they were and says why.  Tenders are
taken in the tender panel (F5–F9, Ctrl+1..5); Enter or F10 posts the sale; the change due and
the receipt number then fill the side of the screen until Enter (or F2) starts the next
customer.

Keys: Enter resolve / finish / next customer · ↑↓ choose a line · F3 quantity · F4 amount ·
Delete remove a line · Esc clear the input or drop the sale · F5 cash · F6 check · F7 money order
· F8 card · F9 exact cash · Ctrl+1..5 quick cash · F10 finish · F2 next customer · Alt+P the
payer (Enter or Esc back to the input) · Alt+T contest · Alt+N payment plan (``sale_programs``)
· Alt+H TOT return · Alt+B business licence · Alt+A animal licence · Alt+K parking permit
(``sale_program_forms``).
With ``[policy] cash_rounding``, the Desk's cash total and Cash rounding line (``sale_rounding``).

The parts: ``sale_lines`` (the lines as data), ``sale_base`` (what the parts share, Desk calls),
``sale_edit`` (lines and quoting), ``sale_input`` (input, scans, search, keys) and this screen
(its widgets, the payer, tenders and the finished sale).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from cashier_desk.desk import SaleResult
from cashier_desk.devices.model import Scanned
from cashier_desk.errors import Refusal
from cashier_desk.events import DrawerOpened, ReferenceDataChanged, UserChanged
from cashier_desk.money import Money
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QAbstractItemView,
    QFontMetrics,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from cashier_desk.ui.screens.sale_edit import SaleEditing
from cashier_desk.ui.screens.sale_input import SEARCH_DELAY_MS, SaleInput
from cashier_desk.ui.screens.sale_lines import (
    COL_AMOUNT,
    COL_DESC,
    COL_QTY,
    COL_REF,
    COLUMNS,
    Change,
    Fee,
    SaleLine,
    split_quantity,
)
from cashier_desk.ui.screens.sale_program_forms import SaleProgramForms, issued_text
from cashier_desk.ui.screens.sale_programs import SalePrograms
from cashier_desk.ui.screens.sale_rounding import SaleRounding
from cashier_desk.ui.wedge import WedgeDetector
from cashier_desk.ui.widgets.item_results import OpenItemResults
from cashier_desk.ui.widgets.money import limit_amounts
from cashier_desk.ui.widgets.prompt import Prompt
from cashier_desk.ui.widgets.tender import TenderPanel

__all__ = ["SaleLine", "SaleScreen", "split_quantity"]

INPUT_CHROME = 30  # the input's frame and padding (resources/style.qss)
NOT_PRINTED = (
    "The printer is not ready: the receipt is saved and will print by itself when the "
    "printer is back."
)


class SaleScreen(SalePrograms, SaleProgramForms, SaleRounding, SaleEditing, SaleInput):
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
        self._payer_keyed = False
        self._user: str | None = None
        self._build()
        self.wedge = WedgeDetector(parent=self)
        self.wedge.watch(
            self.input,
            self.results.list,
            self.table,
            *self.prompt.fields,
            self.payer,
            *self.tender.fields,
            self.tender.list,
        )
        self.wedge.scanned.connect(self.scan)
        ctx.bridge.on(Scanned, lambda event: self._serial_scan(event.code))
        ctx.bridge.on(UserChanged, self._user_changed)
        ctx.bridge.on(ReferenceDataChanged, lambda _event: self._load_fees())
        ctx.bridge.on(DrawerOpened, lambda _event: self._drawer_opened())

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
        hint.setWordWrap(True)
        left.addWidget(hint)
        self.input = QLineEdit()
        self.input.setObjectName("saleInput")
        self.input.setAccessibleName("Scan or key a reference, code, receipt, name or address")
        self.input.setPlaceholderText("UB-100234 · COPIES*12 · a name or address")
        self.input.setMaxLength(128)
        self.input.ensurePolished()  # its hint shows whole, whatever the tender panel needs
        hint_width = QFontMetrics(self.input.font()).horizontalAdvance(self.input.placeholderText())
        self.input.setMinimumWidth(hint_width + INPUT_CHROME)
        hint.setBuddy(self.input)
        left.addWidget(self.input)

        self.prompt = Prompt("salePrompt")
        self.prompt.problem.connect(self.ctx.show_error)
        self.prompt.closed.connect(self._prompt_closed)
        left.addWidget(self.prompt)

        self.results = OpenItemResults()
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
        # a long description wraps onto a second line rather than being cut short
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._cell_edited)
        left.addWidget(self.table, 1)
        self._build_item_status(left)

        self.keys = QLabel(
            "Enter add · ↑↓ choose a line · F3 quantity · F4 amount · Delete remove line · "
            "Esc clear / drop the sale · Alt+T contest · Alt+N payment plan · Alt+H TOT return · "
            "Alt+B business licence · Alt+A animal licence · Alt+K parking permit"
        )
        self.keys.setObjectName("saleKeys")
        self.keys.setAccessibleName("Sale keys")
        self.keys.setWordWrap(True)
        left.addWidget(self.keys)

        payer_row = QHBoxLayout()
        payer_label = QLabel("&Payer")
        payer_label.setObjectName("salePayerLabel")
        payer_label.setAccessibleName("Payer (Alt+P)")
        payer_row.addWidget(payer_label)
        self.payer = QLineEdit()
        self.payer.setObjectName("salePayer")
        self.payer.setAccessibleName("Payer: the name on the receipt")
        self.payer.setPlaceholderText("the name on the bill, or who pays")
        self.payer.setMaxLength(120)
        self.payer.textEdited.connect(self._payer_edited)
        payer_label.setBuddy(self.payer)
        payer_row.addWidget(self.payer, 1)
        left.addLayout(payer_row)

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
        for widget in (self.input, self.results.list, self.table, self.payer):
            widget.installEventFilter(self)
        self.shortcuts = self.tender.install_shortcuts(self)
        for key, slot in (("F3", self.edit_qty), ("F4", self.edit_amount), ("F10", self.finish)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)
        self._install_program_keys()
        self._install_form_keys()
        self._install_cash_rounding(left)
        limit_amounts(self, self.ctx.config.max_amount)
        self._show_total()

    def _build_done(self) -> QWidget:
        done = QFrame()
        done.setObjectName("saleDone")
        done.setAccessibleName("Sale posted")
        layout = QVBoxLayout(done)
        change_box = QVBoxLayout()  # one green block: the heading over the amount
        change_box.setSpacing(0)
        change_heading = QLabel("Change due")
        change_heading.setObjectName("changeHeading")
        change_heading.setAccessibleName("Change due")
        change_heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        change_box.addWidget(change_heading)
        self.change_label = QLabel()
        self.change_label.setObjectName("changeDue")
        self.change_label.setAccessibleName("Change due")
        self.change_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        change_box.addWidget(self.change_label)
        layout.addLayout(change_box)
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

    def _drawer_opened(self) -> None:
        if self.isVisible():
            self.note.hide()

    def _user_changed(self, event: UserChanged) -> None:
        login = event.login
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

    # -- the payer, the prompt, the tenders -------------------------------------------------

    def _payer_edited(self, text: str) -> None:
        self._payer_keyed = bool(text.strip())  # emptied: the open items' name again
        if not self._payer_keyed:
            self._default_payer()

    def payer_name(self) -> str | None:
        return self.payer.text().strip() or None

    def _prompt_closed(self, focus: bool) -> None:
        if focus:
            self._focus_input()

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
        if self._selling or self.prompt.is_open():
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
        payer = self.payer_name()
        self._selling = True
        self.tender.setEnabled(False)
        self._call(
            lambda: self.ctx.desk.sale(items, tenders, payer),
            self._sold,
            self._sale_refused,
            self._sale_failed,
        )

    def _sold(self, result: SaleResult) -> None:
        self._selling = False
        self.result = result
        self.tender.close_entry(focus=False)
        self.change_label.setText(str(result.change))
        self.receipt_label.setText(f"Receipt {result.receipt}")
        self.print_note.setVisible(not result.printed)
        self.side.setCurrentIndex(1)
        self._render_lines()
        if result.printed and not result.after_commit:
            self.ctx.show_info(
                f"Receipt {result.receipt} posted: {result.total}, change {result.change}."
                + issued_text(result)
            )
        else:  # saved, with something after the commit left to do: never take it again
            self.tender.clear()
            later = ", printing later" if not result.printed else ""
            trouble = f"; {result.after_commit}" if result.after_commit else ""
            say = self.ctx.show_error if result.after_commit else self.ctx.show_warning
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
        self.ctx.show_warning("The sale was dropped; nothing was posted.")

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
        self.prompt.close_prompt(focus=False)
        self.input.clear()
        self.payer.clear()
        self._payer_keyed = False
        self._stop_search()
        self._render_lines()
        self._show_total()
        self._focus_input()
