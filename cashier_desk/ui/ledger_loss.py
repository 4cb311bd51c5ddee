"""At the window's start: a ledger that lost work it had saved, or whose pages are damaged.

The window says so before anything else, naming the last receipt the ledger knew, and offers
a supervisor's acceptance of the loss (login and PIN); until then every operation that takes
money is refused with the same words.  A damaged ledger has nothing to accept: the window
says so and takes no money.
"""

from __future__ import annotations

from collections.abc import Callable

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.ledger import health
from cashier_desk.ui.qt import QMessageBox, QPushButton
from cashier_desk.ui.widgets.approver import ApproverDialog

Ask = Callable[[str], bool]
Credentials = Callable[[], tuple[str, str] | None]
ACCEPT = "Accept the loss…"


def ask_to_accept(message: str) -> bool:
    """The loss, in words, with Accept the loss… and Go on without taking money (default)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "The ledger lost work", message)
    box.setObjectName("ledgerLoss")
    accept = box.addButton(ACCEPT, QMessageBox.ButtonRole.AcceptRole)
    later = box.addButton("Go on without taking money", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(later)
    box.setEscapeButton(later)
    box.exec()
    return isinstance(accept, QPushButton) and box.clickedButton() is accept


def ask_supervisor() -> tuple[str, str] | None:
    dialog = ApproverDialog(
        "Accept the loss",
        "A supervisor accepts that this ledger lost work: numbering continues after the last "
        "receipt it knew, and the gap is recorded in the audit log.",
        reason_label=None,
    )
    dialog.setObjectName("acceptLoss")
    if not dialog.exec():
        return None
    given = dialog.override()
    return given.login, given.pin


def offer_acceptance(
    app: App, ask: Ask = ask_to_accept, credentials: Credentials = ask_supervisor
) -> bool:
    """When the ledger lost work: say so and offer a supervisor's acceptance, again after a
    refusal (its reason shown first), until it is accepted or put off.  Whether it was."""
    desk = app.desk
    refused = ""
    while desk.ledger_lost_work():
        if not ask(refused + desk.ledger_loss_message()):
            return False
        given = credentials()
        if given is None:
            refused = ""
            continue
        try:
            desk.accept_ledger_loss(*given)
        except Refusal as exc:
            refused = f"Not accepted: {exc.message}\n\n"
            continue
        return True
    return False


def warn_if_damaged(app: App) -> None:
    """A ledger whose pages are damaged: say so (no money is taken)."""
    if app.ledger.corrupt is None:
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "The ledger is damaged",
        health.corrupt_message(app.ledger.path, app.ledger.corrupt),
        QMessageBox.StandardButton.Ok,
    )
    box.setObjectName("ledgerCorrupt")
    box.exec()
