"""``report tot`` (programs.md, "Transient occupancy tax returns"): every registered operator
(an account of rule ``tot``) with the returns in force it filed for a period, or none (it is
``missing``).  A return voided with its receipt does not count.  An amended return is a row of
its own beside the first: its rents and tax are the whole return's, what it paid the
difference."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cashier_desk.ledger.schema import accounts, tot_returns
from cashier_desk.money import Money

RULE = "tot"


@dataclass(frozen=True)
class FiledReturn:
    gross: Money
    exempt: Money
    tax: Money  # the return's tax on its rents
    tax_paid: Money  # what this filing paid of it (an amended return: the difference)
    penalty: Money
    interest: Money
    amended: bool
    receipt_no: str
    business_date: str

    @property
    def paid(self) -> Money:
        return self.tax_paid + self.penalty + self.interest


@dataclass(frozen=True)
class Operator:
    account: str
    name: str
    returns: tuple[FiledReturn, ...]  # in the order filed; none: missing


@dataclass(frozen=True)
class TotReport:
    period: str
    due: str  # the return's due date
    operators: tuple[Operator, ...]  # by account

    @property
    def filed(self) -> int:
        return sum(1 for o in self.operators if o.returns)

    @property
    def missing(self) -> int:
        return len(self.operators) - self.filed

    def sum_of(self, figure: str) -> Money:
        """The sum of a figure (``tax_paid``, ``penalty``, ``interest``, ``paid``) over
        every return."""
        return Money(sum(getattr(r, figure).cents for o in self.operators for r in o.returns))


def tot_report(conn: sa.Connection, period: str, due: str) -> TotReport:
    """The operators and their returns in force for ``period`` (its text, as parsed)."""
    filed: dict[str, list[FiledReturn]] = {}
    for r in conn.execute(
        sa.select(tot_returns)
        .where(tot_returns.c.period == period, tot_returns.c.voided_at.is_(None))
        .order_by(tot_returns.c.account, tot_returns.c.id)
    ):
        filed.setdefault(r.account, []).append(
            FiledReturn(
                Money(r.gross_cents), Money(r.exempt_cents), Money(r.tax_cents),
                Money(r.owed_cents), Money(r.penalty_cents), Money(r.interest_cents),
                bool(r.amended), r.receipt_no, r.business_date,
            )
        )  # fmt: skip
    operators = tuple(
        Operator(a.account, a.name, tuple(filed.get(a.account, ())))
        for a in conn.execute(
            sa.select(accounts.c.account, accounts.c.name)
            .where(accounts.c.rule == RULE)
            .order_by(accounts.c.account)
        )
    )
    return TotReport(period, due, operators)
