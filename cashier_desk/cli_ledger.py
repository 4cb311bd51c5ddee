"""The command line and the ledger's own state: `ledger accept-loss`, what every command says
at start about a ledger that lost work or is damaged, and the integrity check of `audit
verify`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from cashier_desk import cli_help
from cashier_desk.app import App
from cashier_desk.cli_auth import credentials
from cashier_desk.cli_central import _print_json
from cashier_desk.errors import Refusal
from cashier_desk.ledger import health

#: Commands that take money: the ledger's pages are read first (``PRAGMA quick_check``), and
#: a scripted session first asks central what it saw of this workstation.
MONEY = frozenset({"run", "demo", "window"})


def add_parsers(sub: Any, command: Callable[[str, str, str], argparse.ArgumentParser]) -> None:
    led = command("ledger", "the ledger's own state", cli_help.LEDGER)
    led_sub = led.add_subparsers(dest="ledger_command", metavar="ACTION", required=True)
    led_sub.add_parser(
        "accept-loss",
        help="a supervisor or admin (--user/--pin before the command) accepts that the ledger "
        "lost work; numbering continues after the last receipt it knew",
    )


def cmd_ledger(app: App, args: argparse.Namespace) -> int:
    login, pin = credentials(app, args, "ledger accept-loss")
    if not login or not pin:
        raise Refusal(
            "not_authorized",
            "Accepting the loss needs a supervisor or admin: give --user LOGIN --pin PIN before "
            "the command, or set CASHIER_DESK_USER and CASHIER_DESK_PIN.",
        )
    last = app.desk.accept_ledger_loss(login, pin)
    _print_json({"ok": True, "accepted": "ledger_loss", "last_known_receipt": last})
    print(f"cashier-desk: the loss is accepted; numbering continues after {last}", file=sys.stderr)
    return 0


def say_at_start(app: App, command: str) -> None:
    """Before a command runs: a scripted session asks central what it saw of this
    workstation; a ledger that lost work or is damaged says so on stderr (the window shows
    it in a dialog instead)."""
    if command == "run":
        app.desk.check_central_ledger()
    if command == "window":
        return
    ledger = app.ledger
    if ledger.corrupt is not None:
        message = health.corrupt_message(ledger.path, ledger.corrupt)
        print(f"cashier-desk: {message} (ledger_corrupt)", file=sys.stderr)
    if ledger.loss is not None:
        message = app.desk.ledger_loss_message()
        print(f"cashier-desk: {message} (ledger_rolled_back)", file=sys.stderr)


def integrity(app: App) -> int | None:
    """For `audit verify`: ``PRAGMA integrity_check`` of every page and index; exit 1 (said on
    stdout and stderr) when it finds damage, else None (the audit chain is verified next)."""
    with app.ledger.read() as conn:
        problem = health.integrity_check(conn)
    if problem is None:
        return None
    _print_json({"ok": False, "integrity": problem})
    print(f"cashier-desk: {health.corrupt_message(app.ledger.path, problem)}", file=sys.stderr)
    return 1
