"""Does a window show everything whole on a screen of a given size?

``clipped(window, screen)`` lists what a person would not see whole: the window needing more
than the screen, a label or button narrower than its text (measured with the font's metrics), a
wrapped label shorter than its lines, a table column narrower than its cells or header, a table
or list (or the simulated printer's paper) that must scroll sideways, a table marked to show all
its rows that must scroll, a placeholder cut short, a menu bar folded away.  ``cashier-desk
screenshots`` and the tests run it on every screen at 1366×768 and 1280×1024.
"""

from __future__ import annotations

from cashier_desk.ui.qt import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QFontMetrics,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QSize,
    QStyle,
    Qt,
    QTableView,
    QTextBoundaryFinder,
    QWidget,
)

#: A table that must show every row (never scroll): ``table.setProperty(ALL_ROWS, True)``.
ALL_ROWS = "showAllRows"
#: What a line edit's frame and padding take from its width in the style sheet.
_LINE_EDIT_CHROME = 24


def _shown(text: str) -> str:
    """The text as drawn: a single ``&`` marks a mnemonic and is not drawn."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _unbreakable(text: str) -> list[str]:
    """The pieces a wrapped label cannot break, as Qt finds them (a path breaks after ``/``)."""
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Line, text)
    units = text.encode("utf-16-le")  # Qt counts UTF-16 code units
    pieces, start = [], 0
    while (end := finder.toNextBoundary()) != -1:
        pieces.append(units[2 * start : 2 * end].decode("utf-16-le").strip())
        start = end
    return pieces or [""]


def _name(widget: QWidget) -> str:
    return widget.objectName() or widget.accessibleName() or type(widget).__name__


def _label(label: QLabel) -> str | None:
    text = label.text()
    if not text or label.textFormat() == Qt.TextFormat.RichText or text.lstrip().startswith("<"):
        return None
    metrics = QFontMetrics(label.font())
    room = label.contentsRect().adjusted(label.margin(), label.margin(), -label.margin(), 0)
    shown = _shown(text) if label.buddy() is not None else text
    if label.wordWrap():
        longest = max(metrics.horizontalAdvance(word) for word in _unbreakable(shown))
        if longest > room.width():
            return f"label {_name(label)!r}: a word is wider ({longest}) than the label"
        needed = label.heightForWidth(label.width())
        if needed > label.height():
            return f"label {_name(label)!r}: needs {needed} px of height, has {label.height()}"
        return None
    needed = max(metrics.horizontalAdvance(line) for line in shown.split("\n"))
    if needed > room.width():
        return f"label {_name(label)!r}: {shown!r} needs {needed} px, has {room.width()}"
    return None


def _button(button: QAbstractButton) -> str | None:
    text = _shown(button.text())
    if not text:
        return None
    needed = QFontMetrics(button.font()).horizontalAdvance(text)
    chrome = max(0, button.sizeHint().width() - needed)
    if needed + chrome > button.width():
        return (
            f"button {_name(button)!r}: {text!r} needs {needed + chrome} px, has {button.width()}"
        )
    return None


def _placeholder(edit: QLineEdit) -> str | None:
    text = edit.placeholderText()
    if edit.text() or not text:
        return None
    needed = QFontMetrics(edit.font()).horizontalAdvance(text) + _LINE_EDIT_CHROME
    if needed > edit.width():
        return f"field {_name(edit)!r}: its hint {text!r} needs {needed} px, has {edit.width()}"
    return None


def _wraps(table: QTableView) -> bool:
    """The table's rows grow to take its cells' text on more lines."""
    model = table.model()
    rows = model.rowCount() if model is not None else 0
    return (
        table.wordWrap()
        and rows > 0
        and table.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.ResizeToContents
    )


def _longest_word(table: QTableView, column: int) -> int:
    """The widest word of a column's cells, with the cell's margins."""
    model = table.model()
    metrics = QFontMetrics(table.font())
    widest = 0
    for row in range(model.rowCount() if model is not None else 0):
        text = str(model.data(model.index(row, column)) or "")
        widest = max([widest, *(metrics.horizontalAdvance(word) for word in text.split())])
    return widest + 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)


def _table(table: QTableView) -> list[str]:
    found = []
    header = table.horizontalHeader()
    model = table.model()
    wraps = _wraps(table)
    for column in range(model.columnCount() if model is not None else 0):
        if table.isColumnHidden(column):
            continue
        cells = _longest_word(table, column) if wraps else table.sizeHintForColumn(column)
        needed = max(cells, header.sectionSizeHint(column))
        if header.sectionSize(column) < needed:
            title = model.headerData(column, Qt.Orientation.Horizontal) if model else column
            found.append(
                f"table {_name(table)!r}: column {title!r} needs {needed} px, "
                f"has {header.sectionSize(column)}"
            )
    if table.property(ALL_ROWS) and table.verticalScrollBar().maximum() > 0:
        found.append(f"table {_name(table)!r}: does not show all its rows")
    return found


def _scrolls_sideways(area: QAbstractScrollArea) -> str | None:
    if area.horizontalScrollBar().maximum() > 0:
        return f"{_name(area)!r}: scrolls sideways (its text is wider than it is)"
    return None


def clipped(window: QWidget, screen: QSize) -> list[str]:
    """What is not shown whole in ``window`` (and its open dialogs) on ``screen``."""
    found: list[str] = []
    size = window.size()
    if size.width() > screen.width() or size.height() > screen.height():
        found.append(
            f"{_name(window)!r} is {size.width()}×{size.height()}, more than the screen's "
            f"{screen.width()}×{screen.height()}"
        )
    if isinstance(window, QMainWindow):
        bar = window.menuBar()
        if bar.sizeHint().width() > bar.width():
            found.append("the menu bar folds menus away")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        problem: str | None = None
        if isinstance(widget, QLabel):
            problem = _label(widget)
        elif isinstance(widget, QAbstractButton):
            problem = _button(widget)
        elif isinstance(widget, QLineEdit):
            problem = _placeholder(widget)
        elif isinstance(widget, QTableView):
            found += _table(widget)
            problem = _scrolls_sideways(widget)
        elif isinstance(widget, (QAbstractItemView, QPlainTextEdit)):
            problem = _scrolls_sideways(widget)
        if problem is not None:
            found.append(problem)
    return found
