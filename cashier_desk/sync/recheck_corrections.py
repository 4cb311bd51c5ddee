"""Central holds a batch's adjustments to the audit records it carries (issue 16; the part of
``recheck`` for returned checks, refunds and transfers).

* every correction the payload carries (``corrections.records``) has its audit record — the
  action its kind, the target its number — with the same amount and the same revenue side
  (``gl``, zeros left out) as the correction's ``revenue`` postings;
* the open items a returned check made (``corrections.items``, published to the other
  workstations) are those its record names (``new_items`` and ``fee``), at their amounts;
* the summary's ``adjustments`` is what those corrections add up to: each kind's amount and the
  ``gl`` by account (zeros left out); a batch carrying corrections without ``adjustments``, or
  ``adjustments`` without corrections, is refused.

So an adjustment edited in the payload (or the outbox) is refused like an edited receipt."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cashier_desk.money import Money

#: A correction's kind (its audit action) and its key in a batch's ``adjustments``.
KINDS = {"returned_check": "returned_checks", "refund": "refunds", "transfer": "transfers"}


def _cents(text: Any) -> int | None:
    try:
        return Money.parse(str(text)).cents
    except (ValueError, TypeError, ArithmeticError):
        return None


def _gl(said: Any) -> dict[str, int | None]:
    if not isinstance(said, Mapping):
        return {"?": None}
    return {str(a): _cents(v) for a, v in said.items() if _cents(v) != 0}


def _revenue(postings: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in postings:
        if p.get("side") == "revenue":
            out[str(p["account"])] = out.get(str(p["account"]), 0) + int(p["amount_cents"])
    return {a: v for a, v in out.items() if v}


def _money(cents: int | None) -> str:
    return "?" if cents is None else str(Money(cents))


def problems(
    payload: Mapping[str, Any],
    records: Mapping[tuple[str, str], list[dict[str, Any]]],
    lacks: Callable[[str], None],
) -> list[str]:
    """What of the batch's adjustments does not match its corrections or their records."""
    found: list[str] = []
    carried = (payload.get("corrections") or {}).get("records") or []
    amounts = dict.fromkeys(KINDS.values(), 0)
    gl: dict[str, int] = {}
    for c in carried:
        kind, number = str(c.get("kind")), str(c.get("number"))
        if kind not in KINDS:
            found.append(f"correction {number}: no kind {kind!r}")
            continue
        cents = int(c["amount_cents"])
        amounts[KINDS[kind]] += cents
        revenue = _revenue(c.get("postings") or ())
        for account, v in revenue.items():
            gl[account] = gl.get(account, 0) + v
        recs = records.get((kind, number))
        if not recs:
            lacks(f"correction {number} has no {kind} record")
            continue
        rec = recs[-1]
        if _cents(rec.get("amount")) != cents or _gl(rec.get("gl")) != revenue:
            found.append(
                f"correction {number}: {_money(cents)}, gl "
                f"{ {a: _money(v) for a, v in sorted(revenue.items())} } — its {kind} record "
                f"says {rec.get('amount')}, gl {rec.get('gl')}"
            )
    found += _items(payload, records)
    said = payload["summary"].get("adjustments")
    if not said:
        if carried:
            found.append(f"the batch carries {len(carried)} correction(s) but no adjustments")
        return found
    if not carried:
        return [*found, "the summary has adjustments but the batch carries no corrections"]
    for key, cents in amounts.items():
        if _cents(said.get(key)) != cents:
            found.append(
                f"the adjustments say {key} {said.get(key)}, its corrections add up to "
                f"{_money(cents)}"
            )
    if _gl(said.get("gl")) != {a: v for a, v in gl.items() if v}:
        found.append("the adjustments' gl is not what its corrections' revenue side adds up to")
    return found


def _items(
    payload: Mapping[str, Any], records: Mapping[tuple[str, str], list[dict[str, Any]]]
) -> list[str]:
    """The carried open items against their returned checks' records."""
    carried = payload.get("corrections") or {}
    named: dict[str, int | None] = {}
    for c in carried.get("records") or ():
        recs = records.get(("returned_check", str(c.get("number"))))
        if c.get("kind") != "returned_check" or not recs:
            continue  # a missing record is named above
        rec = recs[-1]
        for item in [*(rec.get("new_items") or ()), rec.get("fee") or {}]:
            if isinstance(item, Mapping) and item.get("ref"):
                named[str(item["ref"])] = _cents(item.get("amount"))
    items = {str(i.get("ref")): i.get("amount_due_cents") for i in carried.get("items") or ()}
    if items == named:
        return []
    wrong = sorted(r for r in set(items) | set(named) if items.get(r) != named.get(r))
    return [f"the open items its returned checks made differ from their records: {wrong[:5]}"]
