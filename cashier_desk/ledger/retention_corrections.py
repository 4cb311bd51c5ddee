"""The corrections after the closeout in a retention purge (issue 18's leftover; programs.md,
returned checks, refunds, transfers): a correction goes with the closeout batch that carried
it (the batch's payload lists it under ``corrections.records``), with its rows
(``correction_takes``, ``item_adjustments``, ``correction_postings``, and the ``item_splits``
of the open items a returned check made, ``<number>-L<n>`` and ``<number>-FEE``).

A batch is kept, with why, while a correction it carries is still needed here:

- one of its item adjustments still counts in an open item's balance (``line_id`` after the
  item's ``paid_before_line``) or a plan's (after ``after_line``): the item would read as paid
  again, or unpaid;
- it made an open item that still has an amount due (or is on a plan), whose payments are
  split by the correction's ``item_splits`` row, not by the code's;
- it took back a receipt line that stays in the ledger (its receipt's batch is kept): the line
  would read as never taken back, and could be refunded again;
- it is the newest correction: SQLite would number the next one again, and the next closeout
  carries the corrections numbered after its previous batch's ``upto``.

The open items the returned checks made and the accounts' flags stay: they are the counter's
state, not the correction's record (a flag keeps its correction's id, which then names none).

These are only the SQL; ``ledger/retention.py`` asks them and deletes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: (batch, correction id) for each correction a batch of a business date before ``?`` carried.
_CARRIED = (
    "WITH carried(batch_id, correction_id) AS (SELECT b.id, json_extract(r.value, '$.id') "
    "FROM batches b, json_each(b.payload, '$.corrections.records') r "
    "WHERE b.business_date < ?) "
)
#: What an open item ``o`` has been paid here, as its balance counts it (ledger/items.py).
_PAID = (
    "(SELECT coalesce(sum(l.amount_cents), 0) FROM receipt_lines l JOIN receipts r ON "
    "r.id = l.receipt_id WHERE l.ref = o.ref AND l.id > o.paid_before_line AND "
    "r.created_at > o.as_of AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.receipt_id = "
    "l.receipt_id)) + (SELECT coalesce(sum(a.amount_cents), 0) FROM item_adjustments a "
    "WHERE a.ref = o.ref AND a.line_id > o.paid_before_line)"
)
#: The corrections a purge removes: ``:corrections``, a JSON array of their numbers.
_IDS = "SELECT id FROM corrections WHERE number IN (SELECT value FROM json_each(:corrections))"
_MADE = (
    "ref IN (SELECT s.ref FROM item_splits s JOIN corrections c ON substr(s.ref, 1, "
    "length(c.number) + 1) = c.number || '-' WHERE c.kind = 'returned_check' AND "
    f"c.id IN ({_IDS}))"
)
#: The tables emptied of the corrections removed, children before parents.
WHERE: tuple[tuple[str, str], ...] = (
    ("correction_takes", f"correction_id IN ({_IDS})"),
    ("item_adjustments", f"correction_id IN ({_IDS})"),
    ("correction_postings", f"correction_id IN ({_IDS})"),
    ("item_splits", _MADE),
    ("corrections", f"id IN ({_IDS})"),
)

Keep = Callable[[str, str, tuple[Any, ...]], None]
Query = Callable[[str, Any], list[tuple[Any, ...]]]


def why_kept(keep: Keep, cutoff: str) -> None:
    """The batches before ``cutoff`` kept for a correction they carry (``keep(sql, why,
    params)``; the last rule, the lines taken back, is :func:`keep_takes`)."""
    adjusted = (
        _CARRIED + "SELECT c.batch_id FROM carried c JOIN item_adjustments a ON "
        "a.correction_id = c.correction_id "
    )
    keep(
        adjusted + "JOIN open_items o ON o.ref = a.ref WHERE a.line_id > o.paid_before_line",
        "a correction it carries still counts in an open item's balance here",
        (cutoff,),
    )
    keep(
        adjusted + "JOIN plans p ON p.ref = a.ref WHERE a.line_id > p.after_line",
        "a correction it carries still counts in a payment plan",
        (cutoff,),
    )
    keep(
        _CARRIED + "SELECT c.batch_id FROM carried c JOIN corrections k ON k.id = "
        "c.correction_id JOIN item_splits s ON substr(s.ref, 1, length(k.number) + 1) = "
        "k.number || '-' JOIN open_items o ON o.ref = s.ref WHERE o.amount_due_cents > "
        f"{_PAID} OR EXISTS (SELECT 1 FROM plans p WHERE p.ref = o.ref)",
        "a returned check it carries made an open item that still has an amount due",
        (cutoff,),
    )
    keep(
        _CARRIED + "SELECT batch_id FROM carried WHERE correction_id = "
        "(SELECT max(id) FROM corrections)",
        "it carries the newest correction (SQLite would number the next one again)",
        (cutoff,),
    )


def keep_takes(
    q: Query, cutoff: str, why: dict[str, str], going: Callable[[], dict[str, str]]
) -> None:
    """Keep each batch carrying a correction that took back a line of a receipt that stays
    (its batch kept), until no more: a batch kept here may keep a receipt another one took
    back from.  ``going()``: the batches and sessions going as ``why`` stands, as JSON."""
    reason = "a correction it carries took back a receipt line that stays in the ledger"
    while True:
        gone = going()
        found = q(
            _CARRIED + "SELECT DISTINCT c.batch_id FROM carried c JOIN correction_takes t ON "
            "t.correction_id = c.correction_id JOIN receipt_lines l ON l.id = t.line_id "
            "JOIN receipts r ON r.id = l.receipt_id WHERE c.batch_id IN (SELECT value FROM "
            "json_each(?)) AND r.session_id NOT IN (SELECT value FROM json_each(?))",
            (cutoff, gone["batches"], gone["sessions"]),
        )
        if not found:
            return
        for (bid,) in found:
            why.setdefault(str(bid), reason)


def carried(q: Query, cutoff: str, batches: str) -> list[str]:
    """The numbers of the corrections the batches (a JSON array) carried, in order."""
    return [
        str(number)
        for (number,) in q(
            _CARRIED + "SELECT k.number FROM carried c JOIN corrections k ON k.id = "
            "c.correction_id WHERE c.batch_id IN (SELECT value FROM json_each(?)) ORDER BY k.id",
            (cutoff, batches),
        )
    ]


def sums(q: Query, ids: dict[str, str]) -> dict[str, int]:
    """The amounts of the corrections removed, by kind (cents)."""
    return {
        str(kind): int(cents)
        for kind, cents in q(
            f"SELECT kind, sum(amount_cents) FROM corrections WHERE id IN ({_IDS}) "
            "GROUP BY kind ORDER BY kind",
            ids,
        )
    }
