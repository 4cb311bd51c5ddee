"""What a correction takes back from a closed-out receipt, and where the money goes: the lines
it comes from (in order, each up to what it has left; cash rounding lines never), the revenue
reversed by account (a line that paid an open item cumulatively, the item's latest payment
unwound first; any other line by its own split), the offsets of each fund, and the payments
put back on their items."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from cashier_desk.desk.pricing import Pricing
from cashier_desk.ledger import corrections, item_programs, items, program_rules
from cashier_desk.ledger.corrections import Receipt, ReceiptLine
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs.split import cumulative_share

#: The lines a correction takes back from, each with the amount taken.
Taken = list[tuple[ReceiptLine, Money]]


def add(into: dict[str, Money], account: str, amount: Money) -> None:
    """``amount`` added to ``account``'s sum in ``into``."""
    into[account] = into.get(account, Money(0)) + amount


def by_fund(revenue: dict[str, Money], pattern: str) -> dict[str, Money]:
    """The offsets of a revenue side on ``pattern``'s account of each fund (``{fund}``: the
    first segment of the account offset), so that each fund balances."""
    out: dict[str, Money] = {}
    for account, amount in revenue.items():
        add(out, pattern.replace("{fund}", account.split("-", 1)[0]), -amount)
    return {a: m for a, m in out.items() if m}


def allocate(rec: Receipt, amount: Money, lines: Sequence[ReceiptLine]) -> tuple[Taken, Money]:
    """``amount`` taken from ``lines`` in order, each up to what it has left; and what could
    not be taken."""
    left, taken = amount, []
    for line in lines:
        can = rec.left(line)
        if line.is_rounding or not can.is_positive() or not left.is_positive():
            continue
        x = can if can < left else left
        taken.append((line, x))
        left -= x
    return taken, left


def _unsplit_account(conn: sa.Connection, rec: Receipt, line: ReceiptLine) -> str:
    """The one account of a penalty or plan fee line (the rules in force when it was
    made: the plan's date for a plan's lines, else the receipt's)."""
    ref = str(line.ref)
    plan = item_programs.plan_of(conn, ref)
    on = date.fromisoformat(rec.business_date)
    if plan is not None and line.id > plan.after_line:
        on = plan.on
    rules = program_rules.in_force(conn)
    if line.description.startswith("Payment plan fee "):
        return str(rules.plan(on).fee_gl)
    return str(rules.citation(on).penalty_gl)


def reverse(conn: sa.Connection, pricing: Pricing, rec: Receipt, taken: Taken) -> dict[str, Money]:
    """The revenue side of taking ``taken`` back (reversals negative), by account in the
    order they first come."""
    gl: dict[str, Money] = {}
    unwound: dict[str, Money] = {}
    for line, x in taken:
        if line.ref is None:
            parts = [(str(a), m) for a, m in line_split(conn, pricing, rec, line).allocate(x)]
        elif line.part == "other":
            parts = [(_unsplit_account(conn, rec, line), x)]
        else:
            item = items.item_row(conn, line.ref)
            own = item.own_gl if item is not None else None
            split = GlSplit.parse(own or pricing.code(conn, line.code).gl)
            paid = corrections.split_paid(conn, line.ref) - unwound.get(line.ref, Money(0))
            add(unwound, line.ref, x)
            before = paid - x
            start = before if before.is_positive() else Money(0)
            parts = [(str(a), m) for a, m in cumulative_share(split, start, x)]
        for account, m in parts:
            add(gl, account, -m)
    return {a: m for a, m in gl.items() if m}


def line_split(conn: sa.Connection, pricing: Pricing, rec: Receipt, line: ReceiptLine) -> GlSplit:
    """A line's own split: as the sale posted it (a program's line: its rule's accounts),
    else its code's."""
    posted = corrections.posted_splits(conn, rec.id, rec.lines).get(line.id)
    return posted or GlSplit.parse(pricing.code(conn, line.code).gl)


def put_back(taken: Taken) -> list[tuple[str, str, int, Money]]:
    """The payments put back on their items: (ref, part, line, minus the amount taken) of
    each line taken from that paid an item."""
    return [(str(line.ref), line.part, line.id, -x) for line, x in taken if line.ref]
