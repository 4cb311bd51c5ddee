"""Close a drawer with a blind count (opening it: :mod:`~cashier_desk.ui.screens.open_drawer`).

Both screens are made for the ten-key: a count, Enter, the next count; Ctrl+Enter finishes.
The close screen is blind (F1): it shows only what the cashier typed, never what the ledger
expects, until the count is submitted; then it shows the over/short per tender and, when the
over/short is beyond the tolerance, asks for a lead's approval before the cashier logs out
— or the lead sends the count back (Alt+B) and the cashier counts again on the same screen.

Object names the tests and the end-to-end script drive (see also ``widgets/denominations.py``):

- open: ``drawerId``, ``openCount_<cents>``, ``openTotal``, ``openDrawerButton``;
- close: ``closeCount_<cents>``, ``closeTotal``, ``checkNumber``, ``checkAmount``,
  ``checkList``, ``moneyOrderNumber``, ``moneyOrderAmount``, ``moneyOrderList``,
  ``cardTotal``, ``submitCountButton``; after submission ``closeResult`` with one ``overShort``
  label per tender (property ``tender``), ``closeStatus``, ``approveCloseButton`` (opens the
  ``approverDialog``), ``sendBackCloseButton`` (opens the ``recountDialog``) and
  ``closeLogoutButton``.
"""

from __future__ import annotations

from cashier_desk.desk.requests import BlindCount, CloseResult
from cashier_desk.errors import Refusal
from cashier_desk.ledger.drawer import RECOUNT, Session
from cashier_desk.ledger.posting import TENDER_KINDS
from cashier_desk.money import Money
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
)
from cashier_desk.ui.recount import recount_dialog
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.screens.open_drawer import (
    Busy,
    OpenDrawerScreen,
    button,
    ctrl_enter,
    heading,
    is_current,
)
from cashier_desk.ui.widgets.approver import ApproverDialog, Override
from cashier_desk.ui.widgets.denominations import CountedItemsEntry, DenominationGrid
from cashier_desk.ui.widgets.money import MoneyEdit, limit_amounts
from cashier_desk.words import TenderKind

TENDER_NAMES: dict[str, str] = {k.value: k.plural for k in TenderKind}
NEGATIVE_STYLE = "color: #b00020;"


class CloseDrawerScreen(Screen):
    """The blind count: cash by denomination, checks, money orders and the card batch total;
    the over/short per tender only after submission, then a lead's approval when needed."""

    name = "close_drawer"
    title = "Close drawer"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.result: CloseResult | None = None
        self.approved = False
        self.result_for: str | None = None  # whose close the result is
        self.dialog: ApproverDialog | None = None
        self.busy = Busy(ctx, self._idle_again)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Close drawer — blind count"))
        self.info = QLabel("")
        self.info.setObjectName("closeSessionInfo")
        self.info.setAccessibleName("Drawer session")
        layout.addWidget(self.info)
        note = QLabel(
            "Count everything in the drawer. What the drawer should hold is shown only after "
            "you submit. Enter goes on; Ctrl+Enter submits."
        )
        note.setObjectName("closeNote")
        note.setAccessibleName("How to close the drawer")
        note.setWordWrap(True)
        layout.addWidget(note)

        body = QHBoxLayout()
        self.grid = DenominationGrid("close", "Cash counted")
        body.addWidget(self.grid, 1)
        right = QVBoxLayout()
        body.addLayout(right, 1)
        layout.addLayout(body)
        layout.addStretch(1)

        # before submission: checks, money orders, card total and the submit button
        self.entry = QWidget()
        self.entry.setObjectName("closeEntry")
        self.entry.setAccessibleName("Checks, money orders and card total")
        side = QVBoxLayout(self.entry)
        side.setContentsMargins(0, 0, 0, 0)
        self.checks = CountedItemsEntry("check", "Check")
        self.money_orders = CountedItemsEntry("moneyOrder", "Money order")
        for caption, entry in (("Checks", self.checks), ("Money orders", self.money_orders)):
            label = QLabel(caption)
            label.setAccessibleName(caption)
            label.setBuddy(entry.number)
            side.addWidget(label)
            side.addWidget(entry)
            entry.problem.connect(self.ctx.show_error)
        card_form = QFormLayout()
        self.card = MoneyEdit("Card terminal batch total")
        self.card.setObjectName("cardTotal")
        card_form.addRow("Card batch total", self.card)
        side.addLayout(card_form)
        self.submit_button = button(
            "Submit count (Ctrl+Enter)", "submitCountButton", "Submit count"
        )
        self.submit_button.clicked.connect(self.submit)
        side.addWidget(self.submit_button)
        right.addWidget(self.entry)

        # after submission, in its place: the over/short per tender and what comes next
        self.panel = QFrame()
        self.panel.setObjectName("closeResult")
        self.panel.setAccessibleName("Over and short")
        panel_layout = QVBoxLayout(self.panel)
        panel_layout.setContentsMargins(0, 0, 0, 0)
        self.over_short_box = QVBoxLayout()
        panel_layout.addLayout(self.over_short_box)
        self.counted = QLabel("")
        self.counted.setObjectName("closeCounted")
        self.counted.setAccessibleName("What you counted")
        self.counted.setWordWrap(True)
        panel_layout.addWidget(self.counted)
        self.status = QLabel("")
        self.status.setObjectName("closeStatus")
        self.status.setAccessibleName("Close status")
        self.status.setWordWrap(True)
        panel_layout.addWidget(self.status)
        self.approve_button = button(
            "Lead approval (Enter)", "approveCloseButton", "Lead approval of the over/short"
        )
        self.approve_button.clicked.connect(self.ask_approval)
        self.send_back_button = button(
            "Send back for recount (Alt+B)", "sendBackCloseButton", "Send back for recount"
        )
        self.send_back_button.clicked.connect(self.ask_recount)
        self.logout_button = button("Log out (Enter)", "closeLogoutButton", "Log out")
        self.logout_button.clicked.connect(self.logout)
        panel_layout.addWidget(self.approve_button)
        panel_layout.addWidget(self.send_back_button)
        panel_layout.addWidget(self.logout_button)
        panel_layout.addStretch(1)
        right.addWidget(self.panel)
        self.over_short_labels: list[QLabel] = []

        self.grid.finished.connect(self._to_checks)
        self.checks.finished.connect(self._to_money_orders)
        self.money_orders.finished.connect(self._to_card)
        self.card.returnPressed.connect(self._card_entered)
        ctrl_enter(self, self._ctrl_enter)
        send_back = QShortcut(QKeySequence("Alt+B"), self)
        send_back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        send_back.activated.connect(self.ask_recount)
        # Each check and money order is one payment, at most the maximum; the cash and the
        # card batch are totals of many, which the Desk limits by the payments the drawer took.
        limit_amounts(self, ctx.config.max_amount)
        self.card.maximum = None
        self._reset()

    # -- showing the screen ---------------------------------------------------------------

    def activated(self) -> None:
        user = self.ctx.desk.user
        if self._waiting_for_approval() and user is not None and user.login == self.result_for:
            self.approve_button.setFocus()
            return
        self._reset()
        self.grid.first_field().setFocus()
        self.ctx.run(self.ctx.desk.session_to_count, self._session_found)

    def _session_found(self, session: Session | None) -> None:
        if not is_current(self) or self.result is not None:
            return
        if session is None:
            user = self.ctx.desk.user
            self.ctx.show_error("You have no drawer open to close.")
            self.ctx.go("closeout" if user is not None and user.at_least("lead") else "open_drawer")
            return
        again = " — count again: a lead sent the count back" if session.state == RECOUNT else ""
        self.info.setText(f"Drawer {session.drawer}, session {session.id}{again}")
        if session.state == RECOUNT:  # who sent it back, and why
            desk = self.ctx.desk
            self.ctx.run(lambda: desk.sent_back(session.id), lambda why: self._why(session, why))

    def _why(self, session: Session, why: tuple[str, str] | None) -> None:
        if why is None or not is_current(self) or self.result is not None:
            return
        lead, comment = why
        said = f" — “{comment}”" if comment else ""
        self.info.setText(
            f"Drawer {session.drawer}, session {session.id} — count again: {lead} sent the "
            f"count back{said}"
        )

    def _reset(self) -> None:
        self.result = None
        self.approved = False
        self.result_for = None
        self.info.setText("")
        self.grid.clear()
        self.checks.clear()
        self.money_orders.clear()
        self.card.set_money(None)
        self._set_counting(True)
        for label in self.over_short_labels:
            self.over_short_box.removeWidget(label)
            label.deleteLater()
        self.over_short_labels = []
        self.status.setText("")
        self.counted.setText("")
        self.panel.hide()
        self.entry.show()

    def _set_counting(self, counting: bool) -> None:
        self.grid.set_read_only(not counting)
        self.checks.set_read_only(not counting)
        self.money_orders.set_read_only(not counting)
        self.card.setReadOnly(not counting)
        self.submit_button.setEnabled(counting)

    # -- moving through the count ---------------------------------------------------------

    def _to_checks(self) -> None:
        self.checks.number.setFocus()

    def _to_money_orders(self) -> None:
        self.money_orders.number.setFocus()

    def _to_card(self) -> None:
        self.card.setFocus()
        self.card.selectAll()

    def _card_entered(self) -> None:
        if self.result is None and self._card_amount() is not None:
            self.submit_button.setFocus()

    def _card_amount(self) -> Money | None:
        if not self.card.text().strip():
            return Money(0)
        amount = self.card.money()
        if amount is None:
            self.ctx.show_error(self.card.problem() or "Type the card batch total, like 245.00.")
            self.card.setFocus()
        return amount

    def _ctrl_enter(self) -> None:
        if self.result is None:
            self.submit()
        elif self._waiting_for_approval():
            self.ask_approval()
        else:
            self.logout()

    def _waiting_for_approval(self) -> bool:
        return self.result is not None and self.result.needs_approval and not self.approved

    # -- submitting -----------------------------------------------------------------------

    def submit(self) -> None:
        if self.busy.on or self.result is not None:
            return
        for entry in (self.checks, self.money_orders):
            if entry.number.text().strip() or entry.amount.text().strip():
                self.ctx.show_error(
                    f"Finish the {entry.what.lower()} you are typing (Enter adds it) "
                    "or clear it, then submit."
                )
                entry.number.setFocus()
                return
        card = self._card_amount()
        if card is None:
            return
        problem = self.grid.problem()
        if problem is not None:
            self.ctx.show_error(problem)
            return
        count = BlindCount(
            cash=self.grid.counts(),
            checks=self.checks.items(),
            money_orders=self.money_orders.items(),
            card=card,
        )
        desk = self.ctx.desk
        user = desk.user
        login = user.login if user is not None else None
        self.busy.on = True
        self.submit_button.setEnabled(False)
        n_checks, n_orders = len(count.checks), len(count.money_orders)
        counted = (
            f"You counted: cash {self.grid.total()}; {n_checks} check(s) "
            f"{self.checks.total()}; {n_orders} money order(s) {self.money_orders.total()}; "
            f"card {card}."
        )
        self.ctx.run(
            lambda: desk.close_drawer(count),
            lambda result: self._closed(result, login, counted),
            self._close_refused,
        )

    def _idle_again(self) -> None:
        if self.result is None:
            self.submit_button.setEnabled(True)

    def _close_refused(self, refusal: Refusal) -> None:
        self.ctx.show_refusal(refusal)
        self.grid.first_field().setFocus()

    def _closed(self, result: CloseResult, login: str | None, counted: str) -> None:
        self.result = result
        self.result_for = login
        self._set_counting(False)
        for tender in TENDER_KINDS:
            amount = result.over_short.get(tender, Money(0))
            label = QLabel(self._over_short_text(tender, amount))
            label.setObjectName("overShort")
            label.setAccessibleName(f"Over or short, {TENDER_NAMES.get(tender, tender)}")
            label.setProperty("tender", tender)
            label.setProperty("negative", amount.is_negative())
            if amount.is_negative():
                label.setStyleSheet(NEGATIVE_STYLE)
            self.over_short_box.addWidget(label)
            self.over_short_labels.append(label)
        self.counted.setText(counted)
        self.entry.hide()
        self.panel.show()
        if result.needs_approval:
            self.ctx.show_warning("Counted: a lead must approve the over/short.")
            self.status.setText(
                "The over/short is beyond the tolerance: a lead must approve it with a comment "
                "(Enter), or send it back for a recount (Alt+B)."
            )
            self.approve_button.show()
            self.send_back_button.show()
            self.logout_button.hide()
            self.approve_button.setFocus()
        else:
            self.ctx.show_info("The drawer is closed.")  # not a refusal of an earlier try
            self.info.setText(f"Session {result.session}")  # no "count again" left up
            self._finished("The drawer is closed.")

    @staticmethod
    def _over_short_text(tender: str, amount: Money) -> str:
        name = TENDER_NAMES.get(tender, tender)
        if amount.is_negative():
            return f"{name}: {-amount} short"  # "6.15 short", never "-6.15 short"
        if amount.is_positive():
            return f"{name}: {amount} over"
        return f"{name}: {amount}"

    def _finished(self, message: str) -> None:
        self.status.setText(f"{message} Enter: log out.")
        self.approve_button.hide()
        self.send_back_button.hide()
        self.logout_button.show()
        self.logout_button.setFocus()

    # -- the lead's approval and logging out ----------------------------------------------

    def ask_approval(self) -> None:
        result = self.result
        if result is None or not self._waiting_for_approval() or self.busy.on:
            return
        shown = ", ".join(self._over_short_text(t, a) for t, a in result.over_short.items() if a)
        dialog = ApproverDialog(
            "Approve over/short",
            f"Drawer session {result.session}: {shown}. A lead (not the cashier) types their "
            "login, PIN and a comment.",
            reason_label="Comment",
            parent=self,
        )
        dialog.accepted.connect(lambda: self._approve(result, dialog.override()))
        dialog.rejected.connect(self.approve_button.setFocus)
        # the keys go back to the counter once the dialog is gone, whatever the window manager
        dialog.finished.connect(lambda _result: self.activateWindow())
        self.dialog = dialog
        dialog.open()

    def ask_recount(self) -> None:
        result = self.result
        if result is None or not self._waiting_for_approval() or self.busy.on:
            return
        shown = ", ".join(self._over_short_text(t, a) for t, a in result.over_short.items() if a)
        dialog = recount_dialog(
            self.ctx,
            self,
            result.session,
            f"Drawer session {result.session}: {shown}.",
            self._sent_back,
            self._approve_refused,
        )
        dialog.rejected.connect(self.approve_button.setFocus)
        dialog.finished.connect(lambda _result: self.activateWindow())
        self.dialog = dialog
        dialog.open()

    def _sent_back(self, lead: str, comment: str) -> None:
        """The count went back: the same screen takes the new count (and says why)."""
        session = self.result.session if self.result is not None else ""
        self._reset()
        why = f" — “{comment}”" if comment else ""
        self.info.setText(f"Session {session} — count again: {lead} sent the count back{why}")
        self.ctx.show_info(f"{lead} sent the count back{why}: count the drawer again.")
        self.grid.first_field().setFocus()

    def _approve(self, result: CloseResult, override: Override) -> None:
        desk = self.ctx.desk
        self.busy.on = True
        self.ctx.run(
            lambda: desk.approve_close(
                result.session, override.login, override.pin, override.reason
            ),
            lambda _sid: self._approved(override.login),
            self._approve_refused,
        )

    def _approved(self, approver: str) -> None:
        self.approved = True
        self.ctx.show_info(f"Over/short approved by {approver}.")
        self._finished(f"Approved by {approver}; the drawer is closed.")

    def _approve_refused(self, refusal: Refusal) -> None:
        self.ctx.show_refusal(refusal)
        self.approve_button.setFocus()

    def logout(self) -> None:
        if self.result is None or self._waiting_for_approval():
            return
        self._reset()
        if self.ctx.window is not None:
            self.ctx.window.logout()


__all__ = ["CloseDrawerScreen", "OpenDrawerScreen"]
