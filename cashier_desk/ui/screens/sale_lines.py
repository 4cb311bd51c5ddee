"""The lines of a sale as the sale screen holds them: revenue codes (a quantity, or a keyed
amount for an open fee) and payments on open items, each turned into the Desk's request.  No
Qt here: what the screen shows is made from these."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cashier_desk.desk import ItemRequest
from cashier_desk.desk.requests import ProgramRequest
from cashier_desk.money import Money

COLUMNS = ("Description", "Reference", "Qty", "Amount")
COL_DESC, COL_REF, COL_QTY, COL_AMOUNT = range(4)
_QTY_AFTER = re.compile(r"(?P<code>[^*\s][^*]*?)\s*\*\s*(?P<qty>[0-9]{1,4})")
_QTY_BEFORE = re.compile(r"(?P<qty>[0-9]{1,4})\s*\*\s*(?P<code>[^*\s][^*]*)")

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
    fee_type: str = "open"  # of a code line: fixed, per_unit, open (program: a form's item)
    unit: Money | None = None  # the set price of a fixed or per-unit fee
    qty: int = 1
    amount: Money | None = None  # keyed: an open fee's amount or the payment on an open item
    still_due: Money | None = None  # of an open item, when it was added
    payer: str | None = None  # of an open item: the name on it
    priced: Money | None = None  # what the Desk's quote made of it (all the lines it makes)
    # The Desk's lines for it when it makes more than one (a citation's fine and each late
    # penalty; a plan payment's fee, fine and penalty parts): (description, amount).
    parts: tuple[tuple[str, Money], ...] = ()
    key: int = 0
    # A city program's item (a TOT return, a licence, a permit) keyed in its form
    # (ui/dialogs_licences.py): priced by the Desk like the rest, never edited in the table.
    program: ProgramRequest | None = None

    def request(self) -> ItemRequest:
        if self.program is not None:
            return ItemRequest(program=self.program)
        if self.ref is not None:
            return ItemRequest(ref=self.ref, amount=self.amount)
        keyed = self.amount if self.fee_type == "open" else None
        return ItemRequest(code=self.code, qty=self.qty, amount=keyed)

    def shown_description(self) -> str:
        """The description cell: the line's description and, on a second line, the Desk's
        lines it makes when there are several (``Parking citation 50.00 · Late penalty …``)."""
        if not self.parts:
            return self.description
        said = [(self._short(what), amount) for what, amount in self.parts]
        return self.description + "\n" + " · ".join(f"{what} {amount}" for what, amount in said)

    def _short(self, what: str) -> str:
        """A program item's part without the account, period or year its line already names
        (``Transient occupancy tax TOT-0042 2026-Q3`` under ``TOT return TOT-0042 2026-Q3``)."""
        if self.program is None:
            return what
        named = {word.strip(",:") for word in self.description.split()}
        kept = [w for w in what.split() if not (w in named and any(c.isdigit() for c in w))]
        return " ".join(kept) or what

    def line_amount(self) -> Money:
        """What the Desk priced the line at (its quote); nothing is priced here."""
        return self.priced if self.priced is not None else Money(0)

    @property
    def qty_editable(self) -> bool:
        return self.ref is None and self.fee_type in ("fixed", "per_unit")

    @property
    def amount_editable(self) -> bool:
        return self.ref is not None or self.fee_type == "open"


def new_line(**kw: Any) -> SaleLine:
    return SaleLine(key=next(_keys), **kw)


Change = Callable[[list[SaleLine]], list[SaleLine] | None]


def replacing(new: SaleLine) -> Change:
    """A change that puts ``new`` in place of the line with its key (gone → no change)."""

    def change(lines: list[SaleLine]) -> list[SaleLine] | None:
        for i, line in enumerate(lines):
            if line.key == new.key:
                lines[i] = new
                return lines
        return None

    return change
