"""The Reports screen's bar chart: a horizontal bar per key, in the table's order, painted
with QPainter (light: no chart library, no image of the PDF).  Bars are whole cents; a bar's
length is its share of the largest amount, worked out in integers; its amount is written at
its end.  Negative amounts (cash over/short, change) are drawn from the same zero line to the
left."""

from __future__ import annotations

from collections.abc import Sequence

from cashier_desk.money import Money
from cashier_desk.ui.qt import (
    QColor,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QSize,
    QSizePolicy,
    Qt,
    QWidget,
)

_BAR = 18  # pixels a bar, its gap included, when there is room
_THINNEST = 5  # pixels a bar at the least; below a line of text, every n-th bar is named
_TALLEST = 330  # the most the chart asks for: the table takes the rest
_GAP = 3
_FILL = QColor("#406BA6")
_NEGATIVE = QColor("#B5473A")


class BarChart(QWidget):
    """A titled horizontal bar chart of amounts; focusable so Tab reaches it and its
    accessible description reads every bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportChart")
        self.setAccessibleName("Bar chart")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(260)
        self.title = ""
        self.bars: list[tuple[str, int]] = []

    def show_bars(self, title: str, bars: Sequence[tuple[str, int]]) -> None:
        self.title = title
        self.bars = list(bars)
        described = "; ".join(f"{label} {Money(cents)}" for label, cents in self.bars)
        self.setAccessibleDescription(f"{title}: {described}" if self.bars else title)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, min(_TALLEST, 40 + _BAR * max(len(self.bars), 1)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        metrics = QFontMetrics(self.font())
        width, height = self.width(), self.height()
        painter.fillRect(0, 0, width, height, self.palette().base())
        if self.hasFocus():
            painter.setPen(self.palette().highlight().color())
            painter.drawRect(0, 0, width - 1, height - 1)
        painter.setPen(self.palette().text().color())
        line = metrics.height()
        painter.drawText(8, 4 + metrics.ascent(), self.title or "No chart")
        if not self.bars:
            painter.drawText(8, 8 + line + metrics.ascent(), "Nothing to draw.")
            return
        top = 10 + line
        labels = min(max(metrics.horizontalAdvance(label) for label, _ in self.bars), width // 3)
        amounts = max(metrics.horizontalAdvance(str(Money(c))) for _, c in self.bars)
        most = max(max(c for _, c in self.bars), 0)
        least = min(min(c for _, c in self.bars), 0)
        span = max(most - least, 1)
        left = 8 + labels + 8
        room = max(width - left - amounts - 16, 10)
        zero = left + room * -least // span
        step = max(_THINNEST, min(_BAR, (height - top - 4) // len(self.bars)))
        every = -(-(line + 1) // step)  # name every n-th bar, so no text overlaps the next
        gap = _GAP if step > 8 else 1
        fit = (height - top - 4) // step
        if fit < len(self.bars):  # a line under the bars says how many more the table has
            fit = max((height - top - 4 - line) // step, 0)
            note = f"… {len(self.bars) - fit} more in the table"
            painter.drawText(8, top + fit * step + metrics.ascent() + 2, note)
        for n, (label, cents) in enumerate(self.bars[:fit]):
            y = top + n * step
            length = room * abs(cents) // span
            start = zero if cents >= 0 else zero - length
            painter.fillRect(start, y, max(length, 1), step - gap,
                             _FILL if cents >= 0 else _NEGATIVE)  # fmt: skip
            if n % every:
                continue
            base = y + (step - gap + metrics.ascent() - metrics.descent()) // 2
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, labels)
            painter.drawText(8, base, shown)
            painter.drawText(max(zero, start + length) + 4, base, str(Money(cents)))
        painter.setPen(QColor("#808080"))
        painter.drawLine(zero, top - 2, zero, top + step * min(fit, len(self.bars)))
