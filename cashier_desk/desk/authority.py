"""Who may run a privileged command (headless.md, "Who may run what from the command line").

Importing reference data needs a supervisor or an admin, importing people an admin, and so do
``sync resolve`` and ``retention purge``; the person gives a login and PIN, checked like a PIN
at the counter (a wrong one counts towards the lockout).  A ledger with no users yet takes any
import without credentials: it is being set up and there is no one to ask.  A refused command
leaves an audit record naming who tried (the login given, whatever the outcome).

The rule is the table :data:`NEEDS`; a command not in it needs an admin (closed by default).
Every path that imports goes through :func:`import_authority` (the command line, the demo
city, the window's demo offer); the script runner has no import operation.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, NoReturn

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger import first_use
from cashier_desk.ledger.auth import User

if TYPE_CHECKING:
    from cashier_desk.desk.station import Station

#: The least role of each privileged command.
NEEDS: dict[str, str] = {
    "import revenue-codes": "supervisor",
    "import open-items": "supervisor",
    "import accounts": "supervisor",
    "import program-rules": "supervisor",
    "import users": "admin",
    "sync resolve": "admin",
    "retention purge": "admin",
    "ledger accept-loss": "supervisor",
}
#: The audit actor of an import into a ledger with no users yet: no login can be spelt so.
SETUP = "(setup)"
#: Who tried, when the login given is missing or could not be a login.
NOBODY = "?"


def needs(command: str) -> str:
    """The least role that may run ``command`` (an admin for a command not in the table)."""
    return NEEDS.get(command, "admin")


def someone(role: str) -> str:
    """Who may, for a person: "an admin", "a supervisor or an admin"."""
    return "an admin" if role == "admin" else f"a {role} or an admin"


def setting_up(desk: Station, command: str) -> bool:
    """Whether ``command`` runs without credentials: an import into a ledger with no users."""
    return command.startswith("import ") and not desk.has_users()


def import_authority(desk: Station, kind: str, login: object, pin: object) -> User | None:
    """Who imports ``kind``: None while the ledger is being set up (no users yet; the caller
    checks that again in its writing transaction with :func:`check_still_setting_up`), else the
    person :func:`authorize` lets do it."""
    command = f"import {kind}"
    if setting_up(desk, command):
        return None
    return authorize(desk, command, login, pin)


def authorize(desk: Station, command: str, login: object, pin: object) -> User:
    """The person who runs ``command``, checked against :data:`NEEDS`.  Refused
    ``not_authorized`` (and audited) when no credentials are given, the PIN is wrong (counted
    towards the lockout), the login is locked or the person's role is below the command's."""
    role = needs(command)
    if not isinstance(login, str) or not isinstance(pin, str) or not login or not pin:
        refuse(
            desk,
            command,
            login,
            "no_credentials",
            f"{command} needs {someone(role)}: give --user LOGIN --pin PIN before "
            "the subcommand, or set CASHIER_DESK_USER and CASHIER_DESK_PIN.",
        )
    try:
        return desk.authenticate(login, pin, command, min_role=role)
    except Refusal as exc:
        if exc.code.startswith("pepper_"):
            raise  # the workstation's PIN pepper is wrong: for a person to fix, not a refusal
        if exc.code == "not_authorized":
            message = f"{login} may not: {command} needs {someone(role)}."
        else:
            message = f"{command} needs {someone(role)}: {exc.message}"
        refuse(desk, command, login, exc.code, message)


class PeopleArrived(Refusal):
    """People were imported while an import ran without credentials (see below)."""


def check_still_setting_up(conn: sa.Connection, kind: str) -> None:
    """Inside the writing transaction of an import let through without credentials: the
    ledger still has no users.  Else (someone imported people meanwhile) raise
    :class:`PeopleArrived`; the caller audits it with :func:`refuse` once it has rolled back."""
    if first_use.any_user(conn):
        raise PeopleArrived(
            "not_authorized",
            f"People were imported into this ledger meanwhile: import {kind} now "
            f"needs {someone(needs(f'import {kind}'))}; give --user LOGIN --pin PIN.",
        )


def refuse(desk: Station, command: str, login: object, why: str, message: str) -> NoReturn:
    """Audit a refused privileged command with who tried, then refuse ``not_authorized``."""
    details = {"command": command, "needs": needs(command), "why": why, "os_user": _os_user()}
    with desk.ledger.write() as conn:
        desk.audit(
            conn, "command_refused", command, details, actor=_who_tried(login), outcome="refused"
        )
    raise Refusal("not_authorized", message)


def _who_tried(login: object) -> str:
    """The login given, when it could be one (any other text is not kept: it could be anything,
    even a card number)."""
    try:
        return first_use.check_login(login)
    except Refusal:
        return NOBODY


def _os_user() -> str:
    """The operating system's account that ran the command, as it says (a clue, not a proof)."""
    try:
        return getpass.getuser()[:40]
    except (OSError, KeyError, ImportError):
        return NOBODY
