"""A batch's payload beyond its summary: the detail central holds the batch on by itself
(sessions, closes, receipts, tenders, voids, movements, postings), the audit chain's records
since the workstation's previous batch, and the program records since it; and that previous
batch's payload, which each part starts from."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import audit, item_programs, program_records
from cashier_desk.ledger.schema import (
    audit_log,
    batches,
    close_approvals,
    close_counts,
    close_rejections,
    drawer_closes,
    drawer_movements,
    drawer_sessions,
    journal_entries,
    postings,
    receipt_lines,
    receipts,
    tenders,
    voids,
)


def programs(
    conn: sa.Connection,
    workstation: str,
    previous: Mapping[str, Any] | None,
    session_ids: Sequence[str],
) -> dict[str, Any]:
    """The contests and plans since the previous batch, and what the program items of the
    batch's receipts made (``records``, left out when they made nothing)."""
    records = program_records.for_batch(conn, workstation, session_ids)
    out = item_programs.for_batch(conn, workstation, previous)
    return out | {"records": records} if records else out


def _rows(conn: sa.Connection, query: sa.Select[Any]) -> list[dict[str, Any]]:
    result = conn.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def detail(conn: sa.Connection, session_ids: Sequence[str]) -> dict[str, Any]:
    """Everything central needs to hold the batch on its own: sessions, closes (every count,
    the newest deciding, and the counts sent back), receipts with lines and tenders, voids,
    movements and the journal."""
    in_sessions = receipts.c.session_id.in_(session_ids)
    receipt_ids = sa.select(receipts.c.id).where(in_sessions)
    return {
        "sessions": _rows(
            conn, sa.select(drawer_sessions).where(drawer_sessions.c.id.in_(session_ids))
        ),
        "closes": _rows(
            conn, sa.select(drawer_closes).where(drawer_closes.c.session_id.in_(session_ids))
        ),
        "close_counts": _rows(
            conn, sa.select(close_counts).where(close_counts.c.session_id.in_(session_ids))
        ),
        "rejections": _rows(
            conn,
            sa.select(close_rejections).where(close_rejections.c.session_id.in_(session_ids)),
        ),
        "approvals": _rows(
            conn,
            sa.select(close_approvals).where(close_approvals.c.session_id.in_(session_ids)),
        ),
        "receipts": _rows(conn, sa.select(receipts).where(in_sessions).order_by(receipts.c.seq)),
        "lines": _rows(
            conn,
            sa.select(receipt_lines)
            .where(receipt_lines.c.receipt_id.in_(receipt_ids))
            .order_by(receipt_lines.c.id),
        ),
        "tenders": _rows(
            conn,
            sa.select(tenders).where(tenders.c.receipt_id.in_(receipt_ids)).order_by(tenders.c.id),
        ),
        "voids": _rows(conn, sa.select(voids).where(voids.c.receipt_id.in_(receipt_ids))),
        "movements": _rows(
            conn,
            sa.select(drawer_movements)
            .where(drawer_movements.c.session_id.in_(session_ids))
            .order_by(drawer_movements.c.id),
        ),
        "postings": _rows(
            conn,
            sa.select(
                journal_entries.c.id.label("entry_id"),
                journal_entries.c.session_id,
                journal_entries.c.kind,
                journal_entries.c.receipt_id,
                postings.c.account,
                postings.c.amount_cents,
            )
            .join(postings, postings.c.entry_id == journal_entries.c.id)
            .where(journal_entries.c.session_id.in_(session_ids))
            .order_by(postings.c.id),
        ),
    }


def previous_payload(conn: sa.Connection, workstation: str) -> dict[str, Any] | None:
    """The payload of the workstation's newest batch before this one (None: the first)."""
    text = conn.execute(
        sa.select(batches.c.payload)
        .where(batches.c.workstation == workstation)
        .order_by(batches.c.created_at.desc(), batches.c.id.desc())
        .limit(1)
    ).scalar()
    return None if text is None else dict(json.loads(text))


def audit_segment(
    conn: sa.Connection, workstation: str, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The audit chain's head now, and every record since the head the workstation's previous
    batch carried — central re-computes the links, so a rewritten chain cannot pass."""
    seq, digest = audit.head(conn)
    since = int(previous["audit_head"]["seq"]) if previous else 0
    records = [
        dict(r)
        for r in conn.execute(
            sa.select(audit_log)
            .where(audit_log.c.seq > since, audit_log.c.seq <= seq)
            .order_by(audit_log.c.seq)
        ).mappings()
    ]
    return {"audit_head": {"seq": seq, "hash": digest}, "audit_since": since, "audit": records}
