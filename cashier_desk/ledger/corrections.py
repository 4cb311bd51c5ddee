"""Corrections after the day is closed (programs.md: returned checks, refunds, transfers; issue
16; migration 0012): what they read of a receipt and write, and what the next closeout batch
carries of them (its ``adjustments``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.posting import is_internal
from cashier_desk.ledger.sales import sale_postings
from cashier_desk.ledger.schema import (
    account_flags,
    batch_sessions,
    correction_postings,
    correction_takes,
    corrections,
    item_adjustments,
    item_splits,
    open_items,
    receipt_lines,
    receipts,
    tenders,
    voids,
)
from cashier_desk.money import GlAccount, GlSplit, Money

#: Correction kinds, the letters of their numbers and their key in a batch's ``adjustments``.
KINDS = {"returned_check": "RC", "refund": "RF", "transfer": "TR"}
ADJUSTMENT_KEYS = {"returned_check": "returned_checks", "refund": "refunds",
                   "transfer": "transfers"}  # fmt: skip
CERTIFIED_FUNDS_ONLY = "certified_funds_only"
CLEARED = "cleared"
#: Another workstation's supervisor's clear, brought by ``sync pull`` (never carried again).
CLEARED_THERE = "cleared_there"
#: Lines of an open item that its code does not split: all on one account.
UNSPLIT_PREFIXES = ("Late penalty ", "Payment plan fee ")


@dataclass(frozen=True)
class ReceiptLine:
    id: int
    line_no: int
    code: str
    ref: str | None
    description: str
    qty: int
    amount: Money

    @property
    def is_rounding(self) -> bool:
        return self.ref is None and not self.code

    @property
    def part(self) -> str:
        """``split`` (the part its item's code splits cumulatively) or ``other``."""
        return "other" if self.description.startswith(UNSPLIT_PREFIXES) else "split"


@dataclass(frozen=True)
class Tender:
    kind: str
    amount: Money
    number: str | None


@dataclass(frozen=True)
class Receipt:
    id: int
    receipt_no: str
    payer: str
    business_date: str
    voided: bool
    closed_out: bool
    lines: tuple[ReceiptLine, ...]
    tenders: tuple[Tender, ...]
    taken: Mapping[int, Money]  # line id -> what earlier corrections took back from it

    def left(self, line: ReceiptLine) -> Money:
        return line.amount - self.taken.get(line.id, Money(0))


def receipt(conn: sa.Connection, number: str) -> Receipt | None:
    """A receipt as a correction reads it, or None."""
    row = conn.execute(sa.select(receipts).where(receipts.c.receipt_no == number)).first()
    if row is None:
        return None
    voided = conn.execute(sa.select(voids.c.id).where(voids.c.receipt_id == row.id)).first()
    closed = conn.execute(
        sa.select(batch_sessions.c.batch_id).where(batch_sessions.c.session_id == row.session_id)
    ).first()
    lines = tuple(
        ReceiptLine(r.id, r.line_no, r.code, r.ref, r.description, r.qty, Money(r.amount_cents))
        for r in conn.execute(
            sa.select(receipt_lines)
            .where(receipt_lines.c.receipt_id == row.id)
            .order_by(receipt_lines.c.line_no)
        )
    )
    paid = tuple(
        Tender(r.kind, Money(r.amount_cents), r.number)
        for r in conn.execute(
            sa.select(tenders).where(tenders.c.receipt_id == row.id).order_by(tenders.c.id)
        )
    )
    taken = {
        int(line_id): Money(int(cents))
        for line_id, cents in conn.execute(
            sa.select(correction_takes.c.line_id, sa.func.sum(correction_takes.c.amount_cents))
            .where(correction_takes.c.line_id.in_([x.id for x in lines]))
            .group_by(correction_takes.c.line_id)
        )
    }
    return Receipt(row.id, row.receipt_no, row.payer, row.business_date, voided is not None,
                   closed is not None, lines, paid, taken)  # fmt: skip


def posted_splits(
    conn: sa.Connection, receipt_id: int, lines: Sequence[ReceiptLine]
) -> dict[int, GlSplit]:
    """Each line's GL as the sale posted it (line id -> its parts as a split, the last part
    the remainder): the sale's revenue postings are written line by line in order, each line's
    parts summing to its amount. A line whose parts cannot be told is left out."""
    revenue = [(a, -m) for a, m in sale_postings(conn, receipt_id) if not is_internal(a)]
    out: dict[int, GlSplit] = {}
    i = 0
    for line in lines:
        if not line.amount:
            continue
        parts: list[tuple[str, Money]] = []
        total = 0
        while i < len(revenue) and (not parts or 0 < total < line.amount.cents):
            parts.append(revenue[i])
            total += revenue[i][1].cents
            i += 1
        accounts = [a for a, _ in parts]
        whole = total == line.amount.cents and len(set(accounts)) == len(accounts)
        if whole and line.amount.is_positive() and all(m.is_positive() for _, m in parts):
            fixed = tuple((GlAccount(a), m) for a, m in parts[:-1])
            out[line.id] = GlSplit(fixed, GlAccount(parts[-1][0]))
    return out


def made_ref(number: str, line_no: int) -> str:
    """The reference of the open item returned check ``number`` makes of receipt line
    ``line_no`` (1-based, as the receipt numbers it)."""
    return f"{number}-L{line_no}"


def made_description(receipt_no: str, line_no: int) -> str:
    """That item's description (programs.md, "Precise readings")."""
    return f"Returned check {receipt_no} line {line_no}"


def described(ref: str, receipts: Mapping[str, str]) -> str | None:
    """The description of an item a returned check made of a receipt line, told by its
    reference and the receipt of each returned check by number (another workstation's, which
    ``sync pull`` brings); None when ``ref`` is no such item of theirs."""
    number, sep, line = ref.rpartition("-L")
    if not sep or not line.isdigit() or number not in receipts:
        return None
    return made_description(receipts[number], int(line))


def set_split(
    conn: sa.Connection, ref: str, split: GlSplit, description: str | None = None
) -> None:
    """An open item's own GL split and description (a returned check's new item: its
    line's split, ``Returned check <receipt> line <n>``)."""
    conn.execute(item_splits.insert().values(ref=ref, gl=str(split), description=description))


def returned(conn: sa.Connection, receipt_no: str, check_number: str) -> bool:
    """Whether that check of that receipt was returned already."""
    found = conn.execute(
        sa.select(corrections.c.id).where(
            corrections.c.kind == "returned_check",
            corrections.c.receipt_no == receipt_no,
            corrections.c.check_number == check_number,
        )
    ).first()
    return found is not None


def card_refunded(conn: sa.Connection, receipt_no: str) -> Money:
    """What was refunded to the card of a receipt already."""
    cents = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(corrections.c.amount_cents), 0)).where(
            corrections.c.kind == "refund",
            corrections.c.receipt_no == receipt_no,
            corrections.c.method == "card",
        )
    ).scalar_one()
    return Money(int(cents))


def returned_checks_of(conn: sa.Connection, account: str) -> int:
    """How many returned checks this ledger holds of an account (first or subsequent fee):
    its own, and other workstations' that ``sync pull`` brought (``flag_pulled``)."""
    here = conn.execute(
        sa.select(sa.func.count()).where(
            corrections.c.kind == "returned_check", corrections.c.account == account
        )
    ).scalar_one()
    pulled = conn.execute(
        sa.select(sa.func.count()).where(
            account_flags.c.account == account,
            account_flags.c.flag == CERTIFIED_FUNDS_ONLY,
            account_flags.c.correction_id.is_(None),
        )
    ).scalar_one()
    return int(here) + int(pulled)


def paying_lines(ref: str, after: int, as_of: str) -> list[sa.ColumnElement[bool]]:
    """The receipt lines that count as paid on an open item at this counter (joined with their
    receipts): its lines after its balance (``paid_before_line``, ``as_of``), not voided."""
    return [
        receipt_lines.c.ref == ref,
        receipt_lines.c.id > after,
        receipts.c.created_at > as_of,
        ~sa.exists().where(voids.c.receipt_id == receipt_lines.c.receipt_id),
    ]


def split_paid(conn: sa.Connection, ref: str, balance: tuple[int, str] | None = None) -> Money:
    """What counts as paid at this counter on the part of an open item its code splits: its
    split lines on receipts not voided, and what corrections changed of that part.
    ``balance``: the item's ``paid_before_line`` and ``as_of``, when already read."""
    if balance is None:
        item = conn.execute(
            sa.select(open_items.c.paid_before_line, open_items.c.as_of).where(
                open_items.c.ref == ref
            )
        ).first()
        balance = (0, "") if item is None else (int(item.paid_before_line), str(item.as_of))
    after, as_of = balance
    lines = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(receipt_lines.c.amount_cents), 0))
        .select_from(receipt_lines.join(receipts, receipts.c.id == receipt_lines.c.receipt_id))
        .where(
            *paying_lines(ref, after, as_of),
            *(~receipt_lines.c.description.startswith(p) for p in UNSPLIT_PREFIXES),
        )
    ).scalar_one()
    adjusted = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(item_adjustments.c.amount_cents), 0)).where(
            item_adjustments.c.ref == ref,
            item_adjustments.c.part == "split",
            item_adjustments.c.line_id > after,
        )
    ).scalar_one()
    return Money(int(lines) + int(adjusted))


_ANY_FLAG = sa.select(account_flags.c.id).limit(1)


def _flagged_accounts() -> sa.Select[Any]:
    """The accounts whose newest flag row flags them (a supervisor may have cleared one)."""
    newest = (
        sa.select(sa.func.max(account_flags.c.id).label("id"))
        .group_by(account_flags.c.account)
        .subquery()
    )
    return (
        sa.select(account_flags.c.account)
        .join(newest, newest.c.id == account_flags.c.id)
        .where(account_flags.c.flag == CERTIFIED_FUNDS_ONLY)
    )


def certified_only(conn: sa.Connection, refs: Sequence[str]) -> list[str]:
    """Those of ``refs`` whose account is flagged certified funds only, in ``refs``' order."""
    if not refs or conn.execute(_ANY_FLAG).first() is None:
        return []  # no account was ever flagged here: the usual sale asks nothing more
    # The items' accounts by their key first, then the flags of those accounts only: asked in
    # one query, SQLite read every open item's account against the flags (1.4 ms a sale).
    accounts: dict[str, str] = {
        ref: account
        for ref, account in conn.execute(
            sa.select(open_items.c.ref, open_items.c.account).where(
                open_items.c.ref.in_(list(refs))
            )
        ).all()
        if account
    }
    if not accounts:
        return []
    flagged = set(
        conn.execute(
            _flagged_accounts().where(account_flags.c.account.in_(set(accounts.values())))
        ).scalars()
    )
    return [r for r in refs if accounts.get(r) in flagged]


def is_flagged(conn: sa.Connection, account: str) -> bool:
    found = conn.execute(_flagged_accounts().where(account_flags.c.account == account)).first()
    return found is not None


def item_account(conn: sa.Connection, ref: str) -> sa.Row[Any] | None:
    """An open item's account, name and address."""
    query: sa.Select[Any] = sa.select(
        open_items.c.account, open_items.c.name, open_items.c.address
    ).where(open_items.c.ref == ref)
    return conn.execute(query).first()


@dataclass(frozen=True)
class Correction:
    """A correction as written: its row's values, what it took back from each receipt line,
    what it changed of open items and its GL (revenue side and offset)."""

    kind: str
    values: Mapping[str, Any]
    takes: Sequence[tuple[int, Money]]  # (receipt line id, amount)
    adjustments: Sequence[tuple[str, str, int, Money]]  # (ref, part, line id, amount)
    revenue: Mapping[str, Money]
    offsets: Mapping[str, Money] = field(default_factory=dict)


def add(conn: sa.Connection, workstation: str, made: Correction) -> tuple[int, str]:
    """Write a correction and its rows; its id and number (``W1-RC000001``)."""
    number = f"{workstation}-{KINDS[made.kind]}{next_number(conn, workstation, made.kind):06d}"
    cid = conn.execute(
        corrections.insert()
        .values(number=number, kind=made.kind, workstation=workstation, **made.values)
        .returning(corrections.c.id)
    ).scalar_one()
    if made.takes:
        conn.execute(
            correction_takes.insert(),
            [{"correction_id": cid, "line_id": i, "amount_cents": m.cents} for i, m in made.takes],
        )
    if made.adjustments:
        conn.execute(
            item_adjustments.insert(),
            [
                {"correction_id": cid, "ref": ref, "part": part, "line_id": line,
                 "amount_cents": m.cents}
                for ref, part, line, m in made.adjustments
            ],
        )  # fmt: skip
    rows = [("revenue", a, m) for a, m in made.revenue.items()]
    rows += [("offset", a, m) for a, m in made.offsets.items()]
    if rows:
        conn.execute(
            correction_postings.insert(),
            [
                {"correction_id": cid, "side": side, "account": a, "amount_cents": m.cents}
                for side, a, m in rows
                if m
            ],
        )
    return int(cid), number


def flag(conn: sa.Connection, account: str, correction_id: int, *, at: str, actor: str) -> None:
    """Flag an account certified funds only (unless it is already)."""
    if not is_flagged(conn, account):
        conn.execute(
            account_flags.insert().values(account=account, flag=CERTIFIED_FUNDS_ONLY,
                                          correction_id=correction_id, set_at=at, actor=actor)
        )  # fmt: skip


def flag_pulled(conn: sa.Connection, account: str, number: str, *, at: str) -> None:
    """Another workstation's returned check of ``account`` (``number``, brought by ``sync
    pull``): the account is flagged here (a row of its own, no correction of this ledger; the
    actor is the returned check's number), and it counts for the fee (``returned_checks_of``)."""
    conn.execute(
        account_flags.insert().values(account=account, flag=CERTIFIED_FUNDS_ONLY,
                                      correction_id=None, set_at=at, actor=number[:40])
    )  # fmt: skip


def clear_flag(conn: sa.Connection, account: str, *, at: str, actor: str) -> None:
    """Clear an account's flag (a row of its own: flags are append-only)."""
    conn.execute(account_flags.insert().values(account=account, flag=CLEARED, set_at=at,
                                               actor=actor))  # fmt: skip


def clear_pulled(conn: sa.Connection, account: str, *, at: str, actor: str) -> bool:
    """Another workstation's clear of ``account`` (``at``: when it was made there), brought by
    ``sync pull``: written (a row ``cleared_there`` of its own) only when it is newer than
    every flag row this ledger holds of the account — a returned check made after it, here or
    brought before, still flags. Whether it was written."""
    newest = conn.execute(
        sa.select(sa.func.max(account_flags.c.set_at)).where(account_flags.c.account == account)
    ).scalar()
    if newest is None or at <= str(newest):
        return False
    conn.execute(account_flags.insert().values(account=account, flag=CLEARED_THERE, set_at=at,
                                               actor=actor[:40]))  # fmt: skip
    return True


def put_back_pulled(conn: sa.Connection, ref: str, cents: int) -> int:
    """Other workstations' corrections' changes of what counts as paid on an open item
    (``cents``: put back negative, a transfer's payment positive), brought by ``sync pull``:
    applied to what is due, as another counter's payment is. How many items it changed."""
    done = conn.execute(
        sa.update(open_items)
        .where(open_items.c.ref == ref)
        .values(amount_due_cents=open_items.c.amount_due_cents - cents)
    )
    return int(done.rowcount or 0)
