"""Import of reference data from CSV files: revenue codes, users, open items.

A file is read and checked whole before anything is written; a bad row refuses the whole file
with a message naming its line and column, and the database is left as it was.  Rows replace
rows with the same key.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cashier_desk.errors import Refusal
from cashier_desk.ledger.auth import ROLES, hash_pin
from cashier_desk.ledger.schema import open_items, receipt_lines, revenue_codes, users
from cashier_desk.money import GlSplit, Money, MoneyError
from cashier_desk.text import TextError, clean_text, looks_like_card_number

KINDS = ("revenue-codes", "users", "open-items")
FEE_TYPES = ("fixed", "per_unit", "open")
ITEM_STATUSES = ("open", "paid", "hold", "appeal")
COLUMNS = {
    "revenue-codes": (
        "code",
        "description",
        "program",
        "gl",
        "fee_type",
        "amount",
        "partial_allowed",
    ),
    "users": ("login", "name", "role", "pin"),
    "open-items": (
        "ref",
        "program",
        "account",
        "name",
        "address",
        "amount_due",
        "due_date",
        "revenue_code",
        "status",
    ),
}
KEY = {"revenue-codes": "code", "users": "login", "open-items": "ref"}


class _CellError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def _key_text(value: str, column: str, max_len: int = 40) -> str:
    text = value.strip()
    if not text:
        raise _CellError(column, "is blank")
    if len(text) > max_len or not all(
        ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in text
    ):
        raise _CellError(column, f"{text!r} may hold only letters, digits, '-', '_' and '.'")
    if looks_like_card_number(text):
        raise _CellError(column, "looks like a card number; card numbers are never kept")
    return text


def _text(row: dict[str, str], column: str, *, required: bool = True, max_len: int = 200) -> str:
    try:
        return clean_text(row[column], column, max_len=max_len, required=required)
    except TextError as exc:
        raise _CellError(column, str(exc).removeprefix(column).strip()) from exc


def _money(row: dict[str, str], column: str) -> Money:
    try:
        value = Money.parse(row[column].strip())
    except MoneyError as exc:
        raise _CellError(column, str(exc)) from exc
    if value.is_negative():
        raise _CellError(column, "may not be negative")
    return value


def _choice(row: dict[str, str], column: str, choices: tuple[str, ...]) -> str:
    value = row[column].strip()
    if value not in choices:
        raise _CellError(column, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _revenue_code(row: dict[str, str], ctx: _Context) -> dict[str, Any]:
    fee_type = _choice(row, "fee_type", FEE_TYPES)
    amount: Money | None = None
    if fee_type == "open":
        if row["amount"].strip():
            raise _CellError("amount", "must be empty for an open fee (keyed at the counter)")
    else:
        amount = _money(row, "amount")
        if not amount.is_positive():
            raise _CellError("amount", "must be more than 0.00")
    try:
        gl = GlSplit.parse(row["gl"].strip())
    except MoneyError as exc:
        raise _CellError("gl", str(exc)) from exc
    return {
        "code": _key_text(row["code"], "code"),
        "description": _text(row, "description"),
        "program": _text(row, "program", max_len=60),
        "gl": str(gl),
        "fee_type": fee_type,
        "amount_cents": None if amount is None else amount.cents,
        "partial_allowed": _choice(row, "partial_allowed", ("yes", "no")) == "yes",
    }


def _user(row: dict[str, str], ctx: _Context) -> dict[str, Any]:
    pin = row["pin"].strip()
    if not (4 <= len(pin) <= 64) or not pin.isprintable():
        raise _CellError("pin", "must be 4 to 64 printable characters")
    return {
        "login": _key_text(row["login"], "login"),
        "name": _text(row, "name", max_len=100),
        "role": _choice(row, "role", ROLES),
        "pin_hash": pin,  # hashed after the whole file has been checked
    }


def _open_item(row: dict[str, str], ctx: _Context) -> dict[str, Any]:
    due = row["due_date"].strip()
    try:
        date.fromisoformat(due)
        if len(due) != 10:
            raise ValueError
    except ValueError:
        raise _CellError("due_date", f"{due!r} is not a date like 2026-11-30") from None
    code = _key_text(row["revenue_code"], "revenue_code")
    if code not in ctx.known_codes:
        raise _CellError("revenue_code", f"{code!r} is not a known revenue code")
    return {
        "ref": _key_text(row["ref"], "ref", max_len=60),
        "program": _text(row, "program", max_len=60),
        "account": _text(row, "account", max_len=60),
        "name": _text(row, "name"),
        "address": _text(row, "address", required=False),
        "amount_due_cents": _money(row, "amount_due").cents,
        "due_date": due,
        "revenue_code": code,
        "status": _choice(row, "status", ITEM_STATUSES),
        "paid_before_line": ctx.last_line_id,
    }


@dataclass
class _Context:
    known_codes: set[str]
    last_line_id: int


_PARSERS: dict[str, Callable[[dict[str, str], _Context], dict[str, Any]]] = {
    "revenue-codes": _revenue_code,
    "users": _user,
    "open-items": _open_item,
}
_TABLES = {"revenue-codes": revenue_codes, "users": users, "open-items": open_items}


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        for cells in reader:
            yield reader.line_num, cells


def read_file(conn: sa.Connection, kind: str, path: Path) -> list[dict[str, Any]]:
    """Read and check the whole file against the local ledger's revenue codes."""
    return parse_file(
        kind,
        path,
        known_codes=set(conn.execute(sa.select(revenue_codes.c.code)).scalars()),
        last_line_id=int(conn.execute(sa.select(sa.func.max(receipt_lines.c.id))).scalar() or 0),
    )


def parse_file(
    kind: str, path: Path, *, known_codes: set[str], last_line_id: int = 0
) -> list[dict[str, Any]]:
    """Read and check the whole file; raise :class:`Refusal` naming the first bad line."""
    if kind not in KINDS:
        raise Refusal("bad_kind", f"cannot import {kind!r}; choose one of {', '.join(KINDS)}")
    columns = COLUMNS[kind]
    ctx = _Context(known_codes=set(known_codes), last_line_id=last_line_id)
    parse = _PARSERS[kind]
    out: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    try:
        header: list[str] | None = None
        for line, cells in _rows(path):
            if header is None:
                header = [c.strip() for c in cells]
                missing = [c for c in columns if c not in header]
                extra = [c for c in header if c not in columns]
                if missing or extra or len(set(header)) != len(header):
                    raise Refusal(
                        "bad_header",
                        f"{path.name} line 1: the header must name the columns "
                        f"{','.join(columns)}"
                        + (f"; missing {', '.join(missing)}" if missing else "")
                        + (f"; unknown {', '.join(extra)}" if extra else ""),
                    )
                continue
            if not any(c.strip() for c in cells):
                continue  # a blank line
            if len(cells) != len(header):
                raise Refusal(
                    "bad_row",
                    f"{path.name} line {line}: {len(cells)} columns where the header has "
                    f"{len(header)}",
                )
            row = dict(zip(header, cells, strict=True))
            try:
                record = parse(row, ctx)
            except _CellError as exc:
                raise Refusal(
                    "bad_row", f"{path.name} line {line}, column {exc.column}: {exc}"
                ) from None
            key = record[KEY[kind]]
            if key in first_line:
                raise Refusal(
                    "bad_row",
                    f"{path.name} line {line}, column {KEY[kind]}: {key!r} repeats line "
                    f"{first_line[key]}",
                )
            first_line[key] = line
            if kind == "revenue-codes":
                ctx.known_codes.add(key)
            out.append(record)
    except FileNotFoundError:
        raise Refusal("bad_file", f"there is no file {path}") from None
    except IsADirectoryError:
        raise Refusal("bad_file", f"{path} is a folder, not a CSV file") from None
    except OSError as exc:
        raise Refusal("bad_file", f"{path.name} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise Refusal(
            "bad_file", f"{path.name} is not UTF-8 text (byte {exc.start} cannot be read)"
        ) from None
    except csv.Error as exc:
        raise Refusal("bad_file", f"{path.name} is not a readable CSV file: {exc}") from None
    if header is None:
        raise Refusal("bad_header", f"{path.name} is empty; it needs a header row")
    if kind == "users":
        for record in out:
            record["pin_hash"] = hash_pin(record["pin_hash"])
    return out


def write_rows(conn: sa.Connection, kind: str, records: list[dict[str, Any]]) -> None:
    """Replace the rows with the same keys, inside the caller's write transaction."""
    if not records:
        return
    table = _TABLES[kind]
    key = KEY[kind]
    stmt = sqlite_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[key],
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name != key},
    )
    conn.execute(stmt, records)
