"""The cumulative split of payments on one open item (headless.md's GL split rule as
programs.md's "Precise readings / Plans" changes it): the item's payments together are divided
by the split, and each payment gets the difference between the split of all payments up to it
and of those before it — so fixed add-ons are owed once per item, not once per payment."""

from __future__ import annotations

from collections.abc import Iterable

from cashier_desk.money import GlAccount, GlSplit, Money


def _by_account(parts: Iterable[tuple[GlAccount, Money]]) -> dict[GlAccount, Money]:
    out: dict[GlAccount, Money] = {}
    for account, amount in parts:
        out[account] = out.get(account, Money(0)) + amount
    return out


def cumulative_share(
    split: GlSplit, paid_before: Money, payment: Money
) -> list[tuple[GlAccount, Money]]:
    """This payment's parts: split(paid_before + payment) − split(paid_before), per account in
    the split's order (fixed parts first), parts of 0.00 left out.  Sums to ``payment``."""
    after = _by_account(split.allocate(paid_before + payment))
    before = _by_account(split.allocate(paid_before)) if paid_before else {}
    order = [a for a, _ in split.fixed] + [split.remainder]
    out = []
    for account in order:
        share = after.get(account, Money(0)) - before.get(account, Money(0))
        if share:
            out.append((account, share))
    return out
