"""Cash rounding after the penny (programs.md, "Cash rounding"): when what is left of a sale
after every non-cash tender is paid in cash, it is rounded to the nearest ``step`` (a tie,
possible with a step like 0.10, rounds half up); the difference is the sale's own line."""

from __future__ import annotations

from fractions import Fraction

from cashier_desk.money import Money
from cashier_desk.programs.rates import round_half_up

NONE = Money(1)  # a step of 0.01: no rounding


def rounding_difference(remaining: Money, step: Money) -> Money:
    """What the ``Cash rounding`` line adds (negative: takes off) so that ``remaining`` paid in
    cash comes to a multiple of ``step``; 0.00 when it already does or the step is a cent."""
    if step.cents <= 1 or not remaining.is_positive():
        return Money(0)
    whole_steps = round_half_up(Fraction(remaining.cents, step.cents)).cents  # a count, here
    return Money(whole_steps * step.cents) - remaining
