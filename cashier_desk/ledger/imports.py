"""Import of reference data from CSV files: revenue codes, users, open items.

A file is read and checked whole before anything is written; a bad row refuses the whole file
with a message naming its line and column, and the database is left as it was.  Rows replace
rows with the same key.

A card number is never kept (PCI DSS 3.3.1, 3.4.1), yet one look-alike account number must not
refuse a nightly file of a million rows: a cell holding one (in any writing, as
:mod:`cashier_desk.text` reads it) is masked to its last four (``****1111``, the rest of the
text kept) and its row imported; the import counts the masked cells and names the first few.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger.auth import ROLES
from cashier_desk.ledger.import_result import Imported, Masked
from cashier_desk.ledger.import_write import KEY, write_open_items, write_rows
from cashier_desk.ledger.pins import PinHasher
from cashier_desk.ledger.schema import receipt_lines, revenue_codes
from cashier_desk.money import GlSplit, Money, MoneyError
from cashier_desk.programs.dates import is_iso_date
from cashier_desk.text import (
    ASCII_CANDIDATE,
    TextError,
    looks_like_card_number,
    mask_card_numbers,
    printable_text,
)
from cashier_desk.words import FeeType, ItemStatus

KINDS = ("revenue-codes", "users", "open-items")
FEE_TYPES: tuple[str, ...] = tuple(FeeType)
ITEM_STATUSES: tuple[str, ...] = tuple(ItemStatus)
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
    "accounts": ("account", "rule", "name", "address", "opened"),
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
#: Columns a file may have besides its own (programs.md, headless.md).
OPTIONAL = {"open-items": ("plate", "as_of", "issued", "notice"), "revenue-codes": ("rule",)}
#: The rules a revenue code's lines may follow (programs.md); empty: a plain fee or bill.
RULES = ("citation", "tot", "business_licence", "animal_licence", "parking_permit", "nsf_fee")


_KEY_CHARS = re.compile(r"[A-Za-z0-9_.\-]+")
_MASKED_KEY_CHARS = re.compile(r"[A-Za-z0-9_.\-*]+")  # a masked key has its ****
_PLAIN_AMOUNT = re.compile(r"([0-9]{1,12})\.([0-9]{2})", re.ASCII)
_CARDISH = ASCII_CANDIDATE.search  # None: ASCII text with no card number in it


class _CellError(ValueError):
    def __init__(self, column: str, message: str, code: str = "bad_row") -> None:
        super().__init__(message)
        self.column = column
        self.code = code


def _key_text(value: str, column: str, masked: Masked, max_len: int = 40) -> str:
    text = value.strip()
    if not text:
        raise _CellError(column, "is blank")
    chars = _KEY_CHARS
    if looks_like_card_number(text):
        text, chars = masked.value(column, text), _MASKED_KEY_CHARS
    if len(text) > max_len or chars.fullmatch(text) is None:
        raise _CellError(column, f"{text!r} may hold only letters, digits, '-', '_' and '.'")
    return text


def _text(
    row: dict[str, str],
    column: str,
    masked: Masked,
    *,
    required: bool = True,
    max_len: int = 200,
) -> str:
    value = row[column].strip()
    if not value and not required:
        return ""
    if (
        value
        and len(value) <= max_len
        and value.isascii()
        and value.isprintable()
        and _CARDISH(value) is None
    ):
        return value  # what nearly every cell is, checked in four calls (clean_text's rules)
    try:
        text = printable_text(value, column, max_len=max_len, required=required)
    except TextError as exc:
        raise _CellError(column, str(exc).removeprefix(column).strip()) from exc
    return masked.value(column, text)


def _money(row: dict[str, str], column: str) -> Money:
    plain = _PLAIN_AMOUNT.fullmatch(row[column])
    if plain is not None:  # "123.45", the usual cell, without building it twice
        return Money(int(plain[1]) * 100 + int(plain[2]))
    if looks_like_card_number(row[column]):  # an amount cannot be masked: never kept
        raise _CellError(column, "looks like a card number; card numbers are never kept")
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
        if ctx.max_amount is not None and amount > ctx.max_amount:
            # A fee the counter could never take: every line of it would be refused.
            raise _CellError(
                "amount",
                f"{amount} is more than the counter takes at once ({ctx.max_amount}, "
                "[policy] max_amount)",
                "amount_too_large",
            )
    try:
        gl = GlSplit.parse(row["gl"].strip())
    except MoneyError as exc:
        raise _CellError("gl", str(exc)) from exc
    return {
        "code": _key_text(row["code"], "code", ctx.masked),
        "description": _text(row, "description", ctx.masked),
        "program": _text(row, "program", ctx.masked, max_len=60),
        "gl": str(gl),
        "fee_type": fee_type,
        "amount_cents": None if amount is None else amount.cents,
        "partial_allowed": _choice(row, "partial_allowed", ("yes", "no")) == "yes",
        "rule": _rule(row, fee_type),
    }


def _rule(row: dict[str, str], fee_type: str) -> str | None:
    """The optional ``rule`` column: one of :data:`RULES` or empty. A rule's code is an open
    fee (its lines are priced by the rule), but for a parking permit's, a fee of its own."""
    rule = row.get("rule", "").strip()
    if not rule:
        return None
    if rule not in RULES:
        raise _CellError("rule", f"{rule!r} is not one of {', '.join(RULES)} (or empty)")
    if rule != "parking_permit" and fee_type != "open":
        raise _CellError("fee_type", f"must be open for a code of rule {rule}")
    return rule


def _user(row: dict[str, str], ctx: _Context) -> dict[str, Any]:
    pin = row["pin"].strip()
    if not (ctx.min_pin_length <= len(pin) <= 64) or not pin.isprintable():
        raise _CellError("pin", f"must be {ctx.min_pin_length} to 64 printable characters")
    return {
        "login": _key_text(row["login"], "login", ctx.masked),
        "name": _text(row, "name", ctx.masked, max_len=100),
        "role": _choice(row, "role", ROLES),
        "pin_hash": pin,  # hashed after the whole file has been checked
    }


def _date(row: dict[str, str], column: str) -> str | None:
    value = row.get(column, "").strip()
    if not value:
        return None
    if not is_iso_date(value):
        raise _CellError(column, f"{value!r} is not a date like 2026-11-30")
    return value


def _as_of(row: dict[str, str], ctx: _Context) -> str:
    """The billing system's balance time as UTC ISO text ('' when not given: the balance is
    as of the import); a time without an offset is the station's local time."""
    value = row.get("as_of", "").strip()
    if not value:
        return ""
    known = ctx.as_of_seen.get(value)
    if known is None:
        if len(ctx.as_of_seen) > 1000:
            ctx.as_of_seen.clear()  # memory stays flat when every row has its own
        known = ctx.as_of_seen[value] = _utc_text(value, ctx.tz)
    return known


def _utc_text(value: str, tz: tzinfo | None) -> str:
    try:
        if len(value) <= 10:
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _CellError(
            "as_of", f"{value!r} is not a date and time like 2026-11-30T17:00:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz) if tz else moment.astimezone()
    return moment.astimezone(UTC).isoformat()


def _open_item(row: dict[str, str], ctx: _Context) -> dict[str, Any]:
    due = _date(row, "due_date")
    if due is None:
        raise _CellError("due_date", "is blank")
    code = row["revenue_code"].strip()
    if code not in ctx.known_codes:  # the known ones were checked as keys when imported
        code = _key_text(code, "revenue_code", ctx.masked)
        raise _CellError("revenue_code", f"{code!r} is not a known revenue code")
    as_of = _as_of(row, ctx)
    return {
        "ref": _key_text(row["ref"], "ref", ctx.masked, max_len=60),
        "program": _text(row, "program", ctx.masked, max_len=60),
        "account": _text(row, "account", ctx.masked, max_len=60),
        "name": _text(row, "name", ctx.masked),
        "address": _text(row, "address", ctx.masked, required=False),
        "amount_due_cents": _money(row, "amount_due").cents,
        "due_date": due,
        "revenue_code": code,
        "status": _choice(row, "status", ITEM_STATUSES),
        "plate": _text(row, "plate", ctx.masked, required=False, max_len=20)
        if "plate" in row
        else "",
        "as_of": as_of,
        # Without as_of the balance is the import's own: payments on receipt lines recorded
        # before it are in it (the ledger's own order, not a clock's).
        "paid_before_line": 0 if as_of else ctx.last_line_id,
        "issued": _date(row, "issued"),
        "notice": _date(row, "notice"),
    }


@dataclass
class _Context:
    known_codes: set[str]
    last_line_id: int  # the newest receipt line when the import began
    tz: tzinfo | None  # the station's zone for times without an offset (None: the machine's)
    as_of_seen: dict[str, str] = field(default_factory=dict)  # a file repeats its as_of
    max_amount: Money | None = None  # [policy] max_amount: no fee above it (None: no check)
    min_pin_length: int = 4  # [policy] min_pin_length
    masked: Masked = field(default_factory=Masked)


Parser = Callable[[dict[str, str], _Context], dict[str, Any]]
_PARSERS: dict[str, Parser] = {
    "revenue-codes": _revenue_code,
    "users": _user,
    "open-items": _open_item,
}


def _check_header(kind: str, path: Path, cells: list[str]) -> list[str]:
    header = [c.strip() for c in cells]
    columns = COLUMNS[kind]
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns and c not in OPTIONAL.get(kind, ())]
    if missing or extra or len(set(header)) != len(header):
        optional = OPTIONAL.get(kind, ())
        raise Refusal(
            "bad_header",
            f"{path.name} line 1: the header must name the columns {','.join(columns)}"
            + (f" (and may name {','.join(optional)})" if optional else "")
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(extra)}" if extra else ""),
        )
    return header


def _records(
    kind: str, path: Path, ctx: _Context, parse: Parser | None = None
) -> Iterator[dict[str, Any]]:
    """Each row of the file, checked, as it is read; a bad row raises :class:`Refusal`
    naming its line and column.  A key that repeats an earlier row is refused too (the keys
    seen are kept as their hashes, so a million rows stay small in memory)."""
    parse = parse or _PARSERS[kind]
    key_column = KEY[kind]
    seen: set[int] = set()
    header: list[str] | None = None
    masked = ctx.masked  # it notes the line of each masked cell
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            for cells in reader:
                line = reader.line_num
                if header is None:
                    header = _check_header(kind, path, cells)
                    continue
                if not "".join(cells).strip():
                    continue  # a blank line
                if len(cells) != len(header):
                    raise Refusal(
                        "bad_row",
                        f"{path.name} line {line}: {len(cells)} columns where the header has "
                        f"{len(header)}",
                    )
                row = dict(zip(header, cells, strict=True))
                masked.line = line
                try:
                    record = parse(row, ctx)
                except _CellError as exc:
                    raise Refusal(
                        exc.code, f"{path.name} line {line}, column {exc.column}: {exc}"
                    ) from None
                key = record[key_column]
                digest = hash(key)
                if digest in seen:
                    first = _first_line_of(kind, path, key, line)
                    if first is not None:
                        raise Refusal(
                            "bad_row",
                            f"{path.name} line {line}, column {key_column}: {key!r} repeats "
                            f"line {first}",
                        )
                seen.add(digest)
                if kind == "revenue-codes":
                    ctx.known_codes.add(key)
                yield record
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


def _first_line_of(kind: str, path: Path, key: str, before: int) -> int | None:
    """The line before ``before`` whose key is ``key`` (None: two keys had the same hash)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        header = [c.strip() for c in next(reader)]
        at = header.index(KEY[kind])
        for cells in reader:
            if reader.line_num >= before:
                return None
            # The key as it was kept: a card number in it was masked (two may mask alike).
            if len(cells) == len(header) and mask_card_numbers(cells[at].strip()) == key:
                return reader.line_num
    return None


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
    ctx = _Context(
        known_codes=set(known_codes), last_line_id=last_line_id, tz=tz, max_amount=max_amount
    )
    if masked is not None:
        ctx.masked = masked
    return list(_records(kind, path, ctx))


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
    ctx = _Context(known_codes=set(), last_line_id=0, tz=None, min_pin_length=min_pin_length)
    if masked is not None:
        ctx.masked = masked
    records = list(_records("users", path, ctx))
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
        ctx = _Context(known_codes=codes, last_line_id=last_line, tz=tz, masked=masked)
        rows = write_open_items(conn, _records(kind, path, ctx))
    return masked.result(rows)
