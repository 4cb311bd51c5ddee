"""Central re-checks a batch's detail against the audit records it carries (issue 12, item 3).

The audit chain proves the records were not rewritten; the batch's detail (receipts, lines,
tenders, voids, drawer movements, closes) is what goes into central's books.  Both travel in
one payload, so whoever can edit the payload in transit (or the outbox before it leaves) could
change a receipt and keep the records: central therefore holds the detail to the records.

The detail is held to the records by :mod:`cashier_desk.sync.recheck_detail` (what it must
agree with is listed there); this module runs the re-check and words its verdict.

A record made before the workstation's previous batch (a session open across a closeout) is
in an earlier batch's segment: only when something lacks its record are the workstation's
earlier payloads read.  One pass over the payload, dictionaries only: no query per row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, NamedTuple

import sqlalchemy as sa

from cashier_desk.money import Money
from cashier_desk.sync import schema as c
from cashier_desk.sync.recheck_detail import Missing, Records, closeouts, index, problems

#: How many of the workstation's earlier batches are read for records made before them.
EARLIER = 31


class FirstPass(NamedTuple):
    """What the re-check makes of a batch without the database: its segment's watched records
    by (action, target), and the problems of its detail — None when a row lacks its record in
    this segment (then the workstation's earlier segments are read)."""

    segment: Records
    found: list[str] | None


def first_pass(payload: Mapping[str, Any]) -> FirstPass:
    """The part of the re-check that needs no database: pure Python on the payload, so
    central runs it on a thread beside the batch's insert (``central``)."""
    segment = index(payload["audit"])
    try:
        return FirstPass(segment, problems(payload, segment, final=False))
    except Missing:
        return FirstPass(segment, None)


def refusal(
    conn: sa.Connection, payload: Mapping[str, Any], first: FirstPass | None = None
) -> str | None:
    """Why the batch's detail cannot go into the books (for a person), or None.  ``first``:
    the batch's ``first_pass`` when it was made already."""
    segment, found_here = first if first is not None else first_pass(payload)
    found = closeouts(segment, lambda bid: _holds(conn, bid), payload["batch"])
    if found_here is not None:
        return describe(found + found_here)
    earlier = _earlier(conn, payload)
    for n in range(1, len(earlier) + 1):
        merged: Records = defaultdict(list)
        for records in reversed(earlier[:n]):  # oldest first
            index(records, merged)
        for key, recs in segment.items():
            merged[key] += recs
        try:
            return describe(found + problems(payload, merged, final=False))
        except Missing:
            if n == len(earlier):
                return describe(found + problems(payload, merged, final=True))
    return describe(found + problems(payload, segment, final=True))


def _earlier(conn: sa.Connection, payload: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    """The audit records of the workstation's batches before this one (in the books or in
    quarantine), newest batch first, each batch's records oldest first."""
    ws, since = payload["workstation"], int(payload["audit_since"])
    b, q, h = c.batches.c, c.quarantine.c, c.chain_heads.c
    rows = conn.execute(
        sa.union_all(
            sa.select(h.seq, b.payload)
            .join(c.batches, b.id == h.batch_id)
            .where(h.workstation == ws, h.seq <= since),
            sa.select(q.head_seq, q.payload).where(q.workstation == ws, q.head_seq <= since),
        )
        .order_by(sa.desc("seq"))
        .limit(EARLIER)
    ).all()
    seen: set[int] = set()
    out = []
    for _seq, text in rows:
        records = [r for r in json.loads(text)["audit"] if int(r["seq"]) not in seen]
        seen.update(int(r["seq"]) for r in records)
        out.append(records)
    return out


def _holds(conn: sa.Connection, batch_id: str) -> tuple[int, int] | None:
    """What central holds of one of the workstation's batches: its receipts and deposit total
    (from the books, else from quarantine), or None."""
    row = conn.execute(
        sa.select(c.batches.c.receipts, c.deposits.c.total_cents)
        .join(c.deposits, c.deposits.c.batch_id == c.batches.c.id)
        .where(c.batches.c.id == batch_id)
    ).first()
    if row is not None:
        return int(row[0]), int(row[1])
    text = conn.execute(
        sa.select(c.quarantine.c.payload)
        .where(c.quarantine.c.batch_id == batch_id)
        .order_by(c.quarantine.c.received_at.desc())
        .limit(1)
    ).scalar()
    if text is None:
        return None
    summary = json.loads(text)["summary"]
    return int(summary["receipts"]), Money.parse(summary["deposit"]["total"]).cents


def describe(found: list[str], limit: int = 5) -> str | None:
    """The problems in one message (None when there are none)."""
    if not found:
        return None
    more = f"; and {len(found) - limit} more" if len(found) > limit else ""
    return "the batch's detail does not match its audit records: " + "; ".join(found[:limit]) + more
