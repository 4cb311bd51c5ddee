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

from cashier_desk.ledger import corrections, program_records
from cashier_desk.sync import access
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


#: The fetched rows that are not program records: other workstations' returned checks.
RETURNED_CHECKS = "returned_checks"


def apply(conn: sa.Connection, fetched: Fetched) -> int:
    """Keep the fetched records in the ledger (the caller's write transaction); how many
    were new here."""
    returned = fetched.rows.get(RETURNED_CHECKS, [])
    for r in returned:
        corrections.flag_pulled(conn, str(r["account"]), str(r["number"]), at=str(r["created_at"]))
    return len(returned) + sum(
        program_records.take_pulled(conn, name, rows)
        for name, rows in fetched.rows.items()
        if name != RETURNED_CHECKS
    )
