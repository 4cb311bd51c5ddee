"""``sync pull``'s part of the counters' program records (issue 15, item 2): the TOT returns,
licences (with the accounts new ones opened), animal licences and permits that other
workstations' batches carried to central (migration c0008), kept in this ledger beside its own
— each with its workstation — so that the once-only rules read by ``ledger.program_records``
hold across workstations as far as the pull has brought them.

A batch's records are brought once: its id joins ``pulled_batches`` (which also lists the
batches whose open-item payments were applied) in the pull's transaction, and the reads at
central are one snapshot, so a batch delivered meanwhile is wholly brought now or next time.
A record already here (brought before) takes central's void, which never happens in practice
(a void is made before its receipt's batch) but costs nothing to honour."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import corrections_batch, import_write, program_records
from cashier_desk.ledger.schema import item_splits, receipt_lines
from cashier_desk.sync import access, pull_corrections
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


def fetch(conn: sa.Connection, workstation: str, applied: set[str]) -> Fetched:
    """Read at central every other known workstation's records of batches not in
    ``applied``."""
    out = Fetched()
    for name, table in RECORDS.items():
        ids = sorted(
            set(
                conn.execute(
                    sa.select(table.c.batch_id)
                    .distinct()
                    .where(table.c.workstation != workstation)
                    .where(table.c.workstation.in_(known(conn)))
                ).scalars()
            )
            - applied
        )
        rows: list[dict[str, Any]] = []
        for start in range(0, len(ids), CHUNK):
            rows += [
                dict(r)
                for r in conn.execute(
                    sa.select(table)
                    .where(table.c.batch_id.in_(ids[start : start + CHUNK]))
                    .order_by(table.c.batch_id, table.c.receipt_no, table.c.line_no)
                ).mappings()
            ]
        out.batches.update(ids)
        if rows:
            out.rows[name] = rows
    _returned_checks(conn, workstation, applied, out)
    return out


def _returned_checks(
    conn: sa.Connection, workstation: str, applied: set[str], out: Fetched
) -> None:
    """Other known workstations' returned checks (migration c0009) of batches not pulled
    here: their accounts are flagged here too, and count for the first/subsequent fee."""
    t = sc.corrections
    rows = [
        dict(r)
        for r in conn.execute(
            sa.select(t.c.batch_id, t.c.number, t.c.account, t.c.created_at)
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
#: The fetched rows that are not program records.
NOT_RECORDS = (RETURNED_CHECKS, MADE_ITEMS, pull_corrections.CLEARS, pull_corrections.ADJUSTED)


def apply(conn: sa.Connection, fetched: Fetched) -> int:
    """Keep the fetched records in the ledger (the caller's write transaction); how many
    were new here."""
    returned = fetched.rows.get(RETURNED_CHECKS, [])
    pull_corrections.apply_flags(conn, returned, fetched.rows.get(pull_corrections.CLEARS, []))
    made = fetched.rows.get(MADE_ITEMS, [])
    if made:
        _take_items(conn, made)
    return (
        len(returned)
        + len(made)
        + sum(
            program_records.take_pulled(conn, name, rows)
            for name, rows in fetched.rows.items()
            if name not in NOT_RECORDS
        )
    )


def _take_items(conn: sa.Connection, made: list[dict[str, Any]]) -> None:
    """Other workstations' counter-made open items, written here as an import writes one
    (paid only by receipts made after it), with a taken-back line's own split."""
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
            conn.execute(item_splits.insert().values(ref=r["ref"], gl=r["gl"]))
