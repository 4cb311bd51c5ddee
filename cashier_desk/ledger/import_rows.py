"""Each kind's row of an import file: the columns it has, and what its cells must hold
(revenue codes, users, open items), checked cell by cell into the record written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from cashier_desk.ledger import import_cells as cell
from cashier_desk.ledger.auth import ROLES
from cashier_desk.ledger.import_result import Masked
from cashier_desk.money import GlSplit, Money, MoneyError
from cashier_desk.words import FeeType, ItemStatus

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


def _revenue_code(row: dict[str, str], ctx: Context) -> dict[str, Any]:
    fee_type = cell.choice(row, "fee_type", FEE_TYPES)
    amount: Money | None = None
    if fee_type == "open":
        if row["amount"].strip():
            raise cell.CellError("amount", "must be empty for an open fee (keyed at the counter)")
    else:
        amount = cell.money(row, "amount")
        if not amount.is_positive():
            raise cell.CellError("amount", "must be more than 0.00")
        if ctx.max_amount is not None and amount > ctx.max_amount:
            # A fee the counter could never take: every line of it would be refused.
            raise cell.CellError(
                "amount",
                f"{amount} is more than the counter takes at once ({ctx.max_amount}, "
                "[policy] max_amount)",
                "amount_too_large",
            )
    try:
        gl = GlSplit.parse(row["gl"].strip())
    except MoneyError as exc:
        raise cell.CellError("gl", str(exc)) from exc
    return {
        "code": cell.key_text(row["code"], "code", ctx.masked),
        "description": cell.text(row, "description", ctx.masked),
        "program": cell.text(row, "program", ctx.masked, max_len=60),
        "gl": str(gl),
        "fee_type": fee_type,
        "amount_cents": None if amount is None else amount.cents,
        "partial_allowed": cell.choice(row, "partial_allowed", ("yes", "no")) == "yes",
        "rule": _rule(row, fee_type),
    }


def _rule(row: dict[str, str], fee_type: str) -> str | None:
    """The optional ``rule`` column: one of :data:`RULES` or empty. A rule's code is an open
    fee (its lines are priced by the rule), but for a parking permit's, a fee of its own: a
    permit is sold at the code's amount, so an open permit code (no amount) could never be
    sold (programs.md, "Precise readings")."""
    rule = row.get("rule", "").strip()
    if not rule:
        return None
    if rule not in RULES:
        raise cell.CellError("rule", f"{rule!r} is not one of {', '.join(RULES)} (or empty)")
    if rule != "parking_permit" and fee_type != "open":
        raise cell.CellError("fee_type", f"must be open for a code of rule {rule}")
    if rule == "parking_permit" and fee_type == "open":
        raise cell.CellError(
            "fee_type", "must be fixed for a code of rule parking_permit (the permit's fee)"
        )
    return rule


def _user(row: dict[str, str], ctx: Context) -> dict[str, Any]:
    pin = row["pin"].strip()
    if not (ctx.min_pin_length <= len(pin) <= 64) or not pin.isprintable():
        raise cell.CellError("pin", f"must be {ctx.min_pin_length} to 64 printable characters")
    return {
        "login": cell.key_text(row["login"], "login", ctx.masked),
        "name": cell.text(row, "name", ctx.masked, max_len=100),
        "role": cell.choice(row, "role", ROLES),
        "pin_hash": pin,  # hashed after the whole file has been checked
    }


def _as_of(row: dict[str, str], ctx: Context) -> str:
    """The billing system's balance time as UTC ISO text ('' when not given: the balance is
    as of the import); a time without an offset is the station's local time."""
    value = row.get("as_of", "").strip()
    if not value:
        return ""
    known = ctx.as_of_seen.get(value)
    if known is None:
        if len(ctx.as_of_seen) > 1000:
            ctx.as_of_seen.clear()  # memory stays flat when every row has its own
        known = ctx.as_of_seen[value] = cell.utc_text(value, ctx.tz)
    return known


def _open_item(row: dict[str, str], ctx: Context) -> dict[str, Any]:
    due = cell.date(row, "due_date")
    if due is None:
        raise cell.CellError("due_date", "is blank")
    code = row["revenue_code"].strip()
    if code not in ctx.known_codes:  # the known ones were checked as keys when imported
        code = cell.key_text(code, "revenue_code", ctx.masked)
        raise cell.CellError("revenue_code", f"{code!r} is not a known revenue code")
    as_of = _as_of(row, ctx)
    return {
        "ref": cell.key_text(row["ref"], "ref", ctx.masked, max_len=60),
        "program": cell.text(row, "program", ctx.masked, max_len=60),
        "account": cell.text(row, "account", ctx.masked, max_len=60),
        "name": cell.text(row, "name", ctx.masked),
        "address": cell.text(row, "address", ctx.masked, required=False),
        "amount_due_cents": cell.money(row, "amount_due").cents,
        "due_date": due,
        "revenue_code": code,
        "status": cell.choice(row, "status", ITEM_STATUSES),
        "plate": cell.text(row, "plate", ctx.masked, required=False, max_len=20)
        if "plate" in row
        else "",
        "as_of": as_of,
        # Without as_of the balance is the import's own: payments on receipt lines recorded
        # before it are in it (the ledger's own order, not a clock's).
        "paid_before_line": 0 if as_of else ctx.last_line_id,
        "issued": cell.date(row, "issued"),
        "notice": cell.date(row, "notice"),
    }


@dataclass
class Context:
    """What a file's rows are checked against, and what its reading notes as it goes."""

    known_codes: set[str]
    last_line_id: int  # the newest receipt line when the import began
    tz: tzinfo | None  # the station's zone for times without an offset (None: the machine's)
    as_of_seen: dict[str, str] = field(default_factory=dict)  # a file repeats its as_of
    max_amount: Money | None = None  # [policy] max_amount: no fee above it (None: no check)
    min_pin_length: int = 4  # [policy] min_pin_length
    masked: Masked = field(default_factory=Masked)


Parser = Callable[[dict[str, str], Context], dict[str, Any]]
PARSERS: dict[str, Parser] = {
    "revenue-codes": _revenue_code,
    "users": _user,
    "open-items": _open_item,
}
