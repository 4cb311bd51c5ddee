"""A one-line question inside a screen: an amount, a quantity, or a yes — Enter answers, Esc
cancels.  The sale screen asks its open fees' amounts, per-unit quantities, F3/F4 changes,
reprints and "drop this sale?" here, without a dialog over the counter."""

from __future__ import annotations

from collections.abc import Callable

from cashier_desk.money import Money
from cashier_desk.ui.qt import (
    QEvent,
    QFrame,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    QRegularExpression,
    QRegularExpressionValidator,
    Qt,
    QWidget,
    Signal,
)
from cashier_desk.ui.widgets.money import MoneyEdit


class Prompt(QFrame):
    """``problem(message)`` when an answer is refused; ``closed(focus)`` when it closes (focus:
    the cursor should go back where the person types)."""

    problem = Signal(str)
    closed = Signal(bool)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName("Question")
        self._answer: Callable[[], bool] | None = None
        row = QHBoxLayout(self)
        self.label = QLabel()
        self.label.setObjectName(f"{name}Label")
        self.label.setAccessibleName("Question")
        self.label.setWordWrap(True)
        row.addWidget(self.label, 2)
        self.amount = MoneyEdit("Amount")
        self.amount.setObjectName(f"{name}Amount")
        row.addWidget(self.amount, 1)
        self.qty = QLineEdit()
        self.qty.setObjectName(f"{name}Qty")
        self.qty.setAccessibleName("Quantity")
        self.qty.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.qty.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{0,4}"), self.qty)
        )
        row.addWidget(self.qty, 1)
        self.yes = QPushButton("Yes (Enter)")
        self.yes.setObjectName(f"{name}Yes")
        self.yes.setAccessibleName("Yes")
        self.yes.clicked.connect(self.answer)
        row.addWidget(self.yes)
        self.no = QPushButton("No (Esc)")
        self.no.setObjectName(f"{name}No")
        self.no.setAccessibleName("No")
        self.no.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.no.clicked.connect(lambda: self.close_prompt())
        row.addWidget(self.no)
        self.fields: tuple[QWidget, ...] = (self.amount, self.qty, self.yes)
        for widget in self.fields:
            widget.installEventFilter(self)
        self.hide()

    def is_open(self) -> bool:
        return self._answer is not None

    def _open(self, question: str, field: QWidget, answer: Callable[[], bool]) -> None:
        self.label.setText(question)
        for widget in self.fields:
            widget.setVisible(widget is field)
        self.no.setText("Cancel (Esc)" if field is not self.yes else "No (Esc)")
        self._answer = answer
        self.show()
        field.setFocus()
        if isinstance(field, QLineEdit):
            field.selectAll()

    def ask_money(
        self, question: str, initial: Money | None, then: Callable[[Money], None]
    ) -> None:
        self.amount.set_money(initial)

        def answer() -> bool:
            amount = self.amount.money()
            if amount is None or not amount.is_positive():
                self.problem.emit(
                    self.amount.problem() or "Key an amount of more than 0.00, or Esc to cancel."
                )
                return False
            then(amount)
            return True

        self._open(question, self.amount, answer)

    def ask_qty(self, question: str, initial: int, then: Callable[[int], None]) -> None:
        self.qty.setText(str(initial))

        def answer() -> bool:
            text = self.qty.text()
            if not text or not 1 <= int(text) <= 9999:
                self.problem.emit("Key a quantity from 1 to 9999, or Esc to cancel.")
                return False
            then(int(text))
            return True

        self._open(question, self.qty, answer)

    def ask_yes(self, question: str, then: Callable[[], None]) -> None:
        def answer() -> bool:
            then()
            return True

        self._open(question, self.yes, answer)

    def answer(self) -> None:
        answer = self._answer
        if answer is None:
            return
        focus_before = self.window().focusWidget()
        if answer():
            # the answer may have opened the next question; close only the one answered
            if self._answer is answer:
                self.close_prompt()
        elif focus_before is not None:
            focus_before.setFocus()

    def close_prompt(self, *, focus: bool = True) -> None:
        self._answer = None
        self.hide()
        self.amount.clear()
        self.qty.clear()
        self.closed.emit(focus)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.answer()
            return True
        if event.key() == Qt.Key.Key_Escape:
            self.close_prompt()
            return True
        return False
