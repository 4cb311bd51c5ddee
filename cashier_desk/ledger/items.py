"""Open items and revenue codes as the counter reads them: an item with what was paid on it
at this counter since the billing system's balance, a code, a receipt's total (issue 13: all
SQL lives in ledger/)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.corrections import paying_lines, split_paid
from cashier_desk.ledger.schema import (
    item_adjustments,
    item_splits,
    open_items,
    receipt_lines,
    receipts,
    revenue_codes,
    voids,
)
from cashier_desk.money import Money

# Built once: a sale runs each of them, and building a statement costs more than running it.
_CODE = sa.select(revenue_codes).where(revenue_codes.c.code == sa.bindparam("code"))
# Open items with what was paid on each at this counter after the billing system's balance
# time (``as_of``; voided receipts do not count), in one query for any number of references.
_PAID_ON_ITEM = (
    sa.select(sa.func.coalesce(sa.func.sum(receipt_lines.c.amount_cents), 0))
    .select_from(receipt_lines.join(receipts, receipts.c.id == receipt_lines.c.receipt_id))
    .where(
        receipt_lines.c.ref == open_items.c.ref,
        receipt_lines.c.id > open_items.c.paid_before_line,
        receipts.c.created_at > open_items.c.as_of,
        ~sa.exists().where(voids.c.receipt_id == receipt_lines.c.receipt_id),
    )
    .correlate(open_items)
    .scalar_subquery()
)
# ... and what corrections after closeout changed of it (programs.md: a returned check or a
# transfer puts an amount back, a transfer pays one; ledger/corrections.py).
_ADJUSTED = (
    sa.select(sa.func.coalesce(sa.func.sum(item_adjustments.c.amount_cents), 0))
    .where(
        item_adjustments.c.ref == open_items.c.ref,
        item_adjustments.c.line_id > open_items.c.paid_before_line,
    )
    .correlate(open_items)
    .scalar_subquery()
)
# ... and the item's own GL split and description when a returned check made it of a receipt
# line (else NULL: its code's).
_ITEM_ROWS = sa.select(
    open_items,
    (_PAID_ON_ITEM + _ADJUSTED).label("paid_cents"),
    item_splits.c.gl.label("own_gl"),
    item_splits.c.description.label("own_description"),
).select_from(open_items.outerjoin(item_splits, item_splits.c.ref == open_items.c.ref))
_ITEMS = _ITEM_ROWS.where(open_items.c.ref.in_(sa.bindparam("refs", expanding=True)))
_ITEMS_BY_KEY = _ITEM_ROWS.where(open_items.c.search_key.in_(sa.bindparam("keys", expanding=True)))
_ALL_CODES = sa.select(revenue_codes).order_by(revenue_codes.c.code)
_CODE_RULES = sa.select(revenue_codes.c.code, revenue_codes.c.rule)
_RECEIPT_TOTAL: sa.Select[Any] = sa.select(receipts.c.receipt_no, receipts.c.total_cents).where(
    receipts.c.receipt_no == sa.bindparam("number")
)


def item_row(conn: sa.Connection, ref: str) -> sa.Row[Any] | None:
    """An open item (its row and ``paid_cents``, what was paid on it since), or None."""
    return conn.execute(_ITEMS, {"refs": [ref]}).first()


def item_rows(conn: sa.Connection, refs: Sequence[str]) -> list[sa.Row[Any]]:
    return list(conn.execute(_ITEMS, {"refs": list(refs)}))


def items_by_keys(conn: sa.Connection, keys: Sequence[int]) -> list[sa.Row[Any]]:
    """Open items by their search-index keys (what the counter's search found)."""
    return list(conn.execute(_ITEMS_BY_KEY, {"keys": list(keys)})) if keys else []


def taken_back(conn: sa.Connection, row: sa.Row[Any]) -> tuple[Money, str | None] | None:
    """For an open item (its ``row`` as read here) some of whose payments a correction took
    back (a returned check, a transfer off it): what counts as paid on the part its code
    splits, and the business date of its latest payment at this counter (None: none); None
    when nothing was taken back."""
    after, as_of = int(row.paid_before_line), str(row.as_of)
    taken = conn.execute(
        sa.select(item_adjustments.c.id)
        .where(
            item_adjustments.c.ref == row.ref,
            item_adjustments.c.line_id > after,
            item_adjustments.c.amount_cents < 0,
        )
        .limit(1)
    ).first()
    if taken is None:
        return None
    last = conn.execute(
        sa.select(sa.func.max(receipts.c.business_date))
        .select_from(receipt_lines.join(receipts, receipts.c.id == receipt_lines.c.receipt_id))
        .where(*paying_lines(row.ref, after, as_of))
    ).scalar_one()
    kept = split_paid(conn, row.ref, (after, as_of))
    return kept, (None if last is None else str(last))


def code_row(conn: sa.Connection, code: str) -> sa.Row[Any] | None:
    return conn.execute(_CODE, {"code": code}).first()


def all_codes(conn: sa.Connection) -> list[sa.Row[Any]]:
    return list(conn.execute(_ALL_CODES))


def receipt_total(conn: sa.Connection, number: str) -> sa.Row[Any] | None:
    """A receipt's number and total, or None."""
    return conn.execute(_RECEIPT_TOTAL, {"number": number}).first()


def code_rules(conn: sa.Connection) -> dict[str, str | None]:
    """Each revenue code's program rule (None: a plain fee or bill)."""
    rows = conn.execute(_CODE_RULES)
    return {str(code): rule for code, rule in rows}
