"""The lines of the sale screen: adding revenue codes and open items, F3 quantity, F4 amount,
Delete, edits in the table — each change quoted by the Desk before it shows, so the lines on
screen are always lines the Desk would take (a refused change leaves them as they were)."""

from __future__ import annotations

from dataclasses import replace

from cashier_desk.desk import OpenItemView, Quote
from cashier_desk.errors import Refusal
from cashier_desk.money import Money, MoneyError
from cashier_desk.ui.qt import Qt, QTableWidgetItem
from cashier_desk.ui.screens.sale_base import SaleBase
from cashier_desk.ui.screens.sale_lines import (
    COL_AMOUNT,
    COL_DESC,
    COL_QTY,
    Change,
    Fee,
    SaleLine,
    new_line,
    replacing,
)
from cashier_desk.ui.widgets.money import over_maximum, too_many_decimals

FORM_PRICED = "{} is priced from its form: Delete removes it, and its form adds it again."


class SaleEditing(SaleBase):
    """The lines of one customer's sale and the Desk's quote of them."""

    _payer_keyed: bool  # the cashier typed the payer: the lines no longer change it

    # -- lines -------------------------------------------------------------------------------

    def _add_open_item(self, item: OpenItemView) -> None:
        for line in self.lines:
            if line.ref == item.ref:
                self.ctx.show_error(f"{item.ref} is already on this sale (F4 changes the amount).")
                self._select_key(line.key)
                return
        fee = self.fees.get(item.revenue_code)
        what = fee.description if fee else item.program.title()
        if item.certified_funds_only:  # a check tender for it is refused (programs.md)
            what += " — certified funds only"
        line = new_line(
            description=f"{item.name} — {what}",
            ref=item.ref,
            payer=item.name,
            amount=None,  # the whole of it, as the Desk prices it (a citation's penalties too)
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
            self.prompt.ask_money(
                f"Amount for {fee.description} ({fee.code})",
                None,
                lambda amount: self._append(
                    new_line(description=fee.description, code=fee.code, amount=amount)
                ),
            )
            return
        if fee.fee_type == "per_unit" and qty is None:
            self.prompt.ask_qty(
                f"How many? {fee.description} ({fee.amount} each)",
                1,
                lambda n: self._add_counted(fee, n),
            )
            return
        self._add_counted(fee, qty or 1)

    def _add_counted(self, fee: Fee, qty: int) -> None:
        for line in self.lines:
            if line.code == fee.code and line.ref is None and line.program is None:
                more = replace(line, qty=line.qty + qty)
                self._apply(replacing(more), more.key)
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
        if line.program is not None:
            self.ctx.show_error(FORM_PRICED.format(line.description))
            return
        if not line.qty_editable:
            self.ctx.show_error(f"{line.description} has no quantity; F4 changes the amount.")
            return
        self.prompt.ask_qty(
            f"Quantity for {line.description}",
            line.qty,
            lambda n: self._apply(replacing(replace(line, qty=n)), line.key),
        )

    def edit_amount(self) -> None:
        if self.result is not None or self._selling:
            return
        line = self.current_line()
        if line is None:
            self.ctx.show_error("Ring up an item first.")
            return
        if line.program is not None:
            self.ctx.show_error(FORM_PRICED.format(line.description))
            return
        if not line.amount_editable:
            self.ctx.show_error(
                f"The fee for {line.description} is set at {line.unit}; F3 changes the quantity."
            )
            return
        due = f" ({line.still_due} due)" if line.still_due is not None else ""
        self.prompt.ask_money(
            f"Amount for {line.ref or line.description}{due}",
            line.amount,
            lambda amount: self._apply(replacing(replace(line, amount=amount)), line.key),
        )

    def _cell_edited(self, cell: QTableWidgetItem) -> None:
        row, col = cell.row(), cell.column()
        if not 0 <= row < len(self.lines):
            return
        line = self.lines[row]
        text = cell.text().strip()
        if col == COL_QTY and line.qty_editable:
            if text.isdigit() and 1 <= int(text) <= 9999:
                self._apply(replacing(replace(line, qty=int(text))), line.key)
                return
            self.ctx.show_error("A quantity is a whole number from 1 to 9999.")
        elif col == COL_AMOUNT and line.amount_editable:
            try:
                amount: Money | None = Money.parse(text)
            except MoneyError as exc:
                amount = None
                if "decimals" in str(exc):
                    self.ctx.show_error(too_many_decimals(text))
                    self._render_lines()
                    return
            limit = self.ctx.config.max_amount
            if amount is not None and amount > limit:
                self.ctx.show_error(over_maximum("The amount", amount, limit))
                self._render_lines()
                return
            if amount is not None and amount.is_positive():
                self._apply(replacing(replace(line, amount=amount)), line.key)
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

        def quoted(quote: Quote | None) -> None:
            if gen == self._gen:  # else the customer was cleared meanwhile
                if quote is None:  # the last line taken away: nothing to price
                    self.lines, self.total = [], Money(0)
                else:
                    self.lines = [_priced(line, quote, n) for n, line in enumerate(proposed)]
                    self.total = quote.total
                self._default_payer()
                self._render_lines()
                self._select_key(select)
                self._show_total()
                self._lines_quoted()
            self._next_change()

        def refused(refusal: Refusal) -> None:
            if gen == self._gen:
                self.ctx.show_refusal(refusal)
                self._render_lines()
            self._next_change()

        desk = self.ctx.desk
        self._call(
            lambda: desk.quote(requests) if requests else None,
            quoted,
            refused,
            self._render_then_next,
        )

    def _render_then_next(self) -> None:
        self._render_lines()
        self._next_change()

    def _render_lines(self) -> None:
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self.lines))
            for row, line in enumerate(self.lines):
                cells = (
                    (line.shown_description(), False),
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

    def _default_payer(self) -> None:
        """The payer is the name on the first open item of the sale, until the cashier keys
        another."""
        if not self._payer_keyed:
            names = [line.payer for line in self.lines if line.payer]
            self.payer.setText(names[0] if names else "")


def _priced(line: SaleLine, quote: Quote, n: int) -> SaleLine:
    """The ``n``-th line as quoted, with the Desk's lines it makes when it makes several; an
    open item added without an amount pays what the Desk priced (all that is due, a
    citation's penalties too)."""
    amount = quote.item_amount(n)
    made = [(p.description, p.amount) for p in quote.lines if p.item == n]
    parts = tuple(made) if len(made) > 1 else ()
    if line.ref is not None and line.amount is None:
        return replace(line, priced=amount, amount=amount, parts=parts)
    return replace(line, priced=amount, parts=parts)
