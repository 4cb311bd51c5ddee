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

from typing import ClassVar

from cashier_desk.desk.requests import LicenceRequest, TotRequest
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.dialogs_cash import AccountBox
from cashier_desk.ui.dialogs_programs import EnterCheckBox
from cashier_desk.ui.program_form import Added, Incomplete, ProgramForm, amount_of, text_of
from cashier_desk.ui.qt import QLineEdit
from cashier_desk.ui.widgets.money import MoneyEdit


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
        self.account.setPlaceholderText("the hotel's TOT account number")
        self.holder_row("Operator", "totHolder", self.account)
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
        self.look_up(account, "tot", "a TOT operator")
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
        self.account.setPlaceholderText("the business's licence account number")
        self.business = self.holder_row("Business", "licenceHolder", self.account)
        self.name = self.add("Business name", "licenceName", QLineEdit())
        self.name.setMaxLength(200)
        self.address = self.add("Address", "licenceAddress", QLineEdit())
        self.address.setMaxLength(200)
        self.year = self.add("Licence year", "licenceYear", QLineEdit())
        self.year.setMaxLength(4)
        self.year.setPlaceholderText("2027")
        self.gross = self.add("Gross receipts", "licenceGross", MoneyEdit("Gross receipts"))
        self.kind.currentIndexChanged.connect(lambda _i: self._show_kind())
        self._show_kind()
        self.wire()

    def renewal(self) -> bool:
        return bool(self.kind.currentData() == "renewal")

    def _show_kind(self) -> None:
        renewal = self.renewal()
        self.show_row(self.account, renewal)
        self.show_row(self.business, renewal)
        for widget in (self.name, self.address):
            self.show_row(widget, not renewal)
        self.adjustSize()

    def request(self) -> LicenceRequest:
        year_text = self.year.text().strip()
        if self.renewal():
            account = text_of(self.account)
            if not account:
                raise Incomplete("Key the account the licence renews.", self.account)
            self.look_up(account, "business_licence", "a business licence account")
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
