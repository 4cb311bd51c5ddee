"""The fit check finds what a person would not see whole: it is what proves the screens fit."""

from __future__ import annotations

from typing import Any

from cashier_desk.ui.fit import ALL_ROWS, clipped
from cashier_desk.ui.qt import (
    QHeaderView,
    QLabel,
    QPushButton,
    QSize,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

SCREEN = QSize(1366, 768)


def _window(qtbot: Any, *widgets: QWidget) -> QWidget:
    window = QWidget()
    layout = QVBoxLayout(window)
    for widget in widgets:
        layout.addWidget(widget)
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_label_or_button_narrower_than_its_text_is_found(qtbot: Any) -> None:
    label = QLabel("Change due 1234.56 — the whole amount")
    button = QPushButton("Close out the day (F10)")
    window = _window(qtbot, label, button)
    assert clipped(window, SCREEN) == []
    label.setFixedWidth(60)
    button.setFixedWidth(60)
    found = clipped(window, SCREEN)
    assert any("label" in f and "Change due" in f for f in found), found
    assert any("button" in f and "Close out the day" in f for f in found), found


def test_a_wrapped_label_cut_in_height_is_found(qtbot: Any) -> None:
    label = QLabel("Currency 300.00, coin 10.00, less change funds 210.00, safe drops 0.00")
    label.setWordWrap(True)
    window = _window(qtbot, label)
    label.setFixedSize(150, 20)
    assert any("needs" in f and "height" in f for f in clipped(window, SCREEN))


def test_a_wrapped_path_breaks_after_its_slashes_but_a_long_word_does_not(qtbot: Any) -> None:
    # A closeout's papers are shown with their whole path, which Qt wraps after each "/".
    folder = "/tmp/pytest-of-root/pytest-29/test_a_plain_wheel_install_run0/Y/reports/2026-12-05"
    path = QLabel(f"Saved {folder}/deposit-slip-W1.pdf")
    word = QLabel("Saved " + "x" * 120)
    path.setObjectName("path")
    word.setObjectName("word")
    for label in (path, word):
        label.setWordWrap(True)
        label.setFixedWidth(420)
        label.setMinimumHeight(200)
    window = _window(qtbot, path, word)
    wider = [f for f in clipped(window, SCREEN) if "a word is wider" in f]
    assert len(wider) == 1 and "'word'" in wider[0], wider


def test_a_table_column_that_cuts_its_cells_or_rows_is_found(qtbot: Any) -> None:
    table = QTableWidget(4, 2)
    table.setHorizontalHeaderLabels(["GL account", "Amount"])
    for row in range(4):
        table.setItem(row, 0, QTableWidgetItem("101-0000-49900"))
        table.setItem(row, 1, QTableWidgetItem("123456.78"))
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setProperty(ALL_ROWS, True)
    window = _window(qtbot, table)
    window.resize(500, 400)
    qtbot.wait(10)
    assert clipped(window, SCREEN) == []
    table.setFixedSize(160, 80)
    qtbot.wait(10)
    found = clipped(window, SCREEN)
    assert any("column 'GL account'" in f for f in found), found
    assert any("does not show all its rows" in f for f in found), found


def test_a_window_bigger_than_the_screen_is_found(qtbot: Any) -> None:
    window = _window(qtbot, QLabel("x"))
    window.setMinimumSize(1400, 700)
    window.resize(1400, 700)
    assert any("more than the screen" in f for f in clipped(window, SCREEN))
