"""Accounts (programs.md, "Accounts"): registered TOT operators and licensed businesses.

``cashier-desk import accounts FILE.csv`` with the columns ``account,rule,name,address,opened``
is read like every other import (:mod:`cashier_desk.ledger.imports`): checked whole, a bad row
naming its line and column and nothing written, rows replacing those with the same
``account``, a card number in a cell masked.  ``rule`` is ``tot`` or ``business_licence``;
``opened`` a date, or empty when not known."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import import_cells as cell
from cashier_desk.ledger.import_read import read_records
from cashier_desk.ledger.import_result import Imported, Masked
from cashier_desk.ledger.import_rows import Context
from cashier_desk.ledger.import_write import write_rows
from cashier_desk.ledger.schema import accounts

KIND = "accounts"
#: The rules an account may be registered with (the programs that name an account).
ACCOUNT_RULES = ("tot", "business_licence")


def _account(row: dict[str, str], ctx: Context) -> dict[str, Any]:
    return {
        "account": cell.key_text(row["account"], "account", ctx.masked, max_len=60),
        "rule": cell.choice(row, "rule", ACCOUNT_RULES),
        "name": cell.text(row, "name", ctx.masked),
        "address": cell.text(row, "address", ctx.masked, required=False),
        "opened": cell.date(row, "opened"),
    }


def read_accounts(path: Path, masked: Masked) -> list[dict[str, Any]]:
    """The whole file, checked (``Refusal`` naming the first bad line); also what
    ``central import accounts`` takes into central."""
    ctx = Context(known_codes=set(), last_line_id=0, tz=None, masked=masked)
    return list(read_records(KIND, path, ctx, _account))


def import_accounts(conn: sa.Connection, path: Path, masked: Masked) -> Imported:
    """Check the whole file, then write it inside the caller's write transaction."""
    records = read_accounts(path, masked)
    write_rows(conn, KIND, records)
    return masked.result(len(records))


def rule_of(conn: sa.Connection, account: str) -> str | None:
    """The rule ``account`` is registered with (None: no such account)."""
    found = conn.execute(sa.select(accounts.c.rule).where(accounts.c.account == account))
    return found.scalar_one_or_none()


def account_row(conn: sa.Connection, account: str) -> dict[str, str] | None:
    """The account's rule, name, address and opening date ("" when not known); None: none."""
    found = conn.execute(sa.select(accounts).where(accounts.c.account == account)).first()
    if found is None:
        return None
    row = found._mapping
    return {key: str(row[key] or "") for key in ("account", "rule", "name", "address", "opened")}
