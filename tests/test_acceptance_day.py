"""Black-box acceptance test of a whole counter day, driven through the headless CLI.

Written purely from the contract in ``spec/headless.md`` (and PRODUCT.md F1, F2, F6). Nothing
from ``cashier_desk`` is imported: the application is run as a subprocess
(``python -m cashier_desk --data-dir DIR --workstation W1 ...``) and its JSON output is compared
with an independent reference model that lives in this file.

The scripted day (generated from a seeded ``random.Random``):

* amy (cashier) opens drawer D1, takes ~28 sales (cash with change, split tenders, open-item
  payments full and partial), a no-sale, a drop, a void approved by lee, closes BLIND with a cash
  shortage beyond the 5.00 tolerance (needs approval), lee approves the close, amy logs out;
* bob (cashier) opens D2, takes ~26 sales (including paying the rest of amy's partial payment
  and the bill whose payment was voided), one refused sale (``expect: error``), a paid-out to a
  GL account, a no-sale, a drop, closes BLIND exactly, logs out;
* pat (lead, worked no drawer) runs the closeout for today.

The model computes every figure the contract defines (sale total and change, over/short per
tender and needs_approval at close, the closeout's receipts, voids, tenders, gl and deposit) and
the test asserts the CLI prints exactly that, money as strings with exactly two decimals.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import pytest

# --------------------------------------------------------------------------------------------
# Money helpers
# --------------------------------------------------------------------------------------------

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_RE = re.compile(r"^-?\d+\.\d{2}$")
RECEIPT_RE = re.compile(r"^W1-\d{6}$")
TENDER_TYPES = ("cash", "check", "money_order", "card")
DENOMINATIONS = tuple(
    Decimal(d)
    for d in ("100.00", "50.00", "20.00", "10.00", "5.00", "1.00", "0.25", "0.10", "0.05", "0.01")
)
TOLERANCE = Decimal("5.00")
OVER_SHORT_ACCOUNT = "101-0000-49900"


def m(value: str | int | Decimal) -> Decimal:
    """A money value as a Decimal with two places."""
    return Decimal(value).quantize(CENT)


def fmt(value: Decimal) -> str:
    """Money as the contract prints it: exactly two decimals, no negative zero."""
    q = value.quantize(CENT)
    if q == 0:
        q = ZERO
    return f"{q:.2f}"


def cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def from_cents(n: int) -> Decimal:
    return (Decimal(n) / 100).quantize(CENT)


# --------------------------------------------------------------------------------------------
# Reference data (fixtures written as CSV into tmp_path)
# --------------------------------------------------------------------------------------------

REVENUE_CODES_CSV = """\
code,description,program,gl,fee_type,amount,partial_allowed
PARK-CIT,Parking citation,parking,250-0000-22010=4.50;250-0000-22020=3.00;101-0000-41300,\
fixed,45.00,no
BUS-LIC,Business licence renewal,business,101-0000-22050=4.00;101-0000-41200,fixed,85.00,no
PERMIT-PKG,Residential parking permit,parking,101-0000-42300,fixed,30.00,no
DOG-LIC,Dog licence,animal,101-0000-22030=1.00;101-0000-41100,per_unit,15.00,no
COPY,Photocopies,clerk,101-0000-43100,per_unit,0.25,no
MISC,Miscellaneous revenue,general,101-0000-46900,open,,no
FILING,Filing fee,clerk,101-0000-22060=3.00;101-0000-22070=2.50;101-0000-42200,open,,no
UTIL,Utility bill payment,utilities,510-0000-34100,open,,yes
"""

USERS_CSV = """\
login,name,role,pin
amy,Amy Alvarez,cashier,4821
bob,Bob Brandt,cashier,2468
lee,Lee Lindqvist,lead,1111
pat,Pat Okafor,lead,2222
"""

OPEN_ITEMS_CSV = """\
ref,program,account,name,address,amount_due,due_date,revenue_code,status
UB-100231,utilities,4410-0231,Rosa Diaz,12 Elm St,82.15,2026-12-01,UTIL,open
UB-100232,utilities,4410-0232,Ken Ito,14 Elm St,146.80,2026-12-01,UTIL,open
UB-100233,utilities,4410-0233,Maria Lopez,3 Oak Ave,63.42,2026-12-03,UTIL,open
UB-100234,utilities,4410-0234,Sam Green,7 Oak Ave,210.05,2026-12-03,UTIL,open
UB-100235,utilities,4410-0235,Ana Silva,9 Pine Rd,38.90,2026-12-05,UTIL,open
UB-100236,utilities,4410-0236,Tom Baker,11 Pine Rd,119.99,2026-12-05,UTIL,open
UB-100240,utilities,4410-0240,Joe Hold,1 Hold Ln,75.00,2026-11-01,UTIL,hold
PC-5501,parking,PC-5501,Lee Chan,,45.00,2026-12-10,PARK-CIT,open
PC-5502,parking,PC-5502,Ivy Park,,45.00,2026-12-10,PARK-CIT,open
PC-5503,parking,PC-5503,Max Roy,,90.00,2026-11-15,PARK-CIT,open
"""


@dataclass(frozen=True)
class RevenueCode:
    code: str
    fee_type: str
    amount: Decimal | None
    gl_fixed: tuple[tuple[str, Decimal], ...]
    gl_rest: str
    partial_allowed: bool


@dataclass
class OpenItem:
    ref: str
    revenue_code: str
    due: Decimal
    status: str


def parse_gl(spec: str) -> tuple[tuple[tuple[str, Decimal], ...], str]:
    fixed: list[tuple[str, Decimal]] = []
    rest: list[str] = []
    for part in spec.split(";"):
        if "=" in part:
            account, amount = part.split("=")
            fixed.append((account, m(amount)))
        else:
            rest.append(part)
    assert len(rest) == 1, spec
    return tuple(fixed), rest[0]


def load_codes() -> dict[str, RevenueCode]:
    codes: dict[str, RevenueCode] = {}
    for line in REVENUE_CODES_CSV.splitlines()[1:]:
        code, _desc, _program, gl, fee_type, amount, partial = line.split(",")
        fixed, rest = parse_gl(gl)
        codes[code] = RevenueCode(
            code=code,
            fee_type=fee_type,
            amount=m(amount) if amount else None,
            gl_fixed=fixed,
            gl_rest=rest,
            partial_allowed=partial == "yes",
        )
    return codes


def load_open_items() -> dict[str, OpenItem]:
    items: dict[str, OpenItem] = {}
    for line in OPEN_ITEMS_CSV.splitlines()[1:]:
        cols = line.split(",")
        items[cols[0]] = OpenItem(ref=cols[0], revenue_code=cols[7], due=m(cols[5]), status=cols[8])
    return items


# --------------------------------------------------------------------------------------------
# Independent reference model
# --------------------------------------------------------------------------------------------


def add_to(target: dict[str, Decimal], account: str, amount: Decimal) -> None:
    target[account] = target.get(account, ZERO) + amount


def distribute(code: RevenueCode, line_amount: Decimal, qty: int) -> dict[str, Decimal]:
    """Contract: fixed parts (x qty) first, in the order written, each capped by what is left of
    the line; the bare account takes the remainder."""
    out: dict[str, Decimal] = {}
    left = line_amount
    for account, per_item in code.gl_fixed:
        part = min(per_item * qty, left)
        add_to(out, account, part)
        left -= part
    add_to(out, code.gl_rest, left)
    return out


@dataclass
class Receipt:
    number: str
    session: str  # model session key (drawer id)
    total: Decimal
    change: Decimal
    tenders: dict[str, Decimal]
    checks: list[tuple[str, Decimal]]
    money_orders: list[tuple[str, Decimal]]
    gl: dict[str, Decimal]
    payments: list[tuple[str, Decimal]]  # (open item ref, amount) to restore on void
    voided: bool = False


@dataclass
class Session:
    key: str
    cashier: str
    opening: Decimal
    drops: Decimal = ZERO
    paid_outs: list[tuple[Decimal, str]] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    closed: bool = False
    counted_cash: Decimal = ZERO
    counted: dict[str, Decimal] = field(default_factory=dict)
    over_short: dict[str, Decimal] = field(default_factory=dict)

    def live(self) -> list[Receipt]:
        return [r for r in self.receipts if not r.voided]

    def expected(self) -> dict[str, Decimal]:
        """tenders.X.expected for this session (cash net of change, minus paid-outs)."""
        exp = dict.fromkeys(TENDER_TYPES, ZERO)
        for r in self.live():
            for t, amount in r.tenders.items():
                exp[t] += amount
            exp["cash"] -= r.change
        exp["cash"] -= sum((a for a, _ in self.paid_outs), ZERO)
        return exp

    def cash_in_drawer(self) -> Decimal:
        """What the drawer should physically hold right now."""
        return self.opening + self.expected()["cash"] - self.drops


class DayModel:
    def __init__(self) -> None:
        self.codes = load_codes()
        self.items = load_open_items()
        self.receipts: list[Receipt] = []
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None

    # ---- drawer --------------------------------------------------------------------------
    def open_drawer(self, key: str, cashier: str, opening: Decimal) -> None:
        assert self.current is None
        self.current = Session(key=key, cashier=cashier, opening=opening)
        self.sessions[key] = self.current

    def session(self) -> Session:
        assert self.current is not None
        return self.current

    def line(self, item: Mapping[str, Any]) -> tuple[Decimal, dict[str, Decimal], str | None]:
        """(line amount, gl distribution, open item ref) of a valid sale item."""
        if "ref" in item:
            oi = self.items[item["ref"]]
            assert oi.status == "open" and oi.due > 0
            amount = m(item["amount"]) if "amount" in item else oi.due
            code = self.codes[oi.revenue_code]
            assert amount <= oi.due
            assert amount == oi.due or code.partial_allowed
            return amount, distribute(code, amount, 1), oi.ref
        code = self.codes[item["code"]]
        qty = int(item.get("qty", 1))
        if code.fee_type == "open":
            amount = m(item["amount"]) * qty
        else:
            assert code.amount is not None
            amount = code.amount * qty
        return amount, distribute(code, amount, qty), None

    def sale_total(self, items: Sequence[Mapping[str, Any]]) -> Decimal:
        return sum((self.line(i)[0] for i in items), ZERO)

    def sale(
        self, items: Sequence[Mapping[str, Any]], tenders: Sequence[Mapping[str, Any]]
    ) -> Receipt:
        s = self.session()
        total = ZERO
        gl: dict[str, Decimal] = {}
        payments: list[tuple[str, Decimal]] = []
        for item in items:
            amount, dist, ref = self.line(item)
            total += amount
            for account, part in dist.items():
                add_to(gl, account, part)
            if ref is not None:
                payments.append((ref, amount))
                self.items[ref].due -= amount
        by_type = dict.fromkeys(TENDER_TYPES, ZERO)
        checks: list[tuple[str, Decimal]] = []
        mos: list[tuple[str, Decimal]] = []
        for t in tenders:
            amount = m(t["amount"])
            by_type[t["type"]] += amount
            if t["type"] == "check":
                checks.append((t["number"], amount))
            elif t["type"] == "money_order":
                mos.append((t["number"], amount))
        non_cash = by_type["check"] + by_type["money_order"] + by_type["card"]
        assert non_cash <= total, "generator produced a refusable sale"
        assert sum(by_type.values(), ZERO) >= total, "generator produced a refusable sale"
        change = sum(by_type.values(), ZERO) - total
        assert change <= by_type["cash"]
        receipt = Receipt(
            number=f"W1-{len(self.receipts) + 1:06d}",
            session=s.key,
            total=total,
            change=change,
            tenders={k: v for k, v in by_type.items() if v},
            checks=checks,
            money_orders=mos,
            gl=gl,
            payments=payments,
        )
        self.receipts.append(receipt)
        s.receipts.append(receipt)
        return receipt

    def void(self, number: str) -> None:
        r = next(r for r in self.receipts if r.number == number)
        assert not r.voided and r.session == self.session().key
        r.voided = True
        for ref, amount in r.payments:
            self.items[ref].due += amount

    def drop(self, amount: Decimal) -> None:
        assert amount <= self.session().cash_in_drawer()
        self.session().drops += amount

    def paid_out(self, amount: Decimal, gl: str) -> None:
        assert amount <= self.session().cash_in_drawer()
        self.session().paid_outs.append((amount, gl))

    def close(
        self, counted_cash: Decimal, counted: Mapping[str, Decimal]
    ) -> tuple[dict[str, Decimal], bool]:
        """Blind close: over/short per tender and needs_approval."""
        s = self.session()
        s.counted_cash = counted_cash
        s.counted = {
            "cash": counted_cash - s.opening + s.drops,
            "check": counted["check"],
            "money_order": counted["money_order"],
            "card": counted["card"],
        }
        exp = s.expected()
        s.over_short = {t: s.counted[t] - exp[t] for t in TENDER_TYPES}
        needs = any(s.over_short[t] != 0 for t in ("check", "money_order", "card")) or (
            abs(s.over_short["cash"]) > TOLERANCE
        )
        s.closed = True
        self.current = None
        return s.over_short, needs

    # ---- closeout ------------------------------------------------------------------------
    def closeout(self) -> dict[str, Any]:
        sessions = list(self.sessions.values())
        assert all(s.closed for s in sessions)
        tenders: dict[str, dict[str, Decimal]] = {}
        for t in TENDER_TYPES:
            expected = sum((s.expected()[t] for s in sessions), ZERO)
            counted = sum((s.counted[t] for s in sessions), ZERO)
            tenders[t] = {
                "expected": expected,
                "counted": counted,
                "over_short": counted - expected,
            }
        gl: dict[str, Decimal] = {}
        for s in sessions:
            for r in s.live():
                for account, amount in r.gl.items():
                    add_to(gl, account, amount)
            for amount, account in s.paid_outs:
                add_to(gl, account, -amount)
        add_to(gl, OVER_SHORT_ACCOUNT, sum((tenders[t]["over_short"] for t in TENDER_TYPES), ZERO))
        receipts = [r for s in sessions for r in s.receipts]
        deposit = {
            "cash": tenders["cash"]["counted"],
            "checks": tenders["check"]["counted"],
            "money_orders": tenders["money_order"]["counted"],
        }
        deposit["total"] = sum(deposit.values(), ZERO)
        return {
            "receipts": len(receipts),
            "voids": sum(1 for r in receipts if r.voided),
            "tenders": tenders,
            "gl": gl,
            "deposit": deposit,
        }


# --------------------------------------------------------------------------------------------
# Scenario generator: the script and, op by op, what the CLI must print
# --------------------------------------------------------------------------------------------

TENDER_KINDS = (
    "cash",
    "check",
    "card",
    "money_order",
    "cash+check",
    "check+card",
    "cash+money_order",
    "cash+card",
    "cash+check+money_order",
)
TENDER_WEIGHTS = (40, 10, 12, 4, 9, 7, 6, 7, 5)


def denominations(amount: Decimal) -> dict[str, int]:
    """A plausible count of ``amount`` by denomination (greedy)."""
    assert amount >= 0
    left = cents(amount)
    out: dict[str, int] = {}
    for d in DENOMINATIONS:
        n, left = divmod(left, cents(d))
        if n:
            out[f"{d:.2f}"] = n
    assert left == 0
    return out


def count_value(counts: Mapping[str, int]) -> Decimal:
    return sum((m(d) * n for d, n in counts.items()), ZERO)


@dataclass
class Step:
    op: dict[str, Any]
    expect: dict[str, Any]  # keys the output must carry with exactly these values
    kind: str = "plain"  # plain | sale | close | closeout | refusal
    model: Any = None  # Receipt for sales, closeout figures, session key for closes


class DayScript:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.model = DayModel()
        self.steps: list[Step] = []
        self.check_no = 1040
        self.mo_no = 7700
        self.today = datetime.date.today().isoformat()

    # ---- building blocks -----------------------------------------------------------------
    def add(self, op: dict[str, Any], kind: str = "plain", model: Any = None) -> None:
        expect: dict[str, Any] = {"op": op["op"], "ok": True}
        self.steps.append(Step(op=op, expect=expect, kind=kind, model=model))

    def random_part(self, total: Decimal) -> Decimal:
        """A random amount strictly between 0 and ``total``, often a round figure."""
        c = cents(total)
        assert c >= 2
        if c > 200 and self.rng.random() < 0.5:
            return from_cents(100 * self.rng.randint(1, (c - 1) // 100))
        return from_cents(self.rng.randint(1, c - 1))

    def cash_handed(self, due: Decimal) -> Decimal:
        """What a customer hands over in cash for ``due``: exact or rounded up (change)."""
        step = Decimal(self.rng.choice(["0.01", "0.01", "1", "5", "10", "20", "50", "100"]))
        handed = (due / step).to_integral_value(rounding=ROUND_CEILING) * step
        return m(handed)

    def next_check(self) -> str:
        self.check_no += 1
        return str(self.check_no)

    def next_mo(self) -> str:
        self.mo_no += 1
        return f"MO-{self.mo_no}"

    def tender(self, kind: str, amount: Decimal) -> dict[str, Any]:
        a = fmt(amount)
        if kind == "cash":
            return {"type": "cash", "amount": a}
        if kind == "check":
            return {"type": "check", "amount": a, "number": self.next_check()}
        if kind == "money_order":
            return {"type": "money_order", "amount": a, "number": self.next_mo()}
        auth = "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(6))
        return {
            "type": "card",
            "amount": a,
            "auth": auth,
            "last4": f"{self.rng.randint(0, 9999):04d}",
        }

    def tenders_for(self, total: Decimal, kind: str) -> list[dict[str, Any]]:
        parts = kind.split("+")
        if len(parts) == 1:
            if kind == "cash":
                return [self.tender("cash", self.cash_handed(total))]
            return [self.tender(kind, total)]
        out: list[dict[str, Any]] = []
        left = total
        non_cash = [p for p in parts if p != "cash"]
        for i, p in enumerate(non_cash):
            last = i == len(non_cash) - 1
            if last and "cash" not in parts:
                amount = left
            else:
                if cents(left) < 2:
                    break
                amount = self.random_part(left)
            out.append(self.tender(p, amount))
            left -= amount
        if "cash" in parts:
            assert left > 0
            out.insert(0, self.tender("cash", self.cash_handed(left)))
        return out

    def random_items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for _ in range(self.rng.choice([1, 1, 1, 2, 2, 3])):
            pick = self.rng.choice(
                ["BUS-LIC", "PERMIT-PKG", "DOG-LIC", "COPY", "MISC", "FILING", "PARK-CIT"]
            )
            if pick in ("BUS-LIC", "PARK-CIT"):
                items.append({"code": pick, "qty": self.rng.choice([1, 1, 1, 2])})
            elif pick == "PERMIT-PKG":
                items.append({"code": pick, "qty": self.rng.randint(1, 3)})
            elif pick == "DOG-LIC":
                items.append({"code": pick, "qty": self.rng.randint(1, 4)})
            elif pick == "COPY":
                items.append({"code": pick, "qty": self.rng.randint(1, 60)})
            else:
                # open fee: small keyed amounts exercise the capping of FILING's fixed parts
                amount = from_cents(self.rng.randint(50, 4000 if pick == "MISC" else 1200))
                item: dict[str, Any] = {"code": pick, "amount": fmt(amount)}
                if self.rng.random() < 0.25:
                    item["qty"] = self.rng.randint(2, 3)
                items.append(item)
        return items

    def sale(
        self,
        items: list[dict[str, Any]],
        kind: str | None = None,
        payer: str | None = None,
    ) -> Receipt:
        total = self.model.sale_total(items)
        if kind is None:
            kind = self.rng.choices(TENDER_KINDS, weights=TENDER_WEIGHTS)[0]
        tenders = self.tenders_for(total, kind)
        op: dict[str, Any] = {"op": "sale", "items": items, "tenders": tenders}
        if payer is not None:
            op["payer"] = payer
        receipt = self.model.sale(items, tenders)
        self.add(op, kind="sale", model=receipt)
        return receipt

    def partial(self, ref: str) -> dict[str, Any]:
        due = self.model.items[ref].due
        return {"ref": ref, "amount": fmt(self.random_part(due))}

    def close(self, over: Decimal) -> None:
        s = self.model.session()
        physical = s.cash_in_drawer() + over
        counts = denominations(physical)
        assert count_value(counts) == physical
        live = s.live()
        checks = [c for r in live for c in r.checks]
        mos = [c for r in live for c in r.money_orders]
        card = sum((r.tenders.get("card", ZERO) for r in live), ZERO)
        self.rng.shuffle(checks)
        op = {
            "op": "close_drawer",
            "counted": {
                "cash": counts,
                "checks": [{"number": n, "amount": fmt(a)} for n, a in checks],
                "money_orders": [{"number": n, "amount": fmt(a)} for n, a in mos],
                "card": fmt(card),
            },
        }
        counted = {
            "check": sum((a for _, a in checks), ZERO),
            "money_order": sum((a for _, a in mos), ZERO),
            "card": card,
        }
        key = s.key
        over_short, needs = self.model.close(physical, counted)
        self.add(op, kind="close", model=key)
        self.steps[-1].expect["over_short"] = {t: fmt(v) for t, v in over_short.items()}
        self.steps[-1].expect["needs_approval"] = needs

    # ---- the day -------------------------------------------------------------------------
    def build(self) -> DayScript:
        rng = self.rng
        model = self.model

        # ---------------- amy, drawer D1 ----------------
        self.add({"op": "login", "user": "amy", "pin": "4821"})
        opening_d1 = {"20.00": 5, "1.00": 20, "0.25": 40}
        self.add({"op": "open_drawer", "drawer": "D1", "opening": opening_d1})
        model.open_drawer("D1", "amy", count_value(opening_d1))

        to_void: Receipt | None = None
        for i in range(28):
            kind = TENDER_KINDS[i] if i < len(TENDER_KINDS) else None
            payer = rng.choice([None, None, "Walk-in", "J. Smith"])
            if i == 2:  # full payment, amount omitted
                self.sale([{"ref": "UB-100231"}], kind=kind, payer="Rosa Diaz")
            elif i == 5:  # partial payment of a utility bill
                self.sale([self.partial("UB-100232")], kind=kind)
            elif i == 8:  # citation in full (amount omitted) together with a fee
                self.sale([{"ref": "PC-5501"}, {"code": "DOG-LIC", "qty": 2}], kind=kind)
            elif i == 11:  # partial payment that is voided later
                to_void = self.sale([{"ref": "UB-100233", "amount": "30.00"}], kind="cash+check")
            elif i == 16:  # citation in full, amount given explicitly
                self.sale([{"ref": "PC-5502", "amount": "45.00"}], kind=kind)
            else:
                self.sale(self.random_items(), kind=kind, payer=payer)
            if i == 6:
                self.add({"op": "no_sale", "reason": "make change"})
            if i == 14:
                assert to_void is not None
                self.add(
                    {
                        "op": "void",
                        "receipt": to_void.number,
                        "approver": "lee",
                        "approver_pin": "1111",
                        "reason": "wrong account keyed",
                    }
                )
                model.void(to_void.number)
            if i == 20:
                s = model.session()
                drop = m((s.cash_in_drawer() - 100) // 20 * 20)
                drop = max(drop, Decimal("20.00"))
                self.add({"op": "drop", "amount": fmt(drop)})
                model.drop(drop)

        # blind close with a shortage beyond the tolerance, then a lead approves it
        shortage = from_cents(rng.randint(501, 2500))
        self.close(-shortage)
        assert self.steps[-1].expect["needs_approval"] is True
        self.add(
            {
                "op": "approve_close",
                "approver": "lee",
                "approver_pin": "1111",
                "comment": "recounted with cashier; shortage confirmed",
            }
        )
        self.add({"op": "logout"})

        # ---------------- bob, drawer D2 ----------------
        self.add({"op": "login", "user": "bob", "pin": "2468"})
        opening_d2 = {"20.00": 4, "5.00": 8, "1.00": 25, "0.25": 40, "0.10": 50}
        self.add({"op": "open_drawer", "drawer": "D2", "opening": opening_d2})
        model.open_drawer("D2", "bob", count_value(opening_d2))

        for i in range(26):
            kind = TENDER_KINDS[(i + 3) % len(TENDER_KINDS)] if i < len(TENDER_KINDS) else None
            payer = rng.choice([None, None, "Walk-in", "R. Jones"])
            if i == 1:  # the rest of amy's partial payment (amount omitted -> what is left)
                self.sale([{"ref": "UB-100232"}], kind=kind)
            elif i == 4:  # the bill whose partial payment was voided: full due again
                self.sale([{"ref": "UB-100233"}], kind=kind, payer="Maria Lopez")
            elif i == 7:  # late citation 90.00: split 4.50 / 3.00 / remainder
                self.sale([{"ref": "PC-5503"}], kind=kind)
            elif i == 10:  # partial utility payment with a fee
                self.sale([self.partial("UB-100234"), {"code": "COPY", "qty": 4}], kind=kind)
            elif i == 13:  # two bills at once, one explicit full, one omitted
                self.sale([{"ref": "UB-100235", "amount": "38.90"}, {"ref": "UB-100236"}])
            elif i == 15:  # rest of the partial one
                self.sale([{"ref": "UB-100234"}], kind=kind)
            else:
                self.sale(self.random_items(), kind=kind, payer=payer)
            if i == 5:  # tenders do not cover the total: refused, runner continues
                total = model.sale_total([{"code": "PERMIT-PKG", "qty": 1}])
                self.steps.append(
                    Step(
                        op={
                            "op": "sale",
                            "items": [{"code": "PERMIT-PKG", "qty": 1}],
                            "tenders": [{"type": "cash", "amount": fmt(total - 1)}],
                            "expect": "error",
                        },
                        expect={"op": "sale", "ok": False},
                        kind="refusal",
                    )
                )
            if i == 9:
                amount = Decimal("12.50")
                self.add(
                    {
                        "op": "paid_out",
                        "amount": fmt(amount),
                        "reason": "postage",
                        "gl": "101-1200-52100",
                    }
                )
                model.paid_out(amount, "101-1200-52100")
            if i == 18:
                self.add({"op": "no_sale", "reason": "customer needed change for parking meter"})
            if i == 20:
                s = model.session()
                drop = max(m((s.cash_in_drawer() - 120) // 20 * 20), Decimal("20.00"))
                self.add({"op": "drop", "amount": fmt(drop)})
                model.drop(drop)

        self.close(ZERO)
        assert self.steps[-1].expect["needs_approval"] is False
        self.add({"op": "logout"})

        # ---------------- closeout by pat (worked no drawer) ----------------
        figures = model.closeout()
        self.add(
            {"op": "closeout", "date": self.today, "approver": "pat", "approver_pin": "2222"},
            kind="closeout",
            model=figures,
        )
        self.steps[-1].expect["date"] = self.today
        self.steps[-1].expect["receipts"] = figures["receipts"]
        self.steps[-1].expect["voids"] = figures["voids"]
        self.steps[-1].expect["tenders"] = {
            t: {k: fmt(v) for k, v in row.items()} for t, row in figures["tenders"].items()
        }
        self.steps[-1].expect["deposit"] = {k: fmt(v) for k, v in figures["deposit"].items()}
        return self

    def write(self, path: Path) -> None:
        path.write_text("".join(json.dumps(s.op) + "\n" for s in self.steps), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# CLI plumbing
# --------------------------------------------------------------------------------------------


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHIER_DESK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    cmd = [
        sys.executable,
        "-m",
        "cashier_desk",
        "--data-dir",
        str(data_dir),
        "--workstation",
        "W1",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=False)


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, (
        f"{proc.args} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return proc.stdout


def json_lines(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for line in text.splitlines():
        if line.strip():
            obj = json.loads(line)
            assert isinstance(obj, dict), line
            out.append(obj)
    return out


def write_fixtures(tmp: Path) -> dict[str, Path]:
    files = {
        "revenue-codes": (tmp / "revenue_codes.csv", REVENUE_CODES_CSV),
        "open-items": (tmp / "open_items.csv", OPEN_ITEMS_CSV),
        # people last: a ledger with people takes imports only from a supervisor or an admin
        "users": (tmp / "users.csv", USERS_CSV),
    }
    for path, text in files.values():
        path.write_text(text, encoding="utf-8")
    return {k: p for k, (p, _) in files.items()}


def import_reference_data(tmp: Path, data_dir: Path) -> None:
    counts = {"revenue-codes": 8, "users": 4, "open-items": 10}
    for kind, path in write_fixtures(tmp).items():
        out = ok(cli(data_dir, "import", kind, str(path)))
        assert re.search(rf"\b{counts[kind]}\b", out), (
            f"import {kind} should print a count: {out!r}"
        )


def assert_money(value: object, where: str) -> None:
    assert isinstance(value, str) and MONEY_RE.match(value), (
        f"{where}: money must be a string with exactly two decimals, got {value!r}"
    )


def assert_money_tree(value: object, where: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert_money_tree(v, f"{where}.{k}")
    else:
        assert_money(value, where)


def gl_as_decimals(gl: Mapping[str, object], where: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for account, amount in gl.items():
        assert_money(amount, f"{where}.gl[{account}]")
        assert isinstance(amount, str)
        out[account] = m(amount)
    return out


def same_gl(actual: Mapping[str, Decimal], expected: Mapping[str, Decimal]) -> dict[str, Any]:
    """Differences, treating an absent account as 0.00."""
    diff: dict[str, Any] = {}
    for account in sorted(set(actual) | set(expected)):
        a = actual.get(account, ZERO)
        e = expected.get(account, ZERO)
        if a != e:
            diff[account] = {"expected": fmt(e), "actual": fmt(a)}
    return diff


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [20261122, 4821])
def test_scripted_day_matches_reference_model(tmp_path: Path, seed: int) -> None:
    data_dir = tmp_path / "data"
    import_reference_data(tmp_path, data_dir)

    day = DayScript(seed).build()
    sales = [s for s in day.steps if s.kind == "sale"]
    assert len(sales) >= 50
    script = tmp_path / "day.jsonl"
    day.write(script)

    proc = cli(data_dir, "run", str(script))
    results = json_lines(proc.stdout)
    context = f"\nstderr:\n{proc.stderr}"
    assert len(results) == len(day.steps), (
        f"expected one JSON line per op ({len(day.steps)}), got {len(results)}; "
        f"last: {results[-1:]}{context}"
    )
    assert proc.returncode == 0, f"run exited {proc.returncode}{context}"

    close_sessions: dict[str, str] = {}  # model drawer key -> session id printed at close
    for n, (step, got) in enumerate(zip(day.steps, results, strict=True), start=1):
        where = f"op #{n} {json.dumps(step.op)}"
        for key, want in step.expect.items():
            assert key in got, f"{where}: result lacks {key!r}: {got}"
            assert got[key] == want, (
                f"{where}: {key} expected {want!r}, actual {got[key]!r}\nfull result: {got}"
            )
        if step.kind == "sale":
            r: Receipt = step.model
            assert got.get("receipt") == r.number, f"{where}: receipt numbers must be gapless"
            assert_money(got.get("total"), f"{where} total")
            assert_money(got.get("change"), f"{where} change")
            assert got["total"] == fmt(r.total), f"{where}: total {got['total']} != {fmt(r.total)}"
            assert got["change"] == fmt(r.change), (
                f"{where}: change {got['change']} != {fmt(r.change)}"
            )
            assert got.get("printed") is True, f"{where}: simulator printer should print: {got}"
        elif step.kind == "refusal":
            assert isinstance(got.get("error"), str) and got["error"], f"{where}: {got}"
            assert isinstance(got.get("message"), str), f"{where}: {got}"
        elif step.kind == "close":
            assert_money_tree(got["over_short"], f"{where} over_short")
            assert isinstance(got.get("session"), str) and got["session"], f"{where}: {got}"
            close_sessions[step.model] = got["session"]
        elif step.kind == "closeout":
            assert isinstance(got.get("batch"), str) and got["batch"], f"{where}: {got}"
            assert_money_tree(got["tenders"], f"{where} tenders")
            assert_money_tree(got["deposit"], f"{where} deposit")
            actual_gl = gl_as_decimals(got["gl"], where)
            figures: dict[str, Any] = step.model
            diff = same_gl(actual_gl, figures["gl"])
            assert not diff, f"{where}: gl differs from the model: {json.dumps(diff, indent=1)}"
            counted_sum = sum((m(got["tenders"][t]["counted"]) for t in TENDER_TYPES), ZERO)
            assert sum(actual_gl.values(), ZERO) == counted_sum, (
                f"{where}: sum(gl) {sum(actual_gl.values(), ZERO)} != sum(counted) {counted_sum}"
            )
            assert m(got["deposit"]["total"]) == (
                m(got["deposit"]["cash"])
                + m(got["deposit"]["checks"])
                + m(got["deposit"]["money_orders"])
            )

    # the model's own invariants (guards against a self-consistent but wrong model)
    figures = day.steps[-1].model
    assert sum(figures["gl"].values(), ZERO) == sum(
        (figures["tenders"][t]["counted"] for t in TENDER_TYPES), ZERO
    )
    assert figures["gl"][OVER_SHORT_ACCOUNT] < 0

    # receipts: every receipt, gapless, voided flag right, sessions consistent with the closes
    assert set(close_sessions) == {"D1", "D2"} and close_sessions["D1"] != close_sessions["D2"]
    for args in (("receipts",), ("receipts", "--date", day.today)):
        listed = json_lines(ok(cli(data_dir, *args)))
        by_number = {row["receipt"]: row for row in listed}
        assert len(by_number) == len(listed), f"{args}: duplicate receipts listed"
        expected_numbers = [f"W1-{i:06d}" for i in range(1, len(day.model.receipts) + 1)]
        assert sorted(by_number) == expected_numbers, f"{args}: {sorted(by_number)}"
        for r in day.model.receipts:
            row = by_number[r.number]
            assert RECEIPT_RE.match(row["receipt"])
            assert row["total"] == fmt(r.total), f"{args} {r.number}: {row}"
            assert row["voided"] is r.voided, f"{args} {r.number}: voided should be {r.voided}"
            assert row["printed"] is True, f"{args} {r.number}: {row}"
            assert row["session"] == close_sessions[r.session], f"{args} {r.number}: {row}"

    ok(cli(data_dir, "audit", "verify"))


def _small_script(tmp_path: Path, middle: dict[str, Any]) -> tuple[Path, Path]:
    data_dir = tmp_path / "data"
    import_reference_data(tmp_path, data_dir)
    ops = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5, "1.00": 20}},
        middle,
        {"op": "no_sale", "reason": "should never run"},
        {
            "op": "sale",
            "items": [{"code": "MISC", "amount": "5.00"}],
            "tenders": [{"type": "cash", "amount": "5.00"}],
        },
    ]
    script = tmp_path / "stop.jsonl"
    script.write_text("".join(json.dumps(o) + "\n" for o in ops), encoding="utf-8")
    return data_dir, script


def test_unexpected_refusal_stops_the_run(tmp_path: Path) -> None:
    # a sale whose tenders do not cover the total, WITHOUT "expect": "error"
    short_sale = {
        "op": "sale",
        "items": [{"code": "PERMIT-PKG", "qty": 1}],
        "tenders": [{"type": "cash", "amount": "29.99"}],
    }
    data_dir, script = _small_script(tmp_path, short_sale)
    proc = cli(data_dir, "run", str(script))
    assert proc.returncode != 0, f"run must exit non-zero\nstdout:\n{proc.stdout}"
    results = json_lines(proc.stdout)
    assert [r.get("ok") for r in results[:2]] == [True, True], results
    assert len(results) <= 3, f"the runner must stop at the refused op: {results}"
    if len(results) == 3:
        assert results[2].get("op") == "sale" and results[2].get("ok") is False, results
        assert isinstance(results[2].get("error"), str) and results[2]["error"]
    # refusing changes nothing: no receipt was issued, not even by the ops after it
    assert json_lines(ok(cli(data_dir, "receipts"))) == []


def test_expected_refusal_that_did_not_happen_stops_the_run(tmp_path: Path) -> None:
    fine_sale = {
        "op": "sale",
        "items": [{"code": "PERMIT-PKG", "qty": 1}],
        "tenders": [{"type": "cash", "amount": "40.00"}],
        "expect": "error",
    }
    data_dir, script = _small_script(tmp_path, fine_sale)
    proc = cli(data_dir, "run", str(script))
    assert proc.returncode != 0, f"run must exit non-zero\nstdout:\n{proc.stdout}"
    results = json_lines(proc.stdout)
    assert [r.get("ok") for r in results[:2]] == [True, True], results
    assert len(results) <= 3, f"the runner must stop at that op: {results}"
    receipts = json_lines(ok(cli(data_dir, "receipts")))
    assert [r["receipt"] for r in receipts] in ([], ["W1-000001"]), receipts


def test_reference_model_by_hand() -> None:
    """The model itself, against figures worked out by hand from the contract's rules."""
    codes = load_codes()
    cit = codes["PARK-CIT"]
    assert distribute(cit, m("45.00"), 1) == {
        "250-0000-22010": m("4.50"),
        "250-0000-22020": m("3.00"),
        "101-0000-41300": m("37.50"),
    }
    assert distribute(cit, m("90.00"), 2)["101-0000-41300"] == m("75.00")
    assert distribute(cit, m("90.00"), 1)["101-0000-41300"] == m("82.50")
    filing = codes["FILING"]
    assert distribute(filing, m("4.00"), 1) == {
        "101-0000-22060": m("3.00"),
        "101-0000-22070": m("1.00"),
        "101-0000-42200": m("0.00"),
    }
    assert distribute(filing, m("2.00") * 3, 3) == {
        "101-0000-22060": m("6.00"),
        "101-0000-22070": m("0.00"),
        "101-0000-42200": m("0.00"),
    }
    assert distribute(filing, m("20.00"), 1)["101-0000-42200"] == m("14.50")

    day = DayModel()
    day.open_drawer("D1", "amy", m("130.00"))
    r1 = day.sale(
        [{"ref": "PC-5501"}, {"code": "COPY", "qty": 3}],
        [{"type": "cash", "amount": "50.00"}],
    )
    assert (r1.number, r1.total, r1.change) == ("W1-000001", m("45.75"), m("4.25"))
    r2 = day.sale(
        [{"ref": "UB-100231", "amount": "20.00"}],
        [{"type": "cash", "amount": "10.00"}, {"type": "check", "amount": "15.00", "number": "1"}],
    )
    assert (r2.total, r2.change) == (m("20.00"), m("5.00"))
    assert day.items["UB-100231"].due == m("62.15")
    day.void(r2.number)
    assert day.items["UB-100231"].due == m("82.15")
    day.sale(
        [{"code": "MISC", "amount": "10.00", "qty": 2}],
        [{"type": "card", "amount": "20.00", "auth": "X", "last4": "4242"}],
    )
    day.drop(m("100.00"))
    day.paid_out(m("2.50"), "101-1200-52100")
    # drawer: 130 + 45.75 - 100 - 2.50 = 73.25; count 67.00 -> cash short 6.25
    assert day.session().cash_in_drawer() == m("73.25")
    over_short, needs = day.close(
        m("67.00"), {"check": ZERO, "money_order": ZERO, "card": m("20.00")}
    )
    assert over_short == {"cash": m("-6.25"), "check": ZERO, "money_order": ZERO, "card": ZERO}
    assert needs is True
    f = day.closeout()
    assert (f["receipts"], f["voids"]) == (3, 1)
    assert f["tenders"]["cash"] == {
        "expected": m("43.25"),  # 45.75 net cash - 2.50 paid out
        "counted": m("37.00"),  # 67.00 - 130.00 + 100.00
        "over_short": m("-6.25"),
    }
    assert f["tenders"]["check"] == {"expected": ZERO, "counted": ZERO, "over_short": ZERO}
    assert f["gl"] == {
        "250-0000-22010": m("4.50"),
        "250-0000-22020": m("3.00"),
        "101-0000-41300": m("37.50"),
        "101-0000-43100": m("0.75"),
        "101-0000-46900": m("20.00"),
        "101-1200-52100": m("-2.50"),
        "101-0000-49900": m("-6.25"),
    }
    assert sum(f["gl"].values(), ZERO) == m("57.00")  # 37.00 cash + 20.00 card counted
    assert f["deposit"] == {
        "cash": m("37.00"),
        "checks": ZERO,
        "money_orders": ZERO,
        "total": m("37.00"),
    }
    assert fmt(m("-0.00")) == "0.00" and fmt(m("-0.25")) == "-0.25"
    assert denominations(m("67.35")) == {
        "50.00": 1,
        "10.00": 1,
        "5.00": 1,
        "1.00": 2,
        "0.25": 1,
        "0.10": 1,
    }


def test_generated_day_is_well_formed() -> None:
    """The scenario covers what the brief demands (runs without the application)."""
    for seed in (20261122, 4821):
        day = DayScript(seed).build()
        ops = [s.op for s in day.steps]
        names = [o["op"] for o in ops]
        assert sum(1 for s in day.steps if s.kind == "sale") >= 50
        for required in ("void", "drop", "paid_out", "no_sale", "approve_close", "closeout"):
            assert required in names
        assert names.count("close_drawer") == 2
        closes = [s for s in day.steps if s.kind == "close"]
        assert [c.expect["needs_approval"] for c in closes] == [True, False]
        tender_sets = {
            "+".join(sorted({t["type"] for t in o["tenders"]})) for o in ops if o["op"] == "sale"
        }
        for combo in ("card+check", "cash+check", "cash+money_order", "card+cash"):
            assert combo in tender_sets, (seed, tender_sets)
        changes = [s.model.change for s in day.steps if s.kind == "sale"]
        assert sum(1 for c in changes if c > 0) >= 10
        refs = [i for o in ops if o["op"] == "sale" for i in o["items"] if "ref" in i]
        assert any("amount" not in i for i in refs) and any("amount" in i for i in refs)
        assert sum(1 for s in day.steps if s.op.get("expect") == "error") == 1
