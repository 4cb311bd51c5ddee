"""What the counter records of an open item's program: contests of a citation and a payment
plan (programs.md; migration 0009). Both are append-only; the item's status is read from them
(``plan`` when it has a plan, ``appeal`` when it has a contest) over the imported one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.schema import (
    contests,
    corrections,
    item_adjustments,
    plan_instalments,
    plans,
    receipt_lines,
    receipts,
    voids,
)
from cashier_desk.money import Money
from cashier_desk.programs.plans import Instalment


@dataclass(frozen=True)
class Contest:
    number: str
    level: str  # review, hearing
    on: date  # the business date it was made


@dataclass(frozen=True)
class Plan:
    number: str
    ref: str
    on: date
    indigent: bool
    fee: Money
    fine: Money  # the item's principal in the plan (the code's split applies to it)
    penalty: Money  # the penalties in it (0.00 when waived)
    total: Money
    after_line: int
    instalments: tuple[Instalment, ...]
    after_correction: int = 0  # the newest correction's id when it was made (0013)


def contests_of(conn: sa.Connection, ref: str) -> list[Contest]:
    return contests_of_refs(conn, [ref]).get(ref, [])


# Built once: the counter's search runs them for every search (building costs more than running).
# Oldest first by business date: a contest another counter made earlier, brought later by
# ``sync pull``, is still the first (its date freezes the penalties).
_CONTESTS = (
    sa.select(contests.c.ref, contests.c.number, contests.c.level, contests.c.business_date)
    .where(contests.c.ref.in_(sa.bindparam("refs", expanding=True)))
    .order_by(contests.c.business_date, contests.c.created_at, contests.c.id)
)
_PLANS = sa.select(plans).where(plans.c.ref.in_(sa.bindparam("refs", expanding=True)))
_SCHEDULE = (
    sa.select(plan_instalments.c.due, plan_instalments.c.amount_cents)
    .where(plan_instalments.c.plan_id == sa.bindparam("plan_id"))
    .order_by(plan_instalments.c.n)
)
_PAID_AFTER = (
    sa.select(sa.func.coalesce(sa.func.sum(receipt_lines.c.amount_cents), 0))
    .select_from(receipt_lines.join(receipts, receipts.c.id == receipt_lines.c.receipt_id))
    .where(
        receipt_lines.c.ref == sa.bindparam("ref"),
        receipt_lines.c.id > sa.bindparam("line"),
        ~sa.exists().where(voids.c.receipt_id == receipt_lines.c.receipt_id),
    )
)
_ADJUSTED_AFTER = sa.select(
    sa.func.coalesce(sa.func.sum(item_adjustments.c.amount_cents), 0)
).where(
    item_adjustments.c.ref == sa.bindparam("ref"),
    item_adjustments.c.line_id > sa.bindparam("line"),
    item_adjustments.c.correction_id > sa.bindparam("correction"),
)


def contests_of_refs(conn: sa.Connection, refs: Sequence[str]) -> dict[str, list[Contest]]:
    """The contests of each of ``refs`` that has any, oldest first, in one query."""
    rows = conn.execute(_CONTESTS, {"refs": list(refs)})
    found: dict[str, list[Contest]] = {}
    for r in rows:
        found.setdefault(r.ref, []).append(
            Contest(r.number, r.level, date.fromisoformat(r.business_date))
        )
    return found


def add_contest(conn: sa.Connection, *, workstation: str, **values: object) -> str:
    """Record a contest; its number (``W1-C000001``)."""
    number = f"{workstation}-C{next_number(conn, workstation, 'contest'):06d}"
    conn.execute(contests.insert().values(number=number, workstation=workstation, **values))
    return number


#: A contest's columns as central keeps them (its batch's aside): what ``sync pull`` brings.
PULLED_CONTEST = ("number", "ref", "level", "business_date", "reason", "contact",
                  "inability_to_pay", "workstation", "actor", "approver", "created_at")  # fmt: skip


def take_pulled_contests(
    conn: sa.Connection, rows: Iterable[Mapping[str, Any]], workstation: str
) -> int:
    """Keep other workstations' contests that ``sync pull`` brought, each once (by its number:
    pulling again adds nothing); a row of ``workstation`` (this one) is never taken.  A
    closeout carries only this workstation's contests, so these never travel back.  How many
    were new here."""
    have = pulled_contest_numbers(conn, workstation)
    new: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["workstation"] != workstation and r["number"] not in have:
            new[r["number"]] = {k: r[k] for k in PULLED_CONTEST}
    if new:
        conn.execute(contests.insert(), list(new.values()))
    return len(new)


def pulled_contest_numbers(conn: sa.Connection, workstation: str) -> set[str]:
    """The numbers of the other workstations' contests this ledger holds."""
    mine = contests.c.workstation != workstation
    return set(conn.execute(sa.select(contests.c.number).where(mine)).scalars())


@dataclass(frozen=True)
class ContestRecord:
    """A contest as the processing agency gets it (the closeout's export)."""

    number: str
    ref: str
    level: str
    business_date: str
    reason: str
    contact: str
    inability_to_pay: bool
    workstation: str
    actor: str
    approver: str | None


def contests_on(conn: sa.Connection, workstation: str, day: str) -> list[ContestRecord]:
    """The contests this workstation recorded on a business date (the closeout's export)."""
    rows = conn.execute(
        sa.select(contests)
        .where(contests.c.workstation == workstation, contests.c.business_date == day)
        .order_by(contests.c.id)
    )
    return [
        ContestRecord(r.number, r.ref, r.level, r.business_date, r.reason, r.contact,
                      bool(r.inability_to_pay), r.workstation, r.actor, r.approver)
        for r in rows
    ]  # fmt: skip


def plan_of(conn: sa.Connection, ref: str) -> Plan | None:
    return plans_of_refs(conn, [ref]).get(ref)


def plans_of_refs(conn: sa.Connection, refs: Sequence[str]) -> dict[str, Plan]:
    """The plan of each of ``refs`` that has one (one query, and one more per plan)."""
    return {row.ref: _plan(conn, row) for row in conn.execute(_PLANS, {"refs": list(refs)})}


def _plan(conn: sa.Connection, row: sa.Row[Any]) -> Plan:
    schedule = conn.execute(_SCHEDULE, {"plan_id": row.id})
    return Plan(
        row.number,
        row.ref,
        date.fromisoformat(row.business_date),
        bool(row.indigent),
        Money(row.fee_cents),
        Money(row.fine_cents),
        Money(row.penalty_cents),
        Money(row.total_cents),
        row.after_line,
        tuple(Instalment(date.fromisoformat(d), Money(c)) for d, c in schedule),
        row.after_correction,
    )


def add_plan(
    conn: sa.Connection, plan: Plan, *, monthly: Money, workstation: str, **who: str
) -> str:
    """Record a plan and its schedule; its number (``W1-P000001``)."""
    number = f"{workstation}-P{next_number(conn, workstation, 'plan'):06d}"
    plan_id = conn.execute(
        plans.insert()
        .values(
            number=number,
            ref=plan.ref,
            business_date=plan.on.isoformat(),
            indigent=plan.indigent,
            monthly_cents=monthly.cents,
            fee_cents=plan.fee.cents,
            fine_cents=plan.fine.cents,
            penalty_cents=plan.penalty.cents,
            total_cents=plan.total.cents,
            after_line=plan.after_line,
            after_correction=plan.after_correction,
            workstation=workstation,
            **who,
        )
        .returning(plans.c.id)
    ).scalar_one()
    conn.execute(
        plan_instalments.insert(),
        [
            {"plan_id": plan_id, "n": n, "due": i.due.isoformat(), "amount_cents": i.amount.cents}
            for n, i in enumerate(plan.instalments, 1)
        ],
    )
    return number


def last_line(conn: sa.Connection) -> int:
    """The newest receipt line's id (0 when there is none)."""
    return int(
        conn.execute(sa.select(sa.func.coalesce(sa.func.max(receipt_lines.c.id), 0))).scalar_one()
    )


def last_correction(conn: sa.Connection) -> int:
    """The newest correction's id (0 when there is none).  Never numbered again: a retention
    purge keeps the newest correction."""
    return int(
        conn.execute(sa.select(sa.func.coalesce(sa.func.max(corrections.c.id), 0))).scalar_one()
    )


def paid_after(conn: sa.Connection, plan: Plan) -> Money:
    """What was paid on a plan: receipts not voided on lines after its ``after_line``, and
    what corrections made after it changed of its item (those before are in its total)."""
    given = {"ref": plan.ref, "line": plan.after_line, "correction": plan.after_correction}
    paid = conn.execute(_PAID_AFTER, given).scalar_one()
    adjusted = conn.execute(_ADJUSTED_AFTER, given).scalar_one()
    return Money(int(paid) + int(adjusted))


def for_batch(
    conn: sa.Connection, workstation: str, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What a closeout's batch carries to central of the counter's programs: every contest and
    plan this workstation recorded since its previous batch (the ids it went up to are kept in
    the payload, so each goes exactly once)."""
    before = (previous or {}).get("programs", {})
    since_c, since_p = int(before.get("contests_upto", 0)), int(before.get("plans_upto", 0))
    made = [
        dict(r)
        for r in conn.execute(
            sa.select(contests)
            .where(contests.c.workstation == workstation, contests.c.id > since_c)
            .order_by(contests.c.id)
        ).mappings()
    ]
    planned = []
    for r in conn.execute(
        sa.select(plans)
        .where(plans.c.workstation == workstation, plans.c.id > since_p)
        .order_by(plans.c.id)
    ).mappings():
        schedule = conn.execute(
            sa.select(plan_instalments.c.n, plan_instalments.c.due, plan_instalments.c.amount_cents)
            .where(plan_instalments.c.plan_id == r["id"])
            .order_by(plan_instalments.c.n)
        ).mappings()
        planned.append(dict(r) | {"instalments": [dict(i) for i in schedule]})
    return {
        "contests": made,
        "plans": planned,
        "contests_upto": made[-1]["id"] if made else since_c,
        "plans_upto": planned[-1]["id"] if planned else since_p,
    }
