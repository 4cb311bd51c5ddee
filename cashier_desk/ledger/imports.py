"""Import of reference data from CSV files: revenue codes, users, open items.

A file is read and checked whole before anything is written; a bad row refuses the whole file
with a message naming its line and column, and the database is left as it was.  Rows replace
rows with the same key.

A card number is never kept (PCI DSS 3.3.1, 3.4.1), yet one look-alike account number must not
refuse a nightly file of a million rows: a cell holding one (in any writing, as
:mod:`cashier_desk.text` reads it) is masked to its last four (``****1111``, the rest of the
text kept) and its row imported; the import counts the masked cells and names the first few.

This module holds the import's entry points; a cell is checked in
:mod:`~cashier_desk.ledger.import_cells`, a kind's row in :mod:`~cashier_desk.ledger.import_rows`,
a file read in :mod:`~cashier_desk.ledger.import_read` and its rows written in
:mod:`~cashier_desk.ledger.import_write`.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger.import_read import read_records
from cashier_desk.ledger.import_result import Imported, Masked
from cashier_desk.ledger.import_rows import Context
from cashier_desk.ledger.import_write import write_open_items, write_rows
from cashier_desk.ledger.pins import PinHasher
from cashier_desk.ledger.schema import receipt_lines, revenue_codes
from cashier_desk.money import Money

KINDS = ("revenue-codes", "users", "open-items")


def parse_file(
    kind: str,
    path: Path,
    *,
    known_codes: set[str],
    last_line_id: int = 0,
    tz: tzinfo | None = None,
    max_amount: Money | None = None,
    masked: Masked | None = None,
) -> list[dict[str, Any]]:
    """Read and check the whole file; raise :class:`Refusal` naming the first bad line
    (users: :func:`read_users`, which hashes their PINs).  The cells whose card numbers were
    masked are counted in ``masked``."""
    if kind not in KINDS:
        raise Refusal("bad_kind", f"cannot import {kind!r}; choose one of {', '.join(KINDS)}")
    if kind == "users":
        raise ValueError("a users file is read by read_users (its PINs hashed)")
    ctx = Context(
        known_codes=set(known_codes), last_line_id=last_line_id, tz=tz, max_amount=max_amount
    )
    if masked is not None:
        ctx.masked = masked
    return list(read_records(kind, path, ctx))


def read_users(
    path: Path,
    pins: PinHasher,
    min_pin_length: int,
    may_create: bool,
    *,
    masked: Masked | None = None,
) -> list[dict[str, Any]]:
    """A users file checked whole (a PIN shorter than ``min_pin_length`` refuses the file,
    naming its line), then every PIN hashed with the pepper — slow on purpose, so never
    inside a write transaction.  ``may_create``: no peppered hash exists yet where the rows
    go, so a missing pepper file may be made."""
    ctx = Context(known_codes=set(), last_line_id=0, tz=None, min_pin_length=min_pin_length)
    if masked is not None:
        ctx.masked = masked
    records = list(read_records("users", path, ctx))
    hashes = pins.hash_all((r["pin_hash"] for r in records), may_create=may_create)
    for record, pin_hash in zip(records, hashes, strict=True):
        record["pin_hash"] = pin_hash
    return records


def import_file(
    conn: sa.Connection,
    kind: str,
    path: Path,
    *,
    tz: tzinfo | None = None,
    max_amount: Money | None = None,
    users: list[dict[str, Any]] | None = None,
    masked: Masked | None = None,
) -> Imported:
    """Check and write a file inside the caller's write transaction; returns what it did.

    Open items stream: each row is checked and written as it is read, so a million rows
    take no more memory than a few; a bad row raises and the caller's transaction writes
    nothing.  Users come read and hashed beforehand (``users``, :func:`read_users`)."""
    if kind == "accounts":  # its own module (ledger/accounts.py), which reads through this one
        from cashier_desk.ledger import accounts

        return accounts.import_accounts(conn, path, masked or Masked())
    if kind not in KINDS:
        raise Refusal("bad_kind", f"cannot import {kind!r}; choose one of {', '.join(KINDS)}")
    masked = masked if masked is not None else Masked()
    if kind == "users":
        if users is None:
            raise ValueError("users are read and hashed before the write: read_users")
        write_rows(conn, kind, users)
        return masked.result(len(users))
    codes = set(conn.execute(sa.select(revenue_codes.c.code)).scalars())
    last_line = int(conn.execute(sa.select(sa.func.max(receipt_lines.c.id))).scalar() or 0)
    if kind != "open-items":
        records = parse_file(
            kind,
            path,
            known_codes=codes,
            last_line_id=last_line,
            tz=tz,
            max_amount=max_amount,
            masked=masked,
        )
        write_rows(conn, kind, records)
        rows = len(records)
    else:
        ctx = Context(known_codes=codes, last_line_id=last_line, tz=tz, masked=masked)
        rows = write_open_items(conn, read_records(kind, path, ctx))
    return masked.result(rows)
