"""Quarantine: the batches central refused, kept whole and out of the books.

A batch that conflicts with what the books hold (the same batch id, or a receipt number, with
other content) or whose audit chain does not follow on is not simply refused — that stranded
every later batch of its workstation behind it.  It is kept here with its payload (its audit
records included) and its audit head, so the workstation's chain continues through it and the
next batch still goes.  ``central totals`` never counts it.  An admin decides: accept puts it
into the books (refused while the books hold its batch id, one of its receipt numbers or its
audit records — those stay a conflict for the finance office), reject leaves it out for good.
A decision is a row of its own; nothing is updated or deleted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.sync import books
from cashier_desk.sync import schema as c

q = c.quarantine
d = c.quarantine_decisions


def keep(
    conn: sa.Connection,
    payload: Mapping[str, Any],
    text: str,
    sha256: str,
    reason: str,
    problem: str,
    received_at: str,
) -> None:
    head = payload["audit_head"]
    conn.execute(
        sa.insert(q).values(
            batch_id=payload["batch"],
            sha256=sha256,
            workstation=payload["workstation"],
            business_date=payload["business_date"],
            reason=reason,
            problem=problem,
            payload=text,
            audit_since=int(payload["audit_since"]),
            head_seq=int(head["seq"]),
            head_hash=head["hash"],
            received_at=received_at,
        )
    )


def holds(conn: sa.Connection, batch_id: str, sha256: str) -> bool:
    return (
        conn.execute(
            sa.select(q.c.batch_id).where(q.c.batch_id == batch_id, q.c.sha256 == sha256)
        ).first()
        is not None
    )


def heads_at(conn: sa.Connection, workstation: str, seq: int) -> list[str]:
    """Audit heads at ``seq`` of this workstation's quarantined batches."""
    return [
        str(h)
        for h in conn.execute(
            sa.select(q.c.head_hash).where(q.c.workstation == workstation, q.c.head_seq == seq)
        ).scalars()
    ]


def last_head(conn: sa.Connection, workstation: str) -> int:
    seq = conn.execute(
        sa.select(sa.func.max(q.c.head_seq)).where(q.c.workstation == workstation)
    ).scalar()
    return int(seq or 0)


def held(engine: sa.Engine, workstation: str) -> set[tuple[str, str]]:
    """(batch id, SHA-256) of every batch of this workstation central holds: in the books or
    in quarantine (decided or not)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.union(
                sa.select(c.batches.c.id, c.batches.c.sha256).where(
                    c.batches.c.workstation == workstation
                ),
                sa.select(q.c.batch_id, q.c.sha256).where(q.c.workstation == workstation),
            )
        ).all()
    return {(str(b), str(h)) for b, h in rows}


def _undecided() -> sa.Select[Any]:
    decided = sa.select(d.c.batch_id).where(d.c.batch_id == q.c.batch_id, d.c.sha256 == q.c.sha256)
    return (
        sa.select(
            q.c.batch_id,
            q.c.sha256,
            q.c.workstation,
            q.c.business_date,
            q.c.reason,
            q.c.problem,
            q.c.received_at,
        )
        .where(~decided.exists())
        .order_by(q.c.received_at, q.c.batch_id)
    )


def undecided(engine: sa.Engine, workstation: str | None = None) -> list[dict[str, Any]]:
    """The batches waiting in quarantine for an admin's decision (of one workstation, or all)."""
    stmt = _undecided()
    if workstation is not None:
        stmt = stmt.where(q.c.workstation == workstation)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def resolve(
    engine: sa.Engine,
    batch_id: str,
    *,
    accept: bool,
    by: str,
    workstation: str,
    at: str,
    note: str = "",
) -> dict[str, str]:
    """An admin's decision on this workstation's batch held in quarantine, in one transaction
    at central.  Raises Refusal (nothing written) when there is nothing to decide or when the
    books cannot take it."""
    with engine.begin() as conn:
        rows = conn.execute(_undecided().where(q.c.batch_id == batch_id)).mappings().all()
        if not rows:
            raise Refusal("not_quarantined", _why_nothing(conn, batch_id))
        if any(r["workstation"] != workstation for r in rows):
            raise Refusal(
                "not_quarantined",
                f"batch {batch_id} is workstation {rows[0]['workstation']}'s; decide it there",
            )
        if accept:
            if len(rows) > 1:
                raise Refusal(
                    "quarantine_conflict",
                    f"central holds {len(rows)} versions of batch {batch_id} in quarantine; "
                    "at most one can go into the books: the finance office settles which",
                )
            _accept(conn, rows[0]["sha256"], batch_id, at)
        decision = "accepted" if accept else "rejected"
        conn.execute(
            sa.insert(d),
            [
                {
                    "batch_id": batch_id,
                    "sha256": r["sha256"],
                    "decision": decision,
                    "decided_by": by,
                    "workstation": workstation,
                    "decided_at": at,
                    "note": note,
                }
                for r in rows
            ],
        )
    first = rows[0]
    return {
        "batch": batch_id,
        "decision": decision,
        "workstation": first["workstation"],
        "date": first["business_date"],
        "reason": first["reason"],
    }


def _why_nothing(conn: sa.Connection, batch_id: str) -> str:
    done = conn.execute(
        sa.select(d.c.decision, d.c.decided_by, d.c.decided_at)
        .where(d.c.batch_id == batch_id)
        .order_by(d.c.decided_at.desc())
        .limit(1)
    ).first()
    if done is not None:
        return (
            f"batch {batch_id} was already {done.decision} by {done.decided_by} "
            f"at {done.decided_at}; a decision stands"
        )
    return f"central holds no batch {batch_id} in quarantine"


def _accept(conn: sa.Connection, sha256: str, batch_id: str, at: str) -> None:
    text = conn.execute(
        sa.select(q.c.payload).where(q.c.batch_id == batch_id, q.c.sha256 == sha256)
    ).scalar_one()
    payload = json.loads(text)
    stays = "; it stays a conflict for the finance office and nothing was accepted"
    if conn.execute(sa.select(c.batches.c.id).where(c.batches.c.id == batch_id)).first():
        raise Refusal(
            "quarantine_conflict",
            f"central's books already hold batch {batch_id} with other content{stays}",
        )
    taken = books.receipts_taken(conn, [r["receipt_no"] for r in payload["detail"]["receipts"]])
    if taken:
        shown = ", ".join(taken[:5]) + (" …" if len(taken) > 5 else "")
        raise Refusal(
            "quarantine_conflict",
            f"receipt number(s) {shown} of batch {batch_id} are already at central{stays}",
        )
    head = payload["audit_head"]
    if conn.execute(
        sa.select(c.chain_heads.c.batch_id).where(
            c.chain_heads.c.workstation == payload["workstation"],
            c.chain_heads.c.seq == int(head["seq"]),
        )
    ).first():
        raise Refusal(
            "quarantine_conflict",
            f"the books already hold audit record {head['seq']} of workstation "
            f"{payload['workstation']} from another batch{stays}",
        )
    books.insert_batch(conn, payload, text, sha256, at)
