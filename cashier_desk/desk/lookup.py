"""`lookup` (programs.md): an open item as the counter sees it on a date — its status, what is
due and of what parts (a plain item: ``due``; a citation: ``fine`` and one ``penalty`` per step
in force, frozen at its contest's date), its plan and its contest. Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger import item_programs, program_rules
from cashier_desk.money import Money
from cashier_desk.programs.citations import CitationRules, as_of, penalties
from cashier_desk.programs.plans import InstalmentState, apply_paid, delinquent


@dataclass(frozen=True)
class Lookup:
    ref: str
    status: str  # open, paid, hold, appeal, plan
    amount_due: Money
    parts: tuple[tuple[str, Money], ...]  # (what, amount): due | fine | penalty
    flags: tuple[str, ...] = ()
    plan: dict[str, Any] | None = None
    contest: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        """As programs.md writes a lookup's result (less ``op`` and ``ok``)."""
        return {
            "ref": self.ref,
            "status": self.status,
            "amount_due": str(self.amount_due),
            "parts": [{"what": what, "amount": str(m)} for what, m in self.parts],
            "flags": list(self.flags),
            "plan": self.plan,
            "contest": self.contest,
        }


def look_up(row: sa.Row[Any], rule: str | None, conn: sa.Connection, on: date) -> Lookup:
    """The item ``row`` (read with what was paid on it, ``paid_cents``) of a code of ``rule``,
    on ``on``. A fully paid item is ``paid``, with nothing due and no parts."""
    found = item_programs.contests_of(conn, row.ref)
    contest = None
    if found:
        contest = {"contest": found[0].number, "date": found[0].on.isoformat(),
                   "levels": [c.level for c in found]}  # fmt: skip
    plan = item_programs.plan_of(conn, row.ref)
    if plan is not None:
        return _on_plan(row, plan, conn, on, contest)
    paid = Money(int(row.paid_cents))
    status = "appeal" if found else row.status
    if rule == "citation":
        fine = Money(row.amount_due_cents)
        if row.status == "paid" or paid >= fine:
            return Lookup(row.ref, "paid", Money(0), (), contest=contest)
        grown = citation_penalties(conn, row, on)[1]
        parts = (("fine", fine), *(("penalty", p) for p in grown))
        due = Money(sum(m.cents for _, m in parts))
        return Lookup(row.ref, status, due, parts, contest=contest)
    due = Money(row.amount_due_cents) - paid
    if row.status == "paid" or not due.is_positive():
        return Lookup(row.ref, "paid", Money(0), (), contest=contest)
    return Lookup(row.ref, status, due, (("due", due),), contest=contest)


def contested_as_of(conn: sa.Connection, ref: str, on: date) -> date:
    """The date a citation's penalties are computed on: its first contest's while contested
    (they stop growing then), never later than ``on``."""
    found = item_programs.contests_of(conn, ref)
    return as_of(on, found[0].on if found else None)


def citation_penalties(
    conn: sa.Connection, row: sa.Row[Any], on: date
) -> tuple[CitationRules, list[Money]]:
    """The rules of a citation ``row`` on ``on`` and the late penalties it has grown by then:
    the one reckoning of a lookup, a sale's lines and a hearing's deposit.  A contested one is
    computed on its contest's date, penalties and rules alike (programs.md, "Precise
    readings": "for a contested citation: the contest date")."""
    frozen = contested_as_of(conn, row.ref, on)
    rules = program_rules.in_force(conn).citation(frozen)
    return rules, penalties(Money(row.amount_due_cents), date.fromisoformat(row.due_date),
                            frozen, rules)  # fmt: skip


def _on_plan(
    row: sa.Row[Any],
    plan: item_programs.Plan,
    conn: sa.Connection,
    on: date,
    contest: dict[str, Any] | None,
) -> Lookup:
    paid = item_programs.paid_after(conn, plan)
    states = apply_paid(list(plan.instalments), paid)
    left = plan.total - paid
    shown = {
        "plan": plan.number,
        "total": str(plan.total),
        "paid": str(paid),
        "instalments": [_instalment(s) for s in states],
    }
    if not left.is_positive():
        return Lookup(row.ref, "paid", Money(0), (), plan=shown, contest=contest)
    grace = program_rules.in_force(conn).plan(plan.on).grace_days
    flags = ("delinquent",) if delinquent(states, on, grace) else ()
    return Lookup(row.ref, "plan", left, (("due", left),), flags, shown, contest)


def _instalment(s: InstalmentState) -> dict[str, str]:
    return {"due": s.due.isoformat(), "amount": str(s.amount), "paid": str(s.paid)}


def unknown(ref: str) -> Refusal:
    return Refusal("unknown_ref", f"There is no open item {ref!r}.")
