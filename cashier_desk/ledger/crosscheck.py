"""`audit verify`'s cross-check of the money rows against the audit records that seal them.

Every money row must be covered by its event's audit record: a row with none was inserted, a
record whose rows are gone had them deleted, a seal (``ledger/evidence.py``) or a figure that
differs means they were edited.  Records written before the seals are checked by the figures
they carry (total, change, tenders, amounts, counted, opening).  Besides: every journal entry
balances, and each close's expected figures are the opening plus the session's postings.

Each table is read once, in bulk, on the ledger's own ``sqlite3`` connection.

A retention checkpoint record (``retention_checkpoint``, ``ledger/retention.py``) lists in
its details the ``sessions`` and ``batches`` it removed; rows and records of those are skipped
here (:func:`_checkpointed`), so a purge does not read as deletions.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.evidence import COLUMNS, SEALS, seal
from cashier_desk.money import Money


@dataclass(frozen=True)
class Problem:
    table: str
    key: str
    what: str

    def __str__(self) -> str:
        return f"{self.table} {self.key}: {self.what}"


def _cols(table: str) -> str:
    return ", ".join(COLUMNS[table])


def _m(cents: int) -> str:
    return str(Money(cents))


def check(conn: sa.Connection) -> list[Problem]:
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("the cross-check needs the ledger's own connection")
    q = raw.execute
    problems: list[Problem] = []
    add = problems.append

    records: dict[str, list[tuple[int, str, dict[str, Any]]]] = defaultdict(list)
    marks = ",".join("?" * (len(SEALS) + 1))
    for seq, action, target, details in q(
        f"SELECT seq, action, target, details FROM audit_log WHERE action IN ({marks}) "
        "ORDER BY seq",
        (*SEALS, "retention_checkpoint"),
    ):
        records[action].append((seq, target, json.loads(details)))
    skip = _checkpointed(records)
    _left_behind(q, skip, add)

    # -- the journal ---------------------------------------------------------------------
    entries = {
        eid: (sid, kind, rid)
        for eid, sid, kind, rid in q("SELECT id, session_id, kind, receipt_id FROM journal_entries")
        if sid not in skip
    }
    posted: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for eid, account, cents in q(
        "SELECT entry_id, account, amount_cents FROM postings ORDER BY id"
    ):
        if eid not in entries:
            add(Problem("postings", f"entry {eid}", "belongs to no journal entry (inserted)"))
        else:
            posted[eid].append((account, cents))
    by_receipt: dict[tuple[int, str], list[int]] = defaultdict(list)
    drawer_sums: dict[tuple[str, str], int] = defaultdict(int)  # (session, account), no o/s
    over_short: dict[tuple[str, str], int] = defaultdict(int)
    for eid, (sid, kind, rid) in entries.items():
        lines = posted.get(eid, ())
        total = sum(c for _, c in lines)
        if total:
            add(Problem("postings", f"entry {eid}", f"does not balance (off by {_m(total)})"))
        if rid is not None:
            by_receipt[(rid, kind)].append(eid)
        sums = over_short if kind == "over_short" else drawer_sums
        for account, cents in lines:
            sums[(sid, account)] += cents
    claimed: set[int] = set()

    def entry_rows(eid: int) -> list[tuple[str, str, str, int]]:
        sid, kind, _ = entries[eid]
        return [(sid, kind, a, c) for a, c in posted.get(eid, ())]

    def compare(table: str, key: str, seq: int, details: dict[str, Any], rows: Any) -> None:
        sealed = details.get("rows", {}).get(table)
        if sealed is not None and sealed != seal(table, rows):
            add(Problem(table, key, f"differs from what audit record {seq} sealed (edited)"))

    # -- receipts, sales and voids -------------------------------------------------------
    receipts: dict[str, tuple[int, tuple[Any, ...]]] = {}
    for rid, *row in q(f"SELECT id, {_cols('receipts')} FROM receipts"):
        if row[3] not in skip:
            receipts[row[0]] = (rid, tuple(row))
    children: dict[str, dict[int, list[tuple[Any, ...]]]] = {}
    for table in ("receipt_lines", "tenders"):
        grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for rid, *row in q(f"SELECT receipt_id, {_cols(table)} FROM {table} ORDER BY id"):
            grouped[rid].append(tuple(row))
        children[table] = grouped
    ids = {rid for rid, _ in receipts.values()}
    for table, grouped in children.items():
        for rid in grouped.keys() - ids:
            add(Problem(table, f"receipt id {rid}", "belongs to no receipt (inserted)"))
    voids = {rid: tuple(row) for rid, *row in q(f"SELECT receipt_id, {_cols('voids')} FROM voids")}
    total_i, change_i = (
        COLUMNS["receipts"].index("total_cents"),
        COLUMNS["receipts"].index("change_cents"),
    )
    sold: set[str] = set()
    for seq, number, details in records["sale"]:
        if details.get("session") in skip:
            continue
        sold.add(number)
        if number not in receipts:
            add(Problem("receipts", number, f"is missing; audit record {seq} has it (deleted)"))
            continue
        rid, row = receipts[number]
        lines, tends = children["receipt_lines"].get(rid, []), children["tenders"].get(rid, [])
        sale = by_receipt.get((rid, "sale"), [])
        claimed.update(sale)
        compare("receipts", number, seq, details, [row])
        compare("receipt_lines", number, seq, details, lines)
        compare("tenders", number, seq, details, tends)
        compare("postings", number, seq, details, [r for e in sale for r in entry_rows(e)])
        said = details.get("total")
        if said is not None and said != _m(row[total_i]):
            add(Problem("receipts", number, f"total {_m(row[total_i])}, audit says {said}"))
        if sum(x[-1] for x in lines) != row[total_i]:
            add(Problem("receipt_lines", number, "the lines do not add up to the total"))
        paid: dict[str, int] = defaultdict(int)
        for kind, cents, *_ in tends:
            paid[kind] += cents
        if "rows" not in details:  # an older record: a second tender of a kind was lost
            said_t = details.get("tenders", {})
            if set(said_t) != set(paid) or sum(paid.values()) - row[change_i] != row[total_i]:
                add(Problem("tenders", number, "differ from the audit record's tenders"))
        elif {k: _m(v) for k, v in paid.items()} != details.get("tenders"):
            shown = {k: _m(v) for k, v in paid.items()}
            add(Problem("tenders", number, f"are {shown}, audit says {details['tenders']}"))
    for number in receipts.keys() - sold:
        add(Problem("receipts", number, "has no audit record (inserted)"))
    by_id = {rid: number for number, (rid, _) in receipts.items()}
    voided: set[int] = set()
    for seq, number, details in records["void"]:
        found = receipts.get(number)
        if found is None or found[0] not in voids:
            if found is not None or seq > skip.get("through", 0):
                add(Problem("voids", number, f"is missing; audit record {seq} has it (deleted)"))
            continue
        rid = found[0]
        voided.add(rid)
        entry = by_receipt.get((rid, "void"), [])
        claimed.update(entry)
        compare("voids", number, seq, details, [voids[rid]])
        compare("postings", number, seq, details, [r for e in entry for r in entry_rows(e)])
        if "approver" in details and voids[rid][0] != details["approver"]:
            add(
                Problem(
                    "voids", number, f"approver {voids[rid][0]}, audit says {details['approver']}"
                )
            )
    for rid in voids.keys() - voided:
        if rid in by_id:
            add(Problem("voids", by_id[rid], "has no audit record (inserted)"))
        elif rid not in skip.get("receipt_ids", ()):
            add(Problem("voids", f"receipt id {rid}", "belongs to no receipt (inserted)"))

    _sessions(q, records, entries, entry_rows, claimed, compare, add, skip, drawer_sums, over_short)
    for eid in entries.keys() - claimed:
        sid, kind, rid = entries[eid]
        add(Problem("journal_entries", f"{eid} ({kind}, {sid})", "has no audit record (inserted)"))
    return problems


def _checkpointed(records: dict[str, list[tuple[int, str, dict[str, Any]]]]) -> dict[str, Any]:
    """The sessions retention checkpoints removed (keys), their batches (``batches``) and the
    newest checkpoint's sequence number (``through``)."""
    skip: dict[str, Any] = {"batches": set()}
    for seq, _target, details in records.get("retention_checkpoint", []):
        for sid in details.get("sessions", ()):
            skip[sid] = True
        skip["batches"].update(details.get("batches", ()))
        skip["through"] = seq
    return skip


#: The keys of :func:`_checkpointed`'s answer that are not a session removed.
_NOT_SESSIONS = ("batches", "through", "receipt_ids")
#: The rows that name a drawer session, by the column that names it.
_OF_SESSION = (
    ("drawer_sessions", "id"),
    ("receipts", "session_id"),
    ("journal_entries", "session_id"),
    ("drawer_movements", "session_id"),
    ("drawer_closes", "session_id"),
    ("close_counts", "session_id"),
    ("close_approvals", "session_id"),
    ("close_rejections", "session_id"),
    ("batch_sessions", "session_id"),
)


def _left_behind(q: Any, skip: dict[str, Any], add: Any) -> None:
    """A row of a session a retention checkpoint removed was put there afterwards (the purge
    left none); and the receipts such rows claim (their voids are then not named twice)."""
    gone = json.dumps(sorted(k for k in skip if k not in _NOT_SESSIONS))
    skip["receipt_ids"] = set()
    if gone == "[]":
        return
    for table, column in _OF_SESSION:
        for (sid,) in q(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} IN "
            "(SELECT value FROM json_each(?)) ORDER BY 1",
            (gone,),
        ):
            add(Problem(table, sid, "belongs to a session a retention checkpoint removed "
                        "(inserted)"))  # fmt: skip
    for (rid,) in q(
        "SELECT id FROM receipts WHERE session_id IN (SELECT value FROM json_each(?))", (gone,)
    ):
        skip["receipt_ids"].add(rid)


def _sessions(
    q: Any,
    records: Any,
    entries: dict[int, tuple[str, str, int | None]],
    entry_rows: Any,
    claimed: set[int],
    compare: Any,
    add: Any,
    skip: dict[str, Any],
    drawer_sums: dict[tuple[str, str], int],
    over_short: dict[tuple[str, str], int],
) -> None:
    """Sessions, cash movements, closes, approvals, rejections and batches."""
    sessions = {
        row[0]: tuple(row)
        for row in q(f"SELECT {_cols('drawer_sessions')} FROM drawer_sessions")
        if row[0] not in skip
    }
    opening_i = COLUMNS["drawer_sessions"].index("opening_cents")
    opened: set[str] = set()
    for seq, sid, details in records["open_drawer"]:
        if sid in skip:
            continue
        opened.add(sid)
        if sid not in sessions:
            add(Problem("drawer_sessions", sid, f"is missing; audit record {seq} has it (deleted)"))
            continue
        compare("drawer_sessions", sid, seq, details, [sessions[sid]])
        said = details.get("opening")
        if said is not None and said != _m(sessions[sid][opening_i]):
            add(Problem("drawer_sessions", sid,
                        f"opening {_m(sessions[sid][opening_i])}, audit says {said}"))  # fmt: skip
    for sid in sessions.keys() - opened:
        add(Problem("drawer_sessions", sid, "has no audit record (inserted)"))

    # -- cash movements: by the id the record names, else in order within the session ------
    movements = {
        row[0]: tuple(row)
        for row in q(f"SELECT {_cols('drawer_movements')} FROM drawer_movements ORDER BY id")
        if row[1] not in skip
    }
    moved = [(s, t, d) for a in ("drop", "paid_out", "no_sale") for s, t, d in records[a]]
    moved.sort()
    named = {d["movement"] for _, _, d in moved if "movement" in d}
    unnamed: dict[str, list[int]] = defaultdict(list)
    for mid, row in movements.items():
        if mid not in named:
            unnamed[row[1]].append(mid)
    old_entries: dict[str, list[int]] = defaultdict(list)
    for old in sorted(entries):
        sid, kind, _ = entries[old]
        if kind in ("drop", "paid_out"):
            old_entries[sid].append(old)
    named_entries = {d["entry"] for _, _, d in moved if "entry" in d}
    covered: set[int] = set()
    for seq, sid, details in moved:
        if sid in skip:
            continue
        mid = details.get("movement")
        if mid is None:
            mid = unnamed[sid].pop(0) if unnamed[sid] else None
        if mid is None or mid not in movements:
            add(Problem("drawer_movements", f"{mid or '?'} ({sid})",
                        f"is missing; audit record {seq} has it (deleted)"))  # fmt: skip
            continue
        covered.add(mid)
        row = movements[mid]
        what = f"{mid} ({row[2]}, {sid})"
        eid: int | None = details.get("entry")
        if eid is None and row[2] in ("drop", "paid_out"):
            rest = [e for e in old_entries[sid] if e not in named_entries and e not in claimed]
            eid = rest[0] if rest else None
        if eid is not None:
            claimed.add(eid)
        compare("drawer_movements", what, seq, details, [row])
        compare("postings", what, seq, details, entry_rows(eid) if eid in entries else [])
        for name, col, shown in (("amount", 3, _m), ("gl", 5, str), ("approver", 8, str)):
            said = details.get(name)
            if said is not None and said != shown(row[col]):
                add(
                    Problem(
                        "drawer_movements", what, f"{name} {shown(row[col])}, audit says {said}"
                    )
                )
        if eid in entries:
            lines = dict((a, c) for *_, a, c in entry_rows(eid))
            target = "SAFE:cash" if row[2] == "drop" else row[5]
            if lines != {target: row[3], "DRAWER:cash": -row[3]}:
                add(
                    Problem("postings", what, f"entry {eid} does not move {_m(row[3])} to {target}")
                )
    for mid in movements.keys() - covered:
        add(
            Problem(
                "drawer_movements", f"{mid} ({movements[mid][1]})", "has no audit record (inserted)"
            )
        )

    # -- closes ----------------------------------------------------------------------------
    closes = {
        (sid, row[0]): tuple(row)
        for sid, *row in q(f"SELECT session_id, {_cols('drawer_closes')} FROM drawer_closes")
        if sid not in skip
    }
    counts: dict[tuple[str, int], list[tuple[Any, ...]]] = defaultdict(list)
    for sid, n, *row in q(
        f"SELECT session_id, count_no, {_cols('close_counts')} FROM close_counts ORDER BY tender"
    ):
        if sid not in skip:
            counts[(sid, n)].append(tuple(row))
    seen: set[tuple[str, int]] = set()
    old_close: set[str] = set()
    for seq, sid, details in records["close_drawer"]:
        if sid in skip:
            continue
        n = int(details.get("count", 1))
        ck = (sid, n)
        seen.add(ck)
        name = f"{sid} count {n}"
        if ck not in closes:
            add(Problem("drawer_closes", name, f"is missing; audit record {seq} has it (deleted)"))
            continue
        if "entries" in details:
            claimed.update(details["entries"])
        else:
            old_close.add(sid)
        compare("drawer_closes", name, seq, details, [closes[ck]])
        compare("close_counts", name, seq, details, counts.get(ck, []))
        rows = [r for e in details.get("entries", ()) if e in entries for r in entry_rows(e)]
        compare("postings", name, seq, details, rows)
        for tender, expected, counted in counts.get(ck, []):
            said = details.get("counted", {}).get(tender)
            if said is not None and said != _m(counted):
                add(
                    Problem(
                        "close_counts",
                        f"{name} {tender}",
                        f"counted {_m(counted)}, audit says {said}",
                    )
                )
            said = details.get("over_short", {}).get(tender)
            if said is not None and said != _m(counted - expected):
                add(Problem("close_counts", f"{name} {tender}",
                            f"over/short {_m(counted - expected)}, audit says {said}"))  # fmt: skip
    for ck in closes.keys() - seen:
        add(Problem("drawer_closes", f"{ck[0]} count {ck[1]}", "has no audit record (inserted)"))
    for eid, (sid, kind, _) in entries.items():
        if kind == "over_short" and sid in old_close:
            claimed.add(eid)  # an older close names no entries; its figures are checked below
    newest: dict[str, int] = {}
    for sid, n in counts:
        newest[sid] = max(newest.get(sid, 0), n)
    for (sid, n), rows in counts.items():
        opening = sessions[sid][opening_i] if sid in sessions else 0
        for tender, expected, counted in rows:
            should = drawer_sums.get((sid, f"DRAWER:{tender}"), 0)
            should += opening if tender == "cash" else 0
            if expected != should:
                add(Problem("close_counts", f"{sid} count {n} {tender}",
                            f"expected {_m(expected)}, but the opening and the postings to "
                            f"DRAWER:{tender} make {_m(should)}"))  # fmt: skip
            standing = over_short.get((sid, f"DRAWER:{tender}"), 0)
            if n == newest[sid] and standing != counted - expected:
                add(Problem("postings", f"{sid} over/short {tender}",
                            f"post {_m(standing)}, the deciding count says "
                            f"{_m(counted - expected)}"))  # fmt: skip

    # -- approvals, rejections, batches ---------------------------------------------------
    for action, table, keyed in (
        ("approve_close", "close_approvals", False),
        ("reject_close", "close_rejections", True),
    ):
        found = {
            (sid, row[0]) if keyed else (sid, 0): tuple(row)
            for sid, *row in q(f"SELECT session_id, {_cols(table)} FROM {table}")
            if sid not in skip
        }
        done: set[tuple[str, int]] = set()
        for seq, sid, details in records[action]:
            ck = (sid, int(details.get("count", 0)) if keyed else 0)
            if sid in skip:
                continue
            done.add(ck)
            if ck not in found:
                add(Problem(table, sid, f"is missing; audit record {seq} has it (deleted)"))
                continue
            compare(table, sid, seq, details, [found[ck]])
            if details.get("comment") not in (None, found[ck][-2]):
                add(Problem(table, sid, "the comment differs from the audit record's"))
        for ck in found.keys() - done:
            add(Problem(table, ck[0], "has no audit record (inserted)"))
    batches = {row[0]: tuple(row) for row in q(f"SELECT {_cols('batches')} FROM batches")}
    members: dict[str, list[tuple[str]]] = defaultdict(list)
    for bid, sid in q("SELECT batch_id, session_id FROM batch_sessions ORDER BY session_id"):
        members[bid].append((sid,))
    made: set[str] = set()
    for seq, bid, details in records["closeout"]:
        made.add(bid)
        if bid not in batches:
            if bid not in skip.get("batches", ()):
                add(Problem("batches", bid, f"is missing; audit record {seq} has it (deleted)"))
            continue
        compare("batches", bid, seq, details, [batches[bid]])
        compare("batch_sessions", bid, seq, details, members.get(bid, []))
    for bid in batches.keys() - made:
        add(Problem("batches", bid, "has no audit record (inserted)"))
