"""Statistics for a period from central's books (``report stats --central``): every
workstation's synced batches, aggregated by the same queries as a workstation's own
(:mod:`cashier_desk.ledger.stats`), in the database, on SQLite and on PostgreSQL alike.  A
batch held in quarantine is not in the books, so not in the figures.  The program of a code is
central's (``ref_revenue_codes``, from ``central import revenue-codes``)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from cashier_desk.ledger.stats import Source, Stats, stats
from cashier_desk.sync import schema as c


def central_source(date_from: str, date_to: str) -> Source:
    r = c.receipts
    live = (
        sa.select(
            r.c.receipt_no.label("rid"),
            r.c.business_date,
            r.c.cashier,
            r.c.total_cents,
            r.c.change_cents,
        )
        .where(r.c.business_date.between(date_from, date_to), r.c.voided.is_(False))
        .subquery("live")
    )
    lines = sa.select(
        c.lines.c.receipt_no.label("rid"), c.lines.c.code, c.lines.c.amount_cents
    ).subquery("lines")
    given = sa.select(
        c.tenders.c.receipt_no.label("rid"), c.tenders.c.kind, c.tenders.c.amount_cents
    ).subquery("tenders")
    return Source(live, lines, given, c.ref_revenue_codes)


def central_stats(
    engine: sa.Engine,
    date_from: str,
    date_to: str,
    by: str,
    progress: Callable[[int, int], None] | None = None,
) -> Stats:
    """The city's figures for the period by ``by``, read in one transaction (``progress`` as
    :func:`~cashier_desk.ledger.stats.stats` tells it)."""
    with engine.connect() as conn:
        return stats(conn, central_source(date_from, date_to), date_from, date_to, by, progress)
