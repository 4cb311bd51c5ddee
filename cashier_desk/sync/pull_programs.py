"""``sync pull``'s part of the counters' program records (issue 15, item 2): the TOT returns,
licences (with the accounts new ones opened), animal licences and permits that other
workstations' batches carried to central (migration c0008), kept in this ledger beside its own
— each with its workstation — so that the once-only rules read by ``ledger.program_records``
hold across workstations as far as the pull has brought them.

A batch's records are brought once: its id joins ``pulled_batches`` (which also lists the
batches whose open-item payments were applied) in the pull's transaction, and the reads at
central are one snapshot, so a batch delivered meanwhile is wholly brought now or next time.
A record already here (brought before) takes central's void, which never happens in practice
(a void is made before its receipt's batch) but costs nothing to honour.

The other workstations' contests of citations come too (``CONTESTS``), each once by its number,
so a citation contested at another counter is priced as contested here (``desk.lookup``)."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import corrections, corrections_batch, import_write, program_records
from cashier_desk.ledger.schema import item_splits, receipt_lines
from cashier_desk.sync import access, pull_corrections
from cashier_desk.sync import schema as c
from cashier_desk.sync import schema_corrections as sc
from cashier_desk.sync.schema_programs import RECORDS

#: Batches read at once (an IN list of this many ids).
CHUNK = 500


@dataclass
class Fetched:
    """Other workstations' records in batches not pulled here before, by table."""

    batches: set[str] = field(default_factory=set)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def known(conn: sa.Connection) -> sa.Select[Any]:
    """The workstations central knows: only their records are brought (rows written around
    the program, of a workstation never registered, never are — as with payments)."""
    if conn.dialect.name == "postgresql":
        return sa.select(sa.func.central_known_workstations())  # a role sees only its own row
    return access.known()


def fetch(
    conn: sa.Connection, workstation: str, applied: set[str], contests_here: Set[str] = frozenset()
) -> Fetched:
    """Read at central every other known workstation's records of batches not in
    ``applied``, and their contests not in ``contests_here`` (by number)."""
    out = Fetched()
    for name, table in RECORDS.items():
        ids = _others(conn, table.c.batch_id, workstation, applied)
        order = (table.c.batch_id, table.c.receipt_no, table.c.line_no)
        rows = _rows(conn, table.c.batch_id, ids, order)
        out.batches.update(ids)
        if rows:
            out.rows[name] = rows
    _returned_checks(conn, workstation, applied, out)
    _contests(conn, workstation, contests_here, out)
    return out


def _contests(conn: sa.Connection, workstation: str, here: Set[str], out: Fetched) -> None:
    """Other known workstations' contests of citations (c0006; read by all since c0011) that
    this ledger does not hold.  Known by number, not by batch: the contests of a batch pulled
    before they were brought (for its payments or records) still come.  Their batches do not
    join ``pulled_batches``."""
    t = c.contests
    numbers = _others(conn, t.c.number, workstation, here)
    rows = _rows(conn, t.c.number, numbers, (t.c.created_at, t.c.number))
    if rows:
        out.rows[CONTESTS] = rows


def _others(
    conn: sa.Connection, key: sa.Column[Any], workstation: str, here: Set[str]
) -> list[str]:
    """The distinct ``key`` values of the other known workstations' rows of its table, less
    those in ``here``, in order."""
    ws = key.table.c.workstation
    found = conn.execute(
        sa.select(key).distinct().where(ws != workstation, ws.in_(known(conn)))
    ).scalars()
    return sorted(set(found) - here)


def _rows(
    conn: sa.Connection, key: sa.Column[Any], keys: list[str], order: tuple[Any, ...]
) -> list[dict[str, Any]]:
    """The rows of ``key``'s table whose ``key`` is in ``keys`` (read ``CHUNK`` at a time)."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(keys), CHUNK):
        chunk = sa.select(key.table).where(key.in_(keys[start : start + CHUNK]))
        rows += [dict(r) for r in conn.execute(chunk.order_by(*order)).mappings()]
    return rows


def _returned_checks(
    conn: sa.Connection, workstation: str, applied: set[str], out: Fetched
) -> None:
    """Other known workstations' returned checks (migration c0009) of batches not pulled
    here: their accounts are flagged here too, and count for the first/subsequent fee."""
    t = sc.corrections
    rows = [
        dict(r)
        for r in conn.execute(
            sa.select(t.c.batch_id, t.c.number, t.c.account, t.c.created_at, t.c.receipt_no)
            .where(t.c.kind == "returned_check", t.c.account.is_not(None))
            .where(t.c.workstation != workstation)
            .where(t.c.workstation.in_(known(conn)))
            .order_by(t.c.created_at, t.c.number)
        ).mappings()
        if r["batch_id"] not in applied
    ]
    out.batches.update(r["batch_id"] for r in rows)
    if rows:
        out.rows[RETURNED_CHECKS] = rows
    i = sc.correction_items
    items = [
        dict(r)
        for r in conn.execute(
            sa.select(i)
            .where(i.c.workstation != workstation, i.c.workstation.in_(known(conn)))
            .order_by(i.c.ref)
        ).mappings()
        if r["batch_id"] not in applied
    ]
    out.batches.update(r["batch_id"] for r in items)
    if items:
        out.rows[MADE_ITEMS] = items
    more = pull_corrections.fetch(conn, workstation, applied, known(conn))
    for rows in more.values():
        out.batches.update(r["batch_id"] for r in rows)
    out.rows.update(more)


#: The fetched rows that are not program records: other workstations' returned checks.
RETURNED_CHECKS = "returned_checks"
#: ... and the open items those returned checks made.
MADE_ITEMS = "made_items"
#: ... and their contests of citations (``item_programs.take_pulled_contests``).
CONTESTS = "contests"
#: The fetched rows that are not program records.
NOT_RECORDS = (
    RETURNED_CHECKS, MADE_ITEMS, CONTESTS, pull_corrections.CLEARS, pull_corrections.ADJUSTED
)  # fmt: skip


def apply(conn: sa.Connection, fetched: Fetched) -> int:
    """Keep the fetched records in the ledger (the caller's write transaction); how many
    were new here."""
    returned = fetched.rows.get(RETURNED_CHECKS, [])
    pull_corrections.apply_flags(conn, returned, fetched.rows.get(pull_corrections.CLEARS, []))
    made = fetched.rows.get(MADE_ITEMS, [])
    if made:
        _take_items(conn, made, {str(r["number"]): str(r["receipt_no"]) for r in returned})
    return (
        len(returned)
        + len(made)
        + sum(
            program_records.take_pulled(conn, name, rows)
            for name, rows in fetched.rows.items()
            if name not in NOT_RECORDS
        )
    )


def _take_items(
    conn: sa.Connection, made: list[dict[str, Any]], receipts: Mapping[str, str]
) -> None:
    """Other workstations' counter-made open items, written here as an import writes one
    (paid only by receipts made after it), with a taken-back line's own split and description
    (``Returned check <receipt> line <n>``, told by the returned checks' receipts by number,
    ``receipts``)."""
    after = int(conn.execute(sa.select(sa.func.max(receipt_lines.c.id))).scalar() or 0)
    items = [
        {k: r[k] for k in corrections_batch.ITEM_KEYS}
        | {"status": "open", "plate": "", "as_of": "", "issued": None, "notice": None,
           "paid_before_line": after}
        for r in made
    ]  # fmt: skip
    import_write.write_open_items(conn, iter(items))
    known_splits = set(conn.execute(sa.select(item_splits.c.ref)).scalars())
    for r in made:
        if r["gl"] and r["ref"] not in known_splits:
            said = corrections.described(str(r["ref"]), receipts)
            conn.execute(item_splits.insert().values(ref=r["ref"], gl=r["gl"], description=said))
