"""Statistics for a period (operations.md, Reports: ``report stats``), aggregated in the
database by one SQLAlchemy Core query per figure, never by rows pulled into Python.

The same queries serve the workstation's ledger and central's books (``--central``): each
side describes its receipts, lines, tenders and revenue codes as a :class:`Source` of
subqueries with the same columns, and :func:`stats` aggregates any source alike, on SQLite
and on PostgreSQL.  Counting rules: a voided receipt counts nowhere; a line's amount is its
own; a tender's is net of the change given (change is given only from cash); ``count`` is the
lines for ``code`` and ``program``, the receipts otherwise.  The cash rounding line (code "")
is under the key ``(rounding)``; a penalty line already carries its citation's code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from cashier_desk.ledger.schema import receipt_lines, receipts, revenue_codes, tenders, voids
from cashier_desk.money import Money

BY = ("code", "program", "tender", "cashier", "day", "month")
ROUNDING = "(rounding)"
#: The program of a line whose code the revenue codes no longer (or, at central, not yet) hold.
UNKNOWN = "(unknown)"


@dataclass(frozen=True)
class StatsRow:
    key: str
    count: int
    amount: Money


@dataclass(frozen=True)
class Stats:
    date_from: str
    date_to: str
    by: str
    rows: tuple[StatsRow, ...]  # in key order (code points), keys with nothing left out
    count: int  # receipts; lines for code and program
    amount: Money


@dataclass(frozen=True)
class Source:
    """What a period's statistics are made of, as subqueries with fixed column names:
    ``live`` the period's receipts that are not voided (``rid``, ``business_date``,
    ``cashier``, ``total_cents``, ``change_cents``); ``lines`` (``rid``, ``code``,
    ``amount_cents``) and ``tenders`` (``rid``, ``kind``, ``amount_cents``) of any receipt;
    ``codes`` (``code``, ``program``)."""

    live: sa.Subquery
    lines: sa.Subquery
    tenders: sa.Subquery
    codes: sa.FromClause


def local_source(
    date_from: str, date_to: str, sessions: sa.Select[tuple[str]] | None = None
) -> Source:
    """The workstation's ledger: every receipt of the period, closed out or not (only those
    of ``sessions``, drawer session ids, when given)."""
    voided = sa.exists().where(voids.c.receipt_id == receipts.c.id)
    where = [receipts.c.business_date.between(date_from, date_to), ~voided]
    if sessions is not None:
        where.append(receipts.c.session_id.in_(sessions))
    live = (
        sa.select(
            receipts.c.id.label("rid"),
            receipts.c.business_date,
            receipts.c.cashier,
            receipts.c.total_cents,
            receipts.c.change_cents,
        )
        .where(*where)
        .subquery("live")
    )
    lines = sa.select(
        receipt_lines.c.receipt_id.label("rid"), receipt_lines.c.code, receipt_lines.c.amount_cents
    ).subquery("lines")
    given = sa.select(
        tenders.c.receipt_id.label("rid"), tenders.c.kind, tenders.c.amount_cents
    ).subquery("tenders")
    return Source(live, lines, given, revenue_codes)


def _key(source: Source, by: str) -> sa.ColumnElement[str]:
    live, lines, codes = source.live, source.lines, source.codes
    if by == "code":
        return sa.case((lines.c.code == "", ROUNDING), else_=lines.c.code)
    if by == "program":
        return sa.case(
            (lines.c.code == "", ROUNDING), else_=sa.func.coalesce(codes.c.program, UNKNOWN)
        )
    if by == "cashier":
        return live.c.cashier
    if by == "day":
        return live.c.business_date
    return sa.func.substr(live.c.business_date, 1, 7)  # month: YYYY-MM


def _rows_query(source: Source, by: str) -> sa.Executable:
    live, lines = source.live, source.lines
    if by in ("code", "program"):
        key = _key(source, by).label("key")
        joined = lines.join(live, live.c.rid == lines.c.rid)
        if by == "program":
            joined = joined.outerjoin(source.codes, source.codes.c.code == lines.c.code)
        return (
            sa.select(key, sa.func.count(), sa.func.sum(lines.c.amount_cents))
            .select_from(joined)
            .group_by(key)
        )
    if by == "tender":
        # Each tender of a live receipt, and the change given as a negative cash amount.
        given = source.tenders
        parts = sa.union_all(
            sa.select(given.c.rid, given.c.kind, given.c.amount_cents).join(
                live, live.c.rid == given.c.rid
            ),
            sa.select(
                live.c.rid,
                sa.literal("cash", sa.String).label("kind"),
                (-live.c.change_cents).label("amount_cents"),
            ).where(live.c.change_cents != 0),
        ).subquery("parts")
        return sa.select(
            parts.c.kind, sa.func.count(sa.distinct(parts.c.rid)), sa.func.sum(parts.c.amount_cents)
        ).group_by(parts.c.kind)
    key = _key(source, by).label("key")
    return sa.select(key, sa.func.count(), sa.func.sum(live.c.total_cents)).group_by(key)


def _total_query(source: Source, by: str) -> sa.Executable:
    live, lines = source.live, source.lines
    if by in ("code", "program"):
        return sa.select(sa.func.count(), sa.func.sum(lines.c.amount_cents)).select_from(
            lines.join(live, live.c.rid == lines.c.rid)
        )
    # A receipt's total is the sum of its lines (the sale writes it so; central re-checks it),
    # and the sum of its tenders net of change.
    return sa.select(sa.func.count(), sa.func.sum(live.c.total_cents)).select_from(live)


#: Steps of :func:`stats` told to its ``progress``: the rows' query, then the total's.
STEPS = 2


def stats(
    conn: sa.Connection,
    source: Source,
    date_from: str,
    date_to: str,
    by: str,
    progress: Callable[[int, int], None] | None = None,
) -> Stats:
    """The period's figures by ``by`` (one of :data:`BY`), aggregated in the database;
    ``progress(done, STEPS)`` after each query (it may raise to stop the report)."""
    if by not in BY:
        raise ValueError(f"statistics by {by!r}: not one of {', '.join(BY)}")
    found = [
        StatsRow(str(key), int(count), Money(int(amount or 0)))
        for key, count, amount in conn.execute(_rows_query(source, by))
        if int(count)
    ]
    if progress is not None:
        progress(1, STEPS)
    count, amount = conn.execute(_total_query(source, by)).one()
    if progress is not None:
        progress(STEPS, STEPS)
    return Stats(
        date_from,
        date_to,
        by,
        tuple(sorted(found, key=lambda row: row.key)),
        int(count),
        Money(int(amount or 0)),
    )
