"""Money entry for the ten-key: a line edit that accepts only amounts and gives a Money.

An amount has at most two decimals.  A third one typed (``12.345``) is not cut to ``12.34``: the
field keeps what was typed, turns red, says why (the window's banner, the field's tooltip) and
gives no amount until it is corrected, so whatever the field is for refuses it.  So does an
amount above ``[policy] max_amount`` in a field that takes money (:func:`limit_amounts`).
"""

from __future__ import annotations

import re

from cashier_desk.money import Money, MoneyError
from cashier_desk.ui.qt import QLineEdit, Qt, QWidget

_PARTIAL = re.compile(r"[0-9]{0,9}(\.[0-9]{0,6})?")
_TOO_FINE = re.compile(r"[0-9]*\.[0-9]{3,}")


def too_many_decimals(text: str) -> str:
    return f"{text} has more than two decimals: key the amount in cents, like 12.34."


def over_maximum(what: str, amount: Money, maximum: Money) -> str:
    return (
        f"{what} {amount} is more than the counter takes at once ({maximum}, [policy] max_amount)."
    )


def limit_amounts(root: QWidget, maximum: Money) -> None:
    """Every amount field in ``root`` refuses more than ``maximum`` (and says so)."""
    for edit in root.findChildren(MoneyEdit):
        edit.maximum = maximum


class MoneyEdit(QLineEdit):
    """Type ``12.30`` (or ``1230`` then Enter with ``cents_entry``): never a float."""

    def __init__(
        self, accessible_name: str, parent: QWidget | None = None, *, cents_entry: bool = False
    ) -> None:
        super().__init__(parent)
        self.cents_entry = cents_entry
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText("0.00")
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.textEdited.connect(self._keep_valid)
        self.textChanged.connect(self._mark)
        self._last_good = ""
        #: The most this field takes (``[policy] max_amount``); None: no limit of its own.
        self.maximum: Money | None = None

    def _keep_valid(self, text: str) -> None:
        if _PARTIAL.fullmatch(text):
            self._last_good = text
            problem = self.problem()
            if problem is not None:
                _announce(self, problem)
        else:
            pos = max(0, self.cursorPosition() - 1)
            self.setText(self._last_good)
            self.setCursorPosition(min(pos, len(self._last_good)))

    def _mark(self, _text: str) -> None:
        problem = self.problem()
        if bool(self.property("invalid")) != (problem is not None):
            self.setProperty("invalid", problem is not None)
            self.style().unpolish(self)
            self.style().polish(self)
        self.setToolTip(problem or "")

    def problem(self) -> str | None:
        """Why what is typed is not an amount (None when it is one, or is empty)."""
        text = self.text().strip()
        if _TOO_FINE.fullmatch(text):
            return too_many_decimals(text)
        amount = self._parsed(text)
        if amount is not None and self.maximum is not None and amount > self.maximum:
            return over_maximum("The amount", amount, self.maximum)
        return None

    def _parsed(self, text: str) -> Money | None:
        if not text:
            return None
        if self.cents_entry and "." not in text and text.isdigit():
            text = f"{int(text) // 100}.{int(text) % 100:02d}"
        try:
            return Money.parse(text)
        except MoneyError:
            return None

    def money(self) -> Money | None:
        """The amount typed, or None when the field is empty or not an amount."""
        if self.problem() is not None:
            return None
        return self._parsed(self.text().strip())

    def set_money(self, amount: Money | None) -> None:
        self.setText("" if amount is None else str(amount))
        self._last_good = self.text()


def _announce(field: QWidget, message: str) -> None:
    """Say ``message`` on the banner of the window the field is in (through the dialogs that
    hold it); a field outside any window keeps it in its tooltip only."""
    widget: QWidget | None = field
    while widget is not None:
        show = getattr(widget, "show_message", None)
        if callable(show):
            show(message, kind="error")
            return
        widget = widget.parentWidget()
