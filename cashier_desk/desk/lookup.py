"""`lookup` (programs.md): an open item as the counter sees it on a date — its status, what is
due and of what parts (a plain item: ``due``; a citation: ``fine`` and one ``penalty`` per step
in force). Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger import program_rules
from cashier_desk.money import Money
from cashier_desk.programs.citations import penalties


@dataclass(frozen=True)
class Lookup:
    ref: str
    status: str  # open, paid, hold, appeal, plan
    amount_due: Money
    parts: tuple[tuple[str, Money], ...]  # (what, amount): due | fine | penalty
    flags: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """As programs.md writes a lookup's result (less ``op`` and ``ok``); ``plan`` and
        ``contest`` are null until plans and contests are recorded at this counter."""
        return {
            "ref": self.ref,
            "status": self.status,
            "amount_due": str(self.amount_due),
            "parts": [{"what": what, "amount": str(m)} for what, m in self.parts],
            "flags": list(self.flags),
            "plan": None,
            "contest": None,
        }


def look_up(row: sa.Row[Any], rule: str | None, conn: sa.Connection, on: date) -> Lookup:
    """The item ``row`` (read with what was paid on it, ``paid_cents``) of a code of ``rule``,
    on ``on``. A fully paid item is ``paid``, with nothing due and no parts."""
    paid = Money(int(row.paid_cents))
    if rule == "citation":
        fine = Money(row.amount_due_cents)
        if row.status == "paid" or paid >= fine:
            return Lookup(row.ref, "paid", Money(0), ())
        rules = program_rules.in_force(conn).citation(on)
        grown = penalties(fine, date.fromisoformat(row.due_date), on, rules)
        parts = (("fine", fine), *(("penalty", p) for p in grown))
        return Lookup(row.ref, row.status, Money(sum(m.cents for _, m in parts)), parts)
    due = Money(row.amount_due_cents) - paid
    if row.status == "paid" or not due.is_positive():
        return Lookup(row.ref, "paid", Money(0), ())
    return Lookup(row.ref, row.status, due, (("due", due),))


def unknown(ref: str) -> Refusal:
    return Refusal("unknown_ref", f"There is no open item {ref!r}.")
