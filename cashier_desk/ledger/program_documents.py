"""What a receipt prints of the program records its sale made (programs.md, issue 15 item 3):
the business licence's number and last day, the animal licence's number, tag and last day, the
parking permit's number, plate and last day — each beside the receipt line that paid for it —
and, for a business licence, what its certificate says.

Records voided with their receipt are read too: a VOID copy still names what it took back."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cashier_desk.ledger.schema import accounts, animal_licences, licences, permits
from cashier_desk.money import Money


@dataclass(frozen=True)
class IssuedView:
    """One number a receipt's line issued: ``kind`` is ``licence`` (business), ``animal`` or
    ``permit``; ``through`` its last day (valid through / expires)."""

    kind: str
    line_no: int
    number: str
    through: str
    tag: str | None = None  # an animal licence's tag
    plate: str | None = None  # a permit's plate
    what: str = ""  # the animal's name, the permit's zone


@dataclass(frozen=True)
class CertificateView:
    """A business licence's certificate: whom it licenses, for which year, what was paid."""

    number: str
    kind: str  # new, renewal
    name: str
    address: str
    year: int
    valid_through: str
    issued: str  # the business date of the sale
    receipt_no: str
    workstation: str
    tax: Money
    state_fee: Money
    penalty: Money

    @property
    def total(self) -> Money:
        return self.tax + self.state_fee + self.penalty


def issued_on(conn: sa.Connection, receipt_no: str) -> tuple[IssuedView, ...]:
    """The numbers the receipt's lines issued, in line order."""
    found: list[IssuedView] = []
    for b in conn.execute(sa.select(licences).where(licences.c.receipt_no == receipt_no)):
        found.append(IssuedView("licence", b.line_no, b.number, b.valid_through))
    for a in conn.execute(
        sa.select(animal_licences).where(animal_licences.c.receipt_no == receipt_no)
    ):
        found.append(IssuedView("animal", a.line_no, a.number, a.expires, tag=a.tag, what=a.name))
    for p in conn.execute(sa.select(permits).where(permits.c.receipt_no == receipt_no)):
        found.append(
            IssuedView("permit", p.line_no, p.number, p.valid_through, plate=p.plate, what=p.zone)
        )
    return tuple(sorted(found, key=lambda i: i.line_no))


def certificates(
    conn: sa.Connection, receipt_no: str, *, in_force: bool = False
) -> tuple[CertificateView, ...]:
    """The business licences the receipt issued or renewed (``in_force``: only those no void
    has taken back), in line order, with the name and address of their account (blank when a
    void has taken a new licence's account back)."""
    query = (
        sa.select(licences, accounts.c.name, accounts.c.address)
        .select_from(licences.outerjoin(accounts, accounts.c.account == licences.c.account))
        .where(licences.c.receipt_no == receipt_no)
        .order_by(licences.c.line_no)
    )
    if in_force:
        query = query.where(licences.c.voided_at.is_(None))
    rows = conn.execute(query)
    return tuple(
        CertificateView(
            number=r.number,
            kind=r.kind,
            name=r.name or "",
            address=r.address or "",
            year=r.year,
            valid_through=r.valid_through,
            issued=r.business_date,
            receipt_no=r.receipt_no,
            workstation=r.workstation,
            tax=Money(r.tax_cents),
            state_fee=Money(r.state_fee_cents),
            penalty=Money(r.penalty_cents),
        )
        for r in rows
    )
