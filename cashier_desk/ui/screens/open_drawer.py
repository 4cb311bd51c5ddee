"""Open a drawer: the drawer id and the change fund counted by denomination (ten-key: a count,
Enter, the next; Ctrl+Enter opens).  Also what the drawer screens share (headings, buttons,
Ctrl+Enter, one Desk call at a time).

Object names: ``drawerId``, ``openCount_<cents>``, ``openTotal``, ``openDrawerButton``.
"""

from __future__ import annotations

from typing import Any

from cashier_desk.errors import Refusal
from cashier_desk.ledger.drawer import RECOUNT, Session
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QFormLayout,
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
from cashier_desk.ui.widgets.denominations import DenominationGrid

DEFAULT_DRAWER = "D1"


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading")
    label.setAccessibleName(text)
    return label


def button(text: str, name: str, accessible: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setAutoDefault(True)  # Enter presses the focused button
    return button


def ctrl_enter(widget: QWidget, slot: Any) -> None:
    """Ctrl+Enter (main keyboard or keypad) anywhere on ``widget`` runs ``slot``."""
    for key in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(key), widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)


def is_current(screen: Screen) -> bool:
    window = screen.ctx.window
    return window is not None and window.current_screen() is screen


class Busy:
    """One Desk call at a time per screen: set while a call is out, cleared when the runner
    is idle again (also after a fault, which the context reports by itself)."""

    def __init__(self, ctx: UiContext, on_idle: Any) -> None:
        self.on = False
        self._on_idle = on_idle
        ctx.runner.busyChanged.connect(self._changed)

    def _changed(self, busy: bool) -> None:
        if not busy and self.on:
            self.on = False
            self._on_idle()


class OpenDrawerScreen(Screen):
    """Drawer id, then the change fund counted by denomination; Enter on the last row (or
    Ctrl+Enter anywhere) opens the drawer."""

    name = "open_drawer"
    title = "Open drawer"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Open drawer"))
        note = QLabel(
            "Count the change fund: a count, Enter, the next. Enter on the last row or "
            "Ctrl+Enter opens the drawer."
        )
        note.setObjectName("openNote")
        note.setAccessibleName("How to open the drawer")
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.drawer_id = QLineEdit(DEFAULT_DRAWER)
        self.drawer_id.setObjectName("drawerId")
        self.drawer_id.setAccessibleName("Drawer id")
        self.drawer_id.setMaxLength(40)
        self.drawer_id.setMaximumWidth(300)
        form.addRow("Drawer", self.drawer_id)
        layout.addLayout(form)
        self.grid = DenominationGrid("open", "Change fund")
        self.grid.maximum = ctx.config.max_amount
        layout.addWidget(self.grid)
        self.button = button("Open drawer (Ctrl+Enter)", "openDrawerButton", "Open drawer")
        self.button.clicked.connect(self.submit)
        self.busy = Busy(ctx, lambda: self.button.setEnabled(True))
        layout.addWidget(self.button)
        layout.addStretch(1)
        self.drawer_id.returnPressed.connect(self.grid.first_field().setFocus)
        self.grid.finished.connect(self.submit)
        ctrl_enter(self, self.submit)

    def activated(self) -> None:
        if not self.drawer_id.text().strip():
            self.drawer_id.setText(DEFAULT_DRAWER)
        self.grid.clear()
        self.grid.set_read_only(False)
        self.grid.first_field().setFocus()
        self.ctx.run(self.ctx.desk.session_to_count, self._already_open)

    def _already_open(self, session: Session | None) -> None:
        if session is None or not is_current(self):
            return
        if session.state == RECOUNT:
            self.ctx.show_error(
                f"A lead sent the count of drawer {session.drawer} back: count it again."
            )
            self.ctx.go("close_drawer")
            return
        self.ctx.show_info(f"Your drawer {session.drawer} is open.")
        self.ctx.go("sale")

    def submit(self) -> None:
        if self.busy.on:
            return
        drawer_id = self.drawer_id.text().strip()
        if not drawer_id:
            self.ctx.show_error("Type the drawer id.")
            self.drawer_id.setFocus()
            return
        problem = self.grid.problem()
        if problem is not None:
            self.ctx.show_error(problem)
            return
        counts = self.grid.counts()
        desk = self.ctx.desk
        self.busy.on = True
        self.button.setEnabled(False)
        self.ctx.run(lambda: desk.open_drawer(drawer_id, counts), self._opened, self._refused)

    def _opened(self, session: Session) -> None:
        self.grid.clear()
        self.ctx.show_info(
            f"Drawer {session.drawer} is open with a change fund of {session.opening}."
        )
        self.ctx.go("sale")

    def _refused(self, refusal: Refusal) -> None:
        self.ctx.show_refusal(refusal)
        self.grid.first_field().setFocus()
