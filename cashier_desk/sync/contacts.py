"""Anchoring the audit chain at every sync contact, not only in batches (issue 12, item 3).

A batch carries its workstation's audit head once a day; between two closeouts a ledger put
back to an older copy, or a chain rewritten, went unseen.  So every ``sync`` (even with nothing
to send) and every ``sync pull`` leaves a contact at central: the workstation's newest audit
record (seq, hash), a row of ``contacts``.  Central knows, for each workstation, the newest head
it has seen — of a batch in its books or in quarantine, or of an earlier contact that fitted —
and flags a contact (its ``problem``, kept with it; the sync reports it):

* **behind**: its seq is lower than central's newest (the ledger lost records);
* **fork**: at central's newest seq it has another hash — its own head there, or the record
  the workstation holds at that seq (``hash_at``, read from its ledger) — so its chain no
  longer passes through what central saw.

A flagged contact is kept but never becomes what central knows.  A later batch must pass
through every head contacted within its segment (``check_batch``), so a chain rewritten after
a contact is refused even when it links to the last batch.  On PostgreSQL a workstation role
adds and reads only its own contacts (row-level security, ``access``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from cashier_desk.sync import schema as c

k = c.contacts.c

#: The hash of the workstation's own audit record at a seq (None when it has none there).
HashAt = Callable[[int], "str | None"]


def newest(conn: sa.Connection, workstation: str) -> tuple[int, str] | None:
    """The newest audit head central has seen of ``workstation``: from its books, its
    quarantine or a contact that fitted (by the keys' indexes; None when it has seen none)."""
    h, q = c.chain_heads.c, c.quarantine.c
    found = []
    for seq_col, hash_col, where in (
        (h.seq, h.hash, h.workstation == workstation),
        (q.head_seq, q.head_hash, q.workstation == workstation),
        (k.seq, k.hash, (k.workstation == workstation) & k.problem.is_(None)),
    ):
        row = conn.execute(
            sa.select(seq_col, hash_col).where(where).order_by(seq_col.desc()).limit(1)
        ).first()
        if row is not None:
            found.append((int(row[0]), str(row[1])))
    return max(found, key=lambda f: f[0]) if found else None


def judge(seen: tuple[int, str] | None, seq: int, digest: str, hash_at: HashAt) -> str | None:
    """Why central flags a contact at (seq, digest) having seen ``seen`` (None: it fits)."""
    if seen is None:
        return None
    last, last_hash = seen
    if seq < last:
        return (
            f"behind: the workstation shows audit record {seq}, but central already saw its "
            f"record {last}"
        )
    here = digest if seq == last else hash_at(last)
    if here != last_hash:
        shown = "no record" if here is None else f"{here[:12]}…"
        return (
            f"fork: central saw audit record {last} as {last_hash[:12]}…, the workstation "
            f"holds {shown} there"
        )
    return None


def note(
    conn: sa.Connection, workstation: str, seq: int, digest: str, at: str, hash_at: HashAt
) -> str | None:
    """Record one contact in the caller's transaction (serialised with the workstation's
    deliveries); returns central's flag on it, or None."""
    problem = judge(newest(conn, workstation), seq, digest, hash_at)
    conn.execute(
        sa.insert(c.contacts).values(
            workstation=workstation, at=at, seq=seq, hash=digest, problem=problem
        )
    )
    return problem


def check_batch(conn: sa.Connection, payload: Mapping[str, Any]) -> str | None:
    """A batch's records must pass through every head its workstation showed at a contact
    within the batch's segment (a contact that fitted): why not, or None."""
    ws, since = payload["workstation"], int(payload["audit_since"])
    head = int(payload["audit_head"]["seq"])
    contacted = conn.execute(
        sa.select(k.seq, k.hash, k.at).where(
            k.workstation == ws, k.problem.is_(None), k.seq > since, k.seq <= head
        )
    ).all()
    records = payload["audit"]
    for seq, digest, at in contacted:
        i = int(seq) - since - 1
        if not (0 <= i < len(records)) or records[i]["hash"] != digest:
            return (
                f"workstation {ws}'s audit record {seq} is not the one it showed central at its "
                f"contact of {at}: its chain was rewritten since"
            )
    return None


def flagged(engine: sa.Engine, workstation: str | None = None) -> list[dict[str, Any]]:
    """The contacts central flagged (of one workstation, or all), oldest first."""
    stmt = (
        sa.select(k.workstation, k.at, k.seq, k.hash, k.problem)
        .where(k.problem.is_not(None))
        .order_by(k.at, k.id)
    )
    if workstation is not None:
        stmt = stmt.where(k.workstation == workstation)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def last_contacts(conn: sa.Connection) -> dict[str, tuple[str, int]]:
    """Each workstation's last contact: (when, how many central flagged)."""
    rows = conn.execute(
        sa.select(k.workstation, sa.func.max(k.at), sa.func.count(k.problem)).group_by(
            k.workstation
        )
    ).all()
    return {str(ws): (str(at), int(n)) for ws, at, n in rows}
