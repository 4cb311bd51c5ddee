"""What the window or a script asks the Desk for, what it answers, and the checks on input
that every use case shares."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cashier_desk.errors import Refusal
from cashier_desk.ids import ReceiptNo, SessionId
from cashier_desk.ledger.drawer import Movement
from cashier_desk.money import GlSplit, Money, MoneyError
from cashier_desk.programs.dates import is_iso_date as is_iso_date
from cashier_desk.programs.split import cumulative_share
from cashier_desk.text import TextError, clean_text
from cashier_desk.words import ScanKind

Clock = Callable[[], datetime]
MAX_QTY = 9999
MAX_LINES = 200


def system_clock() -> datetime:
    return datetime.now(UTC)


# -- requests (what the window or a script asks for) ------------------------------------------


@dataclass(frozen=True)
class TotRequest:
    """A hotel's transient occupancy tax return (programs.md): rents as declared (text like
    ``"50000.00"`` or Money), checked by the rules."""

    account: str
    period: str
    gross_rents: object
    exempt_rents: object
    amended: object = False
    code: str | None = None


@dataclass(frozen=True)
class LicenceRequest:
    """A business licence, ``new`` (name, address) or a ``renewal`` (account)."""

    kind: object
    year: object
    gross_receipts: object
    account: str | None = None
    name: str | None = None
    address: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class AnimalRequest:
    """A dog or cat licence, new or renewing the licence ``renews``."""

    species: object
    name: str
    owner: str
    address: str
    altered: object
    term_years: object
    senior: object = False
    rabies_cert: str | None = None
    rabies_expires: str | None = None
    renews: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class PermitRequest:
    """A parking permit of the revenue code ``code`` for a plate at an address."""

    code: str
    plate: object
    address: object
    zone: str = ""


ProgramRequest = TotRequest | LicenceRequest | AnimalRequest | PermitRequest


@dataclass(frozen=True)
class ItemRequest:
    """A line to ring up: a revenue code (with qty, and an amount for an open fee), a
    payment on an open item by its reference, or a city program's item (``program``: a TOT
    return, a business or animal licence, a parking permit), which may make several lines."""

    code: str | None = None
    ref: str | None = None
    qty: int = 1
    amount: Money | None = None
    program: ProgramRequest | None = None


@dataclass(frozen=True)
class TenderRequest:
    kind: str
    amount: Money
    number: str | None = None
    auth: str | None = None
    last4: str | None = None


@dataclass(frozen=True)
class CountedItem:
    number: str
    amount: Money


@dataclass(frozen=True)
class BlindCount:
    cash: Mapping[Money, int] = field(default_factory=dict)
    checks: Sequence[CountedItem] = ()
    money_orders: Sequence[CountedItem] = ()
    card: Money = Money(0)


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleResult:
    receipt: ReceiptNo
    total: Money
    change: Money
    printed: bool
    #: What failed after the sale was committed (the sale stands), in words for the cashier;
    #: "" when everything after the commit went well.
    after_commit: str = ""
    #: The numbers the sale issued (licences, tags, permits), in the order of its items.
    issued: tuple[Issued, ...] = ()


@dataclass(frozen=True)
class Issued:
    """A number a sale issued: a business licence (``valid_through``), an animal licence
    (``tag``, ``expires``) or a parking permit (``valid_through``)."""

    kind: str  # licence, animal, permit
    number: str
    valid_through: str | None = None
    tag: str | None = None
    expires: str | None = None

    def as_json(self) -> dict[str, str]:
        if self.kind == "permit":
            return {"permit": self.number, "valid_through": str(self.valid_through)}
        if self.kind == "animal":
            return {"licence": self.number, "tag": str(self.tag), "expires": str(self.expires)}
        return {"licence": self.number, "valid_through": str(self.valid_through)}


@dataclass(frozen=True)
class AnimalOnFile:
    """An animal licence in force as the counter looks it up to renew it
    (``Desk.animal_licence``): the animal, its owner, rabies and term as sold; dates
    YYYY-MM-DD; ``renewed_by`` the licence in force that renewed it already, if any."""

    number: str
    tag: str
    species: str
    name: str
    owner: str
    address: str
    altered: bool
    senior: bool
    term_years: int
    rabies_cert: str | None
    rabies_expires: str | None
    starts: str
    expires: str
    renewed_by: str | None = None


@dataclass(frozen=True)
class CloseResult:
    session: SessionId
    over_short: dict[str, Money]
    needs_approval: bool


@dataclass(frozen=True)
class CashMovement:
    """A drop or paid-out as written, and whether its slip or voucher printed."""

    movement: Movement
    printed: bool


@dataclass(frozen=True)
class OpenItemView:
    ref: str
    program: str
    account: str
    name: str
    address: str
    amount_due: Money
    still_due: Money
    due_date: str
    revenue_code: str
    status: str
    #: Its account takes no check (a returned check flagged it; programs.md).
    certified_funds_only: bool = False
    #: Its own description, ``Returned check <receipt> line <n>`` when a returned check made it
    #: of a receipt line (programs.md); None: its code's, as for every other item.
    description: str | None = None


@dataclass(frozen=True)
class ScanResult:
    """What a scanned (or keyed) barcode is: an open item, a revenue code or a receipt."""

    kind: ScanKind
    code: str
    description: str
    item: OpenItemView | None = None


@dataclass(frozen=True)
class PricedLine:
    """A line as the Desk prices it — what a quote shows and what a sale posts, one path."""

    code: str
    ref: str | None
    description: str
    qty: int
    amount: Money
    split: GlSplit
    item: int = 0  # which of the requested items made it (an item may make several lines)
    # A payment on an open item: what was paid on the item before it (None: not one).
    paid_before: Money | None = None
    # A program item's first line carries what the sale records of it (desk/program_items.py).
    record: object | None = None

    def gl(self) -> list[tuple[str, Money]]:
        """Where the line's money goes: the split's fixed parts (× qty) first, the rest on
        its bare account; sums to ``amount``. A payment on an open item is split
        cumulatively (programs.md, Precise readings): the split of all the item's payments up
        to it less the split of those before, so fixed parts are owed once per item."""
        if self.amount.is_negative():  # the one line that may be: cash rounding down
            return [(str(self.split.remainder), self.amount)]
        if self.paid_before is not None:
            parts = cumulative_share(self.split, self.paid_before, self.amount)
            return [(str(a), m) for a, m in parts]
        return [(str(a), m) for a, m in self.split.allocate(self.amount, self.qty)]

    def as_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "ref": self.ref,
            "code": self.code or None,
            "amount": str(self.amount),
            "gl": {account: str(m) for account, m in self.gl()},
        }


@dataclass(frozen=True)
class Quote:
    """What a sale of some items would be on a date: its priced lines and total."""

    date: str
    lines: tuple[PricedLine, ...]
    total: Money

    def item_amount(self, item: int) -> Money:
        """What the ``item``-th requested item comes to (all the lines it made)."""
        return Money(sum(line.amount.cents for line in self.lines if line.item == item))

    def as_json(self) -> dict[str, Any]:
        """As programs.md writes a quote's result (less ``op`` and ``ok``)."""
        return {
            "date": self.date,
            "lines": [line.as_json() for line in self.lines],
            "total": str(self.total),
        }


def refuse_text(exc: TextError) -> Refusal:
    return Refusal("bad_text", str(exc)[:1].upper() + str(exc)[1:] + ".")


def text(value: object, what: str, *, max_len: int = 200, required: bool = True) -> str:
    try:
        return clean_text(value, what, max_len=max_len, required=required)
    except TextError as exc:
        raise refuse_text(exc) from None


def typed(value: str, what: str) -> str:
    """Text kept exactly as typed (a login, a PIN, a code looked up), refused as ``bad_text``
    when it is not text that can be stored or compared: a lone surrogate (JSON accepts
    ``"\\ud800"``; an argument of invalid UTF-8 bytes arrives as one)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Refusal("bad_text", f"{what[:1].upper()}{what[1:]} is not readable text.") from None
    return value


def not_over(amount: Money, limit: Money, what: str) -> Money:
    """Refuse ``amount_too_large`` an amount above ``[policy] max_amount`` (``limit``)."""
    if amount > limit:
        raise Refusal(
            "amount_too_large",
            f"{what[:1].upper()}{what[1:]} ({amount}) is more than the counter takes at once "
            f"({limit}, [policy] max_amount); nothing was saved.",
        )
    return amount


def check_count(value: object, what: str, *, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise Refusal("bad_quantity", f"{what} must be a whole number from {low} to {high}.")
    return value


@contextmanager
def amounts_in_range() -> Iterator[None]:
    """Amounts that parse one by one can still add up past what money can hold."""
    try:
        yield
    except MoneyError:
        raise Refusal("bad_amount", "The amounts are too large to add up.") from None


def positive(amount: Money, what: str) -> Money:
    if not amount.is_positive():
        raise Refusal("bad_amount", f"{what} must be more than 0.00.")
    return amount


def iso_day(value: object, example: str = "2026-11-22", what: str = "") -> str:
    """``value`` when it is a date written YYYY-MM-DD (the one reading of a date a caller
    gives the Desk), else refused ``bad_date`` naming ``what`` and an ``example``."""
    if not isinstance(value, str) or not is_iso_date(value):
        lead = f"{what} " if what else ""
        raise Refusal("bad_date", f"{lead}{value!r} is not a date like {example}.")
    return value
