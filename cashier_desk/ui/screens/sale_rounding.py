"""The sale screen's cash rounding (programs.md, "Cash rounding"; issue 14, item 5).

Nothing is rounded here: when the counter rounds cash (``[policy] cash_rounding`` above a
cent), each quote of the lines is followed by the Desk's quote of them paid in cash
(``quote(items, tender="cash")``), and the screen shows what that gives:

- before any tender, a line over the total reads ``In cash: 10.00 (the Desk's cash
  rounding)``, and F5, F9 and Ctrl+1..5 start from the cash total;
- once the tenders taken are all cash, the Desk's ``Cash rounding`` line shows under the lines
  (a read-only row, not one of the sale's lines) and the total and what is still due are the
  Desk's cash total;
- with a check, money order or card among the tenders the Desk rounds only the cash rest when
  the sale is posted (its receipt shows the line); the screen shows the unrounded total then.
"""

from __future__ import annotations

from cashier_desk.desk import Quote
from cashier_desk.money import Money
from cashier_desk.ui.qt import QLabel, Qt, QTableWidgetItem, QVBoxLayout
from cashier_desk.ui.screens.sale_base import SaleBase
from cashier_desk.ui.screens.sale_lines import COL_AMOUNT, COL_DESC, COLUMNS

ROUNDING = "Cash rounding"


class SaleRounding(SaleBase):
    """The cash total and the Cash rounding row of the sale screen."""

    _cash_total: Money | None = None  # the Desk's total of the lines paid wholly in cash
    _cash_line: Money | None = None  # its Cash rounding line (None: it makes none)
    _cash_gen: int = 0
    cash_total_label: QLabel

    def _install_cash_rounding(self, layout: QVBoxLayout) -> None:
        """The cash total's line, over the total in ``layout`` (the screen's left side)."""
        self.cash_total_label = QLabel()
        self.cash_total_label.setObjectName("saleCashTotal")
        self.cash_total_label.setAccessibleName("The total paid in cash, as the Desk rounds it")
        self.cash_total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.cash_total_label.setWordWrap(True)
        self.cash_total_label.hide()
        layout.insertWidget(layout.indexOf(self.total_label), self.cash_total_label)
        self.tender.changed.connect(self._cash_tenders_changed)

    def _rounds_cash(self) -> bool:
        return self.ctx.config.cash_rounding.cents > 1

    def _lines_quoted(self) -> None:
        """After each quote of the lines: ask the Desk what they come to paid in cash."""
        self._cash_gen += 1
        self._cash_total = self._cash_line = None
        if not self._rounds_cash() or not self.lines:
            return
        gen, cash_gen = self._gen, self._cash_gen
        requests = [line.request() for line in self.lines]
        self._lookups += 1  # Enter waits for the answer: the sale is posted as it says

        def quoted(quote: Quote) -> None:
            self._lookups -= 1
            if gen == self._gen and cash_gen == self._cash_gen:
                made = [line.amount for line in quote.lines if line.item == len(requests)]
                self._cash_total = quote.total
                self._cash_line = made[0] if made else None
                self._render_lines()
                self._show_total()
            self._ready()

        def failed() -> None:  # the lines were quoted: shown unrounded, the Desk rounds
            self._lookups -= 1
            self._ready()

        desk = self.ctx.desk
        self._call(lambda: desk.quote(requests, tender="cash"), quoted, lambda _r: failed(), failed)

    def _cash_tenders_changed(self) -> None:
        if self._cash_line is not None:
            self._render_lines()
            self._show_total()

    def rounding_shown(self) -> Money | None:
        """The Cash rounding line the screen shows: the tenders taken are all cash."""
        if self.lines and self._cash_line is not None and self.tender.all_cash():
            return self._cash_line
        return None

    def _render_lines(self) -> None:
        super()._render_lines()
        rounding = self.rounding_shown()
        if rounding is None:
            return
        row = len(self.lines)
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(row + 1)
            for col in range(len(COLUMNS)):
                text = {COL_DESC: ROUNDING, COL_AMOUNT: str(rounding)}.get(col, "")
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled)  # not a line: never chosen or edited
                if col == COL_AMOUNT:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, cell)
        finally:
            self.table.blockSignals(False)

    def _show_total(self) -> None:
        cash = self._cash_total if self.lines else None
        self.tender.set_total(self.total, cash)
        rounded = cash is not None and cash != self.total
        shown = rounded and self.rounding_shown() is not None
        self.total_label.setText(f"TOTAL {cash if shown else self.total}")
        before = rounded and not self.tender.tenders
        self.cash_total_label.setText(
            f"In cash: {cash} (the Desk's cash rounding)" if before else ""
        )
        self.cash_total_label.setVisible(before)
