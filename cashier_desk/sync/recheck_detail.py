"""A batch's detail held to the audit records it carries, on the payload alone (dictionaries
only, one pass, no database; :mod:`cashier_desk.sync.recheck` runs it, and reads earlier
segments when a row lacks its record here):

* every receipt has its ``sale`` record (its number the target) with the same session, total,
  change and tenders — the record's ``tenders`` is the sum per kind — and its lines add up to
  its total, its tenders less the change too; every ``sale`` record of one of the batch's
  sessions has its receipt;
* every void has its ``void`` record (approver, the receipt's total), and no receipt with a
  ``void`` record is left unvoided;
* the drops and paid-outs of a session, in order, match its ``drop``/``paid_out`` records
  (amount, GL account), one for one;
* every count of a drawer matches its ``close_drawer`` record (counted and over/short per
  tender);
* the summary counts the detail's receipts and voids, its deposit adds up, and a ``closeout``
  record (the next batch carries it: the closeout is audited after its batch is made) agrees
  with what central holds of the batch it names (receipts, deposit).

The corrections a batch carries are held by :mod:`cashier_desk.sync.recheck_corrections`.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cashier_desk.money import Money
from cashier_desk.sync import parse, recheck_corrections
from cashier_desk.sync.schema_programs import RECORDS

#: The audit actions whose records the detail is held to.
WATCHED = frozenset({"sale", "void", "drop", "paid_out", "close_drawer", "closeout",
                     *recheck_corrections.KINDS, recheck_corrections.CLEAR})  # fmt: skip
#: The movements held to records (a no-sale moves no money).
MOVED = ("drop", "paid_out")
#: What central holds of an earlier batch: (receipts, deposit total in cents), or None.
Holdings = Callable[[str], "tuple[int, int] | None"]

Records = dict[tuple[str, str], list[dict[str, Any]]]


def index(records: Iterable[Mapping[str, Any]], into: Records | None = None) -> Records:
    """The watched records by (action, target), oldest first, their details parsed."""
    out: Records = into if into is not None else defaultdict(list)
    for r in records:
        action = r["action"]
        if action in WATCHED:
            out[(action, r["target"])].append(_details(r["details"]))
    return out


def _cents(text: Any) -> int | None:
    return _parsed(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=8192)
def _parsed(text: str) -> int | None:
    """Cents of an amount as the records write it (a day repeats a few hundred amounts)."""
    try:
        return Money.parse(text).cents
    except (ValueError, TypeError, ArithmeticError):
        return None


def _kinds(sums: Any) -> dict[str, int | None] | None:
    if not isinstance(sums, Mapping):
        return None
    return {str(k): _cents(v) for k, v in sums.items()}


_NO_TENDERS: dict[str, int] = {}


def _details(details: Any) -> Any:
    if not isinstance(details, str):
        return dict(details)
    return parse.loads(details)  # as json.loads, raising as it always did


def _same_kinds(sums: Any, paid: Mapping[str, int]) -> bool:
    """``_kinds(sums) == paid``, without building the dictionary."""
    if type(sums) is not dict:
        return _kinds(sums) == paid
    if len(sums) != len(paid):
        return False
    for kind, amount in sums.items():
        cents = _cents(amount)
        if cents is None or paid.get(str(kind)) != cents:
            return False
    return True


def _line_sums(
    lines: Iterable[Mapping[str, Any]], numbers: Mapping[Any, str]
) -> tuple[dict[Any, int], Any]:
    """Each receipt's lines added up, and the receipt id of the first line without a receipt."""
    sums: dict[Any, int] = {}
    orphan = None
    for x in lines:
        rid = x["receipt_id"]
        sums[rid] = sums.get(rid, 0) + int(x["amount_cents"])
        if orphan is None and rid not in numbers:
            orphan = rid
    return sums, orphan


def _tender_sums(
    tenders: Iterable[Mapping[str, Any]], numbers: Mapping[Any, str]
) -> tuple[dict[Any, dict[str, int]], Any]:
    """Each receipt's tenders added up per kind, and the receipt id of the first tender
    without a receipt."""
    sums: dict[Any, dict[str, int]] = {}
    orphan = None
    for t in tenders:
        rid, kind = t["receipt_id"], t["kind"]
        by_kind = sums.get(rid)
        if by_kind is None:
            by_kind = sums[rid] = {}
        by_kind[kind] = by_kind.get(kind, 0) + int(t["amount_cents"])
        if orphan is None and rid not in numbers:
            orphan = rid
    return sums, orphan


def _money(cents: int) -> str:
    return str(Money(cents))


class Missing(Exception):
    """A detail row whose record is not in this batch's segment (perhaps in an earlier one)."""


def problems(payload: Mapping[str, Any], records: Records, *, final: bool) -> list[str]:
    """What in the detail does not match the records, for a person (at most a few of each
    kind).  Raises Missing when a row lacks its record and ``final`` is False (the caller
    adds the earlier segments' records and asks again)."""
    found: list[str] = []
    d = payload["detail"]
    missing: list[str] = []

    def lacks(what: str) -> None:
        if not final:
            raise Missing(what)
        missing.append(what)

    sessions = {s["id"] for s in d["sessions"]}
    numbers = {r["id"]: r["receipt_no"] for r in d["receipts"]}
    if len(numbers) != len(d["receipts"]):
        found.append("two receipts share one id")
    line_sums, orphan = _line_sums(d["lines"], numbers)
    tender_sums, orphan_tender = _tender_sums(d["tenders"], numbers)
    orphan = orphan if orphan is not None else orphan_tender
    if orphan is not None:
        found.append(f"a line or tender of receipt id {orphan} has no receipt")

    totals: dict[str, int] = {}
    for r in d["receipts"]:
        rid, no = r["id"], r["receipt_no"]
        total, change = int(r["total_cents"]), int(r["change_cents"])
        totals[no] = total
        paid = tender_sums.get(rid, _NO_TENDERS)
        if line_sums.get(rid, 0) != total:
            found.append(
                f"receipt {no}: its lines add up to {_money(line_sums.get(rid, 0))}, "
                f"its total is {_money(total)}"
            )
        if sum(paid.values()) - change != total:
            found.append(f"receipt {no}: its tenders less change are not its total")
        sale = records.get(("sale", no))
        if not sale:
            lacks(f"receipt {no} has no sale record")
            continue
        rec = sale[-1]
        if not (
            rec.get("session") == r["session_id"]
            and _cents(rec.get("total")) == total
            and _cents(rec.get("change")) == change
            and _same_kinds(rec.get("tenders"), paid)
        ):
            found.append(
                f"receipt {no}: total {_money(total)}, change {_money(change)}, tenders "
                f"{ {k: _money(v) for k, v in sorted(paid.items())} } — its sale record says "
                f"total {rec.get('total')}, change {rec.get('change')}, tenders "
                f"{rec.get('tenders')}"
            )

    voided: set[str] = set()
    void_found: list[str] = []
    for v in d["voids"]:
        no = numbers.get(v["receipt_id"])
        if no is None:
            void_found.append(f"a void of receipt id {v['receipt_id']} has no receipt")
            continue
        voided.add(no)
        void = records.get(("void", no))
        if not void:
            lacks(f"the void of receipt {no} has no void record")
            continue
        rec = void[-1]
        if (rec.get("approver"), _cents(rec.get("total"))) != (v["approver"], totals[no]):
            void_found.append(
                f"the void of receipt {no}: approver {v['approver']}, total "
                f"{_money(totals[no])} — its void record says approver {rec.get('approver')}, "
                f"total {rec.get('total')}"
            )
    unvoided: list[str] = []
    for (action, target), recs in records.items():
        if action == "sale" and target not in totals:
            if any(rec.get("session") in sessions for rec in recs):
                found.append(f"receipt {target} has a sale record but is not in the batch")
        elif action == "void" and recs and target in totals and target not in voided:
            unvoided.append(f"receipt {target} has a void record but no void in the batch")
    found += void_found + unvoided
    found += _program_records(payload, numbers, voided)

    found += _movements(d, records, sessions, lacks)
    found += _closes(d, records, lacks)
    found += _summary(payload, d)
    found += recheck_corrections.problems(payload, records, lacks)
    return found + missing


def _program_records(
    payload: Mapping[str, Any], numbers: Mapping[Any, str], voided: set[str]
) -> list[str]:
    """Each program record (issue 15, item 2) of a table central keeps, its workstation the
    batch's, made by a line of one of the batch's receipts, voided exactly when its receipt
    is (other counters' once-only rules read them: none may be made up, nor a void undone)."""
    found: list[str] = []
    records = (payload.get("programs") or {}).get("records") or {}
    if not records:
        return found
    lines = {
        (numbers.get(x.get("receipt_id")), x.get("line_no")) for x in payload["detail"]["lines"]
    }
    for name, rows in records.items():
        if name not in RECORDS:
            found.append(f"the batch carries records of {name!r}, which central does not keep")
            continue
        for r in rows:
            no = r.get("receipt_no")
            if (
                r.get("workstation") != payload["workstation"]
                or (no, r.get("line_no")) not in lines
            ):
                found.append(f"a record of {name} names receipt {no} line {r.get('line_no')}, "
                             "which is not a line of the batch's receipts")  # fmt: skip
            elif (r.get("voided_at") is not None) != (no in voided):
                state = "in force" if no in voided else "void"
                found.append(f"a record of {name} of receipt {no} is {state}, but the receipt "
                             f"is {'' if no in voided else 'not '}voided")  # fmt: skip
    return found


def _movements(
    d: Mapping[str, Any], records: Records, sessions: set[str], lacks: Callable[[str], None]
) -> list[str]:
    found: list[str] = []
    moved: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for m in d["movements"]:
        if m["kind"] in MOVED:
            moved[(m["kind"], m["session_id"])].append(m)
    for kind in MOVED:
        for sid in sorted(sessions | {s for k, s in moved if k == kind}):
            rows = moved.get((kind, sid), [])
            recs = records.get((kind, sid), [])
            if len(recs) < len(rows):
                lacks(f"a {kind} of session {sid} has no {kind} record")
                continue
            if len(recs) > len(rows):
                found.append(
                    f"session {sid}: {len(recs)} {kind} record(s) but {len(rows)} in the batch"
                )
                continue
            for m, rec in zip(rows, recs, strict=True):
                said = (_cents(rec.get("amount", "0.00")), rec.get("gl") or None)
                if said != (int(m["amount_cents"]), m["gl"] or None):
                    found.append(
                        f"session {sid}: {kind} {m['id']} of {_money(int(m['amount_cents']))}"
                        f"{' to ' + m['gl'] if m['gl'] else ''} — its record says "
                        f"{rec.get('amount', '0.00')}{' to ' + rec['gl'] if rec.get('gl') else ''}"
                    )
    return found


def _closes(d: Mapping[str, Any], records: Records, lacks: Callable[[str], None]) -> list[str]:
    found: list[str] = []
    counts: dict[tuple[str, int], dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in d["close_counts"]:
        counts[(row["session_id"], int(row["count_no"]))][row["tender"]] = (
            int(row["counted_cents"]),
            int(row["expected_cents"]),
        )
    for close in d["closes"]:
        sid, n = close["session_id"], int(close["count_no"])
        recs = [r for r in records.get(("close_drawer", sid), []) if int(r.get("count", 1)) == n]
        if not recs:
            lacks(f"count {n} of session {sid} has no close_drawer record")
            continue
        rec = recs[-1]
        figures = counts.get((sid, n), {})
        counted = {k: c for k, (c, _e) in figures.items()}
        over_short = {k: c - e for k, (c, e) in figures.items()}
        if (_kinds(rec.get("counted")), _kinds(rec.get("over_short"))) != (counted, over_short):
            found.append(
                f"count {n} of session {sid}: counted "
                f"{ {k: _money(v) for k, v in sorted(counted.items())} } — its close_drawer "
                f"record says {rec.get('counted')} (over/short {rec.get('over_short')})"
            )
    return found


def _summary(payload: Mapping[str, Any], d: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    summary = payload["summary"]
    if int(summary["receipts"]) != len(d["receipts"]):
        found.append(
            f"the summary counts {summary['receipts']} receipts, the batch holds "
            f"{len(d['receipts'])}"
        )
    if int(summary["voids"]) != len(d["voids"]):
        found.append(
            f"the summary counts {summary['voids']} voids, the batch holds {len(d['voids'])}"
        )
    deposit = summary["deposit"]
    parts = [_cents(deposit.get(k)) for k in ("cash", "checks", "money_orders")]
    if None in parts or sum(p or 0 for p in parts) != _cents(deposit.get("total")):
        found.append(f"the deposit's parts do not add up to its total {deposit.get('total')}")
    return found


def closeouts(segment: Records, holdings: Holdings, batch_id: str) -> list[str]:
    """The ``closeout`` records of this segment against what central holds of the batches they
    name (a batch central does not hold is not judged here)."""
    found: list[str] = []
    for (action, target), recs in segment.items():
        if action != "closeout" or target == batch_id:
            continue
        held = holdings(target)
        if held is None:
            continue
        rec = recs[-1]
        said = (rec.get("receipts"), _cents(rec.get("deposit")))
        if said != held:
            found.append(
                f"batch {target}: central holds {held[0]} receipts, deposit "
                f"{_money(held[1])} — its closeout record says {rec.get('receipts')} receipts, "
                f"deposit {rec.get('deposit')}"
            )
    return found
