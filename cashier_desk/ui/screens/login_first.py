"""The first admin of a new data dir: login, name and PIN twice, before anything else.

A data dir with nobody in it cannot log anyone in, so the login screen sends the person here.
Like the login screen it covers the counter (``openWhenLocked``): nothing else works until the
admin exists.  The Desk refuses once anyone exists, so this can make one admin only.
"""

from __future__ import annotations

from typing import Any

from cashier_desk.errors import Refusal
from cashier_desk.ledger.first_use import pin_rule
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.gate import OPEN_WHEN_LOCKED
from cashier_desk.ui.qt import QFormLayout, QLabel, QLineEdit, QPushButton, Qt, QVBoxLayout
from cashier_desk.ui.screens import Screen


class FirstAdminScreen(Screen):
    name = "first_admin"
    title = "First admin"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.setProperty(OPEN_WHEN_LOCKED, True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        heading = QLabel("Set up: the first admin")
        heading.setObjectName("heading")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)
        note = QLabel(
            "This data folder has no people yet. Make its first admin: the admin logs in with "
            f"this PIN and adds everyone else (cashier-desk import users). "
            f"{pin_rule(ctx.desk.config.min_pin_length)}"
        )
        note.setObjectName("firstAdminNote")
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.login = self._field("firstLogin", "Login")
        self.full_name = self._field("firstName", "Name")
        self.pin = self._field("firstPin", "PIN", secret=True)
        self.again = self._field("firstPinAgain", "PIN again", secret=True)
        for label, field in (
            ("Login", self.login),
            ("Name", self.full_name),
            ("PIN", self.pin),
            ("PIN again", self.again),
        ):
            form.addRow(label, field)
        layout.addLayout(form)
        self.button = QPushButton("Make the admin (Enter)")
        self.button.setObjectName("firstAdminButton")
        self.button.setAccessibleName("Make the admin")
        self.button.clicked.connect(self.submit)
        layout.addWidget(self.button)
        layout.addStretch(2)
        self.login.returnPressed.connect(self.full_name.setFocus)
        self.full_name.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.again.setFocus)
        self.again.returnPressed.connect(self.submit)

    @staticmethod
    def _field(name: str, label: str, *, secret: bool = False) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setAccessibleName(label)
        if secret:
            field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def activated(self) -> None:
        self.pin.clear()
        self.again.clear()
        self.login.setFocus()

    def submit(self) -> None:
        login, name = self.login.text().strip(), self.full_name.text().strip()
        pin, again = self.pin.text(), self.again.text()
        if not login or not name or not pin:
            self.ctx.show_error("Type the admin's login, name and PIN.")
            return
        if pin != again:
            self.pin.clear()
            self.again.clear()
            self.pin.setFocus()
            self.ctx.show_error("The two PINs are not the same: type the PIN twice again.")
            return
        desk = self.ctx.desk

        def done(user: Any) -> None:
            self.pin.clear()
            self.again.clear()
            self.ctx.show_info(f"{user.name} is the admin of this counter, and is logged in.")
            login_screen: Any = self.ctx.window.screens["login"] if self.ctx.window else None
            if login_screen is not None:
                login_screen.let_in(user)

        def refused(refusal: Refusal) -> None:
            if not self.isVisible():
                return  # a second Enter, after the admin was made
            if refusal.code == "users_exist":
                self.ctx.go("login")  # someone made people meanwhile (an import): log in
            elif refusal.code == "bad_pin":
                self.pin.clear()
                self.again.clear()
                self.pin.setFocus()
            self.ctx.show_refusal(refusal)

        self.ctx.run(lambda: desk.create_first_admin(login, name, pin), done, refused)
