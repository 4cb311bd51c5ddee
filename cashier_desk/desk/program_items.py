"""The city's program items at the counter (programs.md, issue 15): a TOT return, a business
licence, an animal licence and a parking permit, each priced by its pure rules
(``programs/tot.py``, ``licences.py``, ``animals.py``, ``permits.py``) with the facts the
ledger holds, one :class:`PricedLine` per part, on the one path of a quote and a sale
(:class:`~cashier_desk.desk.pricing.Pricing`).  The first line of an item carries what the sale
records of it; the sale writes the records in its own transaction and a void takes them back.
"""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.desk.requests import (
    AnimalRequest,
    Issued,
    LicenceRequest,
    PermitRequest,
    PricedLine,
    ProgramRequest,
    TotRequest,
    iso_day,
    text,
    typed,
)
from cashier_desk.desk.station import Station
from cashier_desk.errors import Refusal
from cashier_desk.ledger import accounts, items, program_records, program_rules
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs.animals import AnimalLicence, animal_licence
from cashier_desk.programs.licences import RULE as LICENCE_RULE
from cashier_desk.programs.licences import Licence, business_licence
from cashier_desk.programs.parts import Part, on_account, registered, rule_code
from cashier_desk.programs.permits import Permit, address_key, parking_permit, valid_through
from cashier_desk.programs.tot import TotReturn, parse_period, tot_return


@dataclass
class Pending:
    """What the items before this one in the same sale have made, so that the once-only
    rules hold within a sale as they hold across sales."""

    tot_paid: dict[tuple[str, str], Money] = field(default_factory=dict)
    licensed: set[tuple[str, int]] = field(default_factory=set)
    renewed: set[str] = field(default_factory=set)
    permits: Tally[tuple[str, str, date]] = field(default_factory=Tally)


# -- what a sale records of each item --------------------------------------------------------


@dataclass(frozen=True)
class TotFiling:
    filed: TotReturn


@dataclass(frozen=True)
class LicenceSale:
    licence: Licence
    account: str | None  # a renewal's; a new licence's is its number
    name: str
    address: str


@dataclass(frozen=True)
class AnimalSale:
    animal: AnimalLicence
    name: str
    owner: str
    address: str
    rabies_cert: str | None
    rabies_expires: date | None
    renews: str | None


@dataclass(frozen=True)
class PermitSale:
    code: str
    permit: Permit
    zone: str


def _lines(
    code: str, parts: tuple[Part, ...], record: object, free: tuple[str, GlSplit]
) -> list[PricedLine]:
    """One line per part; the first carries what the sale records of the item.  An item
    that costs nothing (a city's rules may make a licence free) still makes one 0.00 line,
    ``free`` (its description and account), so that it is issued, numbered and printed."""
    if not parts:
        description, split = free
        return [PricedLine(code, None, description, 1, Money(0), split, record=record)]
    return [
        PricedLine(code, None, p.description, 1, p.amount, p.split, record=None if n else record)
        for n, p in enumerate(parts)
    ]


def _flag(value: object, what: str) -> bool:
    if type(value) is not bool:
        raise Refusal("bad_request", f"Say whether {what} (true or false).")
    return value


def _optional(value: str | None, what: str, max_len: int = 40) -> str | None:
    return None if value is None else text(value, what, max_len=max_len, required=False) or None


class ProgramItems:
    """Prices program items and records what a sale of them made (see the module's
    docstring)."""

    def __init__(self, station: Station) -> None:
        self.st = station

    # -- pricing -------------------------------------------------------------------------------

    def price(
        self, conn: sa.Connection, request: ProgramRequest, pending: Pending, on: date
    ) -> list[PricedLine]:
        if isinstance(request, TotRequest):
            lines = self._tot(conn, request, pending, on)
        elif isinstance(request, LicenceRequest):
            lines = self._licence(conn, request, pending, on)
        elif isinstance(request, AnimalRequest):
            lines = self._animal(conn, request, pending, on)
        else:
            lines = self._permit(conn, request, pending, on)
        self.st.lines_at_most(lines)
        return lines

    @staticmethod
    def _code(conn: sa.Connection, rule: str, given: str | None) -> str:
        rules = items.code_rules(conn)
        codes = sorted(code for code, r in rules.items() if r == rule)
        return rule_code(rule, codes, None if given is None else typed(given, "the code"))

    def _tot(
        self, conn: sa.Connection, req: TotRequest, pending: Pending, on: date
    ) -> list[PricedLine]:
        code = self._code(conn, "tot", req.code)
        account = text(req.account, "the TOT account", max_len=60)
        registered(account, accounts.rule_of(conn, account), "tot", "a TOT operator")
        period = parse_period(req.period)
        key = (account, period.text)
        paid = program_records.tot_tax_paid(conn, account, period.text)
        if key in pending.tot_paid:
            paid = (paid or Money(0)) + pending.tot_paid[key]
        rules = program_rules.in_force(conn).tot(on)
        filed = tot_return(
            account, period, req.gross_rents, req.exempt_rents, on, rules,
            amended=_flag(req.amended, "the return is amended"), tax_paid=paid,
        )  # fmt: skip
        pending.tot_paid[key] = pending.tot_paid.get(key, Money(0)) + filed.owed
        return _lines(code, filed.parts, TotFiling(filed), ("", on_account(rules.tax_gl)))

    def _licence(
        self, conn: sa.Connection, req: LicenceRequest, pending: Pending, on: date
    ) -> list[PricedLine]:
        code = self._code(conn, LICENCE_RULE, req.code)
        rules = program_rules.in_force(conn).business_licence(on)
        account: str | None = None
        name = address = ""
        if req.kind == "renewal":
            if req.account is None:
                raise Refusal("bad_request", "A licence renewal names the account it renews.")
            if req.name is not None or req.address is not None:
                raise Refusal(
                    "bad_request", "A renewal names its account; the name and address are kept."
                )
            account = text(req.account, "the licence account", max_len=60)
        elif req.kind == "new":
            if req.account is not None:
                raise Refusal(
                    "bad_request", "A new licence opens its own account: name no account."
                )
            name = text(req.name, "the business's name")
            address = text(req.address, "the business's address", required=False)
        rule = None if account is None else accounts.rule_of(conn, account)
        year = req.year if type(req.year) is int else None
        licensed = (
            account is not None
            and year is not None
            and (
                (account, year) in pending.licensed or program_records.licensed(conn, account, year)
            )
        )
        sold = business_licence(
            req.kind, req.year, req.gross_receipts, on, rules,
            account=account, account_rule=rule, licensed_that_year=licensed,
        )  # fmt: skip
        if account is not None:
            pending.licensed.add((account, sold.year))
        free = (f"Business licence {sold.year}", on_account(rules.tax_gl))
        return _lines(code, sold.parts, LicenceSale(sold, account, name, address), free)

    def _animal(
        self, conn: sa.Connection, req: AnimalRequest, pending: Pending, on: date
    ) -> list[PricedLine]:
        code = self._code(conn, "animal_licence", req.code)
        rules = program_rules.in_force(conn).animal_licence(on)
        name = text(req.name, "the animal's name")
        owner = text(req.owner, "the owner's name")
        address = text(req.address, "the owner's address")
        cert = _optional(req.rabies_cert, "the rabies certificate")
        expires: date | None = None
        if req.rabies_expires is not None:
            expires = date.fromisoformat(iso_day(req.rabies_expires, "2027-06-30"))
        renews = _optional(req.renews, "the licence renewed")
        old_expires = None
        if renews is not None:
            old_expires = program_records.animal_expires(conn, renews)
            later = program_records.renewed_by(conn, renews)
            if later is not None or (old_expires is not None and renews in pending.renewed):
                raise Refusal(
                    "already_licensed",
                    f"{renews} has already been renewed"
                    + (f" by {later}: renew that licence." if later else " in this sale."),
                )
        senior = _flag(req.senior, "the owner is a senior")
        sold = animal_licence(
            req.species, req.altered, req.term_years, on, rules, senior=senior,
            rabies_cert=cert, rabies_expires=expires, renews=renews, old_expires=old_expires,
        )  # fmt: skip
        if renews is not None:
            pending.renewed.add(renews)
        sale = AnimalSale(sold, name, owner, address, cert, expires, renews)
        free = (f"{sold.species.capitalize()} licence (no fee)", on_account(rules.gl))
        return _lines(code, sold.parts, sale, free)

    def _permit(
        self, conn: sa.Connection, req: PermitRequest, pending: Pending, on: date
    ) -> list[PricedLine]:
        wanted = typed(req.code, "the permit's code")
        row = items.code_row(conn, wanted)
        if row is None or row.rule != "parking_permit":
            raise Refusal("unknown_code", f"{wanted!r} is not a revenue code of parking permits.")
        if row.amount_cents is None:
            raise Refusal(
                "unknown_code", f"{row.description} has no fee of its own to sell a permit for."
            )
        zone = text(req.zone, "the permit's zone", max_len=20, required=False)
        rules = program_rules.in_force(conn).parking_permit(on)
        key = address_key(req.address)
        through = valid_through(on, rules)
        valid = program_records.permits_valid(conn, row.code, key, through)
        valid += pending.permits[(row.code, key, through)]
        sold = parking_permit(
            row.description, Money(row.amount_cents), GlSplit.parse(row.gl), req.plate,
            text(req.address, "the permit's address"), on, rules, valid_at_address=valid,
        )  # fmt: skip
        pending.permits[(row.code, key, through)] += 1
        free = (f"{row.description} {sold.plate}", GlSplit.parse(row.gl))
        return _lines(row.code, sold.parts, PermitSale(row.code, sold, zone), free)

    # -- what a sale records, and its void ----------------------------------------------------

    def record(
        self, conn: sa.Connection, receipt_no: str, lines: list[PricedLine]
    ) -> tuple[Issued, ...]:
        """Write what the sale's program items made (in the sale's transaction), dated as they
        were priced (today); the numbers issued, in line order."""
        business_date = self.st.business_date()
        issued: list[Issued] = []
        for line_no, line in enumerate(lines, 1):
            if line.record is None:
                continue
            made: dict[str, Any] = {
                "workstation": self.st.workstation,
                "receipt_no": receipt_no,
                "line_no": line_no,
                "business_date": business_date,
            }
            found = self._record_one(conn, line.record, made, business_date)
            if found is not None:
                issued.append(found)
        return tuple(issued)

    def _record_one(
        self, conn: sa.Connection, record: object, made: dict[str, Any], business_date: str
    ) -> Issued | None:
        ws = self.st.workstation
        if isinstance(record, TotFiling):
            r = record.filed
            program_records.add_tot_return(
                conn,
                made | {
                    "account": r.account, "period": r.period.text,
                    "gross_cents": r.gross.cents, "exempt_cents": r.exempt.cents,
                    "tax_cents": r.tax.cents, "owed_cents": r.owed.cents,
                    "penalty_cents": r.penalty.cents, "interest_cents": r.interest.cents,
                    "amended": r.amended,
                },
            )  # fmt: skip
            return None
        if isinstance(record, LicenceSale):
            lic = record.licence
            account = record.account
            if account is None:
                account = program_records.next_licence_number(conn, ws)
                program_records.add_account(
                    conn, account, LICENCE_RULE, record.name, record.address,
                    date.fromisoformat(business_date),
                )  # fmt: skip
            program_records.add_licence(
                conn,
                made | {
                    "number": account, "account": account, "kind": lic.kind, "year": lic.year,
                    "gross_cents": lic.gross_receipts.cents, "tax_cents": lic.tax.cents,
                    "state_fee_cents": lic.state_fee.cents, "penalty_cents": lic.penalty.cents,
                    "valid_through": lic.valid_through.isoformat(),
                },
            )  # fmt: skip
            return Issued("licence", account, valid_through=lic.valid_through.isoformat())
        if isinstance(record, AnimalSale):
            a = record.animal
            number, tag = program_records.next_animal_numbers(conn, ws)
            program_records.add_animal_licence(
                conn,
                made | {
                    "number": number, "tag": tag, "species": a.species,
                    "name": record.name, "owner": record.owner, "address": record.address,
                    "altered": a.altered, "term_years": a.term_years, "senior": a.senior,
                    "rabies_cert": record.rabies_cert,
                    "rabies_expires": None if record.rabies_expires is None
                    else record.rabies_expires.isoformat(),
                    "renews": record.renews, "starts": a.starts.isoformat(),
                    "expires": a.expires.isoformat(), "fee_cents": a.fee.cents,
                    "late_fee_cents": a.late_fee.cents,
                },
            )  # fmt: skip
            return Issued("animal", number, tag=tag, expires=a.expires.isoformat())
        if isinstance(record, PermitSale):
            p = record.permit
            number = program_records.next_permit_number(conn, ws)
            program_records.add_permit(
                conn,
                made | {
                    "number": number, "code": record.code, "plate": p.plate,
                    "address": p.address, "address_key": p.address_key, "zone": record.zone,
                    "valid_through": p.valid_through.isoformat(),
                },
            )  # fmt: skip
            return Issued("permit", number, valid_through=p.valid_through.isoformat())
        return None

    @staticmethod
    def void(conn: sa.Connection, receipt_no: str, at: str) -> int:
        """A void of the receipt: its return unfiled, its licences, tags and permits void."""
        return program_records.void_receipt(conn, receipt_no, at)
