"""Receipt research (Ctrl+F): find receipts by number, date, payer or amount, read one as it
was printed, reprint it (Ctrl+R) or void it (Ctrl+Shift+V, with a lead's override).

Enter in any search field searches with everything typed so far and moves the cursor to the
results; Enter on a result shows that receipt; Esc in the results goes back to the search.
"""

from __future__ import annotations

from dataclasses import dataclass

from cashier_desk.desk import is_iso_date
from cashier_desk.devices.receipt import COLUMNS, build_receipt
from cashier_desk.events import PrintFinished, ReceiptPosted
from cashier_desk.ledger.receipts import ReceiptSummary, ReceiptView
from cashier_desk.money import Money
from cashier_desk.ui.bridge import DAY_CHANGES
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QAbstractItemView,
    QFont,
    QFontMetrics,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPlainTextEdit,
    QShortcut,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.widgets.money import MoneyEdit

HEADERS = ("Receipt", "Date", "Payer", "Total", "Status")


@dataclass(frozen=True)
class Search:
    """What the person searched for (None: any)."""

    number: str | None
    business_date: str | None
    payer: str | None
    total: Money | None


def status_text(summary: ReceiptSummary) -> str:
    flags = ["VOID"] if summary.voided else []
    flags.append("printed" if summary.printed else "not printed")
    return ", ".join(flags)


class ReceiptSearchScreen(Screen):
    name = "receipts"
    title = "Find receipt"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self._criteria: Search | None = None
        self._shown: str | None = None
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        outer.addLayout(left, 3)
        heading = QLabel("Find receipt")
        heading.setObjectName("receiptsHeading")
        heading.setAccessibleName("Find receipt")
        left.addWidget(heading)
        form = QFormLayout()
        self.number = self._search_field(form, "Receipt number", "searchNumber")
        self.date = self._search_field(form, "Date (YYYY-MM-DD)", "searchDate")
        self.date.setPlaceholderText("empty: today")
        self.payer = self._search_field(form, "Payer", "searchPayer")
        self.total = MoneyEdit("Total")
        self._search_field(form, "Total", "searchTotal", self.total)
        left.addLayout(form)
        hint = QLabel(
            "Enter searches.  In the results: Enter shows the receipt, Ctrl+R reprints it, "
            "Ctrl+Shift+V voids it (a lead approves), Esc goes back to the search."
        )
        hint.setObjectName("receiptsHint")
        hint.setAccessibleName("Keys")
        hint.setWordWrap(True)
        left.addWidget(hint)
        self.count = QLabel("")
        self.count.setObjectName("receiptCount")
        self.count.setAccessibleName("Receipts found")
        left.addWidget(self.count)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("receiptResults")
        self.table.setAccessibleName("Receipts found")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the payer and the status take what is left, on more lines when they need them
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(self._row_activated)
        left.addWidget(self.table, 1)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.table)
        back.setContext(Qt.ShortcutContext.WidgetShortcut)
        back.activated.connect(self._back_to_search)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("receiptDetail")
        self.detail.setAccessibleName("The receipt as printed")
        self.detail.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.detail.setFont(mono)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.detail.ensurePolished()
        # a receipt line whole, no wider: the results keep the rest of the screen
        line = QFontMetrics(self.detail.font()).horizontalAdvance("0" * ctx.desk.receipt_columns())
        bar = self.detail.verticalScrollBar().sizeHint().width()
        self.detail.setMinimumWidth(line + bar + 2 * self.detail.frameWidth() + 12)
        outer.addWidget(self.detail)
        changes = (*DAY_CHANGES, PrintFinished, ReceiptPosted)
        ctx.bridge.on_any(changes, lambda _event: self._desk_changed())

    def _search_field(
        self, form: QFormLayout, label: str, name: str, edit: QLineEdit | None = None
    ) -> QLineEdit:
        field = edit if edit is not None else QLineEdit()
        field.setObjectName(name)
        field.setAccessibleName(label)
        field.returnPressed.connect(self.search)
        form.addRow(label, field)
        return field

    # -- the screen ------------------------------------------------------------------------------

    def activated(self) -> None:
        self.number.setFocus()
        self.number.selectAll()

    def selected_receipt(self) -> str | None:
        """The receipt on the current row of the results (what Ctrl+R and Ctrl+Shift+V act on)."""
        row = self.table.currentRow()
        if row < 0 or not self.table.selectionModel().isRowSelected(row, QModelIndex()):
            return None
        item = self.table.item(row, 0)
        return item.text() if item is not None else None

    def _back_to_search(self) -> None:
        self.number.setFocus()
        self.number.selectAll()

    # -- searching ---------------------------------------------------------------------------------

    def search(self) -> None:
        day = self.date.text().strip()
        if day and not is_iso_date(day):
            self.ctx.show_error(f"{day!r} is not a date like 2026-11-23.")
            self.date.setFocus()
            self.date.selectAll()
            return
        total = self.total.money()
        if self.total.text().strip() and total is None:
            self.ctx.show_error(self.total.problem() or "Key the total like 24.00.")
            self.total.setFocus()
            return
        self._criteria = Search(
            number=self.number.text().strip() or None,
            business_date=day or None,
            payer=self.payer.text().strip() or None,
            total=total,
        )
        self._run_search(move_to_results=True)

    def _run_search(self, *, move_to_results: bool) -> None:
        criteria = self._criteria
        if criteria is None:
            return
        desk = self.ctx.desk

        def find() -> list[ReceiptSummary]:
            return desk.search_receipts(
                number=criteria.number,
                business_date=criteria.business_date,
                payer=criteria.payer,
                total=criteria.total,
            )

        keep = self.selected_receipt()
        self.ctx.run(find, lambda found: self._show_results(found, keep, move_to_results))

    def _show_results(
        self, found: list[ReceiptSummary], keep: str | None, move_to_results: bool
    ) -> None:
        self.table.setRowCount(len(found))
        current = 0
        for row, summary in enumerate(found):
            cells = (
                summary.receipt_no,
                summary.business_date,
                summary.payer,
                str(summary.total),
                status_text(summary),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
            if summary.receipt_no == keep:
                current = row
        self.count.setText(
            "No receipt matches." if not found else f"{len(found)} receipt(s) found."
        )
        if found:
            self.table.selectRow(current)
            if move_to_results:
                self.table.setFocus()
        elif move_to_results:
            self.ctx.show_warning("No receipt matches; change the search and press Enter.")

    def _desk_changed(self) -> None:
        if self.isVisible() and self._criteria is not None:
            self._run_search(move_to_results=False)
            if self._shown is not None:
                self.show_receipt(self._shown)

    # -- one receipt -----------------------------------------------------------------------------

    def _row_activated(self, index: QModelIndex) -> None:
        item = self.table.item(index.row(), 0)
        if item is not None:
            self.show_receipt(item.text())

    def show_receipt(self, receipt_no: str) -> None:
        desk = self.ctx.desk
        self.ctx.run(lambda: desk.receipt(receipt_no), self._show_detail)

    def _show_detail(self, view: ReceiptView | None) -> None:
        if view is None:
            self.detail.setPlainText("That receipt is not in the ledger.")
            self._shown = None
            return
        self._shown = view.receipt_no
        config = self.ctx.config
        columns = self.ctx.desk.receipt_columns()
        doc = build_receipt(
            view,
            city=config.city,
            address=config.address,
            columns=columns if columns in COLUMNS else COLUMNS[0],
            timezone=config.timezone,
        )
        head = f"Receipt {view.receipt_no} — session {view.session_id}"
        if view.voided:
            head += f" — VOID (approved by {view.void_approver})"
        self.detail.setPlainText(head + "\n\n" + doc.as_text())
