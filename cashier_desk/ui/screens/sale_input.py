"""The input of the sale screen: Enter and scans resolved by the Desk (a bill, a fee code, a
receipt), the open items found as the cashier types (↓ into the list, Enter adds), and the keys
on the screen's widgets."""

from __future__ import annotations

from cashier_desk.desk import OpenItemView, ScanResult
from cashier_desk.errors import Refusal
from cashier_desk.ids import ReceiptNo
from cashier_desk.ui.qt import QEvent, QKeyEvent, QObject, Qt
from cashier_desk.ui.screens.sale_base import SaleBase
from cashier_desk.ui.screens.sale_lines import split_quantity

SEARCH_DELAY_MS = 150
MIN_SEARCH = 2


class SaleInput(SaleBase):
    """Everything that comes in through the input line, the scanners and the search list."""

    # -- the input: Enter, scans, search as you type -----------------------------------------

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
        self.prompt.close_prompt(focus=False)
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
            if still_there and self.results.items and refusal.code == "unknown_scan":
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
            self.prompt.ask_yes(
                f"Receipt {number} ({result.description}). Reprint it?",
                lambda: self._reprint(number),
            )

    def _reprint(self, number: str) -> None:
        def done(printed: bool) -> None:
            if printed:
                self.ctx.show_info(f"Receipt {number} reprinted (marked REPRINT).")
            else:
                self.ctx.show_warning(
                    f"The reprint of {number} will print when the printer is back."
                )

        self._call(lambda: self.ctx.desk.reprint(ReceiptNo(number)), done)

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
            if gen != self._search_gen or self.input.text().strip() != query:
                return
            code = query.upper()
            if not items and any(fee.startswith(code) for fee in self.fees):
                self._hide_results()  # a fee code being typed: Enter adds it
            else:
                self.results.show_items(query, items)

        self._call(lambda: self.ctx.desk.search_open_items(query), found, lambda _r: None)

    def _hide_results(self) -> None:
        self.results.clear_items()

    def _enter_results(self) -> None:
        self.results.enter()

    def _choose_result(self) -> None:
        item = self.results.current()
        if item is not None:
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
        if watched is self.results.list:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose_result()
                return True
            if key == Qt.Key.Key_Escape or (
                key == Qt.Key.Key_Up and self.results.list.currentRow() <= 0
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
        if watched is self.payer and key in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Escape,
        ):
            self._focus_input()
            return True
        return False

    def _input_key(self, key: int) -> bool:
        empty = not self.input.text()
        if key == Qt.Key.Key_Down and self.results.list.isVisible() and self.results.items:
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
                self.prompt.ask_yes(
                    "Drop this sale and clear every line and tender?", self.drop_sale
                )
            return True
        return False
