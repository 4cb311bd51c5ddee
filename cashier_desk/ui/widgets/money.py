"""Money entry for the ten-key: a line edit that accepts only amounts and gives a Money."""

from __future__ import annotations

import re

from cashier_desk.money import Money, MoneyError
from cashier_desk.ui.qt import QLineEdit, Qt, QWidget

_PARTIAL = re.compile(r"[0-9]{0,9}(\.[0-9]{0,2})?")


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
        self._last_good = ""

    def _keep_valid(self, text: str) -> None:
        if _PARTIAL.fullmatch(text):
            self._last_good = text
        else:
            pos = max(0, self.cursorPosition() - 1)
            self.setText(self._last_good)
            self.setCursorPosition(min(pos, len(self._last_good)))

    def money(self) -> Money | None:
        """The amount typed, or None when the field is empty or not an amount."""
        text = self.text().strip()
        if not text:
            return None
        if self.cents_entry and "." not in text:
            text = f"{int(text) // 100}.{int(text) % 100:02d}"
        try:
            return Money.parse(text)
        except MoneyError:
            return None

    def set_money(self, amount: Money | None) -> None:
        self.setText("" if amount is None else str(amount))
        self._last_good = self.text()
