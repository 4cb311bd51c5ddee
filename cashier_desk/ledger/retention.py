"""What a retention purge may take out of the local ledger, and taking it out (operations.md
"Retention (F11)", GC 34090).

The unit is a closeout batch with its drawer sessions and everything of them: receipts, their
lines, tenders, voids and print jobs, journal entries and postings, cash movements, closes,
counts, approvals, rejections, the batch's members and its outbox row, and the corrections
after the closeout it carried (``retention_corrections.py``).  A batch goes only when
all of these hold, else it is kept and listed with why (as is every batch of a later business
date, and every session in no batch):

- the batch and every one of its sessions is of a business date before ``cutoff``;
- central acknowledged it (outbox outcome ``sent``, ``already_there`` or ``accepted``);
- it is not its workstation's newest batch (the next closeout's payload continues from it);
- none of its receipt lines still counts against an open item's balance or a plan here (the
  item would read as unpaid again);
- no correction it carries is still needed (``retention_corrections.py``);
- it holds no table's newest row: SQLite numbers the next row after the biggest key left, and
  an open item's ``paid_before_line`` counts on lines never being numbered again.

A session in no batch (not closed out) is never removed.  The audit log is never cut: the
caller appends a ``retention_checkpoint`` record naming the batches and sessions removed, and
``crosscheck`` skips what it names.  The append-only triggers of the tables touched are
dropped and made again, exactly as they were, inside the same transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import retention_corrections as corrections
from cashier_desk.money import Money

#: Outbox outcomes meaning central holds the batch in its books.
ACKNOWLEDGED = ("sent", "already_there", "accepted")

#: Tables emptied of a purged batch's rows, children before parents (foreign keys are on),
#: each with what picks its rows: ``:sessions`` and ``:batches`` are JSON arrays of ids.
_BY_SESSION = "session_id IN (SELECT value FROM json_each(:sessions))"
_BY_RECEIPT = f"receipt_id IN (SELECT id FROM receipts WHERE {_BY_SESSION})"
_WHERE: tuple[tuple[str, str], ...] = (
    ("print_jobs", _BY_RECEIPT),
    ("postings", f"entry_id IN (SELECT id FROM journal_entries WHERE {_BY_SESSION})"),
    ("journal_entries", _BY_SESSION),
    ("voids", _BY_RECEIPT),
    ("tenders", _BY_RECEIPT),
    ("receipt_lines", _BY_RECEIPT),
    ("receipts", _BY_SESSION),
    ("drawer_movements", _BY_SESSION),
    ("close_counts", _BY_SESSION),
    ("drawer_closes", _BY_SESSION),
    ("close_rejections", _BY_SESSION),
    ("close_approvals", _BY_SESSION),
    ("batch_sessions", _BY_SESSION),
    *corrections.WHERE,
    ("outbox", "batch_id IN (SELECT value FROM json_each(:batches))"),
    ("batches", "id IN (SELECT value FROM json_each(:batches))"),
    ("drawer_sessions", "id IN (SELECT value FROM json_each(:sessions))"),
)
_OF_RECEIPT = "SELECT x.id, r.session_id FROM {t} x JOIN receipts r ON r.id = x.receipt_id"
#: Tables keyed by a number SQLite gives (the next is one past the biggest left) whose
#: numbers are compared or kept elsewhere (an item's ``paid_before_line``, a plan's
#: ``after_line``, the print spooler's restart point), with their rows' (id, session).  A
#: void's or a cash movement's number is not (a movement's is sealed in its own record only).
_NUMBERED = {
    "print_jobs": _OF_RECEIPT,
    "tenders": _OF_RECEIPT,
    "receipt_lines": _OF_RECEIPT,
    "receipts": "SELECT id, session_id FROM {t}",
    "journal_entries": "SELECT id, session_id FROM {t}",
    "postings": "SELECT x.id, j.session_id FROM {t} x JOIN journal_entries j ON j.id = x.entry_id",
}


@dataclass
class Purge:
    """What a purge removes (or would) and what it keeps, before ``cutoff``."""

    cutoff: str
    batches: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)  # their numbers
    counts: dict[str, int] = field(default_factory=dict)
    sums: dict[str, Any] = field(default_factory=dict)
    kept: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "batches": self.batches,
            "sessions": self.sessions,
            "corrections": self.corrections,
            "counts": self.counts,
            "sums": self.sums,
        }


def _q(conn: sa.Connection, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("a retention purge needs the ledger's own connection")
    return list(raw.execute(sql, params).fetchall())


def _why_kept(conn: sa.Connection, cutoff: str) -> dict[str, str]:
    """Each batch of a business date before ``cutoff`` that must stay, with why."""
    why: dict[str, str] = {}

    def keep(sql: str, reason: str, params: tuple[Any, ...] = ()) -> None:
        for (bid,) in _q(conn, sql, params):
            why.setdefault(str(bid), reason)

    old = "SELECT id FROM batches WHERE business_date < ?"
    marks = ",".join("?" * len(ACKNOWLEDGED))
    keep(
        f"{old} AND id NOT IN (SELECT batch_id FROM outbox WHERE outcome IN ({marks}))",
        "central has not acknowledged it",
        (cutoff, *ACKNOWLEDGED),
    )
    keep(
        "SELECT bs.batch_id FROM batch_sessions bs JOIN drawer_sessions s ON s.id = bs.session_id "
        "WHERE s.business_date >= ? UNION SELECT bs.batch_id FROM batch_sessions bs JOIN "
        "receipts r ON r.session_id = bs.session_id WHERE r.business_date >= ?",
        "a session or receipt of it is inside the retention period",
        (cutoff, cutoff),
    )
    keep(
        "SELECT b.id FROM batches b WHERE NOT EXISTS (SELECT 1 FROM batches n WHERE "
        "n.workstation = b.workstation AND (n.created_at > b.created_at OR "
        "(n.created_at = b.created_at AND n.id > b.id)))",
        "its workstation's newest batch: the next closeout continues from it",
    )
    live = (  # the lines of the old batches only: a city's years of lines are not read
        "SELECT bs.batch_id FROM batches b JOIN batch_sessions bs ON bs.batch_id = b.id "
        "JOIN receipts r ON r.session_id = bs.session_id "
        "JOIN receipt_lines l ON l.receipt_id = r.id "
    )
    keep(
        live + "JOIN open_items o ON o.ref = l.ref WHERE b.business_date < ? "
        "AND l.id > o.paid_before_line AND r.created_at > o.as_of",
        "it pays an open item whose balance here still counts the payment",
        (cutoff,),
    )
    keep(
        live + "JOIN plans p ON p.ref = l.ref WHERE b.business_date < ? AND l.id > p.after_line",
        "it pays an open item on a payment plan",
        (cutoff,),
    )
    for table, rows in _NUMBERED.items():
        keep(
            f"SELECT batch_id FROM batch_sessions WHERE session_id IN (SELECT session_id FROM "
            f"({rows.format(t=table)}) WHERE id = (SELECT max(id) FROM {table}))",
            f"it holds the newest row of {table} (SQLite would number the next one again)",
        )
    corrections.why_kept(keep, cutoff)
    return why


def plan(conn: sa.Connection, cutoff: str) -> Purge:
    """What a purge before ``cutoff`` removes and keeps (reads only)."""
    found = Purge(cutoff)
    why = _why_kept(conn, cutoff)
    members: dict[str, list[str]] = defaultdict(list)
    for bid, sid in _q(
        conn,
        "SELECT bs.batch_id, bs.session_id FROM batch_sessions bs JOIN batches b "
        "ON b.id = bs.batch_id WHERE b.business_date < ? ORDER BY bs.session_id",
        (cutoff,),
    ):
        members[str(bid)].append(str(sid))
    old = _q(
        conn,
        "SELECT id, business_date FROM batches WHERE business_date < ? ORDER BY business_date, id",
        (cutoff,),
    )

    def going() -> dict[str, str]:
        ids = [str(bid) for bid, _ in old if bid not in why]
        gone = [sid for bid in ids for sid in members.get(bid, [])]
        return {"batches": json.dumps(ids), "sessions": json.dumps(gone)}

    corrections.keep_takes(partial(_q, conn), cutoff, why, going)
    for bid, day in old:
        if bid in why:
            found.kept.append({"batch": bid, "business_date": day, "why": why[bid]})
        else:
            found.batches.append(bid)
            found.sessions.extend(members.get(bid, []))
    marks = ",".join("?" * len(ACKNOWLEDGED))
    for bid, day, acknowledged in _q(  # operations.md: "anything else is kept and listed"
        conn,
        "SELECT b.id, b.business_date, EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = b.id "
        f"AND o.outcome IN ({marks})) FROM batches b WHERE b.business_date >= ? "
        "ORDER BY b.business_date, b.id",
        (*ACKNOWLEDGED, cutoff),
    ):
        why_newer = "of a business date on or after the cutoff"
        if not acknowledged:
            why_newer += "; central has not acknowledged it"
        found.kept.append({"batch": bid, "business_date": day, "why": why_newer})
    for sid, day in _q(
        conn,
        "SELECT id, business_date FROM drawer_sessions WHERE id NOT IN "
        "(SELECT session_id FROM batch_sessions) ORDER BY id",
    ):
        found.kept.append(
            {"session": sid, "business_date": day, "why": "not closed out (in no batch)"}
        )
    found.sessions.sort()
    found.corrections = corrections.carried(partial(_q, conn), cutoff, json.dumps(found.batches))
    _measure(conn, found)
    return found


def _ids(found: Purge) -> dict[str, str]:
    return {
        "sessions": json.dumps(found.sessions),
        "batches": json.dumps(found.batches),
        "corrections": json.dumps(found.corrections),
    }


def _measure(conn: sa.Connection, found: Purge) -> None:
    """The rows of each table ``found`` removes, and the money in them."""
    ids = _ids(found)
    found.counts = {
        table: int(_q(conn, f"SELECT count(*) FROM {table} WHERE {where}", ids)[0][0])
        for table, where in reversed(_WHERE)
    }
    ((total, change),) = _q(
        conn,
        "SELECT coalesce(sum(total_cents), 0), coalesce(sum(change_cents), 0) FROM receipts "
        f"WHERE {_BY_SESSION}",
        ids,
    )
    ((voided,),) = _q(
        conn,
        "SELECT coalesce(sum(r.total_cents), 0) FROM receipts r JOIN voids v ON "
        f"v.receipt_id = r.id WHERE r.{_BY_SESSION}",
        ids,
    )
    tenders = _q(
        conn,
        f"SELECT kind, sum(amount_cents) FROM tenders WHERE {_BY_RECEIPT} GROUP BY kind "
        "ORDER BY kind",
        ids,
    )
    moved = _q(
        conn,
        f"SELECT kind, sum(amount_cents) FROM drawer_movements WHERE {_BY_SESSION} "
        "AND kind != 'no_sale' GROUP BY kind ORDER BY kind",
        ids,
    )
    found.sums = {
        "receipts": str(Money(int(total))),
        "voided": str(Money(int(voided))),
        "change": str(Money(int(change))),
        "tenders": {str(k): str(Money(int(c))) for k, c in tenders},
        "movements": {str(k): str(Money(int(c))) for k, c in moved},
        "corrections": {
            k: str(Money(c)) for k, c in corrections.sums(partial(_q, conn), ids).items()
        },
    }


def remove(conn: sa.Connection, found: Purge) -> None:
    """Take out what ``found`` lists, inside the caller's write transaction.  The delete
    triggers of the tables touched are made again, as they were, before it commits."""
    if not found.batches:
        return
    tables = [t for t, _ in _WHERE]
    marks = ",".join("?" * len(tables))
    triggers = _q(
        conn,
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        f"AND tbl_name IN ({marks}) AND name LIKE '%_no_delete'",
        tuple(tables),
    )
    for name, _sql in triggers:
        _q(conn, f'DROP TRIGGER "{name}"')
    ids = _ids(found)
    for table, where in _WHERE:
        _q(conn, f"DELETE FROM {table} WHERE {where}", ids)
    for _name, sql in triggers:
        _q(conn, str(sql))
