"""The sale screen's part for contests and payment plans (issue 14, item 5): under the lines, the
chosen open item's status and parts as the Desk's ``lookup`` gives them (fine and penalties, or
what is left on its plan, and whether it is delinquent); Alt+T opens the contest dialog and
Alt+N the payment plan dialog (:mod:`cashier_desk.ui.dialogs_programs`) for the reference typed
in the input or, with the input empty, the open item of the line chosen."""

from __future__ import annotations

from cashier_desk.desk.lookup import Lookup
from cashier_desk.errors import Refusal
from cashier_desk.ui.qt import QKeySequence, QLabel, QShortcut, Qt, QVBoxLayout
from cashier_desk.ui.screens.sale_base import SaleBase

KEYS = (("Alt+T", "contest"), ("Alt+N", "plan"))


class SalePrograms(SaleBase):
    """The item status label and the contest and plan keys of the sale screen."""

    item_status: QLabel
    shortcuts: list[QShortcut]
    _item_gen: int = 0

    def _build_item_status(self, layout: QVBoxLayout) -> None:
        """The label under the lines (made where the screen lays it out)."""
        self.item_status = QLabel()
        self.item_status.setObjectName("saleItemStatus")
        self.item_status.setAccessibleName("The chosen open item: status and parts")
        self.item_status.setWordWrap(True)
        self.item_status.hide()
        layout.addWidget(self.item_status)

    def _install_program_keys(self) -> None:
        """Alt+T and Alt+N on the screen; the label follows the line chosen."""
        for key, kind in KEYS:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda kind=kind: self.open_program(kind))
            self.shortcuts.append(shortcut)
        self.table.currentCellChanged.connect(lambda *_: self.show_item_status())

    def _chosen_ref(self) -> str | None:
        """The open item of the line chosen (the last line when none is)."""
        row = self.table.currentRow()
        if not 0 <= row < len(self.lines):
            row = len(self.lines) - 1
        return self.lines[row].ref if row >= 0 else None

    def open_program(self, kind: str) -> None:
        """Alt+T (contest) or Alt+N (plan), for what is typed, else the line chosen."""
        if self._selling:
            return
        ref = self.input.text().strip() or self._chosen_ref()
        # the dialogs' module loads with the first program asked for, not at start
        from cashier_desk.ui.dialogs_programs import open_program_dialog

        dialog = open_program_dialog(kind, self.ctx, ref, self.show_item_status)
        dialog.finished.connect(lambda _result: self._program_closed())  # done or Esc

    def _program_closed(self) -> None:
        window = self.ctx.window
        if window is not None and window.isVisible():
            window.activateWindow()  # typing goes on in the sale input
        self._focus_input()

    def _render_lines(self) -> None:
        super()._render_lines()
        self.show_item_status()

    def show_item_status(self) -> None:
        """Ask the Desk (off the GUI thread) how the chosen open item stands, and show it."""
        self._item_gen += 1
        gen, ref = self._item_gen, self._chosen_ref()
        if ref is None:
            self.item_status.hide()
            return

        def shown(found: Lookup) -> None:
            from cashier_desk.ui.program_text import describe

            if gen == self._item_gen:
                self.item_status.setText(describe(found))
                self.item_status.show()

        def refused(_refusal: Refusal) -> None:
            if gen == self._item_gen:
                self.item_status.hide()

        desk = self.ctx.desk
        self._call(lambda: desk.lookup(ref), shown, refused)
