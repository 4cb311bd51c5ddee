"""`lookup` (programs.md): an open item as the counter sees it on a date — its status, what is
due and of what parts (a plain item: ``due``; a citation: ``fine`` and one ``penalty`` per step
in force, frozen at its contest's date), its plan and its contest. Nothing is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger import item_programs, items, program_rules
from cashier_desk.money import Money
from cashier_desk.programs.citations import CitationRules, as_of, penalties, still_owed
from cashier_desk.programs.plans import InstalmentState, apply_paid, delinquent
from cashier_desk.programs.rules import ProgramRules


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


@dataclass(frozen=True)
class Known:
    """What a lookup reads of an item besides its row: its contests (oldest first), its plan
    and the program rules in force — read once for many items (``look_up_many``)."""

    contests: Sequence[item_programs.Contest]
    plan: item_programs.Plan | None
    rules: ProgramRules | None  # None: not read (none of the items needs them)

    def in_force(self, conn: sa.Connection) -> ProgramRules:
        return program_rules.in_force(conn) if self.rules is None else self.rules


def look_up(
    row: sa.Row[Any], rule: str | None, conn: sa.Connection, on: date, known: Known | None = None
) -> Lookup:
    """The item ``row`` (read with what was paid on it, ``paid_cents``) of a code of ``rule``,
    on ``on``. A fully paid item is ``paid``, with nothing due and no parts."""
    if known is None:
        plan = item_programs.plan_of(conn, row.ref)
        known = Known(item_programs.contests_of(conn, row.ref), plan, None)
    found = known.contests
    contest = None
    if found:
        contest = {"contest": found[0].number, "date": found[0].on.isoformat(),
                   "levels": [c.level for c in found]}  # fmt: skip
    if known.plan is not None:
        return _on_plan(row, known.plan, conn, on, contest, known.in_force(conn))
    paid = Money(int(row.paid_cents))
    # A hold (the billing system's: the item cannot be paid at the counter) stays a hold
    # while it is contested, as the sale refuses it (`item_on_hold`); else a contest is `appeal`.
    status = "appeal" if found and row.status != "hold" else row.status
    if rule == "citation":
        owed = citation_owed(conn, row, on, known=known)
        if owed is None:
            return Lookup(row.ref, "paid", Money(0), (), contest=contest)
        fine = owed.fine
        parts = ((("fine", fine),) if fine.is_positive() else ()) + tuple(
            ("penalty", p) for p in owed.penalties
        )
        due = Money(sum(m.cents for _, m in parts))
        return Lookup(row.ref, status, due, parts, contest=contest)
    due = Money(row.amount_due_cents) - paid
    if row.status == "paid" or not due.is_positive():
        return Lookup(row.ref, "paid", Money(0), (), contest=contest)
    return Lookup(row.ref, status, due, (("due", due),), contest=contest)


def look_up_many(conn: sa.Connection, rows: Sequence[sa.Row[Any]], on: date) -> list[Lookup]:
    """``look_up`` of each item ``rows`` holds (as ``ledger.items`` reads them), on one
    connection: their contests, plans, codes' rules and the rules in force read once for all
    (the rules only when a citation or a plan is among them)."""
    if not rows:
        return []
    refs = [row.ref for row in rows]
    contests = item_programs.contests_of_refs(conn, refs)
    plans = item_programs.plans_of_refs(conn, refs)
    rules = items.code_rules(conn)
    needed = plans or any(rules.get(row.revenue_code) == "citation" for row in rows)
    in_force = program_rules.in_force(conn) if needed else None
    knowns = [Known(contests.get(row.ref, ()), plans.get(row.ref), in_force) for row in rows]
    return [
        look_up(row, rules.get(row.revenue_code), conn, on, known)
        for row, known in zip(rows, knowns, strict=True)
    ]


def contested_as_of(conn: sa.Connection, ref: str, on: date) -> date:
    """The date a citation's penalties are computed on: its first contest's while contested
    (they stop growing then), never later than ``on``."""
    return _frozen(item_programs.contests_of(conn, ref), on)


def _frozen(found: Sequence[item_programs.Contest], on: date) -> date:
    return as_of(on, found[0].on if found else None)


def citation_penalties(
    conn: sa.Connection, row: sa.Row[Any], on: date, known: Known | None = None
) -> tuple[CitationRules, list[Money]]:
    """The rules of a citation ``row`` on ``on`` and the late penalties it has grown by then:
    the one reckoning of a lookup, a sale's lines and a hearing's deposit.  A contested one is
    computed on its contest's date, penalties and rules alike (programs.md, "Precise
    readings": "for a contested citation: the contest date").  ``known``: its contests and
    the rules in force, when already read."""
    if known is None:
        frozen = contested_as_of(conn, row.ref, on)
        rules = program_rules.in_force(conn).citation(frozen)
    else:
        frozen = _frozen(known.contests, on)
        rules = known.in_force(conn).citation(frozen)
    return rules, penalties(Money(row.amount_due_cents), date.fromisoformat(row.due_date),
                            frozen, rules)  # fmt: skip


@dataclass(frozen=True)
class Owed:
    """What a citation owes on a date: its fine (or what is left of it), each penalty step
    still due, the rules in force, and what counts as paid on its fine (None: nothing of its
    payments was taken back, the fine is owed whole)."""

    rules: CitationRules
    fine: Money
    penalties: list[Money]
    fine_kept: Money | None = None

    @property
    def total(self) -> Money:
        return Money(self.fine.cents + sum(p.cents for p in self.penalties))


def citation_owed(
    conn: sa.Connection,
    row: sa.Row[Any],
    on: date,
    paying: Money | None = None,
    known: Known | None = None,
) -> Owed | None:
    """What the citation ``row`` owes on ``on`` (``paying``: what the sale being priced already
    pays on it), or None when it is paid — the one reckoning of a lookup, a sale's lines, a
    plan and a hearing's deposit.  Paid whole at the counter, a citation grows nothing.  One
    whose payments were partly or wholly taken back owes its fine less what is kept of it and
    the penalties in force by then less what is kept of them; it is paid again once what is
    kept of its fine covers the fine and what is kept of its penalties covers those in force
    on the date of its latest payment at this counter.  Other counters' payments and
    corrections come through ``sync pull`` as a changed balance (``amount_due_cents``), not
    as parts: there a citation's take-back is reckoned on that balance."""
    fine = Money(row.amount_due_cents)
    paid = Money(int(row.paid_cents)) + (paying or Money(0))
    if row.status == "paid":
        return None
    kept = items.taken_back(conn, row) if paid.is_positive() else None
    if kept is None:
        if paid >= fine:
            return None
        rules, grown = citation_penalties(conn, row, on, known)
        return Owed(rules, fine, grown)
    if paying is not None and paying.is_positive():
        return None  # the sale being priced pays what it owes already
    fine_kept, last = kept
    if last is not None:  # settled at its latest payment, part by part (kept penalty money
        # never hides fine money taken back)
        then = citation_penalties(conn, row, date.fromisoformat(last), known)[1]
        left_fine, left_steps = still_owed(fine, then, fine_kept, paid - fine_kept)
        if not left_fine.is_positive() and not left_steps:
            return None
    rules, grown = citation_penalties(conn, row, on, known)
    fine_due, steps = still_owed(fine, grown, fine_kept, paid - fine_kept)
    if not fine_due.is_positive() and not steps:
        return None
    return Owed(rules, fine_due, steps, fine_kept)


def _on_plan(
    row: sa.Row[Any],
    plan: item_programs.Plan,
    conn: sa.Connection,
    on: date,
    contest: dict[str, Any] | None,
    in_force: ProgramRules,
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
    grace = in_force.plan(plan.on).grace_days
    flags = ("delinquent",) if delinquent(states, on, grace) else ()
    return Lookup(row.ref, "plan", left, (("due", left),), flags, shown, contest)


def _instalment(s: InstalmentState) -> dict[str, str]:
    return {"due": s.due.isoformat(), "amount": str(s.amount), "paid": str(s.paid)}


def unknown(ref: str) -> Refusal:
    return Refusal("unknown_ref", f"There is no open item {ref!r}.")
