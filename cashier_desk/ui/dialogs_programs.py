"""The dialogs of contests and payment plans (programs.md; issue 14, item 5), opened from the
sale screen for the open item chosen there (or typed in its input):

- Contest (Alt+T): the level (review or hearing), the reason, how to reach the person, and
  whether they cannot pay (a hearing without the deposit).  When the time to contest has passed
  (``contest_window_closed``) the dialog shows a lead's login and PIN and, keyed, asks again
  with them.  Done, it says the contest number and whether the acknowledgement printed.
- Payment plan (Alt+N): the monthly amount, the first due date, indigent or not, and the lead's
  login and PIN (a plan always needs a lead).  Done, the schedule shows in the dialog, read
  only; Ctrl+P prints it on the receipt printer (``Desk.print_plan_schedule``), Enter (or Esc)
  closes it.

Keyboard only, like every dialog (:mod:`cashier_desk.ui.dialogs`): Enter moves on through the
fields shown, Enter on the last one confirms, Esc cancels.  Space ticks a box.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cashier_desk.desk.program_ops import ContestResult, PlanResult
from cashier_desk.errors import Refusal
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.dialogs import DeskDialog
from cashier_desk.ui.dialogs_cash import AccountBox
from cashier_desk.ui.program_text import plan_terms
from cashier_desk.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QKeyEvent,
    QKeySequence,
    QLineEdit,
    QPushButton,
    QShortcut,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
    Signal,
)
from cashier_desk.ui.widgets.money import MoneyEdit

#: Refusals about the open item itself (the cursor goes back to its reference); any other
#: refusal of a call with a lead's login is about the lead (or the date or amount keyed).
ITEM_CODES = frozenset({
    "unknown_ref", "not_a_citation", "already_paid", "already_contested", "review_required",
    "deposit_required", "item_on_hold", "plan_not_allowed", "already_on_plan", "in_contest",
    "bad_request",
})  # fmt: skip
LEVELS = (("Initial review", "review"), ("Hearing", "hearing"))
#: The schedule rows the plan dialog shows at once (a 768-high screen keeps it whole).
SCHEDULE_ROWS = 6


class EnterCheckBox(QCheckBox):
    """A box ticked with Space; Enter in it moves on, like Enter in a field."""

    returnPressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.returnPressed.emit()
            return
        super().keyPressEvent(event)


def _text(edit: QLineEdit) -> str:
    return edit.text().strip()


class ProgramDialog(DeskDialog):
    """What both dialogs share: the item's reference first, Enter through the widgets shown."""

    def __init__(
        self,
        ctx: UiContext,
        title: str,
        object_name: str,
        explanation: str,
        ref: str | None,
        then: Callable[[], None] | None,
    ) -> None:
        super().__init__(ctx, title, object_name, explanation)
        self.then = then
        self.ref = self.field("Open item", f"{object_name}Ref")
        self.ref.setMaxLength(128)
        self.ref.setText(ref or "")
        self.order: list[QWidget] = [self.ref]

    def add(self, label: str, object_name: str, widget: QWidget) -> QWidget:
        """A row of the form, in the Enter order; a line edit is one of the fields."""
        if isinstance(widget, QLineEdit):
            self.field(label, object_name, widget)
        else:
            widget.setObjectName(object_name)
            widget.setAccessibleName(label)
            self.form.addRow(label, widget)
        self.order.append(widget)
        return widget

    def wire(self) -> None:
        """Enter moves on from each widget (call after the last :meth:`add`)."""
        for widget in self.order:
            signal = getattr(widget, "returnPressed", None)
            if signal is not None:
                signal.connect(lambda w=widget: self.next_from(w))
        first = self.order[1] if self.ref.text() else self.ref
        first.setFocus()

    def next_from(self, widget: QWidget) -> None:
        """Enter: on to the next widget shown, or submit from the last one."""
        shown = [w for w in self.order if w.isVisibleTo(self)]
        later = shown[shown.index(widget) + 1 :] if widget in shown else []
        if later:
            later[0].setFocus()
        else:
            self.submit()

    def wanted_ref(self) -> str | None:
        ref = _text(self.ref)
        if not ref:
            self.complain("Key the open item's reference (a citation or bill).", self.ref)
            return None
        return ref

    def start(self) -> None:
        self.busy = True
        self.confirm_button.setEnabled(False)

    def refused(self, refusal: Refusal, focus: QWidget | None = None) -> None:
        self.busy = False
        self.confirm_button.setEnabled(True)
        self.ctx.show_refusal(refusal)
        self.message.setText(refusal.message)
        self.message.show()
        target = focus or self.ref
        target.setFocus()
        if isinstance(target, QLineEdit):
            target.selectAll()

    def finished_ok(self) -> None:
        self.busy = False
        self.confirm_button.setEnabled(True)
        if self.then is not None:
            self.then()


class ContestDialog(ProgramDialog):
    """Contest a citation: review or hearing; a lead's leave once the time has passed."""

    confirm_text = "Contest"

    def __init__(
        self, ctx: UiContext, ref: str | None = None, then: Callable[[], None] | None = None
    ) -> None:
        super().__init__(
            ctx,
            "Contest a citation",
            "contestDialog",
            "The level (↑↓: initial review or hearing), the reason and how to reach the "
            "person; Space ticks 'cannot pay' (a hearing without the deposit). The "
            "acknowledgement prints for the person.",
            ref,
            then,
        )
        self.level = AccountBox()
        for label, value in LEVELS:
            self.level.addItem(label, value)
        self.add("Level", "contestLevel", self.level)
        self.reason = QLineEdit()
        self.reason.setMaxLength(400)
        self.add("Reason", "contestReason", self.reason)
        self.contact = QLineEdit()
        self.contact.setMaxLength(200)
        self.contact.setPlaceholderText("phone, e-mail or address")
        self.add("Contact", "contestContact", self.contact)
        self.cannot_pay = EnterCheckBox("Cannot pay")
        self.add("Inability to pay", "contestCannotPay", self.cannot_pay)
        self.lead = QLineEdit()
        self.add("Lead's login", "contestLead", self.lead)
        self.lead_pin = QLineEdit()
        self.lead_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.add("Lead's PIN", "contestLeadPin", self.lead_pin)
        self._show_lead(False)
        self.wire()

    def _show_lead(self, shown: bool) -> None:
        self.lead_needed = shown
        for widget in (self.lead, self.lead_pin):
            self.form.setRowVisible(widget, shown)
        self.adjustSize()  # the rows shown get their height

    def submit(self) -> None:
        if self.busy:
            return
        ref = self.wanted_ref()
        if ref is None:
            return
        level = str(self.level.currentData())
        reason, contact = _text(self.reason), _text(self.contact)
        if not reason:
            self.complain("Key the reason the person gives.", self.reason)
            return
        if not contact:
            self.complain("Key how to reach the person (phone, e-mail or address).", self.contact)
            return
        cannot_pay = self.cannot_pay.isChecked()
        lead = _text(self.lead) if self.lead_needed else None
        pin = self.lead_pin.text() if self.lead_needed else None
        if self.lead_needed and not (lead and pin):
            self.complain("The lead keys their login and PIN.", self.lead if not lead else None)
            return
        desk = self.ctx.desk
        self.start()

        def contest() -> ContestResult:
            return desk.contest(
                ref, level, reason, contact, inability_to_pay=cannot_pay, approver=lead,
                approver_pin=pin,
            )  # fmt: skip

        self.run(contest, self._done, self._refused)

    def _refused(self, refusal: Refusal) -> None:
        if refusal.code == "contest_window_closed" and not self.lead_needed:
            self._show_lead(True)
            self.refused(refusal, self.lead)
            self.message.setText(f"{refusal.message} The lead keys their login and PIN.")
            return
        lead_said = self.lead_needed and refusal.code not in ITEM_CODES
        self.refused(refusal, self.lead if lead_said else None)

    def _done(self, result: ContestResult) -> None:
        self.finished_ok()
        if result.printed:
            self.ctx.show_info(
                f"Contest {result.contest} recorded for {result.ref}; the acknowledgement printed."
            )
        else:
            self.ctx.show_error(
                f"Contest {result.contest} recorded for {result.ref}; the acknowledgement did "
                "not print: the printer is not ready."
            )
        self.accept()


class PlanDialog(ProgramDialog):
    """Put an open item on a payment plan, with a lead's approval; the schedule shows after."""

    confirm_text = "Make the plan"

    def __init__(
        self, ctx: UiContext, ref: str | None = None, then: Callable[[], None] | None = None
    ) -> None:
        super().__init__(
            ctx,
            "Payment plan",
            "planDialog",
            "The monthly amount and the first due date; Space ticks 'indigent' (a smaller fee "
            "and a longer limit). A lead (not you) approves with their login and PIN.",
            ref,
            then,
        )
        self.monthly = MoneyEdit("Monthly amount")
        self.monthly.maximum = ctx.config.max_amount
        self.add("Monthly amount", "planMonthly", self.monthly)
        self.first_due = QLineEdit()
        self.first_due.setMaxLength(10)
        self.first_due.setPlaceholderText("2026-12-31")
        self.add("First due date", "planFirstDue", self.first_due)
        self.indigent = EnterCheckBox("Indigent")
        self.add("Indigent", "planIndigent", self.indigent)
        self.lead = QLineEdit()
        self.add("Lead's login", "planLead", self.lead)
        self.lead_pin = QLineEdit()
        self.lead_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.add("Lead's PIN", "planLeadPin", self.lead_pin)
        self.schedule = QTableWidget(0, 2)
        self.schedule.setObjectName("planSchedule")
        self.schedule.setAccessibleName("The plan's schedule")
        self.schedule.setHorizontalHeaderLabels(["Due", "Amount"])
        self.schedule.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.schedule.verticalHeader().hide()
        header = self.schedule.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.schedule.hide()
        self.form.addRow(self.schedule)
        self.print_button = QPushButton("Print the schedule (Ctrl+P)")
        self.print_button.setObjectName("planPrint")
        self.print_button.setAccessibleName("Print the schedule")
        self.print_button.setAutoDefault(False)
        self.print_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.print_button.clicked.connect(self.print_schedule)
        self.print_button.hide()
        self.form.addRow(self.print_button)
        printing = QShortcut(QKeySequence("Ctrl+P"), self)
        printing.activated.connect(self.print_schedule)
        self.made: PlanResult | None = None
        self.made_for = ""
        self.printing = False
        # The plan's total and schedule are shown as soon as its terms are keyed, before a
        # lead is asked (the payer agrees to them first).
        self.monthly.editingFinished.connect(self._preview)
        self.first_due.editingFinished.connect(self._preview)
        self.indigent.toggled.connect(lambda _on: self._preview())
        self.wire()

    def submit(self) -> None:
        if self.made is not None:  # the schedule is shown: Enter closes
            self.accept()
            return
        if self.busy:
            return
        ref = self.wanted_ref()
        if ref is None:
            return
        monthly = self.monthly.money()
        if monthly is None or not monthly.is_positive():
            self.complain(
                self.monthly.problem() or "Key the monthly amount, like 25.00.", self.monthly
            )
            return
        first_due = _text(self.first_due)
        if not first_due:
            self.complain("Key the first due date, like 2026-12-31.", self.first_due)
            return
        lead, pin = _text(self.lead), self.lead_pin.text()
        if not (lead and pin):
            self.complain("The lead keys their login and PIN.", self.lead if not lead else None)
            return
        indigent = self.indigent.isChecked()
        desk = self.ctx.desk
        self.made_for = ref
        self.start()
        self.run(
            lambda: desk.plan(ref, monthly, first_due, lead, pin, indigent=indigent),
            self._done,
            self._refused,
        )

    def _preview(self) -> None:
        ref, monthly, first_due = _text(self.ref), self.monthly.money(), _text(self.first_due)
        if self.made is not None or self.busy or not ref or not first_due:
            return
        if monthly is None or not monthly.is_positive():
            return
        indigent, desk = self.indigent.isChecked(), self.ctx.desk
        self.run(
            lambda: desk.plan_preview(ref, monthly, first_due, indigent=indigent),
            lambda shown: self._say(plan_terms(shown), error=False),
            lambda refusal: self._say(refusal.message, error=True),
        )

    def _say(self, text: str, *, error: bool) -> None:
        if self.made is not None:
            return
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()
        self._fit()  # taller for the words, never squeezing the fields

    def _refused(self, refusal: Refusal) -> None:
        focus: dict[str, QWidget] = {"bad_date": self.first_due, "bad_amount": self.monthly}
        if refusal.code in ITEM_CODES:
            self.refused(refusal)
        else:  # the lead's login or PIN, or who they are
            self.refused(refusal, focus.get(refusal.code, self.lead))

    def _done(self, result: PlanResult) -> None:
        self.made = result
        self.finished_ok()
        self.schedule.setRowCount(len(result.instalments))
        for row, (due, amount) in enumerate(result.instalments):
            for col, text in enumerate((due.isoformat(), str(amount))):
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if col == 1:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.schedule.setItem(row, col, cell)
        self.schedule.show()
        self.print_button.show()
        shown = min(len(result.instalments), SCHEDULE_ROWS)  # more scroll
        rows = sum(self.schedule.rowHeight(r) for r in range(shown))
        height = self.schedule.horizontalHeader().height() + rows + 2 * self.schedule.frameWidth()
        self.schedule.setMinimumHeight(height)
        for lead_field in (self.lead, self.lead_pin):  # approved: room for the schedule
            self.form.setRowVisible(lead_field, False)
        for widget in self.order:
            widget.setEnabled(False)
        self.confirm_button.setText("Close (Enter)")
        self.message.setProperty("error", False)
        self.message.setText(
            f"Plan {result.plan}: {result.total} in {len(result.instalments)} instalments. "
            "Ctrl+P prints the schedule; Enter closes."
        )
        self.message.show()
        self.ctx.show_info(f"Plan {result.plan} made: {result.total}, schedule shown.")
        self.schedule.setFocus()
        self._fit()

    def _fit(self) -> None:
        """As tall as what it now shows needs (adjustSize() would cap it at part of the
        screen; at most six rows of the schedule show, so it fits a 768-high screen)."""
        layout = self.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def print_schedule(self) -> None:
        """Ctrl+P, once the plan is made: the schedule on the receipt printer."""
        plan, ref = self.made, self.made_for
        if plan is None or self.printing:
            return
        self.printing = True
        self.print_button.setEnabled(False)
        desk = self.ctx.desk
        self.run(lambda: desk.print_plan_schedule(ref, plan), self._printed, self._print_refused)

    def _printed(self, printed: bool) -> None:
        self.printing = False
        self.print_button.setEnabled(True)
        name = self.made.plan if self.made is not None else ""
        if printed:
            self.message.setText(f"Plan {name}: the schedule printed. Enter closes.")
            self.ctx.show_info(f"The schedule of plan {name} printed.")
        else:
            self.message.setText(
                f"Plan {name}: the schedule did not print — the printer is not ready. Ctrl+P "
                "tries again; Enter closes."
            )
            self.ctx.show_error(
                f"The schedule of plan {name} did not print: the printer is not ready."
            )

    def _print_refused(self, refusal: Refusal) -> None:
        self.printing = False
        self.print_button.setEnabled(True)
        self.ctx.show_refusal(refusal)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.made is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.accept()
            return
        super().keyPressEvent(event)


def open_program_dialog(
    kind: str, ctx: UiContext, ref: str | None, then: Callable[[], None] | None = None
) -> Any:
    """Open the contest or plan dialog (``kind``) for ``ref``, without blocking."""
    dialog = (ContestDialog if kind == "contest" else PlanDialog)(ctx, ref, then)
    dialog.open()
    return dialog
