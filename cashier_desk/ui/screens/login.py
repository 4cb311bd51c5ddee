"""Log in (user and PIN), and the lock screen after idle time or F12.

While it is shown the window is locked (``openWhenLocked``): only what is typed here works.  A
data dir with nobody in it yet sends the person on to the first admin (``login_first.py``).
"""

from __future__ import annotations

from typing import Any

from cashier_desk.ledger.auth import User
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.gate import OPEN_WHEN_LOCKED
from cashier_desk.ui.qt import QFormLayout, QLabel, QLineEdit, QPushButton, Qt, QVBoxLayout
from cashier_desk.ui.screens import Screen


class LoginScreen(Screen):
    name = "login"
    title = "Log in"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.locked_for: User | None = None
        self.setProperty(OPEN_WHEN_LOCKED, True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.heading = QLabel("Log in")
        self.heading.setObjectName("heading")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.heading)
        self.note = QLabel("")
        self.note.setObjectName("lockNote")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        form = QFormLayout()
        self.user = QLineEdit()
        self.user.setObjectName("loginUser")
        self.user.setAccessibleName("User")
        self.pin = QLineEdit()
        self.pin.setObjectName("loginPin")
        self.pin.setAccessibleName("PIN")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("User", self.user)
        form.addRow("PIN", self.pin)
        layout.addLayout(form)
        self.button = QPushButton("Log in (Enter)")
        self.button.setObjectName("loginButton")
        self.button.setAccessibleName("Log in")
        self.button.clicked.connect(self.submit)
        layout.addWidget(self.button)
        layout.addStretch(2)
        self.user.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.submit)

    def lock_for(self, user: User | None) -> None:
        self.locked_for = user
        if user is None:
            self.heading.setText("Log in")
            self.note.setText("")
        else:
            self.heading.setText("Locked")
            self.note.setText(
                f"{user.name}'s counter is locked. {user.name} types their PIN to go on, "
                "or a lead logs in and takes over."
            )

    def activated(self) -> None:
        self.pin.clear()
        if self.locked_for is not None:
            self.user.setText(self.locked_for.login)
            self.pin.setFocus()
        else:
            self.user.clear()
            self.user.setFocus()
            self.ctx.run(self.ctx.desk.has_users, self._users_known)

    def _users_known(self, any_user: bool) -> None:
        window = self.ctx.window
        if not any_user and window is not None and window.current_screen() is self:
            self.ctx.go("first_admin")  # nobody can log in yet: make the first admin

    def submit(self) -> None:
        login, pin = self.user.text().strip(), self.pin.text()
        if not login or not pin:
            self.ctx.show_error("Type your user name and PIN.")
            return
        desk = self.ctx.desk
        locked = self.locked_for.login if self.locked_for else None
        self.pin.clear()

        def done(user: Any) -> None:
            self.lock_for(None)
            self.ctx.show_info(f"Welcome, {user.name}.")
            self.let_in(user)

        def refused(refusal: Any) -> None:
            self.ctx.show_refusal(refusal)
            self.pin.setFocus()

        self.ctx.run(lambda: desk.unlock(login, pin, locked), done, refused)

    def let_in(self, user: User) -> None:
        """Open the window's gate for ``user`` and go where they start."""
        if self.ctx.window is not None:
            self.ctx.window.open_gate()
        self.ctx.go(self.home_for(user))

    def home_for(self, user: User) -> str:
        """Where a person starts: the sale screen when their drawer is open."""
        session = self.ctx.desk.current_session()
        if session is not None:
            return "sale"
        return "closeout" if user.at_least("lead") else "open_drawer"
