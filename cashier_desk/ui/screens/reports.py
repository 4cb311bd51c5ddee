"""The lead's Reports screen (Ctrl+Shift+R; issue 17, item 3): pick a report (statistics,
daily reconciliation, delinquents, TOT returns) and its period or date,
see its table and bar chart, save its PDF and CSV (the files ``cashier-desk report`` writes,
in the data folder's ``reports/``), print it.

Keyboard first: the cursor starts in the report's list; Tab goes through the choices, the
dates, the buttons, the table and the chart; Enter in any choice or date shows the report;
Ctrl+S saves it, Ctrl+Shift+P prints it; Esc in the table or the chart goes back to the
choices.  A report is read off the GUI thread with a progress dialog that can cancel it
(``reports_progress.py``).  Printing saves the PDF and opens it in the desktop's PDF viewer,
whose print dialog prints a table and a chart on a page (the receipt printer's roll cannot):
docs/decisions.md, "The Reports screen".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from cashier_desk.errors import Refusal
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDesktopServices,
    QFont,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QUrl,
    QVBoxLayout,
    QWidget,
)
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.screens.reports_chart import BarChart
from cashier_desk.ui.screens.reports_model import (
    BY_NAMES,
    PERIODS,
    RANGE,
    REPORTS,
    Shown,
    of_daily,
    of_delinquent,
    of_stats,
    of_tot,
    period_of,
    tot_period_of,
)
from cashier_desk.ui.screens.reports_progress import ReportRun

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
KEYS = "Tab moves on; Esc in the table or the chart comes back here."


def open_in_viewer(path: Path) -> bool:
    """Open a saved PDF in the desktop's viewer (where it is printed); whether one opened."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


class ReportsScreen(Screen):
    name = "reports"
    title = "Reports"
    #: How a saved PDF is opened to print (tests put their own here).
    opener: Callable[[Path], bool] = staticmethod(open_in_viewer)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.found: tuple[str, Any] | None = None  # the report shown: (kind, figures)
        self.saved: tuple[Path, ...] = ()
        self.run: ReportRun | None = None
        self.today: date | None = None  # the business date, asked when the screen is shown
        outer = QHBoxLayout(self)
        outer.addWidget(self._choices())
        right = QVBoxLayout()
        self.heading = QLabel("No report shown yet: choose one and press Enter.")
        self.heading.setObjectName("reportTitle")
        self.heading.setAccessibleName("Report shown")
        self.heading.setWordWrap(True)
        right.addWidget(self.heading)
        self.files = QLabel("")
        self.files.setObjectName("reportFiles")
        self.files.setAccessibleName("Files saved")
        self.files.setWordWrap(True)
        self.files.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.files.hide()
        right.addWidget(self.files)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("reportTable")
        self.table.setAccessibleName("The report's table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        right.addWidget(self.table, 100)
        self.chart = BarChart()
        right.addWidget(self.chart)
        right.addStretch(1)  # what a short table leaves is under the chart
        self.table.hide()  # until a report is shown
        self.chart.hide()
        outer.addLayout(right, 1)
        for widget in (self.table, self.chart):
            back = QShortcut(QKeySequence(Qt.Key.Key_Escape), widget)
            back.setContext(Qt.ShortcutContext.WidgetShortcut)
            back.activated.connect(self._back_to_choices)
        for keys, slot in (("Ctrl+S", self.save), ("Ctrl+Shift+P", self.print_report)):
            key = QShortcut(QKeySequence(keys), self)
            key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            key.activated.connect(slot)
        self._kind_changed()

    # -- the choices --------------------------------------------------------------------------

    def _choices(self) -> QWidget:
        box = QWidget()
        box.setObjectName("reportChoices")
        box.setFixedWidth(260)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Reports")
        heading.setObjectName("reportsHeading")
        column.addWidget(heading)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # labels above
        self.kind = self._combo("reportKind", "Report", [text for _, text in REPORTS])
        self.by = self._combo("reportBy", "By", [text for _, text in BY_NAMES])
        self.period = self._combo("reportPeriod", "Period", list(PERIODS))
        self.date_from = self._date("reportFrom", "From (YYYY-MM-DD)")
        self.date_to = self._date("reportTo", "To (YYYY-MM-DD)")
        self.on_date = self._date("reportDate", "Date (YYYY-MM-DD)")
        self.tot_period = self._date("reportTotPeriod", "Period (YYYY-Qn or YYYY-MM)", "2026-Q3")
        for edit in (self.date_from, self.date_to):
            edit.textEdited.connect(lambda _t: self.period.setCurrentText(RANGE))
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.period.currentIndexChanged.connect(lambda _i: self._fill_period())
        column.addLayout(self.form)
        self.show_button = self._button("reportShow", "Show (Enter)", self.show_report)
        self.save_button = self._button("reportSave", "Save PDF, CSV (Ctrl+S)", self.save)
        self.print_button = self._button("reportPrint", "Print (Ctrl+Shift+P)", self.print_report)
        for button in (self.show_button, self.save_button, self.print_button):
            column.addWidget(button)
        hint = QLabel(KEYS)
        hint.setObjectName("reportKeys")
        hint.setAccessibleName("Keys")
        hint.setWordWrap(True)
        column.addWidget(hint)
        column.addStretch(1)
        return box

    def _combo(self, name: str, label: str, items: list[str]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(label)
        combo.addItems(items)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), combo)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(self.show_report)
        self.form.addRow(label, combo)
        return combo

    def _date(self, name: str, label: str, example: str = "2026-11-30") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(label)
        edit.setPlaceholderText(example)
        edit.returnPressed.connect(self.show_report)
        self.form.addRow(label, edit)
        return edit

    @staticmethod
    def _button(name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(True)  # Enter on a button with the focus presses it
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def report_kind(self) -> str:
        return REPORTS[self.kind.currentIndex()][0]

    def _kind_changed(self) -> None:
        kind = self.report_kind()
        for widget in (self.by, self.period, self.date_from, self.date_to):
            self.form.setRowVisible(widget, kind == "stats")
        self.form.setRowVisible(self.on_date, kind in ("daily", "delinquent"))
        self.form.setRowVisible(self.tot_period, kind == "tot")

    def _fill_period(self) -> None:
        if self.today is None:
            return
        period = period_of(self.period.currentText(), self.today)
        if period is not None:
            self.date_from.setText(period[0].isoformat())
            self.date_to.setText(period[1].isoformat())

    def activated(self) -> None:
        self.kind.setFocus()

        def today(business_date: str) -> None:
            self.today = date.fromisoformat(business_date)
            if not self.on_date.text():
                self.on_date.setText(business_date)
            if not self.tot_period.text():
                self.tot_period.setText(tot_period_of(self.today))
            if not self.date_from.text():
                self._fill_period()

        self.ctx.run(self.ctx.desk.business_date, today)

    def _back_to_choices(self) -> None:
        self.kind.setFocus()

    # -- showing a report ---------------------------------------------------------------------

    def show_report(self) -> None:
        """Read the report chosen (off the GUI thread, with a progress dialog)."""
        if self.run is not None:
            return
        desk, kind = self.ctx.desk, self.report_kind()
        if kind == "stats":
            by = BY_NAMES[self.by.currentIndex()][0]
            start, end = self.date_from.text().strip(), self.date_to.text().strip()

            def read(progress: Any) -> Any:
                return desk.stats_report(start, end, by, progress=progress)

            label = f"Statistics by {by}, {start} to {end}…"
        elif kind == "tot":
            when = self.tot_period.text().strip()

            def read(progress: Any) -> Any:
                return desk.tot_report(when, progress=progress)

            label = f"{dict(REPORTS)[kind]}: {when}…"
        else:
            day = self.on_date.text().strip()
            method = desk.daily_report if kind == "daily" else desk.delinquent_report

            def read(progress: Any) -> Any:
                return method(day, progress=progress)

            label = f"{dict(REPORTS)[kind]}: {day}…"
        self.run = ReportRun(self.ctx, self.window(), label)
        self.run.start(read, lambda found: self._shown(kind, found), self._refused, self._failed)

    def _refused(self, refusal: Refusal) -> None:
        self.run = None
        window = self.ctx.window
        if refusal.code == "cancelled" and window is not None and window.locked():
            return  # stopped by the lock: nothing of the counter shows on its cover
        if refusal.code == "cancelled":
            self.ctx.show_warning("The report was cancelled: what was shown before is still shown.")
        else:
            self.ctx.show_refusal(refusal)
        self.kind.setFocus()

    def _failed(self) -> None:
        self.run = None
        self.kind.setFocus()

    def _shown(self, kind: str, found: Any) -> None:
        self.run = None
        self.found, self.saved = (kind, found), ()
        self.files.setText("")
        self.files.hide()
        if kind == "stats":
            shown = of_stats(found)
        elif kind == "daily":
            shown = of_daily(found, self.ctx.desk.workstation)
        elif kind == "tot":
            shown = of_tot(found)
        else:
            shown = of_delinquent(found)
        self._fill(shown)
        self.table.setFocus()
        if self.table.rowCount():
            self.table.selectRow(0)

    def _fill(self, shown: Shown) -> None:
        self.heading.setText(shown.title)
        self.table.show()
        self.chart.show()
        table = self.table
        table.clear()
        table.setColumnCount(len(shown.header))
        table.setHorizontalHeaderLabels(list(shown.header))
        table.setRowCount(len(shown.rows))
        bold = QFont(table.font())
        bold.setBold(True)
        for r, row in enumerate(shown.rows):
            for col, text in enumerate(row):
                item = QTableWidgetItem(text)
                if col in shown.right:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if shown.bold_last and r == len(shown.rows) - 1:
                    item.setFont(bold)
                table.setItem(r, col, item)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        for col in range(len(shown.header)):
            fit = QHeaderView.ResizeMode.ResizeToContents
            header.setSectionResizeMode(
                col, QHeaderView.ResizeMode.Stretch if col in shown.stretch else fit
            )
        self.chart.show_bars(shown.chart_title, shown.bars)
        table.resizeRowsToContents()
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        chrome = header.sizeHint().height() + 2 * table.frameWidth() + 2
        table.setMaximumHeight(rows + chrome if rows < 2000 else 16777215)

    # -- saving and printing ------------------------------------------------------------------

    def save(self, then: Callable[[tuple[Path, ...]], None] | None = None) -> None:
        """Write the PDF and the CSV of the report shown (off the GUI thread)."""
        if self.found is None:
            self.ctx.show_warning("Show a report first (Enter), then save it.")
            return
        kind, found = self.found
        desk = self.ctx.desk

        def write() -> tuple[Path, ...]:
            from cashier_desk.reports import daily, delinquent, stats, tot

            folder = desk.data_dir() / "reports"
            try:
                if kind == "stats":
                    source = f"workstation {desk.workstation}'s ledger"
                    return stats.write(found, folder, source=source, central=False)
                if kind == "daily":
                    return daily.write(found, folder, desk.workstation)
                if kind == "tot":
                    return tot.write(found, folder)
                return delinquent.write(found, folder)
            except OSError as exc:
                raise Refusal("bad_file", f"Cannot write the report into {folder}: {exc}") from None

        def written(paths: tuple[Path, ...]) -> None:
            if self.found is None or self.found[1] is not found:
                return  # another report is shown now
            self.saved = paths
            self.files.setText("Saved " + " and ".join(str(p) for p in paths))
            self.files.show()
            if then is not None:
                then(paths)
            else:
                self.ctx.show_info(f"Saved the PDF and the CSV in {paths[0].parent}.")

        self.ctx.run(write, written)

    def print_report(self) -> None:
        """Save the PDF (if not saved yet) and open it in the PDF viewer to print it."""
        if self.saved:
            self._open(self.saved)
        else:
            self.save(self._open)

    def _open(self, paths: tuple[Path, ...]) -> None:
        pdf = next(p for p in paths if p.suffix == ".pdf")
        if type(self).opener(pdf):
            self.ctx.show_info(f"Opened {pdf.name} in the PDF viewer: print it from there.")
        else:
            self.ctx.show_warning(f"No PDF viewer opened: print {pdf.name} from another computer.")
