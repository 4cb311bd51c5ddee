"""``sync pull``'s part of the other workstations' corrections after the closeout (issue 16;
migrations c0009, c0010): their returned checks flag an account here, their supervisors' clears
of that flag clear it here when newer, and what their returned checks and transfers changed of
existing open items (``correction_adjustments``) changes what is due here — each once, with the
batch that carried it (``pulled_batches``), from the workstations central knows only.

The flag's rows are applied in the order they were made (a returned check by its time, a clear
by its): a returned check always writes a flag row (it counts for the NSF fee, and a clearer
elsewhere did not know of it); a clear writes a row only when it is newer than every flag row
this ledger holds of the account (``corrections.clear_pulled``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import corrections
from cashier_desk.sync import schema_corrections as sc

#: The fetched rows: other workstations' clears of the flag, and their corrections' changes
#: of open items.
CLEARS = "flag_clears"
ADJUSTED = "adjusted_items"


def fetch(
    conn: sa.Connection, workstation: str, applied: set[str], known: sa.Select[Any]
) -> dict[str, list[dict[str, Any]]]:
    """Other known workstations' clears and open-item changes of batches not in ``applied``."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, table, order in (
        (CLEARS, sc.flag_clears, (sc.flag_clears.c.set_at, sc.flag_clears.c.workstation)),
        (ADJUSTED, sc.correction_adjustments,
         (sc.correction_adjustments.c.number, sc.correction_adjustments.c.n)),
    ):  # fmt: skip
        rows = [
            dict(r)
            for r in conn.execute(
                sa.select(table)
                .where(table.c.workstation != workstation, table.c.workstation.in_(known))
                .order_by(*order)
            ).mappings()
            if r["batch_id"] not in applied
        ]
        if rows:
            out[name] = rows
    return out


def adjusted_since(
    conn: sa.Connection, ref: str, workstation: str, since: str, known: sa.Select[Any]
) -> int:
    """Other known workstations' changes of what counts as paid on ``ref`` by corrections
    made after ``since`` (a billing system's row that knows nothing of them)."""
    t = sc.correction_adjustments
    cents = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(t.c.amount_cents), 0)).where(
            t.c.ref == ref,
            t.c.workstation != workstation,
            t.c.workstation.in_(known),
            t.c.created_at > since,
        )
    ).scalar_one()
    return int(cents)


def apply_flags(
    conn: sa.Connection, returned: Iterable[Mapping[str, Any]], clears: Iterable[Mapping[str, Any]]
) -> int:
    """Other workstations' returned checks and clears of the flag, in the order they were made;
    how many clears were written."""
    events = [(str(r["created_at"]), 0, r) for r in returned]
    events += [(str(x["set_at"]), 1, x) for x in clears]
    written = 0
    for at, is_clear, row in sorted(events, key=lambda e: (e[0], e[1])):
        if is_clear:
            written += corrections.clear_pulled(
                conn, str(row["account"]), at=at, actor=f"{row['workstation']}:{row['actor']}"
            )
        else:
            corrections.flag_pulled(conn, str(row["account"]), str(row["number"]), at=at)
    return written


def apply_adjusted(
    conn: sa.Connection, rows: Iterable[Mapping[str, Any]], skip: Iterable[str]
) -> int:
    """Other workstations' changes of open items, each on what is due here, as another
    counter's payment is (``skip``: items whose billing system's row was just written with
    them counted). How many items it changed."""
    left_out = set(skip)
    by_ref: dict[str, int] = {}
    for r in rows:
        if r["ref"] not in left_out:
            by_ref[str(r["ref"])] = by_ref.get(str(r["ref"]), 0) + int(r["amount_cents"])
    return sum(corrections.put_back_pulled(conn, ref, cents) for ref, cents in by_ref.items())
