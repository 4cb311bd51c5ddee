"""The counter's small dialogs: void (with the lead's override), no-sale and reprint (drop,
paid-out and a lead's unlock are in :mod:`cashier_desk.ui.dialogs_cash`) — and
:func:`install_dialogs`, which puts them all behind the menu actions.

Every dialog is keyboard-only: the cursor starts in the first field, Enter moves on, Enter on
the last field confirms, Esc cancels.  None blocks the event loop: each is shown with
``open()``, and each Desk call runs off the GUI thread through ``ctx.run``.  A refusal is shown
on the banner and in the dialog, which stays open so the person can correct what they typed.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from cashier_desk.errors import Refusal
from cashier_desk.ids import ReceiptNo
from cashier_desk.money import Money
from cashier_desk.text import mask_card_numbers
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from cashier_desk.ui.widgets.approver import ApproverDialog

if TYPE_CHECKING:
    from cashier_desk.ui.main_window import MainWindow


log = logging.getLogger(__name__)


@runtime_checkable
class ReceiptPicker(Protocol):
    """A screen with a receipt chosen (the receipt search): void and reprint act on it."""

    def selected_receipt(self) -> str | None: ...


def last_receipt_of_session(ctx: UiContext) -> str | None:
    """The newest receipt of the person's open drawer session that is not void (runs off the
    GUI thread: it is a Desk call)."""
    desk = ctx.desk
    session = desk.current_session()
    if session is None:
        return None
    for summary in desk.search_receipts(business_date=session.business_date, limit=200):
        if summary.session_id == session.id and not summary.voided:
            return str(summary.receipt_no)
    return None


class DeskDialog(QDialog):
    """A small form that ends in one Desk call.  Subclasses add fields with :meth:`field`
    and implement :meth:`submit`; :meth:`call` runs the Desk call and keeps the dialog open
    on a refusal."""

    confirm_text = "OK"

    def __init__(self, ctx: UiContext, title: str, object_name: str, explanation: str) -> None:
        super().__init__(ctx.window)
        self.ctx = ctx
        self.busy = False
        self.setWindowTitle(title)
        self.setObjectName(object_name)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        note = QLabel(explanation)
        note.setWordWrap(True)
        note.setObjectName(f"{object_name}Note")
        note.setAccessibleName(f"{title}: what to do")
        layout.addWidget(note)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.message = QLabel("")
        self.message.setObjectName("dialogMessage")
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        self.message.setProperty("error", True)
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.confirm_button = QPushButton(f"{self.confirm_text} (Enter)")
        self.confirm_button.setObjectName(f"{object_name}Confirm")
        self.confirm_button.setAccessibleName(self.confirm_text)
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel (Esc)")
        self.cancel_button.setObjectName(f"{object_name}Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.fields: list[QLineEdit] = []
        self._pending = 0  # Desk calls of this dialog not yet come back
        self._ended = False
        self.finished.connect(self._end)

    def _end(self, _result: int) -> None:
        self._ended = True
        if self._pending == 0:
            self.deleteLater()

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_refused: Callable[[Refusal], None],
    ) -> None:
        """``ctx.run`` for this dialog: the answer is dropped when the dialog has closed, and
        the dialog is deleted only once every call it started has come back."""

        def later(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def answer(result: Any) -> None:
                self._pending -= 1
                if not self._ended:
                    callback(result)
                if self._ended and self._pending == 0:
                    self.deleteLater()

            return answer

        def failed(_exc: Exception) -> None:  # ctx.run has said so on the banner
            self.busy = False
            self.confirm_button.setEnabled(True)

        self._pending += 1
        self.ctx.run(fn, later(on_done), later(on_refused), later(failed))

    def reject(self) -> None:
        if self.busy:  # Esc while the Desk works: wait for its answer first
            return
        super().reject()

    # -- building ----------------------------------------------------------------------------

    def field(self, label: str, object_name: str, widget: QLineEdit | None = None) -> QLineEdit:
        """Add a line to the form; Enter in it moves on, Enter in the last one submits."""
        edit = widget if widget is not None else QLineEdit()
        edit.setObjectName(object_name)
        edit.setAccessibleName(label)
        self.form.addRow(label, edit)
        self.fields.append(edit)
        return edit

    def chain(self) -> None:
        """Wire Enter through the fields (call after the last :meth:`field`)."""
        for here, after in itertools.pairwise(self.fields):
            here.returnPressed.connect(after.setFocus)
        self.fields[-1].returnPressed.connect(self.submit)
        self.fields[0].setFocus()

    # -- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter belongs to the fields (and to a focused button), never to a "default button"
        # that would submit half a form.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton):
                focused.click()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- the Desk call ---------------------------------------------------------------------------

    def submit(self) -> None:
        raise NotImplementedError

    def complain(self, message: str, focus: QWidget | None = None) -> None:
        """Say what is wrong, in the dialog and on the banner; the dialog stays open."""
        message = mask_card_numbers(message)  # it may quote what was typed
        self.message.setText(message)
        self.message.show()
        self.ctx.show_error(message)
        (focus or self.fields[0]).setFocus()

    def call(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        focus: QWidget | None = None,
    ) -> None:
        """Run one Desk call; close on success, stay open (and say why) on a refusal."""
        if self.busy:
            return
        self.busy = True
        self.confirm_button.setEnabled(False)

        def done(result: Any) -> None:
            self.busy = False
            self.confirm_button.setEnabled(True)
            on_done(result)
            self.accept()

        def refused(refusal: Refusal) -> None:
            self.busy = False
            self.confirm_button.setEnabled(True)
            self.ctx.show_refusal(refusal)
            self.message.setText(refusal.message)
            self.message.show()
            target = focus or self.fields[0]
            target.setFocus()
            if isinstance(target, QLineEdit):
                target.selectAll()

        self.run(fn, done, refused)


def _text(edit: QLineEdit) -> str:
    return edit.text().strip()


class VoidDialog(DeskDialog):
    """Void a receipt of the open session: its number, then a lead's override with a reason."""

    confirm_text = "Void"

    def __init__(self, ctx: UiContext, receipt_no: str | None = None) -> None:
        super().__init__(
            ctx,
            "Void a receipt",
            "voidDialog",
            "Key the receipt to void (the last one of your drawer is filled in), then Enter: "
            "a lead approves with their login, PIN and a reason.",
        )
        self.receipt = self.field("Receipt number", "voidReceipt")
        self.chain()
        self.approver: ApproverDialog | None = None
        if receipt_no:
            self.receipt.setText(receipt_no)
            self.receipt.selectAll()
        else:
            self.run(lambda: last_receipt_of_session(ctx), self._fill, lambda _r: None)

    def _fill(self, receipt_no: str | None) -> None:
        if receipt_no and not self.receipt.text():
            self.receipt.setText(receipt_no)
            self.receipt.selectAll()

    def submit(self) -> None:
        number = _text(self.receipt)
        if not number:
            self.complain("Key the number of the receipt to void.")
            return
        if self.busy or self.approver is not None:
            return
        approver = ApproverDialog(
            "Lead override — void",
            f"Void receipt {number}. A lead (not the cashier) types their login and PIN, "
            "and the reason for the void.",
            reason_label="Reason",
            parent=self,
        )
        self.approver = approver
        approver.accepted.connect(lambda: self._approved(number, approver))
        approver.finished.connect(lambda _r: self._approver_gone(approver))
        approver.open()

    def _approver_gone(self, approver: ApproverDialog) -> None:
        if self.approver is approver:
            self.approver = None
        approver.deleteLater()
        if self.isVisible():
            self.activateWindow()  # the override is gone: typing goes on here
            self.receipt.setFocus()

    def _approved(self, number: str, approver: ApproverDialog) -> None:
        override = approver.override()
        desk = self.ctx.desk

        def shown(result: tuple[str, Money, bool]) -> None:
            receipt_no, total, printed = result
            paper = "" if printed else " The VOID copy waits for the printer."
            show = self.ctx.show_info if printed else self.ctx.show_warning
            show(f"Receipt {receipt_no} ({total}) is VOID — approved by {override.login}.{paper}")

        self.call(
            lambda: desk.void(ReceiptNo(number), override.login, override.pin, override.reason),
            shown,
            self.receipt,
        )


class NoSaleDialog(DeskDialog):
    """Open the drawer without a sale, with a reason."""

    confirm_text = "Open drawer"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(
            ctx, "No sale", "noSaleDialog", "Say why the drawer is opened, then Enter."
        )
        self.reason = self.field("Reason", "noSaleReason")
        self.chain()

    def submit(self) -> None:
        reason = _text(self.reason)
        if not reason:
            self.complain("Say why the drawer is opened.")
            return
        desk = self.ctx.desk
        self.call(
            lambda: desk.no_sale(reason),
            lambda _r: self.ctx.show_info(f"No sale: {reason}."),
        )


class ReprintDialog(DeskDialog):
    """Reprint any receipt, marked REPRINT."""

    confirm_text = "Reprint"

    def __init__(self, ctx: UiContext, receipt_no: str | None = None) -> None:
        super().__init__(
            ctx, "Reprint a receipt", "reprintDialog", "Key the receipt number, then Enter."
        )
        self.receipt = self.field("Receipt number", "reprintReceipt")
        self.chain()
        if receipt_no:
            self.receipt.setText(receipt_no)
            self.receipt.selectAll()
        else:
            self.run(lambda: last_receipt_of_session(ctx), self._fill, lambda _r: None)

    def _fill(self, receipt_no: str | None) -> None:
        if receipt_no and not self.receipt.text():
            self.receipt.setText(receipt_no)
            self.receipt.selectAll()

    def submit(self) -> None:
        number = _text(self.receipt)
        if not number:
            self.complain("Key the number of the receipt to reprint.")
            return
        desk = self.ctx.desk
        self.call(
            lambda: desk.reprint(ReceiptNo(number)), lambda ok: reprinted(self.ctx, number, ok)
        )


def reprinted(ctx: UiContext, number: str, printed: bool) -> None:
    if printed:
        ctx.show_info(f"Receipt {number} reprinted (marked REPRINT).")
    else:
        ctx.show_warning(f"The reprint of {number} waits for the printer; it prints by itself.")


def reprint_now(ctx: UiContext, number: str) -> None:
    """Reprint a receipt chosen on a screen, with no questions (a reprint changes nothing)."""
    ctx.run(
        lambda: ctx.desk.reprint(ReceiptNo(number)), lambda ok: reprinted(ctx, number, bool(ok))
    )


class DialogLauncher:
    """Opens one dialog of each kind at a time for the menu actions (a second press of the
    key brings the open one forward) and keeps it alive while it is shown."""

    def __init__(self, ctx: UiContext) -> None:
        self.ctx = ctx
        self.shown: dict[str, DeskDialog] = {}

    def launch(self, kind: str, make: Callable[[], DeskDialog]) -> DeskDialog:
        dialog = self.shown.get(kind)
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = make()
        self.shown[kind] = dialog
        dialog.finished.connect(lambda _r: self._gone(kind, dialog))
        dialog.open()
        return dialog

    def _gone(self, kind: str, dialog: DeskDialog) -> None:
        if self.shown.get(kind) is dialog:
            del self.shown[kind]
        window = self.ctx.window
        if window is not None and window.isVisible():
            window.activateWindow()  # the cursor goes back to where it was on the screen

    def _chosen(self) -> str | None:
        window = self.ctx.window
        if window is None:
            return None
        screen = window.current_screen()
        return screen.selected_receipt() if isinstance(screen, ReceiptPicker) else None

    def void(self, receipt_no: str | None = None) -> None:
        chosen = receipt_no or self._chosen()
        self.launch("void", lambda: VoidDialog(self.ctx, chosen))

    def cash(self, kind: str) -> None:
        """Drop, paid-out or a lead's unlock of a login (:mod:`~cashier_desk.ui.dialogs_cash`,
        which builds on this module)."""
        from cashier_desk.ui.dialogs_cash import open_cash_dialog

        self.launch(kind, lambda: open_cash_dialog(self.ctx, kind))

    def drop(self) -> None:
        self.cash("drop")

    def paid_out(self) -> None:
        self.cash("paid_out")

    def unlock_user(self) -> None:
        self.cash("unlock_user")

    def no_sale(self) -> None:
        self.launch("no_sale", lambda: NoSaleDialog(self.ctx))

    def reprint(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            reprint_now(self.ctx, chosen)  # Ctrl+R on a row of the receipt search
            return
        self.launch("reprint", lambda: ReprintDialog(self.ctx))


def install_dialogs(window: MainWindow, ctx: UiContext) -> DialogLauncher:
    """Put the dialogs behind the window's menu actions (called once from ``ui/app.py``)."""
    launcher = DialogLauncher(ctx)
    window.set_action("void", launcher.void)
    window.set_action("drop", launcher.drop)
    window.set_action("paid_out", launcher.paid_out)
    window.set_action("unlock_user", launcher.unlock_user)
    window.set_action("no_sale", launcher.no_sale)
    window.set_action("reprint", launcher.reprint)
    return launcher
