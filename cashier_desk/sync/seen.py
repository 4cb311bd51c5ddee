"""What central last saw of a workstation: its newest audit record and its highest receipt.

A ledger put back to an older copy together with its mark (``ledger.mark``) cannot know, by
itself, what it lost; central can.  Its books hold every closed batch's receipts and the
audit head each batch carried (a batch held in quarantine still carries its head), and every
sync contact leaves the head the workstation showed then (``contacts``).  Asked
at each sync contact and before a scripted session, it lets the ledger refuse money until a
supervisor accepts the loss (see ``Ledger.note_central``).  The question only reads;
whenever central cannot answer it, nothing is concluded.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa

from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.watermark import Mark
from cashier_desk.sync import schema as c

log = logging.getLogger(__name__)


def last_seen(engine: sa.Engine, workstation: str) -> Mark | None:
    """Central's newest audit record and highest receipt number of ``workstation``; None
    when central has never seen it or cannot be asked (an embedded central not made yet)."""
    if engine.dialect.name == "sqlite":
        db = engine.url.database
        if not db or db == ":memory:" or not Path(db).is_file():
            return None  # asking would create the file
    ch, q, r, k = c.chain_heads.c, c.quarantine.c, c.receipts.c, c.contacts.c
    with engine.connect() as conn:
        # Both by the keys' indexes: the newest head in the books (its batch holds the
        # newest receipts) and in quarantine.
        books = conn.execute(
            sa.select(ch.seq, ch.hash, ch.batch_id)
            .where(ch.workstation == workstation)
            .order_by(ch.seq.desc())
            .limit(1)
        ).first()
        held = conn.execute(
            sa.select(q.head_seq, q.head_hash)
            .where(q.workstation == workstation)
            .order_by(q.head_seq.desc())
            .limit(1)
        ).first()
        # And the newest head shown at a sync contact that central did not flag.
        contacted = conn.execute(
            sa.select(k.seq, k.hash)
            .where(k.workstation == workstation, k.problem.is_(None))
            .order_by(k.seq.desc())
            .limit(1)
        ).first()
        last_no = None
        if books is not None:
            try:
                with conn.begin_nested():
                    last_no = conn.execute(
                        sa.select(r.receipt_no)
                        .where(r.batch_id == books.batch_id)
                        .order_by(sa.func.length(r.receipt_no).desc(), r.receipt_no.desc())
                        .limit(1)
                    ).scalar()
            except sa.exc.ProgrammingError as exc:
                # A workstation role may only add receipts, never read them (``access.BULK``):
                # the audit head still answers.
                log.info("central's receipts of %s cannot be read: %s", workstation, exc)
    heads = [(int(h[0]), str(h[1])) for h in (books, held, contacted) if h is not None]
    head = max(heads) if heads else None
    if head is None:
        return None
    receipts: dict[str, int] = {}
    if last_no is not None:
        prefix, _, digits = str(last_no).rpartition("-")
        if prefix == workstation and digits.isdigit():
            receipts[workstation] = int(digits)
    return Mark(head[0] if head else 0, head[1] if head else "", receipts)


def compare(engine: sa.Engine, workstation: str, ledger: Ledger) -> str | None:
    """Ask central what it saw of ``workstation`` and tell ``ledger``; the loss found, if
    any.  Never raises for a central that cannot be asked."""
    try:
        seen = last_seen(engine, workstation)
    except sa.exc.SQLAlchemyError as exc:
        log.info("could not ask central what it saw of %s: %s", workstation, exc)
        return None
    if seen is None:
        return None
    behind = ledger.note_central(seen)
    if behind is not None:
        log.error("the ledger is behind central: %s", behind)
    return behind
