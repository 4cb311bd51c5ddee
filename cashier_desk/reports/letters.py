"""Letters for the payer (issue 16, item 3): the returned-check letter — what was returned, what
is due again, the fee (Civ. Code 1719) and how to pay now that checks are not taken from the
account. A PDF in the shared report layout, written whole or not at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cashier_desk.money import Money
from cashier_desk.reports.layout import Document, Table, write_pdf


@dataclass(frozen=True)
class ReturnedCheckLetter:
    city: str
    city_address: str
    number: str  # the returned check's record (W1-RC000001)
    on: str  # the business date it was recorded
    name: str
    address: str
    account: str
    receipt: str
    check_number: str
    amount: Money
    reason: str
    due: Sequence[tuple[str, str, Money]]  # (ref, what, amount): items due again, new, the fee


def write_returned_check_letter(path: Path, letter: ReturnedCheckLetter) -> None:
    """The letter as a PDF at ``path``."""
    total = Money(sum(m.cents for _, _, m in letter.due))
    rows = [(ref, what, str(m)) for ref, what, m in letter.due]
    rows.append(("", "Total due", str(total)))
    about = [
        f"{letter.city} — {letter.city_address}".strip(" —"),
        f"{letter.on} · {letter.number}",
        f"To: {letter.name}, {letter.address}".rstrip(", "),
        f"Account {letter.account}",
        f"Your check {letter.check_number} of {letter.amount}, given for receipt "
        f"{letter.receipt}, was returned unpaid by your bank ({letter.reason}). The payments it "
        "made are taken back: what it paid is due again, with the returned check fee (California "
        "Civil Code section 1719).",
        "How to pay: at the city's counter in cash, by money order, cashier's check or card. "
        "Checks are no longer accepted for this account (certified funds only).",
    ]
    table = Table("What is due", ("Reference", "What", "Amount"), rows, frozenset({2}), True)
    write_pdf(path, Document(f"Returned check {letter.check_number}", about, (table,)))
