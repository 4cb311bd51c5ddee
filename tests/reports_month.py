"""A generated month for the reports' tests (issue 17): three workstations, each open five days
of November 2026 with a few sales a day — fixed fees, open amounts, late citations (fine and
penalty lines under the citation's code), cash with change, cash rounding at W2, checks, money
orders, cards, a voided receipt on some days — each day counted exactly and closed out; and the
figures the reports must show, computed here in plain Python from the ledgers' own rows."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.demo import DEMO_DIR
from cashier_desk.ledger import schema as s
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from tests.helpers import FakeClock, import_city

DAYS = ("2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30")
WORKSTATIONS = ("W1", "W2", "W3")
LEAD = {"approver": "lee", "approver_pin": "1111"}
CASHIERS = (("amy", "4821"), ("bob", "2468"))
STATE = "250-0000-22010=3.00;250-0000-22020=4.50;250-0000-22030=5.00;101-0000-41300"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    f'PKG-CIT,Parking citation,PARKING,"{STATE}",open,,no,citation\n'
)
ITEMS_HEAD = "ref,program,account,name,address,amount_due,due_date,revenue_code,status,issued\n"


def citation_refs(ws: str) -> list[str]:
    return [f"PC-{ws}-{n}" for n in range(1, 9)]


def _items(ws: str) -> str:
    rows = [
        f"{ref},PARKING,7{ws}{n},Driver {ws} {n},{n} Elm St,50.00,2026-11-01,PKG-CIT,open,"
        "2026-10-15\n"
        for n, ref in enumerate(citation_refs(ws), 1)
    ]
    return ITEMS_HEAD + "".join(rows)


@dataclass
class Workstation:
    app: App
    clock: FakeClock
    closeouts: dict[str, dict[str, Any]] = field(default_factory=dict)
    sales: list[dict[str, Any]] = field(default_factory=list)  # every sale's result
    voided: set[str] = field(default_factory=set)


def _ok(app: App, op: dict[str, Any]) -> dict[str, Any]:
    result = run_op(app.desk, op)
    assert result["ok"], (op, result)
    return result


def _sale_items(rng: random.Random, refs: list[str]) -> list[tuple[list[dict[str, Any]], str]]:
    """A day's sales: (items, tender kind)."""
    sales: list[tuple[list[dict[str, Any]], str]] = []
    for _ in range(rng.randint(4, 6)):
        pick = rng.random()
        if pick < 0.15 and refs:
            items: list[dict[str, Any]] = [{"ref": refs.pop()}]
        elif pick < 0.4:
            items = [{"code": "DOG-LIC", "qty": rng.randint(1, 3)}]
        elif pick < 0.6:
            items = [{"code": "MISC", "amount": f"{rng.randint(100, 9999) / 100:.2f}"}]
        elif pick < 0.8:
            items = [{"code": "PKG-PRM-RES", "qty": 1},
                     {"code": "MISC", "amount": f"{rng.randint(1, 999) / 100:.2f}"}]  # fmt: skip
        else:
            items = [{"code": "PKG-PRM-VIS", "qty": rng.randint(1, 5)}]
        sales.append((items, rng.choice(("cash", "cash", "check", "money_order", "card"))))
    return sales


def _tender(kind: str, total: Money, n: int) -> dict[str, str]:
    if kind == "cash":  # a round amount: change given
        paid = Money((total.cents // 1000 + 1) * 1000)
        return {"type": "cash", "amount": str(paid)}
    if kind == "check":
        return {"type": "check", "amount": str(total), "number": f"{1000 + n}"}
    if kind == "money_order":
        return {"type": "money_order", "amount": str(total), "number": f"MO-{n}"}
    return {"type": "card", "amount": str(total), "auth": f"A{n:05d}", "last4": "4242"}


def _run_day(ws: Workstation, name: str, day: str, n_day: int) -> None:
    app = ws.app
    ws.clock.now = datetime.fromisoformat(f"{day}T16:00:00+00:00")
    rng = random.Random(f"{name}-{day}")
    login, pin = CASHIERS[n_day % 2]
    _ok(app, {"op": "login", "user": login, "pin": pin})
    _ok(app, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    unpaid = [r for r in citation_refs(name) if r not in {x for x in _paid_refs(ws)}]
    cash = Money(0)
    checks: list[dict[str, str]] = []
    orders: list[dict[str, str]] = []
    card = Money(0)
    today: list[tuple[dict[str, Any], dict[str, str]]] = []
    for n, (items, kind) in enumerate(_sale_items(rng, unpaid[:1]), 1):
        quote: dict[str, Any] = {"op": "quote", "items": items}
        if kind == "cash":
            quote["tender"] = "cash"
        quoted = _ok(app, quote)
        tender = _tender(kind, Money.parse(quoted["total"]), n_day * 100 + n)
        result = _ok(app, {"op": "sale", "items": items, "tenders": [tender]})
        result["items"] = items
        ws.sales.append(result)
        today.append((result, tender))
    if n_day % 2 == 0:  # the day's last sale voided
        last, _ = today.pop()
        _ok(app, {"op": "void", "receipt": last["receipt"], "reason": "keyed twice", **LEAD})
        ws.voided.add(last["receipt"])
    for result, tender in today:
        amount = Money.parse(tender["amount"])
        if tender["type"] == "cash":
            cash += amount - Money.parse(result["change"])
        elif tender["type"] == "check":
            checks.append({"number": tender["number"], "amount": tender["amount"]})
        elif tender["type"] == "money_order":
            orders.append({"number": tender["number"], "amount": tender["amount"]})
        else:
            card += amount
    in_drawer = cash + Money(10000)
    counted = {"cash": {"1.00": in_drawer.cents // 100, "0.01": in_drawer.cents % 100},
               "checks": checks, "money_orders": orders, "card": str(card)}  # fmt: skip
    closed = _ok(app, {"op": "close_drawer", "counted": counted})
    assert not closed["needs_approval"], closed
    _ok(app, {"op": "logout"})
    ws.closeouts[day] = _ok(app, {"op": "closeout", "date": day, **LEAD})


def _paid_refs(ws: Workstation) -> Iterable[str]:
    for sale in ws.sales:
        for item in sale["items"]:
            if "ref" in item:
                yield item["ref"]


def build_month(
    make_app: Callable[..., App], tmp_path: Path, central_url: Callable[[str], str] | None = None
) -> dict[str, Workstation]:
    """The month at W1, W2 (cash rounding to 0.05) and W3; each workstation's relay talks to
    ``central_url(ws)`` when given."""
    made: dict[str, Workstation] = {}
    for name in WORKSTATIONS:
        clock = FakeClock(datetime(2026, 11, 1, 16, 0, tzinfo=UTC))
        folder = name.lower()
        if name == "W2":
            first = make_app(folder, workstation=name, clock=clock)
            first.close()
            (first.data_dir / "config.toml").write_text(
                '[policy]\ncash_rounding = "0.05"\n', encoding="utf-8"
            )
        app = make_app(folder, workstation=name, clock=clock)
        if central_url is not None:
            assert app.desk.relay is not None
            app.desk.relay.central_url = central_url(name)
        files = tmp_path / f"files-{folder}"
        files.mkdir()
        import_city(app, files, CODES, _items(name))
        ws = Workstation(app, clock)
        for n_day, day in enumerate(DAYS):
            _run_day(ws, name, day, n_day)
        made[name] = ws
    return made


def demo_codes_file() -> Path:
    return DEMO_DIR / "revenue_codes.csv"


# -- the figures, computed in Python from the ledger's rows -------------------------------


def expected_stats(apps: Iterable[App], date_from: str, date_to: str, by: str) -> dict[str, Any]:
    """``report stats`` as the contract counts it, from every row of the ledgers (no SQL
    aggregate: each row read and added up here)."""
    keys: dict[str, list[int]] = {}
    receipts_seen: dict[str, set[Any]] = {}
    total_count = 0
    total_amount = 0
    for app in apps:
        with app.ledger.read() as conn:
            voided = {r.receipt_id for r in conn.execute(sa.select(s.voids))}
            live = {
                r.id: r
                for r in conn.execute(sa.select(s.receipts))
                if r.id not in voided and date_from <= r.business_date <= date_to
            }
            program = {r.code: r.program for r in conn.execute(sa.select(s.revenue_codes))}
            lines = [r for r in conn.execute(sa.select(s.receipt_lines)) if r.receipt_id in live]
            given = [r for r in conn.execute(sa.select(s.tenders)) if r.receipt_id in live]
        ws = app.desk.workstation
        if by in ("code", "program"):
            for line in lines:
                if line.code == "":
                    key = "(rounding)"
                else:
                    key = line.code if by == "code" else program.get(line.code, "(unknown)")
                k = keys.setdefault(key, [0, 0])
                k[0] += 1
                k[1] += line.amount_cents
                total_count += 1
                total_amount += line.amount_cents
            continue
        for rid, r in live.items():
            amount = sum(x.amount_cents for x in lines if x.receipt_id == rid)
            total_count += 1
            total_amount += amount
            if by == "tender":
                kinds: dict[str, int] = {}
                for t in given:
                    if t.receipt_id == rid:
                        kinds[t.kind] = kinds.get(t.kind, 0) + t.amount_cents
                if r.change_cents:
                    kinds["cash"] -= r.change_cents
                for kind, cents in kinds.items():
                    k = keys.setdefault(kind, [0, 0])
                    k[1] += cents
                    receipts_seen.setdefault(kind, set()).add((ws, rid))
                continue
            key = {"cashier": r.cashier, "day": r.business_date, "month": r.business_date[:7]}[by]
            k = keys.setdefault(key, [0, 0])
            k[0] += 1
            k[1] += amount
    for kind, seen in receipts_seen.items():
        keys[kind][0] = len(seen)
    return {
        "from": date_from,
        "to": date_to,
        "by": by,
        "rows": [
            {"key": key, "count": c, "amount": str(Money(a))}
            for key, (c, a) in sorted(keys.items())
            if c
        ],
        "total": {"count": total_count, "amount": str(Money(total_amount))},
    }
