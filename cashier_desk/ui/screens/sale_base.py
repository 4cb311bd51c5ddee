"""What the parts of the sale screen share: its state, its widgets, and how it calls the Desk.

The sale screen is made of three parts, each a class of its own file: the lines and their
quoting (``sale_edit``), the input with scans, search and the prompt (``sale_input``), and the
screen itself with its tenders and the finished sale (``sale``).  This base declares what they
use of each other.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from cashier_desk.desk import OpenItemView, SaleResult
from cashier_desk.errors import Refusal
from cashier_desk.money import Money
from cashier_desk.ui.qt import QLabel, QLineEdit, QTableWidget, QTimer
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.screens.sale_lines import Change, Fee, SaleLine
from cashier_desk.ui.widgets.item_results import OpenItemResults
from cashier_desk.ui.widgets.prompt import Prompt
from cashier_desk.ui.widgets.tender import TenderPanel

log = logging.getLogger(__name__)


class SaleBase(Screen):
    """State and widgets of the sale screen (made by ``SaleScreen``) and its Desk calls."""

    lines: list[SaleLine]
    result: SaleResult | None  # the sale just posted, until the next customer
    total: Money
    fees: dict[str, Fee]
    input: QLineEdit
    payer: QLineEdit
    results: OpenItemResults
    prompt: Prompt
    table: QTableWidget
    total_label: QLabel
    tender: TenderPanel
    _changes: deque[tuple[Change, int | None]]
    _quoting: bool
    _lookups: int
    _selling: bool
    _search_gen: int
    _gen: int
    _search_timer: QTimer

    def _call(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_refused: Callable[[Refusal], None] | None = None,
        on_failed: Callable[[], None] | None = None,
    ) -> None:
        """``ctx.run``, with ``on_failed`` also called after a refusal this screen does not
        take itself, so that no flag of this screen stays set when a call comes back empty."""

        def refused(refusal: Refusal) -> None:
            if on_refused is not None:
                on_refused(refusal)
            else:
                self.ctx.show_refusal(refusal)
                if on_failed is not None:
                    on_failed()

        self.ctx.run(fn, on_done, refused, lambda _exc: on_failed() if on_failed else None)

    # -- what each part gives the others ------------------------------------------------------

    def _focus_input(self) -> None:
        self.input.setFocus()

    def _ready(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def next_customer(self) -> None:
        raise NotImplementedError

    def drop_sale(self) -> None:
        raise NotImplementedError

    def _load_fees(self, then: Callable[[], None] | None = None) -> None:
        raise NotImplementedError

    def _add_open_item(self, item: OpenItemView) -> None:
        raise NotImplementedError

    def _add_fee(self, code: str, qty: int | None) -> None:
        raise NotImplementedError

    def _move_current(self, step: int) -> None:
        raise NotImplementedError

    def _apply(self, change: Change, select: int | None = None) -> None:
        raise NotImplementedError

    def remove_current(self) -> None:
        raise NotImplementedError

    def _render_lines(self) -> None:
        raise NotImplementedError

    def _show_total(self) -> None:
        raise NotImplementedError

    def _lines_quoted(self) -> None:
        """After the lines were quoted and shown (``sale_rounding`` asks the cash total)."""
