"""The main window: one screen at a time, menus by role, a status bar of devices and people,
the message banner, the idle lock, and quitting.

Keyboard first: every action has a shortcut (shown in the menus), screens put the cursor where
the cashier types first, and nothing needs the mouse from login to closeout.

A screen marked ``openWhenLocked`` (the login, the first admin) covers the counter: while one is
shown, or nobody is logged in, the window is locked — the :class:`~cashier_desk.ui.gate.Gate`
swallows every shortcut, the menus are off, dialogs close and no other screen can be shown —
until the login screen lets someone in (:meth:`MainWindow.open_gate`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from cashier_desk.devices.model import DeviceStatus, DeviceStatusChanged
from cashier_desk.events import (
    Alert,
    PrintFinished,
    PrintPending,
    ReceiptPosted,
    SyncPassed,
    UserChanged,
)
from cashier_desk.text import mask_card_numbers
from cashier_desk.ui.bridge import DAY_CHANGES
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.gate import OPEN_WHEN_LOCKED, Gate, close_dialogs
from cashier_desk.ui.qt import (
    QAction,
    QApplication,
    QCloseEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMainWindow,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.screens.lazy import LazyScreen, Screens
from cashier_desk.words import Role

#: (menu, text, shortcut, action name, lowest role that sees it)
ACTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("&Counter", "&Sale", "F2", "sale", "cashier"),
    ("&Counter", "&Open drawer", "Ctrl+O", "open_drawer", "cashier"),
    ("&Counter", "&Drop to safe", "Ctrl+D", "drop", "cashier"),
    ("&Counter", "&Paid-out", "Ctrl+P", "paid_out", "cashier"),
    ("&Counter", "&No sale", "Ctrl+N", "no_sale", "cashier"),
    ("&Counter", "&Close drawer", "Ctrl+Shift+C", "close_drawer", "cashier"),
    ("&Receipts", "&Void", "Ctrl+Shift+V", "void", "cashier"),
    ("&Receipts", "&Reprint", "Ctrl+R", "reprint", "cashier"),
    ("&Receipts", "&Find receipt", "Ctrl+F", "receipts", "cashier"),
    ("&Lead", "&Closeout and approvals", "Ctrl+Shift+O", "closeout", "lead"),
    ("&Lead", "&Unlock a user", "Ctrl+Shift+U", "unlock_user", "lead"),
    ("&Lead", "Re&ports", "Ctrl+Shift+R", "reports", "lead"),
    ("&Lead", "Corr&ections", "Ctrl+Shift+E", "corrections", "lead"),
    ("&Session", "&Lock", "F12", "lock", "cashier"),
    ("&Session", "Log &out", "Ctrl+Q", "logout", "cashier"),
    ("&Session", "&Quit", "Ctrl+Shift+Q", "quit", "cashier"),
)
ROLES: tuple[str, ...] = tuple(Role)
MID_SALE = "A sale is open on this counter: finish it (F10) or drop it (Esc) before quitting."
LOCKED = "The counter is locked: unlock it (or a lead takes over) before closing the window."

#: The banner's kinds of message; the style sheet colours each (resources/style.qss).
BANNER_KINDS = ("error", "warning", "success")


def _counted(count: int, one: str, many: str, what: str) -> str:
    """``3 receipts to print``; nothing at all for none."""
    return f"{count} {one if count == 1 else many} {what}" if count else ""


log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: UiContext,
        screens: list[type[Screen] | LazyScreen],
        actions: dict[str, Callable[[], None]] | None = None,
        idle_lock_minutes: float = 15,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.window = self
        self.setWindowTitle(f"cashier_desk — {ctx.config.city} — station {ctx.desk.workstation}")
        self.setObjectName("mainWindow")
        self.setAccessibleName("cashier_desk main window")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setAccessibleName("Message")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.screens = Screens(self._build_later)  # a LazyScreen is built on first use
        for screen_type in screens:
            if isinstance(screen_type, LazyScreen):
                self.screens.later[screen_type.name] = screen_type
                continue
            screen = screen_type(ctx)
            self.screens[screen.name] = screen
            self.stack.addWidget(screen)
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.timeout.connect(self.banner.hide)
        self._build_status_bar()
        self._action_handlers: dict[str, Callable[[], None]] = dict(actions or {})
        self._action_handlers.setdefault("lock", self.lock)
        self._action_handlers.setdefault("logout", self.logout)
        self._action_handlers.setdefault("quit", self.quit)
        self._open = False  # the gate: shut until someone logs in at the login screen
        self._quitting = False
        self.menu_actions: dict[str, tuple[QAction, str]] = {}
        self._build_menus()
        self._counting = False
        self._count_again = False
        self._closing = False
        # The gate is the window's child: it goes with the window and never judges another's.
        self.idle = Gate(self.locked, self.lock, self.menu_actions["lock"][0].shortcut(), self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
        self.idle_lock_seconds = idle_lock_minutes * 60
        self._idle_timer = QTimer(self)
        self._idle_timer.timeout.connect(self._check_idle)
        self._idle_timer.start(1000)
        # The counts of the status bar change with these events only (no polling).
        counted = (PrintFinished, PrintPending, ReceiptPosted, SyncPassed, *DAY_CHANGES)
        ctx.bridge.on_any(counted, lambda _event: self.refresh_counts())
        ctx.bridge.on(DeviceStatusChanged, self._device_event)
        ctx.bridge.on(Alert, lambda alert: self.show_message(alert.message, kind="warning"))
        ctx.bridge.on(UserChanged, self._user_changed)
        self.refresh_role()
        self.show_screen("login")

    # -- screens and messages ----------------------------------------------------------------

    def show_screen(self, name: str) -> None:
        screen = self.screens[name]
        if screen.property(OPEN_WHEN_LOCKED):
            self._cover()
        elif self.locked():
            log.info("the counter is locked: the %s screen stays hidden", name)
            return
        if name == "close_drawer":
            self.clear_message()  # a blind count shows nothing from before it
        self.stack.setCurrentWidget(screen)
        screen.activated()

    def _build_later(self, later: LazyScreen) -> Screen:
        screen = later.build(self.ctx)
        self.stack.addWidget(screen)
        return screen

    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        if not isinstance(widget, Screen):  # the stack holds screens only
            raise TypeError(f"the screen stack holds {type(widget).__name__}, not a screen")
        return widget

    def show_message(self, message: str, *, kind: str) -> None:
        """The banner across the top, coloured by its kind (``BANNER_KINDS``: red an error,
        amber a warning, green a success); stays 8 s."""
        if kind not in BANNER_KINDS:
            raise ValueError(f"no banner kind {kind!r}")
        self.banner.setText(mask_card_numbers(message))  # it may quote what was typed
        self.banner.setProperty("kind", kind)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()
        self._banner_timer.start(8000)

    def clear_message(self) -> None:
        self._banner_timer.stop()
        self.banner.hide()
        self.banner.clear()

    # -- menus by role -----------------------------------------------------------------------

    def _build_menus(self) -> None:
        menus: dict[str, Any] = {}
        bar = self.menuBar()
        for menu_name, text, shortcut, name, role in ACTIONS:
            if menu_name not in menus:
                menus[menu_name] = bar.addMenu(menu_name)
            action = QAction(text, self)
            action.setObjectName(f"action_{name}")
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            action.triggered.connect(lambda _checked=False, n=name: self.trigger(n))
            menus[menu_name].addAction(action)
            self.menu_actions[name] = (action, role)

    def trigger(self, name: str) -> None:
        action, _role = self.menu_actions[name]
        if self.locked() or not action.isEnabled():
            return
        handler = self._action_handlers.get(name)
        if handler is not None:
            handler()
        elif name in self.screens:
            self.show_screen(name)

    def set_action(self, name: str, handler: Callable[[], None]) -> None:
        self._action_handlers[name] = handler

    def refresh_role(self) -> None:
        user = self.ctx.desk.user
        rank = ROLES.index(user.role) if user and not self.locked() else -1
        for action, role in self.menu_actions.values():
            action.setEnabled(rank >= ROLES.index(role))
        self.menuBar().setEnabled(rank >= 0)
        self.show_person(f"{user.name} ({user.role})" if user else "nobody logged in")

    def show_person(self, text: str) -> None:
        """Who is logged in, at the right of the menu bar (laid out again for the new width)."""
        self.person.setText(text)
        self._who_and_where.adjustSize()
        self.menuBar().setCornerWidget(self._who_and_where, Qt.Corner.TopRightCorner)

    # -- status bar ---------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.device_labels: dict[str, QLabel] = {}
        for kind in ("printer", "drawer", "scanner", "display"):
            label = QLabel(f"{kind}: …")
            label.setObjectName(f"status_{kind}")
            label.setAccessibleName(f"{kind} status")
            bar.addPermanentWidget(label)
            self.device_labels[kind] = label
        self.pending = QLabel("")
        self.pending.setObjectName("status_pending")
        self.pending.setAccessibleName("Receipts waiting to print")
        bar.addPermanentWidget(self.pending)
        self.sync_label = QLabel("")
        self.sync_label.setObjectName("status_sync")
        self.sync_label.setAccessibleName("Central: where batches go, what waits")
        bar.addPermanentWidget(self.sync_label)
        # Who and where sit at the right of the menu bar, which has room to spare: the status
        # bar needs all of a 1280-wide screen when every device and central have news.
        who = self._who_and_where = QWidget(self)  # kept: the menu bar does not own it
        who.setObjectName("whoAndWhere")
        row = QHBoxLayout(who)
        row.setContentsMargins(0, 0, 8, 0)
        row.setSpacing(16)
        self.person = QLabel("")
        self.person.setObjectName("status_person")
        self.person.setAccessibleName("Person logged in")
        row.addWidget(self.person)
        station = QLabel(f"Station {self.ctx.desk.workstation}")
        station.setObjectName("status_station")
        station.setAccessibleName("Workstation")
        row.addWidget(station)
        self.menuBar().setCornerWidget(who, Qt.Corner.TopRightCorner)

    def device_status(self, name: str, kind: str, status: DeviceStatus) -> None:
        label = self.device_labels.get(kind)
        problem = status.problem()
        if kind == "printer" and status.drawer_open is not None:
            drawer = self.device_labels["drawer"]
            drawer.setText("drawer: OPEN" if status.drawer_open else "drawer: closed")
            drawer.setProperty("problem", bool(status.drawer_open))
            self._repolish(drawer)
        if label is None:
            return
        if kind == "drawer" and status.drawer_open is not None:
            text = "drawer: OPEN" if status.drawer_open else "drawer: closed"
        elif problem:
            text = f"{kind}: {problem}"
        elif status.paper_near_end:
            text = f"{kind}: paper low"
        else:
            text = f"{kind}: ready"
        label.setText(text)
        label.setProperty("problem", bool(problem) or bool(status.drawer_open))
        self._repolish(label)
        if kind == "printer" and problem:
            self.show_message(
                f"Printer: {problem}. Receipts wait and print by themselves when it is fixed.",
                kind="error",
            )

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def set_pending_prints(self, count: int) -> None:
        # short: the status bar holds all its labels on one line of a 1280-wide screen
        self.pending.setText(_counted(count, "receipt", "receipts", "to print"))
        self.pending.setProperty("problem", bool(count))
        self._repolish(self.pending)

    def set_pending_batches(self, text: str) -> None:
        """Where batches go and what waits (``Relay.status_text``)."""
        self.sync_label.setText(text)
        self.sync_label.setProperty("problem", "quarantine" in text)
        self._repolish(self.sync_label)

    def stop_timers(self) -> None:
        """The window is closing: no more periodic work."""
        self._closing = True
        for timer in (self._idle_timer, self._banner_timer):
            timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)

    def refresh_counts(self) -> None:
        """Receipts waiting to print and batches waiting for central (read off the GUI
        thread; a failure here is only a stale count)."""
        desk = self.ctx.desk

        def counts() -> tuple[int, str]:
            return desk.pending_prints(), desk.sync_status()

        def finished() -> None:
            self._counting = False
            if self._count_again:
                self.refresh_counts()

        def show(result: tuple[int, str]) -> None:
            if self._closing:
                return
            self.set_pending_prints(result[0])
            self.set_pending_batches(result[1])
            finished()

        if self._closing:
            return
        if self._counting:
            self._count_again = True  # asked again while counting: count once more after
            return
        self._counting, self._count_again = True, False
        self.ctx.runner.run(counts, show, lambda _r: finished(), lambda _e: finished())

    # -- lock and logout ----------------------------------------------------------------------

    def locked(self) -> bool:
        """Whether the counter is covered: nothing but unlocking works."""
        return not self._open or self.ctx.desk.user is None

    def open_gate(self) -> None:
        """Someone logged in (or unlocked, or took over) at a covering screen."""
        self._open = True
        self.refresh_role()

    def _device_event(self, event: DeviceStatusChanged) -> None:
        self.device_status(event.device, event.kind, event.status)

    def _user_changed(self, event: UserChanged) -> None:
        """The Desk logged someone in (only unlocking does that in the window) or out."""
        if event.login is not None:
            self._open = True
        self.refresh_role()

    def _cover(self) -> None:
        self._open = False
        close_dialogs(self)
        self.clear_message()  # nothing of the counter's last message shows on its cover
        self.refresh_role()

    def _check_idle(self) -> None:
        if self.locked():
            return
        if time.monotonic() - self.idle.last >= self.idle_lock_seconds:
            self.lock()

    def lock(self) -> None:
        """Cover the counter: the same person's PIN (or a lead, who then takes over) unlocks."""
        login = self.screens["login"]
        if hasattr(login, "lock_for"):
            login.lock_for(self.ctx.desk.user)
        self.show_screen("login")

    def logout(self) -> None:
        if self.ctx.desk.user is None:
            return
        self.ctx.run(self.ctx.desk.logout, lambda _r: self._logged_out())

    def _logged_out(self) -> None:
        self.refresh_role()
        login = self.screens["login"]
        if hasattr(login, "lock_for"):
            login.lock_for(None)
        self.show_screen("login")

    # -- quitting -----------------------------------------------------------------------------

    def mid_sale(self) -> bool:
        """A customer's sale has lines on the sale screen that are not posted yet."""
        sale = self.screens.get("sale")
        return bool(getattr(sale, "lines", None)) and getattr(sale, "result", None) is None

    def quit(self) -> None:
        """Quit (Ctrl+Shift+Q): refused while a sale is open; the person is logged out."""
        if self.mid_sale():
            self.show_message(MID_SALE, kind="warning")
            return
        if self.ctx.desk.user is None:
            self._end()
            return
        self.ctx.run(self.ctx.desk.logout, lambda _r: self._end())

    def _end(self) -> None:
        if not self._closing:
            self._quitting = True
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The close button is refused as Quit is, and while the counter is locked (a lead
        takes over first); whoever is still logged in is logged out once the window is gone
        (``ui/app.py``)."""
        if self.ctx.desk.user is not None and not self._closing and not self._quitting:
            refused = LOCKED if self.locked() else MID_SALE if self.mid_sale() else None
            if refused is not None:
                event.ignore()
                self.show_message(refused, kind="warning")
                return
        event.accept()
