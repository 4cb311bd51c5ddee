"""What goes in the bank bag: the deposit of a closeout as currency, coin and itemised checks.

The closeout's deposit figures say how much; this says of what.  Everything comes from what was
counted, never from what the sales say should be there:

* checks and money orders are the ones the cashiers itemised in their blind counts (number
  and amount), so the list is the paper in the drawers;
* the cash counted in the drawers, by denomination and summed over the drawers, as currency
  (notes: 1.00 and up) and coin; less the change funds, which stay with the drawers (which
  pieces make them up is the lead's choice, so the slip does not pretend to know it); plus the
  safe drops, which went to the safe during the day as an amount, not by denomination.

So currency + coin - change funds + safe drops is the closeout's cash deposit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from cashier_desk.ledger.drawer import deciding
from cashier_desk.ledger.schema import drawer_closes, drawer_movements, drawer_sessions
from cashier_desk.money import Money

#: The smallest note: 1.00 and up are currency, smaller denominations are coin.
SMALLEST_NOTE = Money(100)


@dataclass(frozen=True)
class DepositItem:
    """One check or money order in the bag, as the cashier itemised it in the count."""

    number: str
    amount: Money
    drawer: str
    cashier: str


@dataclass(frozen=True)
class DepositDetail:
    counted: dict[Money, int]  # the cash counted in the drawers, by denomination
    funds_kept: Money
    drops: Money
    checks: tuple[DepositItem, ...]
    money_orders: tuple[DepositItem, ...]

    @property
    def currency(self) -> Money:
        return Money(sum(d.cents * n for d, n in self.counted.items() if d >= SMALLEST_NOTE))

    @property
    def coin(self) -> Money:
        return Money(sum(d.cents * n for d, n in self.counted.items() if d < SMALLEST_NOTE))

    @property
    def cash(self) -> Money:
        return self.currency + self.coin - self.funds_kept + self.drops


def _counts(by_denomination: Mapping[str, object]) -> dict[Money, int]:
    return {Money.parse(d): int(str(n)) for d, n in by_denomination.items()}


def _items(count: Mapping[str, object], key: str, drawer: str, cashier: str) -> list[DepositItem]:
    listed = count.get(key) or []
    if not isinstance(listed, list):
        raise ValueError(f"the counted {key} of drawer {drawer} are not a list")
    return [
        DepositItem(str(x["number"]), Money.parse(str(x["amount"])), drawer, cashier)
        for x in listed
    ]


def deposit_detail(conn: sa.Connection, session_ids: Sequence[str]) -> DepositDetail:
    """The deposit of the closed sessions ``session_ids``, in the order they were opened, from
    each one's deciding (newest) count."""
    rows = conn.execute(
        sa.select(
            drawer_sessions.c.drawer,
            drawer_sessions.c.cashier,
            drawer_sessions.c.opening_cents,
            drawer_closes.c.counted,
        )
        .join(drawer_closes, drawer_closes.c.session_id == drawer_sessions.c.id)
        .where(drawer_sessions.c.id.in_(session_ids), deciding(drawer_closes))
        .order_by(drawer_sessions.c.opened_at, drawer_sessions.c.id)
    ).all()
    counted: dict[Money, int] = {}
    funds = Money(0)
    checks: list[DepositItem] = []
    money_orders: list[DepositItem] = []
    for row in rows:
        count = json.loads(row.counted)
        for denomination, n in _counts(count.get("cash") or {}).items():
            counted[denomination] = counted.get(denomination, 0) + n
        funds += Money(row.opening_cents)
        checks += _items(count, "checks", row.drawer, row.cashier)
        money_orders += _items(count, "money_orders", row.drawer, row.cashier)
    drops = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(drawer_movements.c.amount_cents), 0)).where(
            drawer_movements.c.session_id.in_(session_ids), drawer_movements.c.kind == "drop"
        )
    ).scalar_one()
    by_value = dict(sorted(((d, n) for d, n in counted.items() if n), reverse=True))
    return DepositDetail(by_value, funds, Money(int(drops)), tuple(checks), tuple(money_orders))
