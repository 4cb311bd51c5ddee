"""What a closeout batch carries of the corrections after the closeout (issue 16): the batch's
``adjustments`` (the amounts by kind and the revenue side's GL), and the payload's
``corrections`` — each correction made here since the previous batch with its GL rows and what
it changed of existing open items (``adjusted``: a returned check's put-back amounts, a
transfer's moved ones), the open items returned checks made (``items``), and the supervisors'
clears of the certified-funds flag made here (``clears``) — for central and, through it, the
other workstations' ``sync pull``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.corrections import ADJUSTMENT_KEYS, CLEARED
from cashier_desk.ledger.schema import (
    account_flags,
    correction_postings,
    corrections,
    item_adjustments,
    item_splits,
    open_items,
)
from cashier_desk.money import Money


@dataclass(frozen=True)
class RefundRequest:
    request: str
    business_date: str
    receipt: str
    payee: str
    address: str
    amount: Money
    method: str
    auth: str
    reason: str
    gl: Mapping[str, Money]


@dataclass(frozen=True)
class ReturnedCheck:
    """A returned check as the closeout's export lists it for the bank reconciliation."""

    number: str
    business_date: str  # the day it was entered
    receipt: str
    check_number: str
    account: str
    amount: Money
    fee_ref: str
    fee: Money
    reason: str


def _returned(c: Mapping[str, Any]) -> ReturnedCheck:
    return ReturnedCheck(
        c["number"], c["business_date"], c["receipt_no"], c["check_number"] or "",
        c["account"] or "", Money(int(c["amount_cents"])),
        c["fee_ref"] or (f"{c['number']}-FEE" if c["fee_cents"] else ""),  # the fee's item
        Money(int(c["fee_cents"] or 0)), c["reason"],
    )  # fmt: skip


@dataclass(frozen=True)
class Adjustments:
    """What a closeout batch carries of corrections: the amounts by kind, the revenue side's
    GL (``gl``, as the contract shows it), the offsets (bank, accounts payable) and the
    refunds' requests."""

    amounts: Mapping[str, Money]
    gl: Mapping[str, Money]
    offsets: Mapping[str, Money]
    refunds: tuple[RefundRequest, ...] = ()
    returned: tuple[ReturnedCheck, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            **{k: str(m) for k, m in self.amounts.items()},
            "gl": {a: str(m) for a, m in self.gl.items()},
        }


def _request(c: Mapping[str, Any]) -> RefundRequest:
    """A refund's accounts-payable request from its row as a batch carries it."""
    mine: dict[str, int] = {}
    for p in c.get("postings", ()):
        if p["side"] == "revenue":
            _sum_into(mine, p["account"], int(p["amount_cents"]))
    return RefundRequest(
        c["number"], c["business_date"], c["receipt_no"], c["payee"] or "", c["address"] or "",
        Money(int(c["amount_cents"])), c["method"] or "", c["auth"] or "", c["reason"],
        {a: Money(v) for a, v in mine.items()},
    )  # fmt: skip


def _sum_into(into: dict[str, int], account: str, cents: int) -> None:
    into[account] = into.get(account, 0) + cents


def for_batch(
    conn: sa.Connection, workstation: str, previous: Mapping[str, Any] | None
) -> tuple[Adjustments | None, dict[str, Any]]:
    """The corrections this workstation made since its previous batch: the batch's
    ``adjustments`` (None when there are none) and what the payload carries of them (the
    rows, and the ids they go up to, so each goes exactly once)."""
    before = (previous or {}).get("corrections", {})
    since = int(before.get("upto", 0))
    clears, clears_upto = _clears(conn, int(before.get("clears_upto", 0)))
    also = ({"clears": clears} if clears else {}) | (
        {"clears_upto": clears_upto} if clears_upto else {}
    )
    made = [
        dict(r)
        for r in conn.execute(
            sa.select(corrections)
            .where(corrections.c.workstation == workstation, corrections.c.id > since)
            .order_by(corrections.c.id)
        ).mappings()
    ]
    if not made:
        return None, {"upto": since, "records": []} | also
    postings: dict[int, list[dict[str, Any]]] = {c["id"]: [] for c in made}
    for row in conn.execute(
        sa.select(correction_postings)
        .where(correction_postings.c.correction_id.in_(list(postings)))
        .order_by(correction_postings.c.id)
    ).mappings():
        postings[row["correction_id"]].append(dict(row))
    adjusted = _adjusted(conn, list(postings))
    amounts = {key: 0 for key in ADJUSTMENT_KEYS.values()}
    gl: dict[str, int] = {}
    offsets: dict[str, int] = {}
    refunds = []
    for c in made:
        amounts[ADJUSTMENT_KEYS[c["kind"]]] += int(c["amount_cents"])
        for p in postings[c["id"]]:
            side = gl if p["side"] == "revenue" else offsets
            _sum_into(side, p["account"], int(p["amount_cents"]))
        c["postings"] = postings[c["id"]]
        c["adjusted"] = adjusted.get(c["id"], [])
        if c["kind"] == "refund":
            refunds.append(_request(c))
    adjustments = Adjustments(
        {k: Money(v) for k, v in amounts.items()},
        {a: Money(v) for a, v in sorted(gl.items()) if v},
        {a: Money(v) for a, v in sorted(offsets.items()) if v},
        tuple(refunds),
        tuple(_returned(c) for c in made if c["kind"] == "returned_check"),
    )
    carried = {"upto": made[-1]["id"], "records": made,
               "offsets": {a: str(m) for a, m in adjustments.offsets.items()}}  # fmt: skip
    items = _made_items(conn, [c["number"] for c in made if c["kind"] == "returned_check"])
    return adjustments, carried | ({"items": items} if items else {}) | also


def _adjusted(conn: sa.Connection, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """What each of these corrections changed of existing open items (its ``item_adjustments``
    in order: ref, part and amount; put back negative, a transfer's payment positive)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(
        sa.select(item_adjustments)
        .where(item_adjustments.c.correction_id.in_(list(ids)))
        .order_by(item_adjustments.c.id)
    ).mappings():
        out.setdefault(int(r["correction_id"]), []).append(
            {"ref": r["ref"], "part": r["part"], "amount_cents": int(r["amount_cents"])}
        )
    return out


def _clears(conn: sa.Connection, since: int) -> tuple[list[dict[str, Any]], int]:
    """The supervisors' clears of the certified-funds flag made here (``CLEARED`` rows; a
    clear ``sync pull`` brought has a flag of its own and never travels back) since the row
    ``since``, and the row they go up to."""
    rows = conn.execute(
        sa.select(account_flags.c.id, account_flags.c.account, account_flags.c.set_at,
                  account_flags.c.actor)
        .where(account_flags.c.flag == CLEARED, account_flags.c.id > since)
        .order_by(account_flags.c.id)
    ).all()  # fmt: skip
    made = [{"account": r.account, "set_at": r.set_at, "actor": r.actor} for r in rows]
    return made, (int(rows[-1].id) if rows else since)


#: What a batch carries of an open item a returned check made (its own split in ``gl``).
ITEM_KEYS = ("ref", "program", "account", "name", "address", "amount_due_cents", "due_date",
             "revenue_code")  # fmt: skip


def _made_items(conn: sa.Connection, numbers: Sequence[str]) -> list[dict[str, Any]]:
    """The open items these returned checks made (``<number>-L<n>``, ``<number>-FEE``), as
    written, for other workstations (``sync pull``)."""
    if not numbers:
        return []
    query = (
        sa.select(*(open_items.c[k] for k in ITEM_KEYS), item_splits.c.gl)
        .outerjoin(item_splits, item_splits.c.ref == open_items.c.ref)
        .where(sa.or_(*(open_items.c.ref.like(f"{n}-%") for n in numbers)))
        .order_by(open_items.c.ref)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def read_back(payload: Mapping[str, Any]) -> Adjustments | None:
    """A batch's adjustments as its payload carries them (None: it has none)."""
    said = payload.get("summary", {}).get("adjustments")
    if not said:
        return None
    carried = payload.get("corrections", {})
    records = carried.get("records", ())
    return Adjustments(
        {k: Money.parse(v) for k, v in said.items() if k != "gl"},
        {a: Money.parse(v) for a, v in said.get("gl", {}).items()},
        {a: Money.parse(v) for a, v in carried.get("offsets", {}).items()},
        tuple(_request(c) for c in records if c["kind"] == "refund"),
        tuple(_returned(c) for c in records if c["kind"] == "returned_check"),
    )


def pending(conn: sa.Connection, workstation: str, previous: Mapping[str, Any] | None) -> bool:
    """Whether this workstation made corrections (or clears of the certified-funds flag) its
    batches do not carry yet."""
    before = (previous or {}).get("corrections", {})
    since = int(before.get("upto", 0))
    found = conn.execute(
        sa.select(corrections.c.id).where(
            corrections.c.workstation == workstation, corrections.c.id > since
        )
    ).first()
    return found is not None or bool(_clears(conn, int(before.get("clears_upto", 0)))[0])
