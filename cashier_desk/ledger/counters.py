"""Per-workstation counters (receipt, session and batch numbers), gapless by construction.

The counter row is bumped inside the caller's write transaction, the same one that inserts the
numbered row: if that transaction rolls back, the number is not used, so no gap appears.
"""

from __future__ import annotations

import sqlalchemy as sa

from cashier_desk.ledger import watermark
from cashier_desk.ledger.schema import counters

# Built once: a sale bumps counters twice, and building a statement costs more than running it.
_BUMP = (
    sa.update(counters)
    .where(counters.c.workstation == sa.bindparam("ws"), counters.c.kind == sa.bindparam("k"))
    .values(last=counters.c.last + 1)
    .returning(counters.c.last)
)


def next_number(conn: sa.Connection, workstation: str, kind: str) -> int:
    row = conn.execute(_BUMP, {"ws": workstation, "k": kind}).first()
    if row is not None:
        number = int(row[0])
    else:
        conn.execute(sa.insert(counters).values(workstation=workstation, kind=kind, last=1))
        number = 1
    if kind == watermark.RECEIPT_KIND:
        watermark.note_receipt(conn, workstation, number)
    return number


def peek(conn: sa.Connection, workstation: str, kind: str) -> int:
    value = conn.execute(
        sa.select(counters.c.last).where(
            counters.c.workstation == workstation, counters.c.kind == kind
        )
    ).scalar()
    return int(value or 0)
