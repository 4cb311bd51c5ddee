"""Delinquents (operations.md, Reports: ``report delinquent``): which open items may be
delinquent on a date, found in the database; the Desk prices each as ``lookup`` does (the
penalties in force, a plan's schedule) and keeps those that are.

Candidates: items not paid, not on hold (the billing system holds them) and not under contest
(status ``appeal``: penalties are frozen while it is decided elsewhere) whose due date is
before the date, every item on a payment plan, and the items not paid of an account for
certified funds only (a returned check flagged it)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cashier_desk.ledger.schema import account_flags, open_items, plans
from cashier_desk.money import Money

WHY = ("past_due", "plan_delinquent", "certified_funds_only")


@dataclass(frozen=True)
class Delinquent:
    ref: str
    program: str
    name: str
    due_date: str
    days_late: int
    amount_due: Money
    why: str


@dataclass(frozen=True)
class Delinquents:
    date: str
    items: tuple[Delinquent, ...]  # most days late first, then ref

    @property
    def total(self) -> Money:
        return Money(sum(i.amount_due.cents for i in self.items))


def candidate_refs(conn: sa.Connection, on: str) -> list[str]:
    """The references of the items that may be delinquent on ``on`` (see the docstring)."""
    on_plan = sa.select(plans.c.ref)
    return list(
        conn.execute(
            sa.select(open_items.c.ref)
            .where(
                sa.or_(
                    sa.and_(
                        open_items.c.status.not_in(("paid", "hold", "appeal")),
                        open_items.c.due_date < on,
                    ),
                    open_items.c.ref.in_(on_plan),
                    sa.and_(  # an account for certified funds only (a returned check)
                        open_items.c.status.not_in(("paid", "hold")),
                        open_items.c.account.in_(sa.select(account_flags.c.account)),
                    ),
                )
            )
            .order_by(open_items.c.ref)
        ).scalars()
    )


def ordered(on: str, found: list[Delinquent]) -> Delinquents:
    return Delinquents(on, tuple(sorted(found, key=lambda d: (-d.days_late, d.ref, d.why))))
