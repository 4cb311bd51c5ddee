"""The sale screen's keys for the city's program items (issue 15, item 5): Alt+H a TOT return,
Alt+B a business licence, Alt+A an animal licence, Alt+K a parking permit.  Each opens its form
(:mod:`cashier_desk.ui.dialogs_licences`, :mod:`cashier_desk.ui.dialogs_permits`), which shows
the Desk's lines of the item as the cashier types; Enter there adds the item to the sale as one
line of the screen (its parts under its description), quoted with the whole sale like any other
change.  After the sale, the numbers it issued (licences, tags, permits) are said on the banner.
"""

from __future__ import annotations

from cashier_desk.desk import Quote, SaleResult
from cashier_desk.desk.requests import (
    AnimalRequest,
    LicenceRequest,
    PermitRequest,
    ProgramRequest,
    TotRequest,
)
from cashier_desk.ui.qt import QKeySequence, QShortcut, Qt
from cashier_desk.ui.screens.sale_base import SaleBase
from cashier_desk.ui.screens.sale_lines import new_line

FORM_KEYS = (("Alt+H", "tot"), ("Alt+B", "licence"), ("Alt+A", "animal"), ("Alt+K", "permit"))


def item_name(request: ProgramRequest) -> str:
    """The sale line's description of a program item."""
    if isinstance(request, TotRequest):
        amended = " (amended)" if request.amended else ""
        return f"TOT return {request.account} {request.period}{amended}"
    if isinstance(request, LicenceRequest):
        if request.kind == "new":
            return f"Business licence {request.year}, new: {request.name}"
        return f"Business licence {request.year}, renewal of {request.account}"
    if isinstance(request, AnimalRequest):
        return f"{str(request.species).capitalize()} licence: {request.name}"
    if isinstance(request, PermitRequest):
        return f"Parking permit {request.plate}"
    return "City program item"


def payer_of(request: ProgramRequest) -> str | None:
    """Who the item names as paying when no account was looked up: a new business, an
    animal's owner (the receipt's payer until the cashier keys another)."""
    if isinstance(request, LicenceRequest) and request.kind == "new":
        return request.name
    if isinstance(request, AnimalRequest):
        return request.owner
    return None


def issued_text(result: SaleResult) -> str:
    """`` Issued: licence BL-W1-000001 valid through 2027-12-31.`` ("" when none was)."""
    said = []
    for issued in result.issued:
        if issued.kind == "animal":
            said.append(f"licence {issued.number} tag {issued.tag} expires {issued.expires}")
        else:
            said.append(f"{issued.kind} {issued.number} valid through {issued.valid_through}")
    return f" Issued: {'; '.join(said)}." if said else ""


class SaleProgramForms(SaleBase):
    """Alt+H, Alt+B, Alt+A and Alt+K on the sale screen."""

    shortcuts: list[QShortcut]

    def _install_form_keys(self) -> None:
        for key, kind in FORM_KEYS:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda kind=kind: self.open_form(kind))
            self.shortcuts.append(shortcut)

    def open_form(self, kind: str) -> None:
        """Open the form of ``kind``; its Enter adds the item to this sale."""
        if self._selling or self.result is not None:
            if self.result is not None:
                self.ctx.show_error("This sale is posted: Enter or F2 starts the next one.")
            return
        # the forms' modules load with the first form opened, not at start
        from cashier_desk.ui.dialogs_permits import open_program_form

        form = open_program_form(kind, self.ctx, self._add_program)
        form.finished.connect(lambda _result: self._form_closed())  # added or Esc

    def _form_closed(self) -> None:
        window = self.ctx.window
        if window is not None and window.isVisible():
            window.activateWindow()  # typing goes on in the sale input
        self._focus_input()

    def _add_program(self, request: ProgramRequest, quote: Quote, payer: str | None) -> None:
        first = quote.lines[0] if quote.lines else None
        line = new_line(
            description=item_name(request),
            code=first.code if first is not None else None,
            fee_type="program",
            program=request,
            payer=payer or payer_of(request),
        )
        self._apply(lambda lines: [*lines, line], line.key)
