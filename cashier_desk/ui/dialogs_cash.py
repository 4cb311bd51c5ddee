"""The dialogs of cash that leaves the drawer, and the lead's unlock of a login.

- Drop to safe (Ctrl+D): the amount, then the bag or envelope number (Enter on an empty bag
  number drops without one); the drop slip prints.
- Paid-out (Ctrl+P): the amount, the reason, the GL account — a list of the accounts allowed
  when ``[policy] paid_out_accounts`` names them — and, only when the amount is above
  ``[policy] paid_out_limit``, a lead's login and PIN; the petty-cash voucher prints.
- Unlock a user (Lead menu, Ctrl+Shift+U): the login to unlock, then the lead's login (the
  person logged in, filled in) and PIN.

Keyboard only, like every dialog (see :mod:`cashier_desk.ui.dialogs`): Enter moves on through
the fields shown, Enter on the last one confirms, Esc cancels.
"""

from __future__ import annotations

from typing import Any

from cashier_desk.desk import CashMovement
from cashier_desk.ledger.auth import User
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.dialogs import DeskDialog
from cashier_desk.ui.qt import QComboBox, QKeyEvent, QLabel, QLineEdit, Qt, QWidget, Signal
from cashier_desk.ui.widgets.money import MoneyEdit


def _text(edit: QLineEdit) -> str:
    return edit.text().strip()


def _paper(done: CashMovement, what: str) -> str:
    return "" if done.printed else f" The {what} did not print: the printer is not ready."


class AccountBox(QComboBox):
    """The list of GL accounts allowed; Enter in it moves on, like Enter in a field."""

    returnPressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.view().isVisible():
            event.accept()
            self.returnPressed.emit()
            return
        super().keyPressEvent(event)


class DropDialog(DeskDialog):
    """Drop cash from the drawer to the safe, with the bag number for the slip."""

    confirm_text = "Drop"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(
            ctx,
            "Drop to safe",
            "dropDialog",
            "Key the amount taken to the safe, Enter, then the bag or envelope number (if "
            "any) and Enter. The drop slip prints for the bag.",
        )
        self.amount = MoneyEdit("Amount dropped")
        self.amount.maximum = ctx.config.max_amount
        self.field("Amount", "dropAmount", self.amount)
        self.bag = self.field("Bag number", "dropBag")
        self.bag.setMaxLength(40)
        self.bag.setPlaceholderText("optional")
        self.chain()

    def submit(self) -> None:
        amount = self.amount.money()
        if amount is None or not amount.is_positive():
            self.complain(
                self.amount.problem() or "Key the amount dropped, like 100.00.", self.amount
            )
            return
        bag = _text(self.bag)
        desk = self.ctx.desk

        def done(result: CashMovement) -> None:
            to = f" in bag {bag}" if bag else ""
            message = f"Dropped {amount} to the safe{to}.{_paper(result, 'drop slip')}"
            (self.ctx.show_info if result.printed else self.ctx.show_error)(message)

        self.call(lambda: desk.drop(amount, bag or None), done, self.amount)


class PaidOutDialog(DeskDialog):
    """Pay petty cash out of the drawer: reason, GL account, and a lead above the limit."""

    confirm_text = "Pay out"

    def __init__(self, ctx: UiContext) -> None:
        limit = ctx.config.paid_out_limit
        super().__init__(
            ctx,
            "Paid-out",
            "paidOutDialog",
            "Key the amount, the reason and the GL account it is charged to. Above "
            f"{limit} a lead (not you) approves with their login and PIN. The petty-cash "
            "voucher prints for the person paid to sign.",
        )
        self.limit = limit
        self.amount = MoneyEdit("Amount paid out")
        self.amount.maximum = ctx.config.max_amount
        self.field("Amount", "paidOutAmount", self.amount)
        self.reason = self.field("Reason", "paidOutReason")
        allowed = ctx.config.paid_out_accounts
        self.accounts: QComboBox | None = None
        self.gl: QLineEdit | None = None
        account: QWidget
        if allowed:
            self.accounts = account = AccountBox()
            self.accounts.setObjectName("paidOutAccounts")
            self.accounts.setAccessibleName("GL account (the accounts allowed)")
            self.accounts.addItems(list(allowed))
            self.form.addRow("GL account", self.accounts)
            self.accounts.returnPressed.connect(lambda: self.next_from(account))
        else:
            self.gl = account = self.field("GL account", "paidOutGl")
            self.gl.setPlaceholderText("101-1200-52100")
        self.approver = self.field("Lead's login", "paidOutApprover")
        self.approver_pin = self.field("Lead's PIN", "paidOutApproverPin")
        self.approver_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.note = QLabel(f"Above {limit}: a lead approves.")
        self.note.setObjectName("paidOutApprovalNote")
        self.note.setAccessibleName("Approval needed")
        self.form.addRow(self.note)
        self.order: list[QWidget] = [
            self.amount, self.reason, account, self.approver, self.approver_pin
        ]  # fmt: skip
        for edit in self.fields:
            edit.returnPressed.connect(lambda e=edit: self.next_from(e))
        self.amount.textChanged.connect(lambda _t: self._show_approval())
        self._show_approval()
        self.amount.setFocus()

    def needs_approval(self) -> bool:
        amount = self.amount.money()
        return amount is not None and amount > self.limit

    def _show_approval(self) -> None:
        shown = self.needs_approval()
        for widget in (self.approver, self.approver_pin, self.note):
            self.form.setRowVisible(widget, shown)

    def next_from(self, widget: QWidget) -> None:
        """Enter: on to the next field shown, or submit from the last one."""
        shown = [w for w in self.order if w.isVisibleTo(self)]
        later = shown[shown.index(widget) + 1 :] if widget in shown else []
        if later:
            later[0].setFocus()
        else:
            self.submit()

    def _account(self) -> str:
        if self.accounts is not None:
            return self.accounts.currentText()
        if self.gl is None:
            raise RuntimeError("the paid-out dialog has neither an account list nor a field")
        return _text(self.gl)

    def submit(self) -> None:
        amount = self.amount.money()
        if amount is None or not amount.is_positive():
            self.complain(
                self.amount.problem() or "Key the amount paid out, like 2.50.", self.amount
            )
            return
        reason, gl = _text(self.reason), self._account()
        if not reason:
            self.complain("Say what the money was paid out for.", self.reason)
            return
        if not gl:
            self.complain("Key the GL account it is charged to.", self.gl)
            return
        approver, pin = (
            (_text(self.approver), self.approver_pin.text()) if self.needs_approval() else ("", "")
        )
        if self.needs_approval() and not (approver and pin):
            self.complain(
                f"A paid-out above {self.limit} needs a lead: their login and PIN.",
                self.approver if not approver else self.approver_pin,
            )
            return
        desk = self.ctx.desk

        def done(result: CashMovement) -> None:
            by = f", approved by {approver}" if approver else ""
            message = f"Paid out {amount} ({reason}) to {gl}{by}.{_paper(result, 'voucher')}"
            (self.ctx.show_info if result.printed else self.ctx.show_error)(message)

        self.approver_pin.clear()
        self.call(
            lambda: desk.paid_out(amount, reason, gl, approver or None, pin or None),
            done,
            self.amount,
        )


class UnlockUserDialog(DeskDialog):
    """A lead clears the lockout of a login (five wrong PINs) before its time is up."""

    confirm_text = "Unlock"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(
            ctx,
            "Unlock a user",
            "unlockUserDialog",
            "Key the login that is locked out, then your own login and PIN (a lead or above, "
            "not the person locked out).",
        )
        self.user = self.field("Locked login", "unlockUser")
        self.approver = self.field("Lead's login", "unlockApprover")
        self.pin = self.field("Lead's PIN", "unlockPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        me = ctx.desk.user
        if me is not None:
            self.approver.setText(me.login)
        self.chain()

    def submit(self) -> None:
        login, approver, pin = _text(self.user), _text(self.approver), self.pin.text()
        if not login:
            self.complain("Key the login to unlock.", self.user)
            return
        if not approver or not pin:
            self.complain(
                "A lead types their login and PIN.", self.approver if not approver else self.pin
            )
            return
        desk = self.ctx.desk

        def done(user: User) -> None:
            self.ctx.show_info(f"{user.name} ({user.login}) is unlocked and may log in again.")

        self.pin.clear()
        self.call(lambda: desk.unlock_user(login, approver, pin), done, self.user)


def open_cash_dialog(ctx: UiContext, kind: str) -> Any:
    """A new dialog of ``kind`` (drop, paid_out, unlock_user), for the dialog launcher."""
    return {"drop": DropDialog, "paid_out": PaidOutDialog, "unlock_user": UnlockUserDialog}[kind](
        ctx
    )
