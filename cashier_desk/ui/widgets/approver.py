"""The lead's override: a second person types their login and PIN (and a reason)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from cashier_desk.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Override:
    login: str
    pin: str
    reason: str


class ApproverDialog(QDialog):
    """Asks for an approver (a lead or above, not the cashier) and, when ``reason_label`` is
    given, a reason or comment.  Enter moves on; Enter on the last field approves (its button
    says ``action``: "Approve", or what the approval does, "Send back")."""

    def __init__(
        self,
        title: str,
        explanation: str,
        reason_label: str | None = "Reason",
        parent: QWidget | None = None,
        action: str = "Approve",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setObjectName("approverDialog")
        layout = QVBoxLayout(self)
        note = QLabel(explanation)
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.login = QLineEdit()
        self.login.setAccessibleName("Approver login")
        self.login.setObjectName("approverLogin")
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName("Approver PIN")
        self.pin.setObjectName("approverPin")
        form.addRow("Approver", self.login)
        form.addRow("PIN", self.pin)
        self.reason: QLineEdit | None = None
        if reason_label:
            self.reason = QLineEdit()
            self.reason.setAccessibleName(reason_label)
            self.reason.setObjectName("approverReason")
            form.addRow(reason_label, self.reason)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(action)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("approverOk")
        buttons.accepted.connect(self._accept_if_complete)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fields = [self.login, self.pin] + ([self.reason] if self.reason else [])
        for here, after in itertools.pairwise(fields):
            here.returnPressed.connect(after.setFocus)
        fields[-1].returnPressed.connect(self._accept_if_complete)
        self.login.setFocus()

    def _accept_if_complete(self) -> None:
        if (
            self.login.text().strip()
            and self.pin.text()
            and (self.reason is None or self.reason.text().strip())
        ):
            self.accept()

    def override(self) -> Override:
        return Override(
            self.login.text().strip(),
            self.pin.text(),
            self.reason.text().strip() if self.reason else "",
        )
