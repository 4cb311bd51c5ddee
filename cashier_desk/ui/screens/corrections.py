"""The lead's Corrections screen (Ctrl+Shift+E; issue 16, item 4): after the closeout, a
returned (NSF) check, a refund or a transfer of a receipt, and a supervisor's clearing of an
account's ``certified funds only``.  The Desk does the work (``desk/corrections.py``); this
screen only asks for what each needs, an approver (``ApproverDialog``) and shows the result.

Keyboard first: the cursor starts in the receipt's number; Enter finds the receipt and moves
on to the kind of correction; Enter in each field moves to the next one shown, and Enter in the
last asks for the approver (a lead; a supervisor for a refund or the certified-funds flag).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cashier_desk.errors import Refusal
from cashier_desk.ledger.receipts import ReceiptView
from cashier_desk.money import Money, MoneyError
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
)
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.screens.reports import open_in_viewer
from cashier_desk.ui.widgets.approver import ApproverDialog

#: (kind, what the person reads, the lowest role that approves it)
KINDS: tuple[tuple[str, str, str], ...] = (
    ("returned_check", "Returned check (NSF)", "lead"),
    ("refund", "Refund", "supervisor"),
    ("transfer", "Transfer (misapplied payment)", "lead"),
    ("clear", "Clear certified funds only", "supervisor"),
)
#: The fields each kind shows, in the order Enter goes through them.
FIELDS: dict[str, tuple[str, ...]] = {
    "returned_check": ("check", "reason"),
    "refund": ("amount", "payee", "address", "reason", "line", "method", "auth"),
    "transfer": ("from_ref", "to_ref", "amount", "reason"),
    "clear": ("account", "reason"),
}
LABELS: dict[str, str] = {
    "check": "Check number",
    "reason": "Reason",
    "amount": "Amount",
    "payee": "Payee",
    "address": "Payee's address",
    "line": "Receipt line (optional)",
    "method": "Refund by",
    "auth": "Card authorisation",
    "from_ref": "From item (paid by mistake)",
    "to_ref": "To item (meant)",
    "account": "Account",
}
KEYS = (
    "Enter moves on; Enter in the last field asks for the approver. "
    "A refund and clearing certified funds need a supervisor. "
    "Ctrl+Shift+P opens a returned check's letter to print it."
)


def _money(text: str, what: str) -> Money:
    try:
        return Money.parse(text.strip())
    except MoneyError as exc:
        raise Refusal("bad_amount", f"{what}: {exc}.") from None


def _gl_lines(gl: dict[str, Money]) -> list[str]:
    return [f"    {account}  {amount}" for account, amount in gl.items()]


def said(kind: str, done: Any, receipt: str) -> list[str]:
    """What a correction's result says, line by line (amounts, new items, fee, GL, papers)."""
    if kind == "returned_check":
        out = [f"Returned check {done.number} on receipt {receipt}: {done.amount} taken back."]
        out += [f"  Due again: {ref} {m}" for ref, m in done.reinstated]
        out += [f"  New item: {ref} {m}" for ref, m in done.new_items]
        out.append(f"  Returned check fee: {done.fee[0]} {done.fee[1]}")
        out.append("  GL:")
        out += _gl_lines(done.gl)
        out.append("  The account is for certified funds only from now on.")
        letter = done.letter or "NOT written (see the log): print one from another computer"
        out.append(f"  Letter to the payer: {letter}")
        return out
    if kind == "refund":
        out = [f"Refund {done.request} of receipt {receipt}: {done.amount}.", "  GL:"]
        out += _gl_lines(done.gl)
        out.append(f"  Accounts payable pays request {done.request} (with the next closeout).")
        return out
    if kind == "transfer":
        moved = f"{done.amount} moved from {done.from_ref} to {done.to_ref}"
        out = [f"Transfer {done.number} on receipt {receipt}: {moved}; {done.from_ref} is due "
               "again.", "  GL:"]  # fmt: skip
        out += _gl_lines(done.gl)
        notice = "printed" if done.printed else "NOT printed (the printer is not ready)"
        out.append(f"  Transfer notice for the payer: {notice}.")
        return out
    return [f"Account {done} may pay by check again (certified funds only cleared)."]


class CorrectionsScreen(Screen):
    name = "corrections"
    title = "Corrections"
    #: How the letter's PDF is opened to print (tests put their own here).
    opener: Callable[[Path], bool] = staticmethod(open_in_viewer)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.busy = False
        self.letter: Path | None = None  # the last returned check's letter
        key = QShortcut(QKeySequence("Ctrl+Shift+P"), self)
        key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        key.activated.connect(self.print_letter)
        self._dialog: ApproverDialog | None = None
        outer = QHBoxLayout(self)
        outer.addWidget(self._choices())
        right = QVBoxLayout()
        self.receipt_shown = self._label("corrReceiptShown", "The receipt", "No receipt found yet.")
        right.addWidget(self.receipt_shown)
        right.addSpacing(16)
        self.result = self._label("corrResult", "The result", "")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.result)
        right.addStretch(1)
        outer.addLayout(right, 1)
        self._kind_changed()

    @staticmethod
    def _label(name: str, accessible: str, text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return label

    def _choices(self) -> QWidget:
        box = QWidget()
        box.setObjectName("corrChoices")
        box.setFixedWidth(600)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Corrections")
        heading.setObjectName("reportsHeading")  # styled as the Reports screen's heading
        column.addWidget(heading)
        self.form = QFormLayout()
        # labels beside the fields: a refund by card shows nine rows, whole at 1280×700
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.receipt = self._edit("receipt", "Receipt number")
        self.receipt.setPlaceholderText("W1-000002")
        self.receipt.returnPressed.connect(self.find_receipt)
        self.kind = self._combo("kind", "Correction", [text for _, text, _ in KINDS])
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        for field in LABELS:
            if field == "method":
                self.method = self._combo(field, LABELS[field], ["check", "card"])
                self.method.currentIndexChanged.connect(lambda _i: self._kind_changed())
                self.fields[field] = self.method
            else:
                edit = self._edit(field, LABELS[field])
                edit.returnPressed.connect(lambda f=field: self._next(f))
                self.fields[field] = edit
        column.addLayout(self.form)
        self.approve_button = QPushButton("Approve… (Enter)")
        self.approve_button.setObjectName("corrApprove")
        self.approve_button.setAutoDefault(True)
        self.approve_button.clicked.connect(lambda _checked=False: self.ask_approval())
        column.addWidget(self.approve_button)
        hint = QLabel(KEYS)
        hint.setObjectName("corrKeys")
        hint.setAccessibleName("Keys")
        hint.setWordWrap(True)
        column.addWidget(hint)
        column.addStretch(1)
        return box

    def _edit(self, name: str, label: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"corr_{name}")
        edit.setAccessibleName(label)
        self.form.addRow(label, edit)
        return edit

    def _combo(self, name: str, label: str, items: list[str]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"corr_{name}")
        combo.setAccessibleName(label)
        combo.addItems(items)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), combo)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(lambda n=name: self._next(n))
        self.form.addRow(label, combo)
        return combo

    # -- what is shown ----------------------------------------------------------------------

    def kind_name(self) -> str:
        return KINDS[self.kind.currentIndex()][0]

    def shown_fields(self) -> list[str]:
        fields = list(FIELDS[self.kind_name()])
        if "auth" in fields and self.method.currentText() != "card":
            fields.remove("auth")
        return fields

    def _kind_changed(self) -> None:
        shown = self.shown_fields()
        for field, widget in self.fields.items():
            self.form.setRowVisible(widget, field in shown)
        label = self.form.labelForField(self.fields["reason"])
        if isinstance(label, QLabel):
            optional = self.kind_name() == "transfer"
            label.setText("Reason (optional)" if optional else "Reason")
        self.form.setRowVisible(self.receipt, self.kind_name() != "clear")

    def _next(self, after: str) -> None:
        """Enter: the next field shown, else the approver."""
        order = ["kind", *self.shown_fields()]
        at = order.index(after) if after in order else len(order)
        if at + 1 < len(order):
            self.fields[order[at + 1]].setFocus()
        else:
            self.ask_approval()

    def activated(self) -> None:
        (self.receipt if self.kind_name() != "clear" else self.kind).setFocus()

    # -- finding the receipt ------------------------------------------------------------------

    def find_receipt(self) -> None:
        number = self.receipt.text().strip()
        if not number:
            self.ctx.show_warning("Type the receipt's number (e.g. W1-000002), then Enter.")
            return
        desk = self.ctx.desk

        def found(view: ReceiptView | None) -> None:
            if view is None:
                self.receipt_shown.setText(f"Receipt {number} is not on this workstation.")
                self.receipt.setFocus()
                return
            self.receipt_shown.setText("\n".join(self._describe(view)))
            payee = self.fields["payee"]
            if isinstance(payee, QLineEdit) and not payee.text() and view.payer:
                payee.setText(view.payer)
            self.kind.setFocus()

        self.ctx.run(lambda: desk.receipt(number), found)

    @staticmethod
    def _describe(view: ReceiptView) -> list[str]:
        head = f"Receipt {view.receipt_no} of {view.business_date} ({view.cashier})"
        out = [head + (f", {view.payer}" if view.payer else "") + f": {view.total}"]
        if view.voided:
            out.append("  VOIDED: nothing to correct.")
        out += [
            f"  Line {n}: {ln.description}" + (f" [{ln.ref}]" if ln.ref else "") + f"  {ln.amount}"
            for n, ln in enumerate(view.lines, 1)
        ]
        for t in view.tenders:
            extra = f" {t.number}" if t.number else (f" …{t.last4}" if t.last4 else "")
            out.append(f"  Paid by {t.kind}{extra}: {t.amount}")
        return out

    # -- approving ----------------------------------------------------------------------------

    def ask_approval(self) -> None:
        if self.busy or self._dialog is not None:
            return
        kind, text, role = KINDS[self.kind.currentIndex()]
        dialog = ApproverDialog(
            f"Approve: {text}",
            f"{text} for {self._what()}. A {role} who is not the cashier approves it.",
            reason_label=None,
            parent=self,
        )
        dialog.setObjectName("corrApprover")
        dialog.accepted.connect(lambda: self._approved(kind, dialog))
        self._dialog = dialog

        def gone(_result: int) -> None:
            self._dialog = None
            dialog.deleteLater()
            if self.isVisible():
                self.window().activateWindow()
                self.approve_button.setFocus()

        dialog.finished.connect(gone)
        dialog.open()

    def print_letter(self) -> None:
        """Open the last returned check's letter in the PDF viewer, whose dialog prints it."""
        if self.letter is None:
            self.ctx.show_warning("No returned-check letter to print: take a check back first.")
        elif type(self).opener(self.letter):
            self.ctx.show_info(f"Opened {self.letter.name} in the PDF viewer: print it there.")
        else:
            self.ctx.show_warning(
                f"No PDF viewer opened: print {self.letter.name} from another computer."
            )

    def _what(self) -> str:
        if self.kind_name() == "clear":
            return f"account {self._text('account')}"
        return f"receipt {self.receipt.text().strip()}"

    def _text(self, field: str) -> str:
        widget = self.fields[field]
        return widget.currentText() if isinstance(widget, QComboBox) else widget.text().strip()

    def _call(self, kind: str, login: str, pin: str) -> Callable[[], Any]:
        desk, t, receipt = self.ctx.desk, self._text, self.receipt.text().strip()
        if kind == "returned_check":
            check, reason = t("check"), t("reason")
            return lambda: desk.returned_check(receipt, check, reason, login, pin)
        if kind == "refund":
            amount, payee, address, reason = t("amount"), t("payee"), t("address"), t("reason")
            line, method, auth = t("line"), t("method"), t("auth") or None

            def refund() -> Any:
                if line and not line.isdigit():
                    raise Refusal("unknown_line", "The line is a receipt line's number: 1, 2, …")
                return desk.refund(receipt, _money(amount, "The refund"), payee, address, reason,
                                   login, pin, line=int(line) if line else None, method=method,
                                   auth=auth if method == "card" else None)  # fmt: skip

            return refund
        if kind == "transfer":
            source, target, amount, why = t("from_ref"), t("to_ref"), t("amount"), t("reason")
            return lambda: desk.transfer(receipt, source, target, _money(amount, "The transfer"),
                                         login, pin, why or None)  # fmt: skip
        account, reason = t("account"), t("reason")

        def clear() -> str:
            desk.clear_certified_funds(account, login, pin, reason)
            return account

        return clear

    def _approved(self, kind: str, dialog: ApproverDialog) -> None:
        override = dialog.override()
        receipt = self.receipt.text().strip()
        self.busy = True

        def done(result: Any) -> None:
            self.busy = False
            letter = getattr(result, "letter", None) if kind == "returned_check" else None
            self.letter = Path(letter) if letter else None
            lines = said(kind, result, receipt)
            self.result.setText("\n".join(lines))
            self.ctx.show_info(lines[0])
            self.approve_button.setFocus()

        def refused(refusal: Refusal) -> None:
            self.busy = False
            self.result.setText(f"Refused: {refusal.message}")
            self.ctx.show_refusal(refusal)
            self.approve_button.setFocus()

        def failed(_exc: Exception) -> None:
            self.busy = False

        self.ctx.run(self._call(kind, override.login, override.pin), done, refused, failed)
