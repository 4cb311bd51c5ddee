"""Credentials for the command line's privileged commands (``import``, ``sync resolve``,
``retention purge``): who runs it, from ``--user LOGIN --pin PIN`` (global options, before the
subcommand), else ``CASHIER_DESK_USER`` / ``CASHIER_DESK_PIN``, else a prompt when stdin is a
terminal.  The Desk decides (desk/authority.py): this only gathers what the person gives."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from cashier_desk.app import App
from cashier_desk.desk import authority


def credentials(app: App, args: argparse.Namespace, command: str) -> tuple[str, str]:
    """The login and PIN given for ``command`` ("" for what is missing; the Desk refuses it).
    None are asked while the command needs none (an import into a ledger with no users)."""
    if app.desk.setting_up(command):
        return "", ""
    login = args.user or os.environ.get("CASHIER_DESK_USER") or ""
    pin = args.pin or os.environ.get("CASHIER_DESK_PIN") or ""
    if (not login or not pin) and sys.stdin.isatty():
        who = authority.someone(authority.needs(command))
        print(f"cashier-desk {command} needs {who}.", file=sys.stderr)
        try:
            if not login:
                print("User: ", end="", file=sys.stderr, flush=True)
                login = sys.stdin.readline().strip()
            pin = pin or getpass.getpass("PIN: ")
        except EOFError:
            pass
    return login, pin
