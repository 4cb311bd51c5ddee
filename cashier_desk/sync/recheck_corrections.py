"""Central holds a batch's adjustments to the audit records it carries (issue 16; the part of
``recheck_detail`` for returned checks, refunds and transfers).

* every correction the payload carries (``corrections.records``) has its audit record — the
  action its kind, the target its number — with the same amount and the same revenue side
  (``gl``, zeros left out) as the correction's ``revenue`` postings;
* the open items a returned check made (``corrections.items``, published to the other
  workstations) are those its record names (``new_items`` and ``fee``), at their amounts;
* what each correction changed of existing open items (``adjusted``, published to the other
  workstations) is what its record says: a returned check's put-back amounts add up, by item,
  to its record's ``reinstated``; a transfer's to minus its amount on ``from_ref`` and its
  amount on ``to_ref`` (its record's), nothing on another item; a refund changes none; each
  ``part`` is ``split`` or ``other``;
* each clear of the certified-funds flag (``clears``) has its ``clear_certified_funds`` record
  (the target its account) with the same time when the record has one;
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
#: The audit action of a supervisor's clear of the certified-funds flag.
CLEAR = "clear_certified_funds"
#: The parts of an open item a correction changes.
PARTS = ("split", "other")


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
    found += _adjusted(carried, records)
    found += _clears(payload, records, lacks)
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


def _named(kind: str, rec: Mapping[str, Any]) -> dict[str, int | None] | None:
    """What a correction's record says it changed of existing open items, by item (put back
    negative); None when its record does not say (an older record)."""
    if kind == "refund":
        return {}
    if kind == "returned_check":
        said = rec.get("reinstated")
        if not isinstance(said, list):
            return None
        out: dict[str, int | None] = {}
        for r in said:
            ref, cents = str(r.get("ref")), _cents(r.get("amount"))
            before = out.get(ref, 0)
            out[ref] = None if cents is None or before is None else before - cents
        return out
    amount = _cents(rec.get("amount"))
    return {str(rec.get("from_ref")): None if amount is None else -amount,
            str(rec.get("to_ref")): amount}  # fmt: skip


def _adjusted(
    carried: Iterable[Mapping[str, Any]], records: Mapping[tuple[str, str], list[dict[str, Any]]]
) -> list[str]:
    """Each correction's ``adjusted`` against its record (a missing record is named above)."""
    found: list[str] = []
    for c in carried:
        kind, number = str(c.get("kind")), str(c.get("number"))
        if "adjusted" not in c:
            continue  # a batch made before carries none: nothing is published of it
        rows = c.get("adjusted") or []
        by_ref: dict[str, int] = {}
        bad = not isinstance(rows, list)
        for a in rows if not bad else ():
            cents = a.get("amount_cents") if isinstance(a, Mapping) else None
            if type(cents) is not int or a.get("part") not in PARTS or not a.get("ref"):
                bad = True
                break
            by_ref[str(a["ref"])] = by_ref.get(str(a["ref"]), 0) + cents
        if bad:
            found.append(f"correction {number}: an open item's change is not ref, part, cents")
            continue
        recs = records.get((kind, number))
        if kind not in KINDS or not recs:
            continue
        named = _named(kind, recs[-1])
        if named is None:
            continue  # a record that does not say: its amount and gl are held above
        if {r: v for r, v in by_ref.items() if v} != {r: v for r, v in named.items() if v != 0}:
            found.append(
                f"correction {number}: changes open items by "
                f"{ {r: _money(v) for r, v in sorted(by_ref.items())} } — its {kind} record "
                f"says { {r: _money(v) for r, v in sorted(named.items())} }"
            )
    return found


def _clears(
    payload: Mapping[str, Any],
    records: Mapping[tuple[str, str], list[dict[str, Any]]],
    lacks: Callable[[str], None],
) -> list[str]:
    """Each carried clear of the certified-funds flag against its audit record."""
    found: list[str] = []
    for x in (payload.get("corrections") or {}).get("clears") or ():
        account = x.get("account") if isinstance(x, Mapping) else None
        at, actor = (x.get("set_at"), x.get("actor")) if isinstance(x, Mapping) else (None, None)
        if not all(isinstance(v, str) and v for v in (account, at, actor)):
            found.append(f"a clear of the certified-funds flag is not account, time, actor: {x}")
            continue
        recs = records.get((CLEAR, str(account)))
        if not recs:
            lacks(f"the clear of account {account}'s flag has no {CLEAR} record")
            continue
        times = [r.get("at") for r in recs]
        if None not in times and at not in times:
            found.append(f"the clear of account {account}'s flag at {at}: its records say {times}")
    return found
