"""Stateful property test of the Desk: random counter days checked against an independent model.

A Hypothesis ``RuleBasedStateMachine`` drives :class:`cashier_desk.desk.Desk` through its Python
API (not the CLI) on a fresh copy of the demo city.  Rules log cashiers in and out (sometimes
after wrong PINs, so the lockout is exercised), open drawers with random change funds, ring up
sales (fixed, per-unit and open fees, full and partial open-item payments, every tender and
split, and sales that must be refused), void with a lead's approval, drop, pay out, no-sale,
close with a blind count (exact or off), approve closes, run the lead's closeout, reprint and
retry the print queue with the printer on or off, and try what the rules forbid.  Every
refusal is predicted by the model (its stable code) and checked to have changed nothing.

The model knows the reference data only from ``cashier_desk/resources/demo/*.csv`` and its own
record of what succeeded.  After EVERY step the invariants compare it with the ledger: each journal
entry's postings sum to zero; each open drawer's expected cash (opening + cash in - change -
drops - paid-outs); receipt numbers W1-000001... gapless, with totals, void and printed flags;
session states; what is still due on the open items paid; who is logged in; the audit chain;
and, for every closeout, gl sum == counted sum.  Each closeout is compared figure by figure
with the model's own (receipts, voids, per-tender expected/counted/over-short, gl, deposit).

Quick by default (25 examples of 30 steps, about 15 s); set DESK_STATEFUL_EXAMPLES and
DESK_STATEFUL_STEPS for a longer hunt.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cashier_desk.app import App, open_app
from cashier_desk.desk import BlindCount, CountedItem, Desk, ItemRequest, TenderRequest
from cashier_desk.errors import Refusal
from cashier_desk.ledger import drawer
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.ledger.schema import audit_log, postings
from cashier_desk.money import Money
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock, dump_tables

SETTINGS = settings(
    max_examples=int(os.environ.get("DESK_STATEFUL_EXAMPLES", "25")),
    stateful_step_count=int(os.environ.get("DESK_STATEFUL_STEPS", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# -- reference data, read from the demo CSV files (not from the ledger) ------------------------

DEMO = Path(__file__).resolve().parent.parent / "cashier_desk" / "resources" / "demo"
TENDERS = ("cash", "check", "money_order", "card")
DENOMS = tuple(
    Money.parse(d)
    for d in (
        "100.00", "50.00", "20.00", "10.00", "5.00", "2.00", "1.00",
        "0.50", "0.25", "0.10", "0.05", "0.01",
    )
)  # fmt: skip
TOLERANCE = 500  # config default over_short_tolerance, in cents
OVER_SHORT_ACCOUNT = "101-0000-49900"  # config default over_short_account
CASHIERS = {"amy": "4821", "bob": "2468"}
LEADS = {"lee": "1111", "pat": "2222"}
PAID_OUT_LIMIT = 5000  # [policy] paid_out_limit, by default
PINS = {**CASHIERS, **LEADS}
PAID_OUT_GLS = ("101-1200-52100", "101-0000-52200")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=30)


def cents_of(text: str) -> int:
    """A non-negative CSV amount ("12.30", "12") in cents."""
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int(frac.ljust(2, "0") or "0")


@dataclass(frozen=True)
class Code:
    code: str
    fee_type: str
    cents: int | None
    partial: bool
    fixed: tuple[tuple[str, int], ...]
    remainder: str

    def allocate(self, amount: int, qty: int) -> dict[str, int]:
        """The line's GL distribution: fixed parts (× qty) in order, capped; rest to the bare."""
        left = amount
        out: dict[str, int] = defaultdict(int)
        for account, per_item in self.fixed:
            share = min(per_item * qty, left)
            if share:
                out[account] += share
                left -= share
        if left or not out:
            out[self.remainder] += left
        return dict(out)


@dataclass(frozen=True)
class Item:
    ref: str
    amount_due: int
    code: str
    status: str


def load_codes() -> dict[str, Code]:
    codes: dict[str, Code] = {}
    with (DEMO / "revenue_codes.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            fixed: list[tuple[str, int]] = []
            bare = ""
            for part in row["gl"].split(";"):
                account, eq, amount = part.partition("=")
                if eq:
                    fixed.append((account, cents_of(amount)))
                else:
                    bare = account
            codes[row["code"]] = Code(
                row["code"],
                row["fee_type"],
                cents_of(row["amount"]) if row["amount"] else None,
                row["partial_allowed"] == "yes",
                tuple(fixed),
                bare,
            )
    return codes


def load_items() -> dict[str, Item]:
    with (DEMO / "open_items.csv").open(encoding="utf-8", newline="") as fh:
        return {
            r["ref"]: Item(r["ref"], cents_of(r["amount_due"]), r["revenue_code"], r["status"])
            for r in csv.DictReader(fh)
        }


CODES = load_codes()
ITEMS = load_items()
FIXED_CODES = sorted(c.code for c in CODES.values() if c.fee_type == "fixed")
PER_UNIT_CODES = sorted(c.code for c in CODES.values() if c.fee_type == "per_unit")
OPEN_CODES = sorted(c.code for c in CODES.values() if c.fee_type == "open")


def ref_pool() -> list[str]:
    """One `open` item of every revenue code that has one (a second one where part payments
    are allowed), plus two on hold and two already paid (those must be refused)."""
    open_refs: dict[str, list[str]] = defaultdict(list)
    hold: list[str] = []
    paid: list[str] = []
    for item in ITEMS.values():
        if item.status == "open":
            open_refs[item.code].append(item.ref)
        elif item.status == "hold":
            hold.append(item.ref)
        elif item.status == "paid":
            paid.append(item.ref)
    pool: list[str] = []
    for code, refs in sorted(open_refs.items()):
        pool.extend(refs[: 2 if CODES[code].partial else 1])
    return pool + hold[:2] + paid[:2]


REF_POOL = ref_pool()


def denominations(amount: int) -> dict[Money, int]:
    """Cash of ``amount`` cents as denomination counts (largest first)."""
    counts: dict[Money, int] = {}
    for d in DENOMS:
        n, amount = divmod(amount, d.cents)
        if n:
            counts[d] = n
    return counts


def copy_data_dir(template: Path, parent: Path) -> Path:
    """A fresh data dir under ``parent``: a copy of the migrated demo-city template (as the
    ``make_app`` fixture of conftest makes one; a state machine cannot use function fixtures)."""
    target = parent / "data"
    shutil.copytree(template, target)
    return target


# -- plans drawn by Hypothesis (what the cashier is asked to do) ------------------------------


@dataclass(frozen=True)
class ItemPlan:
    code: str | None = None
    ref: str | None = None
    qty: int = 1
    amount: int | None = None  # open fee, in cents
    mode: str = "due"  # ref: due (amount left out), keyed (= due), partial, over
    part: int = 500  # ref partial: per mille of what is due


@dataclass(frozen=True)
class TenderPlan:
    mode: str
    extra: int  # cents: change handed over, shortfall or excess
    part1: int  # per mille
    part2: int  # per mille
    kind: str  # the non-cash kind used by single non-cash modes


fee_plans = st.one_of(
    st.builds(ItemPlan, code=st.sampled_from(FIXED_CODES), qty=st.integers(1, 3)),
    st.builds(ItemPlan, code=st.sampled_from(PER_UNIT_CODES), qty=st.integers(1, 20)),
    st.builds(ItemPlan, code=st.sampled_from(OPEN_CODES), amount=st.integers(1, 50_000)),
)
ref_plans = st.builds(
    ItemPlan,
    ref=st.sampled_from(REF_POOL),
    mode=st.sampled_from(["due", "due", "keyed", "partial", "partial", "over"]),
    part=st.integers(1, 999),
)
tender_plans = st.builds(
    TenderPlan,
    mode=st.sampled_from(
        [
            "cash_exact",
            "cash_change",
            "single",
            "split",
            "split_noncash",
            "short",
            "non_cash_over",
        ]
    ),
    extra=st.integers(1, 10_000),
    part1=st.integers(0, 1000),
    part2=st.integers(0, 1000),
    kind=st.sampled_from(["check", "money_order", "card"]),
)


@dataclass(frozen=True)
class CountPlan:
    cash: str  # exact, over_small, short_small, over_big, short_big
    cash_delta: int  # cents, 1..500 for small, 501.. for big
    noncash: str  # exact, miss_check, extra_money_order, card_off, check_amount_off
    delta: int


MISUSES = [
    "sale",
    "void",
    "drop",
    "paid_out",
    "no_sale",
    "close",
    "open_again",
    "reprint",
    "open",
    "approve",
    "approve_other",
    "approve_unknown",
    "closeout-1",
    "closeout+1",
    "closeout",
]

count_plans = st.builds(
    CountPlan,
    cash=st.sampled_from(["exact", "exact", "over_small", "short_small", "over_big", "short_big"]),
    cash_delta=st.integers(1, 500),
    noncash=st.sampled_from(
        ["exact"] * 6 + ["miss_check", "extra_money_order", "card_off", "check_off"]
    ),
    delta=st.integers(1, 5000),
)


# -- the model ------------------------------------------------------------------------------


@dataclass
class MReceipt:
    number: str
    session: str
    total: int
    change: int
    tenders: list[tuple[str, int, str | None]]  # kind, cents, check / money-order number
    gl: dict[str, int]
    refs: dict[str, int]
    printed: bool
    voided: bool = False


@dataclass
class MSession:
    id: str
    cashier: str
    drawer_id: str
    opening: int
    receipts: list[str] = field(default_factory=list)
    drops: int = 0
    paid_outs: list[tuple[str, int]] = field(default_factory=list)
    state: str = drawer.OPEN
    closed_at: str = ""
    counted: dict[str, int] = field(default_factory=dict)
    over_short: dict[str, int] = field(default_factory=dict)


class DeskMachine(RuleBasedStateMachine):
    """Random operations at one workstation (W1) against an independent model."""

    template: Path | None = None  # set by the test (the session-scoped template data dir)

    def __init__(self) -> None:
        super().__init__()
        self.tmp: Path | None = None
        self._app: App | None = None
        self.clock = FakeClock(datetime(2026, 11, 23, 12, 0).astimezone())  # local noon
        self.printer = MemoryPrinter()
        self.cash_drawer = CountingDrawer()
        self.today = self.clock.now.astimezone().date().isoformat()
        self.end_of_day = self.clock.now + timedelta(hours=6)  # local 18:00
        # the model
        self.user: str | None = None
        self.sessions: dict[str, MSession] = {}
        self.receipts: dict[str, MReceipt] = {}
        self.pending_prints = 0
        self.failures: dict[str, int] = defaultdict(int)
        self.locked_until: dict[str, datetime] = {}
        self.closeouts: list[Closeout] = []
        self.batches: set[str] = set()
        self.touched_refs: set[str] = set()
        self.next_number = 1000

    # -- plumbing --------------------------------------------------------------------------

    @initialize(
        opening=st.dictionaries(st.sampled_from(DENOMS), st.integers(0, 40), max_size=6),
    )
    def start_day(self, opening: dict[Money, int]) -> None:
        """A fresh copy of the demo city; the day starts with amy at the window, drawer D1
        open with a random change fund."""
        assert self.template is not None, "run through test_desk_state_machine"
        self.tmp = Path(tempfile.mkdtemp(prefix="desk-stateful-"))
        self._app = open_app(
            copy_data_dir(self.template, self.tmp),
            "W1",
            clock=self.clock,
            printer=self.printer,
            cash_drawer=self.cash_drawer,
        )
        self._login("amy", True)
        self.open_drawer("D1", opening)

    def teardown(self) -> None:
        if self._app is not None:
            self._app.close()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def app(self) -> App:
        assert self._app is not None
        return self._app

    @property
    def desk(self) -> Desk:
        return self.app.desk

    def _tick(self) -> None:
        self.clock.advance(seconds=30)

    def _snapshot(self, trace: bool) -> dict[str, list[tuple[Any, ...]]]:
        """Every table; with ``trace`` not the failure count and audit records that a wrong
        PIN or a refused override leaves."""
        tables = dump_tables(self.app)
        if trace:
            tables.pop("login_state")
            tables.pop("audit_log")
            tables["counters"] = [r for r in tables["counters"] if r[:2] != ("*", "audit")]
        return tables

    def _refused(self, code: str, call: Callable[[], object], *, trace: bool = False) -> None:
        trace = trace or code == "not_authorized"  # a refused override is audited too
        before = self._snapshot(trace)
        pulses, jobs, user = self.cash_drawer.opened, len(self.printer.jobs), self.desk.user
        with pytest.raises(Refusal) as info:
            call()
        assert info.value.code == code, f"refused with {info.value.code}, expected {code}"
        assert self._snapshot(trace) == before, f"a refused operation ({code}) changed the ledger"
        assert (self.cash_drawer.opened, len(self.printer.jobs)) == (pulses, jobs)
        assert self.desk.user == user
        event(f"refused: {code}")

    def _audit_count(self) -> int:
        with self.app.ledger.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one())

    def _auth(self, login: str, right: bool) -> tuple[str | None, bool]:
        """Predict a PIN check: (refusal code or None, whether a failure trace is written)."""
        now = self.clock.now
        until = self.locked_until.get(login)
        if until is not None and now < until:
            return "locked", False
        if right:
            self.failures[login] = 0
            self.locked_until.pop(login, None)
            return None, False
        self.failures[login] += 1
        if self.failures[login] >= MAX_FAILURES:
            self.failures[login] = 0
            self.locked_until[login] = now + LOCKOUT
            return "locked", True
        return "bad_credentials", True

    def _approver_check(self, approver: str, not_: set[str]) -> str | None:
        """Predict the dual-control check of a second person: refusal code or None."""
        if approver in not_:
            return "self_approval"
        until = self.locked_until.get(approver)
        if until is not None and self.clock.now < until:
            return "locked"
        if approver not in LEADS:
            return "not_authorized"  # a right PIN below lead: the failure count stays as it is
        self._auth(approver, True)
        return None

    def _my_session(self) -> MSession | None:
        for s in self.sessions.values():
            if s.cashier == self.user and s.state == drawer.OPEN:
                return s
        return None

    def _has_session(self) -> bool:
        return self._my_session() is not None

    def _live(self, s: MSession) -> list[MReceipt]:
        return [self.receipts[n] for n in s.receipts if not self.receipts[n].voided]

    def _tender_in(self, s: MSession) -> dict[str, int]:
        """What the session's non-voided receipts brought in, per tender (cash net of change)."""
        got = dict.fromkeys(TENDERS, 0)
        for r in self._live(s):
            for kind, amount, _ in r.tenders:
                got[kind] += amount
            got["cash"] -= r.change
        return got

    def _expected_cash(self, s: MSession) -> int:
        paid_out = sum(a for _, a in s.paid_outs)
        return s.opening + self._tender_in(s)["cash"] - s.drops - paid_out

    def _still_due(self, ref: str) -> int:
        paid = sum(r.refs.get(ref, 0) for r in self.receipts.values() if not r.voided)
        return ITEMS[ref].amount_due - paid

    def _number(self) -> str:
        self.next_number += 1
        return str(self.next_number)

    # -- people ----------------------------------------------------------------------------

    @precondition(lambda self: not self._has_session())
    @rule(
        who=st.sampled_from(["amy", "amy", "bob"]),
        wrong_first=st.sampled_from([0] * 12 + [1, 2, 5]),
        then_right=st.sampled_from([True, True, True, False]),
    )
    def login(self, who: str, wrong_first: int, then_right: bool) -> None:
        """A cashier logs in, maybe after wrong PINs (five in a row lock the login; then even
        the right PIN is refused until the lockout runs out)."""
        self._tick()
        for _ in range(wrong_first):
            self._login(who, False)
        self._login(who, then_right)

    def _login(self, who: str, right: bool) -> None:
        pin = CASHIERS[who] if right else "0000"
        code, trace = self._auth(who, right)
        if code is None:
            user = self.desk.login(who, pin)
            assert (user.login, user.role) == (who, "cashier")
            self.user = who
            event("login")
            return
        records = self._audit_count()
        self._refused(code, lambda: self.desk.login(who, pin), trace=trace)
        if trace:  # a wrong PIN is counted: one record, two when it locks the login
            assert self._audit_count() == records + (2 if code == "locked" else 1)

    @precondition(lambda self: self.user is not None)
    @rule()
    def logout(self) -> None:
        self._tick()
        self.desk.logout()
        self.user = None

    # -- drawer ----------------------------------------------------------------------------

    @precondition(lambda self: self.user is not None and not self._has_session())
    @rule(
        drawer_id=st.sampled_from(["D1", "D2", "D3"]),
        opening=st.dictionaries(st.sampled_from(DENOMS), st.integers(0, 40), max_size=6),
    )
    def open_drawer(self, drawer_id: str, opening: dict[Money, int]) -> None:
        self._tick()
        assert self.user is not None
        if any(s.drawer_id == drawer_id and s.state == drawer.OPEN for s in self.sessions.values()):
            self._refused("drawer_in_use", lambda: self.desk.open_drawer(drawer_id, opening))
            return
        fund = sum(d.cents * n for d, n in opening.items())
        session = self.desk.open_drawer(drawer_id, opening)
        assert session.id not in self.sessions
        assert (session.cashier, session.drawer, session.opening.cents) == (
            self.user,
            drawer_id,
            fund,
        )
        assert (session.state, session.business_date) == (drawer.OPEN, self.today)
        self.sessions[session.id] = MSession(session.id, self.user, drawer_id, fund)
        event("open_drawer")

    # -- sale ------------------------------------------------------------------------------

    def _tenders(self, plan: TenderPlan, total: int) -> list[TenderRequest]:
        def tender(kind: str, amount: int) -> TenderRequest:
            if kind == "card":
                return TenderRequest("card", Money(amount), auth="A1B2C3", last4="4242")
            if kind in ("check", "money_order"):
                return TenderRequest(kind, Money(amount), number=self._number())
            return TenderRequest("cash", Money(amount))

        if plan.mode == "cash_exact":
            return [tender("cash", total)]
        if plan.mode == "cash_change":
            return [tender("cash", total + plan.extra)]
        if plan.mode == "single":
            return [tender(plan.kind, total)]
        if plan.mode == "short":
            return [tender("cash", max(1, total - plan.extra))]
        if plan.mode == "non_cash_over":
            return [tender(plan.kind, total + plan.extra), tender("cash", plan.extra)]
        card = total * plan.part1 // 1000
        check = (total - card) * plan.part2 // 1000
        out = [tender(k, a) for k, a in (("card", card), ("check", check)) if a]
        rest = total - card - check
        if plan.mode == "split_noncash":
            return [*out, tender("money_order", rest)] if rest else out
        return [*out, tender("cash", rest + plan.extra)]  # split with change from cash

    @precondition(lambda self: self._has_session())
    @rule(
        plans=st.lists(fee_plans, min_size=1, max_size=3),
        tplan=tender_plans,
        payer=st.sampled_from([None, "", "J. Rivera"]),
    )
    def sale_fees(self, plans: list[ItemPlan], tplan: TenderPlan, payer: str | None) -> None:
        """Fixed, per-unit and open fees."""
        self._sale(plans, tplan, payer)

    @precondition(lambda self: self._has_session())
    @rule(
        plans=st.lists(st.one_of(ref_plans, ref_plans, fee_plans), min_size=1, max_size=3),
        tplan=tender_plans,
    )
    def pay_bills(self, plans: list[ItemPlan], tplan: TenderPlan) -> None:
        """Payments on open items (full, partial, too much, on hold, paid), maybe with a fee."""
        self._sale(plans, tplan, "Bill Payer")

    def _sale(self, plans: list[ItemPlan], tplan: TenderPlan, payer: str | None) -> None:
        self._tick()
        session = self._my_session()
        assert session is not None
        requests: list[ItemRequest] = []
        refusal: str | None = None
        total = 0
        gl: dict[str, int] = defaultdict(int)
        paying: dict[str, int] = defaultdict(int)
        for p in plans:
            if p.code is not None:
                code = CODES[p.code]
                if code.fee_type == "open":
                    assert p.amount is not None
                    requests.append(ItemRequest(code=p.code, amount=Money(p.amount)))
                    amount = p.amount
                else:
                    requests.append(ItemRequest(code=p.code, qty=p.qty))
                    assert code.cents is not None
                    amount = code.cents * p.qty
                for acct, share in code.allocate(amount, p.qty).items():
                    gl[acct] += share
                total += amount
                continue
            assert p.ref is not None
            item = ITEMS[p.ref]
            code = CODES[item.code]
            due = self._still_due(p.ref) - paying[p.ref]
            keyed: int | None = None  # what the cashier keys (None: what is still due)
            if p.mode != "due":
                base = max(due, 1)  # nothing due: any amount, the item is refused anyway
                keyed = {
                    "keyed": base,
                    "partial": max(1, base * p.part // 1000),
                    "over": base + p.part,
                }[p.mode]
            requests.append(ItemRequest(ref=p.ref, amount=None if keyed is None else Money(keyed)))
            amount = due if keyed is None else keyed
            if refusal is None:
                if item.status == "hold":
                    refusal = "item_on_hold"
                elif item.status == "paid" or self._still_due(p.ref) <= 0:
                    refusal = "already_paid"
                elif due <= 0 or amount > due:  # (an earlier line of this sale paid it)
                    refusal = "overpayment"
                elif amount < due and not code.partial:
                    refusal = "partial_not_allowed"
            if refusal is None:
                paying[p.ref] += amount
                for acct, share in code.allocate(amount, 1).items():
                    gl[acct] += share
                total += amount
        # (when an item is refused, the tenders do not matter: any will do)
        tenders = self._tenders(tplan, max(total, 1))
        tendered = sum(t.amount.cents for t in tenders)
        non_cash = sum(t.amount.cents for t in tenders if t.kind != "cash")
        if refusal is None and non_cash > total:
            refusal = "non_cash_over_total"
        if refusal is None and tendered < total:
            refusal = "tenders_short"

        def call() -> object:
            return self.desk.sale(requests, tenders, payer)

        if refusal is not None:
            self._refused(refusal, call)
            return
        pulses = self.cash_drawer.opened
        result = self.desk.sale(requests, tenders, payer)
        # the drawer opens for cash, checks and money orders, even when nothing printed
        assert self.cash_drawer.opened - pulses == any(t.kind != "card" for t in tenders)
        number = f"W1-{len(self.receipts) + 1:06d}"
        change = tendered - total
        online = self.printer.online
        assert (result.receipt, result.total.cents, result.change.cents, result.printed) == (
            number,
            total,
            change,
            online,
        )
        self.receipts[number] = MReceipt(
            number,
            session.id,
            total,
            change,
            [(t.kind, t.amount.cents, t.number) for t in tenders],
            dict(gl),
            dict(paying),
            printed=online,
        )
        session.receipts.append(number)
        self.touched_refs.update(paying)
        if not online:
            self.pending_prints += 1
        event(f"sale: {tplan.mode}")

    # -- corrections -----------------------------------------------------------------------

    @precondition(lambda self: self._has_session() and self.receipts)
    @rule(
        mine=st.sampled_from([True, True, True, False]),
        pick=st.integers(0, 1000),
        approver=st.sampled_from(["lee", "pat", "lee", "amy", "bob"]),
    )
    def void(self, mine: bool, pick: int, approver: str) -> None:
        self._tick()
        session = self._my_session()
        assert session is not None and self.user is not None
        pool = session.receipts if mine and session.receipts else sorted(self.receipts)
        number = pool[pick % len(pool)]
        receipt = self.receipts[number]
        pin = PINS[approver]

        def call() -> object:
            return self.desk.void(number, approver, pin, "keyed in error")

        if receipt.session != session.id:
            self._refused("not_in_session", call)
            return
        if receipt.voided:
            self._refused("already_voided", call)
            return
        cash_back = sum(a for kind, a, _ in receipt.tenders if kind == "cash") - receipt.change
        if cash_back > self._expected_cash(session):
            self._refused("more_than_drawer", call)
            return
        code = self._approver_check(approver, {self.user})
        if code is not None:
            self._refused(code, call)
            return
        voided, total, printed = self.desk.void(number, approver, pin, "keyed in error")
        assert (voided, total.cents, printed) == (number, receipt.total, self.printer.online)
        receipt.voided = True
        if not self.printer.online:
            self.pending_prints += 1
        event("void")

    # -- cash movements --------------------------------------------------------------------

    @precondition(lambda self: self._has_session())
    @rule(
        kind=st.sampled_from(["drop", "paid_out", "no_sale"]),
        size=st.sampled_from(["some", "some", "all", "over"]),
        part=st.integers(1, 1000),
        extra=st.integers(1, 5000),
        gl=st.sampled_from(PAID_OUT_GLS),
    )
    def cash_movement(self, kind: str, size: str, part: int, extra: int, gl: str) -> None:
        """A drop to the safe or a paid-out (some of the cash, all of it, or more than the
        drawer should hold: refused), or a no-sale."""
        self._tick()
        session = self._my_session()
        assert session is not None
        pulses = self.cash_drawer.opened
        if kind == "no_sale":
            self.desk.no_sale("make change")
            assert self.cash_drawer.opened == pulses + 1
            event("no_sale")
            return
        available = self._expected_cash(session)
        # (what the drawer should hold can be negative: a void refunds cash that was dropped)
        if size == "over":
            amount = max(available, 0) + extra
        elif size == "all":
            amount = max(1, available)
        else:  # a drop takes up to all of it, a paid-out up to a fifth
            amount = max(1, available * part // (1000 if kind == "drop" else 5000))

        lead = amount > PAID_OUT_LIMIT  # a paid-out above the limit: lee approves

        def call() -> None:
            if kind == "drop":
                self.desk.drop(Money(amount))
            elif lead:
                self.desk.paid_out(Money(amount), "postage", gl, "lee", LEADS["lee"])
            else:
                self.desk.paid_out(Money(amount), "postage", gl)

        if amount > available:
            self._refused("more_than_drawer", call)
            return
        if kind == "paid_out" and lead:
            refusal = self._approver_check("lee", {self.user or ""})
            if refusal is not None:
                self._refused(refusal, call)
                return
        call()
        if kind == "drop":
            session.drops += amount
        else:
            session.paid_outs.append((gl, amount))
        assert self.cash_drawer.opened == pulses + 1
        event(kind)

    @rule(op=st.sampled_from(MISUSES), pick=st.integers(0, 1000))
    def misuse(self, op: str, pick: int) -> None:
        """Something the rules forbid in the present state; the model says which refusal.
        ``op`` names one; if it does not apply now, ``pick`` chooses one that does."""
        self._tick()
        calls: dict[str, tuple[str, Callable[[], object]]] = {}
        if not self._has_session():
            no = "not_logged_in" if self.user is None else "no_open_drawer"
            calls |= {
                "sale": (
                    no,
                    lambda: self.desk.sale(
                        [ItemRequest(code="DOG-LIC")], [TenderRequest("cash", Money(2000))]
                    ),
                ),
                "void": (no, lambda: self.desk.void("W1-000001", "lee", "1111", "test")),
                "drop": (no, lambda: self.desk.drop(Money(100))),
                "paid_out": (no, lambda: self.desk.paid_out(Money(1), "postage", PAID_OUT_GLS[0])),
                "no_sale": (no, lambda: self.desk.no_sale("make change")),
                "close": (no, lambda: self.desk.close_drawer(BlindCount())),
            }
        else:
            calls["open_again"] = (
                "drawer_already_open",
                lambda: self.desk.open_drawer("D9", {DENOMS[0]: 1}),
            )
        if self.user is None:
            calls["reprint"] = ("not_logged_in", lambda: self.desk.reprint("W1-000001"))
            calls["open"] = ("not_logged_in", lambda: self.desk.open_drawer("D9", {}))
        waiting = [s for s in self.sessions.values() if s.state == drawer.AWAITING_APPROVAL]
        if not waiting:
            calls["approve"] = (
                "nothing_to_approve",
                lambda: self.desk.approve_close(None, "lee", "1111", "ok"),
            )
        others = [s.id for s in self.sessions.values() if s.state != drawer.AWAITING_APPROVAL]
        if others:
            sid = others[pick % len(others)]
            calls["approve_other"] = (
                "not_awaiting_approval",
                lambda: self.desk.approve_close(sid, "lee", "1111", "ok"),
            )
        calls["approve_unknown"] = (
            "unknown_session",
            lambda: self.desk.approve_close("W9-S999999", "lee", "1111", "ok"),
        )
        for offset in (-1, 1):
            day = (self.clock.now.astimezone().date() + timedelta(days=offset)).isoformat()
            refusal = self._closeout_refusal(offset)
            assert refusal is not None
            calls[f"closeout{offset:+d}"] = (refusal, self._closeout_call(day))
        refusal = self._closeout_refusal(0)
        if refusal is not None:
            calls["closeout"] = (refusal, self._closeout_call(self.today))
        if op not in calls:
            op = sorted(calls)[pick % len(calls)]
        code, call = calls[op]
        self._refused(code, call)

    def _closeout_call(self, day: str) -> Callable[[], object]:
        return lambda: self.desk.closeout(day, "pat", "2222")

    # -- close -----------------------------------------------------------------------------

    @precondition(lambda self: self._has_session())
    @rule(plan=count_plans)
    def close_drawer(self, plan: CountPlan) -> None:
        self._tick()
        session = self._my_session()
        assert session is not None
        got = self._tender_in(session)
        expected = {**got, "cash": self._expected_cash(session)}
        cash = expected["cash"]
        if plan.cash == "over_small":
            cash += plan.cash_delta
        elif plan.cash == "short_small":
            cash -= plan.cash_delta
        elif plan.cash == "over_big":
            cash += TOLERANCE + plan.cash_delta
        elif plan.cash == "short_big":
            cash -= TOLERANCE + plan.cash_delta
        cash = max(0, cash)
        live = self._live(session)
        checks = [
            CountedItem(n or "", Money(a)) for r in live for k, a, n in r.tenders if k == "check"
        ]
        orders = [
            CountedItem(n or "", Money(a))
            for r in live
            for k, a, n in r.tenders
            if k == "money_order"
        ]
        card = expected["card"]
        if plan.noncash == "miss_check" and checks:
            checks.pop()
        elif plan.noncash == "extra_money_order":
            orders.append(CountedItem("MO-X", Money(plan.delta)))
        elif plan.noncash == "card_off":
            card = max(0, card + (plan.delta if plan.delta % 2 else -plan.delta))
        elif plan.noncash == "check_off" and checks:
            first = checks[0]
            checks[0] = CountedItem(first.number, Money(first.amount.cents + plan.delta))
        counted = {
            "cash": cash,
            "check": sum(c.amount.cents for c in checks),
            "money_order": sum(c.amount.cents for c in orders),
            "card": card,
        }
        over_short = {k: counted[k] - expected[k] for k in TENDERS}
        needs = any(over_short[k] for k in TENDERS if k != "cash") or (
            abs(over_short["cash"]) > TOLERANCE
        )
        result = self.desk.close_drawer(
            BlindCount(denominations(cash), tuple(checks), tuple(orders), Money(card))
        )
        assert result.session == session.id
        assert {k: v.cents for k, v in result.over_short.items()} == over_short
        assert result.needs_approval == needs
        session.state = drawer.AWAITING_APPROVAL if needs else drawer.CLOSED
        session.closed_at = self.clock.now.isoformat()
        session.counted = counted
        session.over_short = over_short
        event(f"close: needs_approval={needs}")

    @precondition(
        lambda self: any(s.state == drawer.AWAITING_APPROVAL for s in self.sessions.values())
    )
    @rule(
        explicit=st.booleans(),
        pick=st.integers(0, 100),
        approver=st.sampled_from(["lee", "pat", "pat", "amy", "bob"]),
    )
    def approve_close(self, explicit: bool, pick: int, approver: str) -> None:
        self._tick()
        waiting = [s for s in self.sessions.values() if s.state == drawer.AWAITING_APPROVAL]
        target = (
            waiting[pick % len(waiting)]
            if explicit
            else max(waiting, key=lambda s: (s.closed_at, s.id))
        )
        sid = target.id if explicit else None
        pin = PINS[approver]

        def call() -> object:
            return self.desk.approve_close(sid, approver, pin, "counted again, agreed")

        code = self._approver_check(approver, {target.cashier})
        if code is not None:
            self._refused(code, call)
            return
        assert self.desk.approve_close(sid, approver, pin, "counted again, agreed") == target.id
        target.state = drawer.CLOSED
        event("approve_close")

    # -- end of day ------------------------------------------------------------------------

    @precondition(
        lambda self: (
            all(s.state != drawer.OPEN for s in self.sessions.values())
            and any(s.state != drawer.BATCHED for s in self.sessions.values())
        )
    )
    @rule(approver=st.sampled_from(["pat", "pat", "lee"]))
    def closeout(self, approver: str) -> None:
        """The lead's end of day for today, once every drawer is closed (refused while a close
        awaits approval; a closeout while a drawer is open is among the misuses)."""
        self._tick()
        day = self.clock.now.astimezone().date().isoformat()
        assert day == self.today
        pin = LEADS[approver]

        def call() -> Closeout:
            return self.desk.closeout(day, approver, pin)

        refusal = self._closeout_refusal(0)
        if refusal is not None:
            self._refused(refusal, call)
            return
        batch = [s for s in self.sessions.values() if s.state == drawer.CLOSED]
        result = call()
        self._check_closeout(result, day, batch)
        for s in batch:
            s.state = drawer.BATCHED
        event("closeout")

    def _closeout_refusal(self, offset: int) -> str | None:
        """What a closeout ``offset`` days from today is refused with (all sessions are of
        today): a drawer still open or awaiting approval up to that date, or nothing to do."""
        states = {s.state for s in self.sessions.values()} if offset >= 0 else set()
        if drawer.OPEN in states:
            return "drawer_open"
        if drawer.AWAITING_APPROVAL in states:
            return "approval_pending"
        if offset != 0 or drawer.CLOSED not in states:
            return "nothing_to_close"
        return None

    def _check_closeout(self, result: Closeout, day: str, batch: list[MSession]) -> None:
        receipts = [self.receipts[n] for s in batch for n in s.receipts]
        expected = dict.fromkeys(TENDERS, 0)
        counted = dict.fromkeys(TENDERS, 0)
        over_short = dict.fromkeys(TENDERS, 0)
        gl: dict[str, int] = defaultdict(int)
        for s in batch:
            for kind, amount in self._tender_in(s).items():
                expected[kind] += amount
            for r in self._live(s):
                for acct, amount in r.gl.items():
                    gl[acct] += amount
            for acct, amount in s.paid_outs:
                expected["cash"] -= amount
                gl[acct] -= amount
            counted["cash"] += s.counted["cash"] - s.opening + s.drops
            for kind in ("check", "money_order", "card"):
                counted[kind] += s.counted[kind]
            for kind in TENDERS:
                over_short[kind] += s.over_short[kind]
            gl[OVER_SHORT_ACCOUNT] += sum(s.over_short.values())
        assert result.business_date == day
        assert result.batch not in self.batches
        assert result.receipts == len(receipts)
        assert result.voids == sum(r.voided for r in receipts)
        assert set(result.tenders) == set(TENDERS)
        for kind in TENDERS:
            figures = result.tenders[kind]
            assert (figures.expected.cents, figures.counted.cents) == (
                expected[kind],
                counted[kind],
            ), kind
            assert figures.over_short.cents == over_short[kind], kind
        assert {a: m.cents for a, m in result.gl.items() if m} == {a: c for a, c in gl.items() if c}
        deposit = {
            "cash": counted["cash"],
            "checks": counted["check"],
            "money_orders": counted["money_order"],
        }
        deposit["total"] = sum(deposit.values())
        assert {k: m.cents for k, m in result.deposit.items()} == deposit
        # Of what the deposit is made: the same cash in currency, coin and drops; the checks
        # and money orders the counts itemised; every drawer's fund kept back.
        detail = result.detail
        assert detail is not None
        assert detail.cash.cents == deposit["cash"]
        assert detail.drops.cents == sum(s.drops for s in batch)
        assert detail.funds_kept.cents == sum(s.opening for s in batch)
        assert sum(x.amount.cents for x in detail.checks) == deposit["checks"]
        assert sum(x.amount.cents for x in detail.money_orders) == deposit["money_orders"]
        self.batches.add(result.batch)
        self.closeouts.append(result)

    @precondition(lambda self: self.clock.now < self.end_of_day)
    @rule()
    def lunch_break(self) -> None:
        """Half an hour passes (a lockout runs out); the business date stays the same."""
        self.clock.advance(minutes=31)

    # -- printing --------------------------------------------------------------------------

    @rule(online=st.sampled_from([True, True, False]))
    def switch_printer(self, online: bool) -> None:
        """Switch the printer on or off, then retry the print queue (oldest first)."""
        self._tick()
        self.printer.online = online
        printed, pending = self.desk.print_pending()
        if online:
            assert (printed, pending) == (self.pending_prints, 0)
            self.pending_prints = 0
            for r in self.receipts.values():
                r.printed = True
        else:
            assert (printed, pending) == (0, self.pending_prints)

    @precondition(lambda self: self.user is not None and self.receipts)
    @rule(pick=st.integers(0, 1000))
    def reprint(self, pick: int) -> None:
        self._tick()
        number = sorted(self.receipts)[pick % len(self.receipts)]
        assert self.desk.reprint(number) == self.printer.online
        if not self.printer.online:
            self.pending_prints += 1

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def postings_balance(self) -> None:
        with self.app.ledger.read() as conn:
            unbalanced = conn.execute(
                sa.select(postings.c.entry_id, sa.func.sum(postings.c.amount_cents))
                .group_by(postings.c.entry_id)
                .having(sa.func.sum(postings.c.amount_cents) != 0)
            ).all()
        assert unbalanced == []

    @invariant()
    def sessions_and_expected_cash(self) -> None:
        with self.app.ledger.read() as conn:
            found: dict[str, drawer.Session] = {s.id: s for s in drawer.sessions(conn)}
            assert set(found) == set(self.sessions)
            for sid, model in self.sessions.items():
                assert found[sid].state == model.state, sid
                if model.state == drawer.OPEN:
                    have = drawer.expected_cash_in_drawer(conn, found[sid])
                    assert have.cents == self._expected_cash(model), sid

    @invariant()
    def receipts_gapless_and_kept(self) -> None:
        listed = self.desk.receipts()
        assert [r.receipt_no for r in listed] == [f"W1-{i:06d}" for i in range(1, len(listed) + 1)]
        assert [r.receipt_no for r in listed] == list(self.receipts)
        for r in listed:
            model = self.receipts[r.receipt_no]
            assert (r.total.cents, r.voided, r.printed, r.session_id) == (
                model.total,
                model.voided,
                model.printed,
                model.session,
            ), r.receipt_no
        yesterday = (self.clock.now.astimezone().date() - timedelta(days=1)).isoformat()
        assert self.desk.receipts(self.today) == listed
        assert self.desk.receipts(yesterday) == []

    @invariant()
    def audit_chain_verifies(self) -> None:
        check = self.desk.verify_audit()
        assert check.ok, check

    @invariant()
    def closeouts_balance(self) -> None:
        for c in self.closeouts:
            gl = sum(m.cents for m in c.gl.values())
            assert gl == sum(t.counted.cents for t in c.tenders.values()), c.batch

    @invariant()
    def open_items_still_due(self) -> None:
        for ref in sorted(self.touched_refs):
            view = self.desk.open_item(ref)
            assert view is not None
            assert view.still_due.cents == self._still_due(ref), ref
            # The counter's search reads what is still due for all its results at once.
            found = {v.ref: v for v in self.desk.search_open_items(ref)}
            assert found[ref] == view, ref

    @invariant()
    def logged_in_user(self) -> None:
        assert self.desk.logged_in() == self.user


def test_desk_state_machine(template_dir: Path) -> None:
    class Machine(DeskMachine):
        template = template_dir

    run_state_machine_as_test(Machine, settings=SETTINGS)


def test_model_splits_like_the_contract() -> None:
    """The model's own GL rule on the contract's examples (fixed parts first, capped)."""
    dis = CODES["PKG-CIT-DIS"]
    assert dis.allocate(35_000, 1) == {
        "250-0000-22010": 450,
        "252-0000-22030": 1000,
        "101-0000-41300": 33_550,
    }
    assert dis.allocate(500, 1) == {"250-0000-22010": 450, "252-0000-22030": 50}
    assert CODES["DOG-LIC"].allocate(4000, 2) == {"101-2200-42100": 4000}
    assert sum(denominations(12_345).get(d, 0) * d.cents for d in DENOMS) == 12_345
