"""The batch as a GL journal that balances fund by fund.

Governmental books are kept per fund (the first segment of an account: ``250`` of
``250-0000-22010``), and each fund's debits must equal its credits.  The deposit and the card
settlement sit on the treasury fund (the fund of ``[policy] deposit_account``), while the
batch's revenue, paid-outs and over/short sit on whatever funds their accounts name.  So for
every other fund F with lines in the batch, F debits ``[policy] due_from_account`` (``{fund}``
replaced by F) with F's net — what the batch brought F — and the treasury credits
``[policy] due_to_account`` with the same amount.  A fund whose net is negative (it paid out
more than it took in) has the two sides the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cashier_desk.config import Config, due_from_for
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.money import Money

#: What each source of a GL account's money is called on a journal line (credit, debit).
_MEMOS = {
    "revenue": ("Revenue", "Revenue given back"),
    "paid_out": ("Paid-outs given back", "Paid-outs"),
    "over_short": ("Drawer overage", "Drawer shortage"),
    "net": ("Net received", "Net paid out"),
}


def fund_of(account: str) -> str:
    """The fund of a GL account: its first segment."""
    return account.split("-", 1)[0]


@dataclass(frozen=True)
class JournalAccounts:
    """The accounts the journal needs besides the batch's own (``[policy]`` in config.toml)."""

    deposit: str
    card_clearing: str
    due_from: str  # with ``{fund}`` for the fund's own segment
    due_to: str

    @classmethod
    def of(cls, config: Config) -> JournalAccounts:
        return cls(
            config.deposit_account,
            config.card_clearing_account,
            config.due_from_account,
            config.due_to_account,
        )

    @property
    def treasury(self) -> str:
        return fund_of(self.deposit)


@dataclass(frozen=True)
class JournalLine:
    account: str
    debit: Money
    credit: Money
    memo: str

    @property
    def fund(self) -> str:
        return fund_of(self.account)


@dataclass(frozen=True)
class FundTotal:
    fund: str
    debits: Money
    credits: Money


def _debit(account: str, amount: Money, memo: str) -> JournalLine:
    """``amount`` debited to ``account``: a negative amount is a credit."""
    zero = Money(0)
    if amount.is_negative():
        return JournalLine(account, zero, -amount, memo)
    return JournalLine(account, amount, zero, memo)


def _distribution(closeout: Closeout) -> list[JournalLine]:
    """Each account of the batch credited with what it took in, debited with what it paid out
    — by source (revenue, paid-outs, over/short) when the batch says it, else net."""
    if closeout.sources:
        found = sorted(closeout.sources.items())
    else:
        found = [((account, "net"), amount) for account, amount in sorted(closeout.gl.items())]
    lines = []
    for (account, source), amount in found:
        credit_memo, debit_memo = _MEMOS.get(source, (source, source))
        memo = debit_memo if amount.is_negative() else credit_memo
        lines.append(_debit(account, -amount, memo))
    return lines


def _adjustments(closeout: Closeout) -> list[JournalLine]:
    """The returned checks, refunds and transfers the batch carries (programs.md): their
    revenue side (reversed: debited; a transfer's new item: credited) and their offsets (the
    bank of a returned check, accounts payable of a refund: credited), each fund balanced."""
    found = closeout.adjustments
    if found is None:
        return []
    lines = [
        _debit(account, -amount, "Adjustment: revenue moved in" if amount.is_positive()
               else "Adjustment: revenue taken back")
        for account, amount in found.gl.items()
    ]  # fmt: skip
    lines += [
        _debit(account, -amount, "Adjustment: returned checks, refunds payable")
        for account, amount in found.offsets.items()
    ]
    return lines


def _net(lines: Sequence[JournalLine]) -> Money:
    """Credits less debits."""
    return Money(sum(x.credit.cents - x.debit.cents for x in lines))


def gl_journal(closeout: Closeout, accounts: JournalAccounts) -> list[JournalLine]:
    """The batch as one journal entry, the treasury fund's lines first and then each other
    fund's (by fund), every fund balanced; raises ValueError if one would not balance (it
    cannot: the distribution of a batch equals what its tenders counted)."""
    treasury = accounts.treasury
    card = closeout.tenders.get("card")
    by_fund: dict[str, list[JournalLine]] = {treasury: []}
    for line in [
        _debit(accounts.deposit, closeout.deposit_total, "Deposit: cash, checks, money orders"),
        _debit(accounts.card_clearing, card.counted if card else Money(0), "Card settlement"),
        *_distribution(closeout),
        *_adjustments(closeout),
    ]:
        by_fund.setdefault(line.fund, []).append(line)
    dues = []
    for fund in sorted(f for f in by_fund if f != treasury):
        net = _net(by_fund[fund])
        what = "net receipts" if not net.is_negative() else "net payments"
        by_fund[fund].append(
            _debit(due_from_for(accounts.due_from, fund), net, f"Due from treasury fund {treasury}")
        )
        dues.append(_debit(accounts.due_to, -net, f"Due to fund {fund}: its {what}"))
    by_fund[treasury] += dues
    lines = [
        x
        for fund in [treasury, *sorted(f for f in by_fund if f != treasury)]
        for x in by_fund[fund]
        if x.debit or x.credit
    ]
    for total in fund_totals(lines):
        if total.debits != total.credits:
            raise ValueError(
                f"batch {closeout.batch}: fund {total.fund} has debits {total.debits} "
                f"and credits {total.credits}"
            )
    return lines


def fund_totals(lines: Sequence[JournalLine]) -> list[FundTotal]:
    """Each fund's debits and credits, in the order the funds first appear."""
    totals: dict[str, tuple[int, int]] = {}
    for x in lines:
        d, c = totals.get(x.fund, (0, 0))
        totals[x.fund] = (d + x.debit.cents, c + x.credit.cents)
    return [FundTotal(f, Money(d), Money(c)) for f, (d, c) in totals.items()]
