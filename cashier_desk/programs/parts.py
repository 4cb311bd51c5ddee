"""What a program's item makes: priced parts, each one line of a sale (a description, an amount
and where its money goes), and the checks every program shares — a declared figure, the
account an item names, the revenue code its lines report under.

A :class:`Part` maps one to one onto the Desk's priced line: ``PricedLine(code, ref,
part.description, 1, part.amount, part.split)``.  Lines of 0.00 are never made (programs.md,
Precise readings), except the one tax line of a nil TOT return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cashier_desk.errors import Refusal
from cashier_desk.money import GlAccount, GlSplit, Money, MoneyError


@dataclass(frozen=True, slots=True)
class Part:
    """One priced line: ``what`` says which part it is (``tax``, ``penalty``, ``interest``,
    ``state_fee``, ``fee``, ``late_fee``), ``description`` is what the receipt shows."""

    what: str
    description: str
    amount: Money
    split: GlSplit


def on_account(account: GlAccount) -> GlSplit:
    """A split that puts all of a line on one account."""
    return GlSplit((), account)


def part(what: str, description: str, amount: Money, gl: GlAccount | GlSplit) -> Part:
    return Part(what, description, amount, gl if isinstance(gl, GlSplit) else on_account(gl))


def kept(parts: Sequence[Part]) -> tuple[Part, ...]:
    """The parts without those of 0.00 (lines of 0.00 are never made)."""
    return tuple(p for p in parts if p.amount)


def parts_total(parts: Sequence[Part]) -> Money:
    return Money(sum(p.amount.cents for p in parts))


def declared(value: object, what: str) -> Money:
    """A figure a person declares (gross rents, exempt rents, gross receipts): an amount like
    ``"50000.00"``, 0.00 or more.  Not money taken, so ``max_amount`` does not limit it."""
    if isinstance(value, Money):
        amount = value
    else:
        try:
            amount = Money.parse(value)
        except MoneyError as exc:
            raise Refusal("bad_amount", f"{what}: {exc}.") from None
    if amount.is_negative():
        raise Refusal("bad_amount", f"{what} cannot be less than 0.00 ({amount}).")
    return amount


def registered(account: str, rule_of_account: str | None, rule: str, what: str) -> None:
    """The account an item names must be registered with ``rule`` (``rule_of_account`` is its
    rule in the accounts table, None when there is no such account) → ``unknown_account``."""
    if rule_of_account is None:
        raise Refusal("unknown_account", f"{account} is not registered as {what}.")
    if rule_of_account != rule:
        raise Refusal(
            "unknown_account",
            f"{account} is registered for {rule_of_account.replace('_', ' ')}, not as {what}.",
        )


def rule_code(rule: str, codes: Sequence[str], given: str | None) -> str:
    """The revenue code an item's lines report under: ``given`` when it is one of the codes of
    ``rule`` (``unknown_code`` otherwise), else the only one (``code_required`` when there are
    several; ``unknown_code`` when there is none)."""
    if given is not None:
        if given not in codes:
            raise Refusal("unknown_code", f"{given!r} is not a revenue code of the {rule} rule.")
        return given
    if not codes:
        raise Refusal("unknown_code", f"No revenue code has the {rule} rule.")
    if len(codes) > 1:
        raise Refusal(
            "code_required",
            f"Several revenue codes have the {rule} rule ({', '.join(codes)}): name the code.",
        )
    return codes[0]
