"""The crash harness: scripted days through the real command line, killed at random moments.

A child process runs ``python -m cashier_desk --data-dir D run SCRIPT`` on a generated script of
whole days (a cashier opens a drawer, takes many sales of every tender, voids one, drops cash to
the safe, closes with a blind count, a lead approves the shortage, another lead closes out, the
batch is synced to central; then a returned check, a refund or a transfer of one of the day's
receipts, which the next closeout's batch carries).  The harness SIGKILLs the child at a
random moment (seeded), then restarts the workstation and checks, after EVERY kill:

* ``PRAGMA integrity_check`` of ``ledger.db`` (and ``central.db``) is ``ok``, foreign keys hold,
  and every journal entry balances;
* ``cashier-desk audit verify`` exits 0;
* ``cashier-desk receipts`` lists exactly a gapless prefix of the receipts the script issues,
  each with the planned total and the planned void flag, and every sale the child reported is
  among them;
* every receipt has its original print job (written in the receipt's own transaction) and every
  void its VOID job; every job marked printed is on the paper; every receipt on the paper is in
  the ledger (committed before printing);
* a closeout is whole or absent: every batch has its outbox row and its sessions, every session
  of a finished closeout is in exactly one batch; central holds only batches this workstation
  made, with the same SHA-256, and every batch marked sent is at central;
* each correction (returned check, refund, transfer) is whole or absent: its GL sums to 0.00 with a
  revenue side, it has its audit record, a returned check its fee item and its flag; none is
  made twice (a returned check never twice);
* the steps of the day are done as a prefix (nothing later done while something earlier is not).

Then it works out from the ledger how far the day got (the receipts list, the sessions, closes,
approvals, batches and the outbox — the child's last printed line is not enough, because a kill
can land after a commit and before the result line is printed) and runs the rest.  ``receipts``
and ``audit verify`` open the ledger without devices; the next ``run`` is a start with the
printer, and when it finishes, every job that waited before it must have printed by itself.

The printer is an ESC/POS printer simulator running in THIS process behind a real TCP socket
(``printer = "escpos+tcp://127.0.0.1:PORT"``): like a real printer it outlives the killed
workstation, so the harness sees exactly what paper came out.  (The default ``sim`` printer runs
inside the workstation and writes its paper roll only on a clean close, so after a kill its roll
says nothing.)  Mode ``none`` runs with ``printer = "none"``: every receipt waits in the queue.

Run long: ``CRASH_KILLS=5000 CRASH_SEED=7 python -m pytest tests/faults/test_crash.py -s`` or
``python -m tests.faults.harness --kills 5000 --seed 7`` (Ctrl-C stops it early: it then lets the
last days finish, checks everything and prints its report).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "cashier_desk" / "resources" / "demo"
CLI = [sys.executable, "-m", "cashier_desk"]
WORKSTATION = "W1"

Op = dict[str, Any]

CASHIERS = (("amy", "4821"), ("bob", "2468"), ("cara", "5307"), ("dev", "7152"), ("eli", "6094"))
APPROVER = ("lee", "1111")  # approves shortages; never works a drawer here
CLOSER = ("pat", "2222")  # closes out; never works a drawer here
SUPERVISOR = ("sam", "3333")  # approves refunds
OPENING = {"20.00": 5, "1.00": 20, "0.25": 40}
OPENING_CENTS = 13000
DROP_CENTS = 5000
SHORT_CENTS = 1000
DENOMINATIONS = (10000, 5000, 2000, 1000, 500, 200, 100, 50, 25, 10, 5, 1)
FIXED_CODES = (
    "DOG-LIC",
    "DOG-LIC-U",
    "CAT-LIC",
    "ANIMAL-TAG",
    "PKG-PRM-RES",
    "NOTARY",
    "PKG-CIT-MTR",
    "PKG-CIT-HYD",
    "BUS-LIC-REN",
    "GARAGE-SALE",
)
PER_UNIT_CODES = ("COPIES", "PKG-PRM-VIS", "FAC-RENT")
OPEN_CODES = ("MISC", "BUS-TAX", "TOT")


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def cents(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.lstrip("-").partition(".")
    return sign * (int(whole) * 100 + int((frac or "0").ljust(2, "0")))


def denominations(amount: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in DENOMINATIONS:
        n, amount = divmod(amount, d)
        if n:
            out[money(d)] = n
    return out


class HarnessFailure(AssertionError):
    """Something was lost, half-written or inconsistent after a kill."""


# -- the plan: whole days, generated from the seed -------------------------------------------


@dataclass(frozen=True)
class Step:
    kind: str  # open, sale, void, drop, close, approve, closeout, sync; a correction after it
    cycle: int
    op: Op
    receipt: str | None = None  # sale: the receipt it issues; void: the receipt it voids
    total: int = 0  # sale: its total in cents


@dataclass
class Cycle:
    index: int
    cashier: tuple[str, str]
    drawer: str
    steps: list[Step]
    sales: list[Step]
    voided: str


def partial_refs(folder: Path = DEMO) -> set[str]:
    """The open items a part of may be paid (a transfer's ``to_ref`` gets part of its due)."""
    with (folder / "revenue_codes.csv").open(encoding="utf-8", newline="") as fh:
        codes = {r["code"] for r in csv.DictReader(fh) if r["partial_allowed"] == "yes"}
    with (folder / "open_items.csv").open(encoding="utf-8", newline="") as fh:
        return {r["ref"] for r in csv.DictReader(fh) if r["revenue_code"] in codes}


def reference_data(folder: Path = DEMO) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Fixed and per-unit fees by code, and the payable open items (ref, amount due)."""
    with (folder / "revenue_codes.csv").open(encoding="utf-8", newline="") as fh:
        fees = {r["code"]: cents(r["amount"]) for r in csv.DictReader(fh) if r["amount"]}
    with (folder / "open_items.csv").open(encoding="utf-8", newline="") as fh:
        items = [
            (r["ref"], cents(r["amount_due"]))
            for r in csv.DictReader(fh)
            if r["status"] == "open" and cents(r["amount_due"]) > 0
        ]
    return fees, items


class Planner:
    """Generates the days one by one; the same seed always gives the same days."""

    def __init__(self, seed: int, business_date: str) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.business_date = business_date
        self.fees, items = reference_data()
        self.rng.shuffle(items)
        self.open_items = items
        self.cycles: list[Cycle] = []
        self.by_receipt: dict[str, Step] = {}
        self.receipts = 0
        self.checks = 0
        self.tenders: dict[str, list[Op]] = {}
        self.due = dict(items)
        self.partial = partial_refs()

    def cycle(self, index: int) -> Cycle:
        while len(self.cycles) <= index:
            self.cycles.append(self._make(len(self.cycles)))
        return self.cycles[index]

    def sale_step(self, receipt_no: str) -> Step | None:
        return self.by_receipt.get(receipt_no)

    def _items(self) -> tuple[list[Op], int]:
        rng = self.rng
        items: list[Op] = []
        total = 0
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            r = rng.random()
            if r < 0.2 and self.open_items:
                ref, due = self.open_items.pop()
                items.append({"ref": ref})
                total += due
            elif r < 0.6:
                code = rng.choice(FIXED_CODES)
                qty = rng.randint(1, 3)
                items.append({"code": code, "qty": qty})
                total += self.fees[code] * qty
            elif r < 0.8:
                code = rng.choice(PER_UNIT_CODES)
                qty = rng.randint(1, 40)
                items.append({"code": code, "qty": qty})
                total += self.fees[code] * qty
            else:
                amount = rng.randint(1, 50000)
                items.append({"code": rng.choice(OPEN_CODES), "amount": money(amount)})
                total += amount
        return items, total

    def _tenders(self, total: int) -> tuple[list[Op], int, list[Op], int]:
        """Tenders, the cash they leave in the drawer, the checks, the card amount."""
        rng = self.rng
        r = rng.random()
        self.checks += 1
        number = str(1000 + self.checks)
        if r < 0.45:
            given = total if rng.random() < 0.3 else -(-total // 2000) * 2000
            given = max(given, total)
            return [{"type": "cash", "amount": money(given)}], total, [], 0
        if r < 0.65:
            check = {"type": "check", "amount": money(total), "number": number}
            return [check], 0, [{"number": number, "amount": money(total)}], 0
        if r < 0.85:
            last4 = f"{rng.randrange(10000):04d}"
            card = {
                "type": "card",
                "amount": money(total),
                "auth": f"A{self.checks:05d}",
                "last4": last4,
            }
            return [card], 0, [], total
        if total < 2:
            return [{"type": "cash", "amount": money(total)}], total, [], 0
        part = total // 2
        cash_due = total - part
        given = -(-cash_due // 500) * 500
        tenders = [
            {"type": "check", "amount": money(part), "number": number},
            {"type": "cash", "amount": money(given)},
        ]
        return tenders, cash_due, [{"number": number, "amount": money(part)}], 0

    def _make(self, index: int) -> Cycle:
        rng = self.rng
        cashier = CASHIERS[index % len(CASHIERS)]
        drawer = f"D{index + 1}"
        n_sales = rng.randint(6, 12)
        void_of = rng.randrange(n_sales)
        void_after = rng.randrange(void_of, n_sales)
        drop_after = rng.randrange(n_sales)
        steps: list[Step] = [
            Step("open", index, {"op": "open_drawer", "drawer": drawer, "opening": OPENING})
        ]
        sales: list[Step] = []
        cash = OPENING_CENTS - DROP_CENTS
        checks: list[Op] = []
        card = 0
        planned: list[tuple[Step, int, list[Op], int]] = []
        for i in range(n_sales):
            items, total = self._items()
            tenders, cash_net, sale_checks, card_amount = self._tenders(total)
            self.receipts += 1
            receipt = f"{WORKSTATION}-{self.receipts:06d}"
            op: Op = {"op": "sale", "items": items, "tenders": tenders}
            if rng.random() < 0.5:
                op["payer"] = rng.choice(("J. Rivera", "M. Chen", "A. Novak", "Ng Hoa"))
            step = Step("sale", index, op, receipt=receipt, total=total)
            planned.append((step, cash_net, sale_checks, card_amount))
            self.tenders[receipt] = tenders
            sales.append(step)
            steps.append(step)
            self.by_receipt[receipt] = step
            if i == void_after:
                steps.append(
                    Step(
                        "void",
                        index,
                        {
                            "op": "void",
                            "receipt": sales[void_of].receipt,
                            "approver": APPROVER[0],
                            "approver_pin": APPROVER[1],
                            "reason": "rung up twice",
                        },
                        receipt=sales[void_of].receipt,
                    )
                )
            if i == drop_after:
                steps.append(Step("drop", index, {"op": "drop", "amount": money(DROP_CENTS)}))
        for i, (_step, cash_net, sale_checks, card_amount) in enumerate(planned):
            if i != void_of:
                cash += cash_net
                checks.extend(sale_checks)
                card += card_amount
        short = rng.random() < 0.5
        counted: Op = {
            "cash": denominations(cash - (SHORT_CENTS if short else 0)),
            "checks": checks,
            "card": money(card),
        }
        steps.append(Step("close", index, {"op": "close_drawer", "counted": counted}))
        if short:
            steps.append(
                Step(
                    "approve",
                    index,
                    {
                        "op": "approve_close",
                        "approver": APPROVER[0],
                        "approver_pin": APPROVER[1],
                        "comment": "short 10.00, counted twice",
                    },
                )
            )
        steps.append(
            Step(
                "closeout",
                index,
                {
                    "op": "closeout",
                    "date": self.business_date,
                    "approver": CLOSER[0],
                    "approver_pin": CLOSER[1],
                },
            )
        )
        steps.append(Step("sync", index, {"op": "sync"}))
        voided = str(sales[void_of].receipt)
        fix = self._correction(index, [s for s in sales if s.receipt != voided])
        if fix is not None:
            steps.append(fix)
        return Cycle(index, cashier, drawer, steps, sales, voided)

    def _correction(self, index: int, kept: list[Step]) -> Step | None:
        """After the closeout (and its sync), a returned check of one of the cycle's receipts
        paid by check (one with no open item: a flagged account's items would then refuse a
        later check) or a refund of one; the next closeout's batch carries it.  Chosen by a
        random source of its own, so the days stay those of the seed."""
        rng = random.Random(self.seed * 1000 + index)
        checks = [
            (s, t) for s in kept for t in self.tenders[str(s.receipt)] if t["type"] == "check"
            if not any("ref" in item for item in s.op["items"])
        ]  # fmt: skip
        moves = [
            (s, str(item["ref"])) for s in kept for item in s.op["items"]
            if item.get("ref") in self.partial
        ]  # fmt: skip
        r = rng.random()
        if moves and r >= 0.7:
            sale, source = rng.choice(moves)
            amount = min(self.due[source], 500)
            target = next((ref for ref, due in self.open_items
                           if ref in self.partial and due >= amount), None)  # fmt: skip
            if target is not None:
                self.open_items = [x for x in self.open_items if x[0] != target]
                op = {"op": "transfer", "receipt": sale.receipt, "from_ref": source,
                      "to_ref": target, "amount": money(amount), "approver": APPROVER[0],
                      "approver_pin": APPROVER[1]}  # fmt: skip
                return Step("transfer", index, op, receipt=sale.receipt)
        if checks and r < 0.4:
            sale, check = rng.choice(checks)
            op: Op = {"op": "returned_check", "receipt": sale.receipt, "number": check["number"],
                      "approver": APPROVER[0], "approver_pin": APPROVER[1]}  # fmt: skip
            return Step("returned_check", index, op, receipt=sale.receipt)
        sale = rng.choice(kept)
        card = [t for t in self.tenders[str(sale.receipt)] if t["type"] == "card"]
        op = {"op": "refund", "receipt": sale.receipt, "amount": money(min(sale.total, 100)),
              "payee": "J. Rivera", "address": "1 Main St", "reason": "overpaid",
              "approver": SUPERVISOR[0], "approver_pin": SUPERVISOR[1]}  # fmt: skip
        op |= {"method": "card", "auth": f"R{index:05d}"} if card else {"method": "check"}
        return Step("refund", index, op, receipt=sale.receipt)


# -- what the ledger says ------------------------------------------------------------------


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


@dataclass
class Snapshot:
    """Everything the checks read, from one read transaction on the ledger."""

    receipts: list[tuple[str, int, int, str, bool]]  # no, seq, total, session, voided
    sessions: dict[str, tuple[str, str]]  # drawer -> (session id, cashier)
    closes: set[str]
    approvals: set[str]
    drops: Counter[str]
    batch_of: dict[str, str]  # session -> batch
    batches: dict[str, str]  # batch -> sha256
    outbox: dict[str, tuple[str | None, str | None]]  # batch -> (sent_at, outcome)
    jobs: list[tuple[str, str, bool]]  # receipt no, kind, printed
    unbalanced: list[int]
    corrections: Counter[tuple[str, str]]  # (kind, receipt) -> how many
    fixes_whole: list[str]  # problems of the corrections (whole or absent)
    integrity: str
    foreign_keys: list[Any]
    _voided: set[str] | None = None

    @classmethod
    def read(cls, db: Path) -> Snapshot:
        with read_only(db) as conn:
            conn.execute("BEGIN")
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            foreign_keys = conn.execute("PRAGMA foreign_key_check").fetchall()
            receipts = [
                (no, seq, total, session, bool(voided))
                for no, seq, total, session, voided in conn.execute(
                    "SELECT r.receipt_no, r.seq, r.total_cents, r.session_id, "
                    "EXISTS (SELECT 1 FROM voids v WHERE v.receipt_id = r.id) "
                    "FROM receipts r ORDER BY r.seq"
                )
            ]
            sessions = {
                d: (sid, cashier)
                for sid, d, cashier in conn.execute(
                    "SELECT id, drawer, cashier FROM drawer_sessions"
                )
            }
            closes = {r[0] for r in conn.execute("SELECT session_id FROM drawer_closes")}
            approvals = {r[0] for r in conn.execute("SELECT session_id FROM close_approvals")}
            drops: Counter[str] = Counter(
                dict(
                    conn.execute(
                        "SELECT session_id, COUNT(*) FROM drawer_movements WHERE kind = 'drop' "
                        "GROUP BY session_id"
                    ).fetchall()
                )
            )
            batch_of = dict(conn.execute("SELECT session_id, batch_id FROM batch_sessions"))
            batches = dict(conn.execute("SELECT id, sha256 FROM batches"))
            outbox = {
                b: (sent, outcome)
                for b, sent, outcome in conn.execute(
                    "SELECT batch_id, sent_at, outcome FROM outbox"
                )
            }
            jobs = [
                (no, kind, printed is not None)
                for no, kind, printed in conn.execute(
                    "SELECT r.receipt_no, j.kind, j.printed_at FROM print_jobs j "
                    "JOIN receipts r ON r.id = j.receipt_id ORDER BY j.id"
                )
            ]
            unbalanced = [
                r[0]
                for r in conn.execute(
                    "SELECT entry_id FROM postings GROUP BY entry_id HAVING SUM(amount_cents) != 0"
                )
            ]
            corrections: Counter[tuple[str, str]] = Counter(
                {(k, r): n for k, r, n in conn.execute(
                    "SELECT kind, receipt_no, COUNT(*) FROM corrections GROUP BY kind, receipt_no"
                )}
            )  # fmt: skip
            fixes_whole = correction_problems(conn)
            conn.rollback()
        return cls(
            receipts,
            sessions,
            closes,
            approvals,
            drops,
            batch_of,
            batches,
            outbox,
            jobs,
            unbalanced,
            corrections,
            fixes_whole,
            integrity,
            foreign_keys,
        )

    @property
    def voided(self) -> set[str]:
        if self._voided is None:
            self._voided = {r[0] for r in self.receipts if r[4]}
        return self._voided

    def session_of(self, cycle: Cycle) -> str | None:
        found = self.sessions.get(cycle.drawer)
        return None if found is None else found[0]

    def done(self, step: Step, cycle: Cycle) -> bool:
        sid = self.session_of(cycle)
        if step.kind == "open":
            return sid is not None
        if sid is None:
            return False
        if step.kind == "sale":
            seq = int(str(step.receipt).rsplit("-", 1)[1])
            return len(self.receipts) >= seq
        if step.kind == "void":
            return step.receipt in self.voided
        if step.kind == "drop":
            return self.drops[sid] > 0
        if step.kind == "close":
            return sid in self.closes
        if step.kind == "approve":
            return sid in self.approvals
        if step.kind == "closeout":
            return sid in self.batch_of
        if step.kind == "sync":
            batch = self.batch_of.get(sid)
            return batch is not None and self.outbox.get(batch, (None, None))[0] is not None
        if step.kind in ("returned_check", "refund", "transfer"):
            return self.corrections[(step.kind, str(step.receipt))] > 0
        raise ValueError(step.kind)


def correction_problems(conn: sqlite3.Connection) -> list[str]:
    """Each correction whole or absent: its GL sums to 0.00 (a returned check's or a refund's
    has a revenue side; a transfer between items of one account nets to none), it has
    its audit record, a returned check its fee item and its account a flag (the first
    returned check of the account wrote it); no receipt is taken back
    by two returned checks."""
    found = [
        f"correction {n}: GL sums to {money(v)}"
        for n, v in conn.execute(
            "SELECT c.number, COALESCE(SUM(p.amount_cents), 0) FROM corrections c "
            "LEFT JOIN correction_postings p ON p.correction_id = c.id GROUP BY c.id"
        )
        if v
    ]
    found += [
        f"correction {n} ({k}) has no {what}"
        for n, k, what in conn.execute(
            "SELECT number, kind, 'revenue side' FROM corrections c "
            "WHERE kind != 'transfer' AND NOT EXISTS "
            "(SELECT 1 FROM correction_postings p WHERE p.correction_id = c.id "
            "AND p.side = 'revenue') "
            "UNION ALL SELECT number, kind, 'audit record' FROM corrections c WHERE NOT EXISTS "
            "(SELECT 1 FROM audit_log a WHERE a.action = c.kind AND a.target = c.number) "
            "UNION ALL SELECT number, kind, 'fee item' FROM corrections c "
            "WHERE kind = 'returned_check' AND NOT EXISTS "
            "(SELECT 1 FROM open_items o WHERE o.ref = c.number || '-FEE') "
            "UNION ALL SELECT number, kind, 'flag' FROM corrections c "
            "WHERE kind = 'returned_check' AND NOT EXISTS "
            "(SELECT 1 FROM account_flags f WHERE f.account = c.account "
            "AND f.flag = 'certified_funds_only')"
        )
    ]
    audited = conn.execute(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('returned_check', 'refund', 'transfer')"
    ).fetchone()[0]
    made = conn.execute("SELECT COUNT(*) FROM corrections").fetchone()[0]
    if audited != made:
        found.append(f"{audited} correction audit records for {made} corrections")
    return found


def central_batches(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with read_only(path) as conn:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise HarnessFailure(f"central.db integrity_check: {ok}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "batches" not in tables:
            return {}
        return dict(conn.execute("SELECT id, sha256 FROM batches"))


# -- the printer that outlives the workstation ---------------------------------------------


class Paper:
    """What came out of the printer: receipt numbers (from each piece's CODE128) per piece."""

    def __init__(self) -> None:
        from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
        from cashier_desk.devices.sim.transports import TcpSimServer

        self.sim = EscPosPrinterSim(drawer_close_after=0)
        self.server = TcpSimServer(self.sim)
        self.server.start()

    @property
    def url(self) -> str:
        host, port = self.server.address
        return f"escpos+tcp://{host}:{port}"

    def copies(self) -> Counter[str]:
        """Whole pieces of paper per receipt number."""
        found: Counter[str] = Counter()
        for piece in self.sim.receipts:
            if piece.complete and piece.cut is not None:
                for kind, text in piece.barcodes:
                    if kind == "CODE128":
                        found[text] += 1
        return found

    def torn(self) -> int:
        return sum(1 for p in self.sim.receipts if not p.complete or p.cut is None)

    def drawer_pulses(self) -> int:
        return self.sim.drawer_pulses

    def close(self) -> None:
        self.server.stop()
        self.sim.close()


# -- the child -----------------------------------------------------------------------------


@dataclass
class ChildRun:
    results: list[Op]
    times: list[float]  # seconds from the start to each result line
    returncode: int
    killed: bool
    stderr: str
    seconds: float


def cli(
    data_dir: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**child_env(), **(env or {})},
        check=False,
    )


#: An admin of the demo city, for commands that need one (headless.md "Who may run what").
ADMIN = {"CASHIER_DESK_USER": "ada", "CASHIER_DESK_PIN": "9999"}


def run_script(
    data_dir: Path, ops: list[dict[str, Any]], script: Path, *, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Write ``ops`` as a JSON Lines script to ``script`` and run it with ``cashier-desk run``."""
    script.write_text("".join(json.dumps(o) + "\n" for o in ops), encoding="utf-8")
    return cli(data_dir, "run", str(script), timeout=timeout)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CASHIER_DESK_HOME", None)
    env.pop("CASHIER_DESK_CENTRAL_URL", None)
    env.pop("CASHIER_DESK_USER", None)
    env.pop("CASHIER_DESK_PIN", None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_child(
    data_dir: Path,
    script: Path,
    *,
    kill_after_lines: int | None,
    jitter: float,
    timeout: float = 300,
) -> ChildRun:
    """Run the script; SIGKILL the child ``jitter`` seconds after it printed
    ``kill_after_lines`` results (None: let it finish)."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [*CLI, "--data-dir", str(data_dir), "run", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines: list[str] = []
    times: list[float] = []
    err: list[str] = []

    def read_out() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            times.append(time.monotonic() - start)
            lines.append(line)

    def read_err() -> None:
        assert proc.stderr is not None
        err.append(proc.stderr.read())

    readers = [threading.Thread(target=read_out), threading.Thread(target=read_err)]
    for t in readers:
        t.daemon = True
        t.start()
    killed = False
    deadline = start + timeout
    try:
        if kill_after_lines is not None:
            while proc.poll() is None and len(lines) < kill_after_lines:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.001)
            if jitter > 0:
                end = time.monotonic() + jitter
                while proc.poll() is None and time.monotonic() < end:
                    time.sleep(0.0005)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        raise HarnessFailure(f"the workstation hung for {timeout} s on {script}") from None
    except KeyboardInterrupt:  # the harness is stopped: the child is counted as a kill
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
        proc.wait()
    for t in readers:
        t.join(timeout=10)
    results = []
    for line in lines:
        try:
            results.append(json.loads(line))
        except json.JSONDecodeError:
            if not killed:
                raise HarnessFailure(f"the workstation printed a broken line: {line!r}") from None
    return ChildRun(
        results,
        times[: len(results)],
        proc.returncode,
        killed and proc.returncode == -signal.SIGKILL,
        "".join(err),
        time.monotonic() - start,
    )


# -- the harness ---------------------------------------------------------------------------


def noon_zone(now: datetime | None = None) -> tuple[str, str]:
    """A fixed-offset zone where it is about noon now (so a long run never crosses a
    business-day boundary), and today's business date there."""
    now = now or datetime.now(UTC)
    offset = max(-12, min(12, now.hour - 12))  # Etc/GMT+N is N hours behind UTC
    zone = f"Etc/GMT{'+' if offset >= 0 else '-'}{abs(offset)}"
    return zone, (now - timedelta(hours=offset)).date().isoformat()


@dataclass
class Report:
    mode: str
    seed: int
    kills: int = 0
    runs: int = 0
    restarts_checked: int = 0
    cycles_done: int = 0
    ops_run: int = 0
    receipts: int = 0
    voids: int = 0
    batches_synced: int = 0
    corrections: Counter[str] = field(default_factory=Counter)  # returned checks, refunds...
    committed_not_reported: int = 0
    pending_after_kill: int = 0
    pending_printed_at_start: int = 0
    printed_twice: int = 0
    torn_pieces: int = 0
    drawer_pulses: int = 0
    kills_by_op: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    stopped_early: bool = False

    def as_json(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["kills_by_op"] = dict(sorted(self.kills_by_op.items()))
        out["seconds"] = round(self.seconds, 1)
        return out


class Harness:
    def __init__(
        self,
        data_dir: Path,
        *,
        seed: int,
        mode: str = "tcp",
        cycles_per_run: int = 2,
        log: Any = None,
    ) -> None:
        if mode not in ("tcp", "none"):
            raise ValueError(f"mode {mode!r}: tcp or none")
        self.data = data_dir
        self.db = data_dir / "ledger.db"
        self.central = data_dir / "central.db"
        self.mode = mode
        self.rng = random.Random(seed ^ 0x5EED)
        zone, self.business_date = noon_zone()
        self.plan = Planner(seed, self.business_date)
        self.cycles_per_run = cycles_per_run
        self.report = Report(mode, seed)
        self.log = log
        self.reported: dict[str, tuple[int, bool]] = {}  # receipt -> (total, printed)
        self.paper = Paper() if mode == "tcp" else None
        printer = self.paper.url if self.paper is not None else "none"
        (data_dir / "config.toml").write_text(
            f'[station]\ntimezone = "{zone}"\n\n[policy]\ndrawer_alert_seconds = 0\n\n'
            f'[devices]\nprinter = "{printer}"\ndrawer = "printer"\nscanner = "none"\n'
            'display = "none"\n',
            encoding="utf-8",
        )
        # Seconds each operation takes, by name (the first line's includes the start-up);
        # measured as we go, so that a kill lands anywhere inside the operation in flight.
        self.took: dict[str, float] = {"start": 2.0, "exit": 1.0}
        self.script_no = 0

    def close(self) -> None:
        if self.paper is not None:
            self.paper.close()

    def say(self, text: str) -> None:
        if self.log is not None:
            self.log(text)

    # -- where are we --------------------------------------------------------------------

    def position(self, snap: Snapshot) -> tuple[int, int]:
        """(cycle, step) of the first step not done; checks that what is done is a prefix."""
        first: tuple[int, int] | None = None
        c = 0
        while True:
            cycle = self.plan.cycle(c)
            for i, step in enumerate(cycle.steps):
                done = snap.done(step, cycle)
                if first is None and not done:
                    first = (c, i)
                elif first is not None and done:
                    raise HarnessFailure(
                        f"cycle {c} step {i} ({step.kind}) is done but cycle {first[0]} step "
                        f"{first[1]} ({self.plan.cycle(first[0]).steps[first[1]].kind}) is not"
                    )
            if first is not None and first[0] < c:
                return first
            c += 1

    def script_from(self, cycle: int, step: int) -> list[Op]:
        ops: list[Op] = []
        for c in range(cycle, cycle + self.cycles_per_run):
            plan = self.plan.cycle(c)
            user, pin = plan.cashier
            ops.append({"op": "login", "user": user, "pin": pin})
            ops.extend(s.op for s in plan.steps[(step if c == cycle else 0) :])
        return ops

    # -- the checks after every restart ---------------------------------------------------

    def restart_and_check(self, context: str) -> Snapshot:
        listed = cli(self.data, "receipts")
        if listed.returncode != 0 or "Traceback" in listed.stderr:
            raise HarnessFailure(f"{context}: `receipts` failed: {listed.stderr}")
        verify = cli(self.data, "audit", "verify")
        if verify.returncode != 0:
            raise HarnessFailure(
                f"{context}: `audit verify` failed: {verify.stdout}{verify.stderr}"
            )
        self.report.restarts_checked += 1
        rows = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
        snap = Snapshot.read(self.db)
        self.check(snap, rows, context)
        return snap

    def check(self, snap: Snapshot, rows: list[Op], context: str) -> None:
        def fail(problem: str) -> HarnessFailure:
            return HarnessFailure(f"{context}: {problem}")

        if snap.integrity != "ok":
            raise fail(f"integrity_check: {snap.integrity}")
        if snap.foreign_keys:
            raise fail(f"foreign_key_check: {snap.foreign_keys[:5]}")
        if snap.unbalanced:
            raise fail(f"journal entries that do not balance: {snap.unbalanced[:5]}")
        # Corrections: each whole or absent, none twice (a returned check never twice).
        if snap.fixes_whole:
            raise fail(f"corrections: {snap.fixes_whole[:5]}")
        twice = [key for key, n in snap.corrections.items() if n > 1]
        if twice:
            raise fail(f"corrections made twice: {twice[:5]}")
        # The receipts: a gapless prefix of the plan, each with its planned total.
        voided_plan = {c.voided for c in self.plan.cycles}
        for i, row in enumerate(rows, 1):
            want = f"{WORKSTATION}-{i:06d}"
            if row["receipt"] != want:
                raise fail(f"receipt #{i} is {row['receipt']}, expected {want} (a gap?)")
            step = self.plan.sale_step(want)
            if step is None:
                raise fail(f"{want} was never issued by the script")
            if cents(row["total"]) != step.total:
                raise fail(f"{want} totals {row['total']}, the script rang {money(step.total)}")
            if row["voided"] and want not in voided_plan:
                raise fail(f"{want} is void but the script never voided it")
        if [r[0] for r in snap.receipts] != [r["receipt"] for r in rows]:
            raise fail("`receipts` does not list what the ledger holds")
        listed = {r["receipt"]: cents(r["total"]) for r in rows}
        for receipt, (total, _printed) in self.reported.items():
            if receipt not in listed:
                raise fail(f"{receipt} was reported as sold but is missing")
            if listed[receipt] != total:
                raise fail(f"{receipt} was reported with another total")
        # Print jobs: written with the receipt (and with the void).
        kinds: dict[str, Counter[str]] = {}
        printed: Counter[str] = Counter()
        for no, kind, is_printed in snap.jobs:
            kinds.setdefault(no, Counter())[kind] += 1
            if is_printed:
                printed[no] += 1
        for no, _seq, _total, _session, voided in snap.receipts:
            k = kinds.get(no, Counter())
            if k["original"] != 1:
                raise fail(f"{no} has {k['original']} original print jobs")
            if k["void"] != (1 if voided else 0):
                raise fail(f"{no} (void: {voided}) has {k['void']} VOID print jobs")
        if self.paper is not None:
            paper = self.paper.copies()
            for no, n in printed.items():
                if paper[no] < n:
                    raise fail(f"{no}: {n} job(s) marked printed, {paper[no]} on paper")
            unknown = set(paper) - {r[0] for r in snap.receipts}
            if unknown:
                raise fail(f"paper for receipts the ledger does not hold: {sorted(unknown)}")
            for receipt, (_total, was_printed) in self.reported.items():
                if was_printed and paper[receipt] == 0:
                    raise fail(f"{receipt} was reported printed but is not on the paper")
        elif printed:
            raise fail(f"jobs marked printed with printer = none: {sorted(printed)[:5]}")
        # Closeouts: whole or absent; sync: central holds what was marked sent, nothing else.
        if set(snap.outbox) != set(snap.batches):
            raise fail(f"batches {sorted(snap.batches)} vs outbox {sorted(snap.outbox)}")
        if set(snap.batch_of.values()) != set(snap.batches):
            raise fail("a batch without sessions, or sessions in a batch that does not exist")
        for session in snap.batch_of:
            if session not in snap.closes:
                raise fail(f"session {session} is in a batch but was never closed")
        central = central_batches(self.central)
        for batch, sha in central.items():
            if snap.batches.get(batch) != sha:
                raise fail(f"central holds {batch} with a SHA-256 the ledger does not have")
        for batch, (sent, outcome) in snap.outbox.items():
            if sent is not None and batch not in central:
                raise fail(f"{batch} is marked {outcome} but central does not hold it")
            if outcome not in (None, "sent", "already_there"):
                raise fail(f"{batch}: central answered {outcome}")
        self.position(snap)

    # -- the loop ------------------------------------------------------------------------

    def write_script(self, ops: list[Op]) -> Path:
        self.script_no += 1
        path = self.data.parent / f"{self.data.name}-script.jsonl"
        path.write_text("".join(json.dumps(op) + "\n" for op in ops), encoding="utf-8")
        return path

    def note_results(self, ops: list[Op], run: ChildRun) -> None:
        for op, result in zip(ops, run.results, strict=False):
            if result.get("op") != op["op"]:
                raise HarnessFailure(f"result {result} does not answer {op}")
            if not result.get("ok"):
                raise HarnessFailure(f"{op['op']} was refused: {result}\n{run.stderr}")
            if op["op"] == "sale":
                step = self.plan.sale_step(result["receipt"])
                if step is None or step.op != op:
                    raise HarnessFailure(f"{result['receipt']} answers another sale than {op}")
                if cents(result["total"]) != step.total:
                    raise HarnessFailure(f"{result['receipt']} totals {result['total']}")
                self.reported[result["receipt"]] = (step.total, bool(result["printed"]))
        self.report.ops_run += len(run.results)
        previous = 0.0
        for i, (op, at) in enumerate(zip(ops, run.times, strict=False)):
            self._took("start" if i == 0 else op["op"], at - previous)
            previous = at
        if not run.killed and len(run.times) == len(ops):
            self._took("exit", run.seconds - previous)

    def _took(self, name: str, seconds: float) -> None:
        old = self.took.get(name)
        self.took[name] = seconds if old is None else 0.7 * old + 0.3 * seconds

    def kill_moment(self, ops: list[Op]) -> tuple[int, float]:
        """After how many result lines, and how long after the last of them, to kill."""
        target = self.rng.randrange(len(ops) + 1)
        if target == 0:
            span = self.took["start"]
        elif target == len(ops):
            span = self.took["exit"]
        else:
            span = self.took.get(ops[target]["op"], 0.05)
        return target, self.rng.uniform(0, 1.1 * span)

    def one_run(self, kill: bool) -> None:
        before = Snapshot.read(self.db)
        cycle, step = self.position(before)
        ops = self.script_from(cycle, step)
        script = self.write_script(ops)
        target: int | None = None
        jitter = 0.0
        if kill:
            target, jitter = self.kill_moment(ops)
        run = run_child(self.data, script, kill_after_lines=target, jitter=jitter)
        self.report.runs += 1
        self.note_results(ops, run)
        if run.killed:
            self.report.kills += 1
            at = len(run.results)
            in_flight = ops[at]["op"] if at < len(ops) else "exit"
            if at == 0:
                in_flight = "start-up or first login"
            self.report.kills_by_op[in_flight] += 1
            after = Snapshot.read(self.db)
            self.report.pending_after_kill += sum(1 for j in after.jobs if not j[2])
            reported_sales = sum(1 for r in run.results if r.get("op") == "sale")
            self.report.committed_not_reported += max(
                0, len(after.receipts) - len(before.receipts) - reported_sales
            )
            context = (
                f"seed {self.report.seed}, kill {self.report.kills} (during {in_flight}, "
                f"{at} results printed)"
            )
            self.say(context)
            self.restart_and_check(context)
        elif run.returncode != 0:
            raise HarnessFailure(
                f"the script stopped with exit {run.returncode}: {run.stderr}\n"
                f"last results: {run.results[-3:]}"
            )
        elif self.paper is not None:
            # A start with the printer: whatever waited before it has printed by itself.
            waiting = [(no, kind) for no, kind, printed in before.jobs if not printed]
            if waiting:
                after = Snapshot.read(self.db)
                done = {(no, kind) for no, kind, printed in after.jobs if printed}
                still = [w for w in waiting if w not in done]
                if still:
                    raise HarnessFailure(f"pending receipts did not print at start-up: {still}")
                self.report.pending_printed_at_start += len(waiting)

    def run(self, kills: int) -> Report:
        start = time.monotonic()
        self.restart_and_check("before the first kill")
        try:
            while self.report.kills < kills:
                # After a kill that left receipts waiting to print, now and then let the next
                # start run to its end, to see them print by themselves.
                pending = any(not printed for _n, _k, printed in Snapshot.read(self.db).jobs)
                clean = pending and self.paper is not None and self.rng.random() < 0.5
                self.one_run(kill=not clean)
        except KeyboardInterrupt:  # Ctrl-C (or SIGINT) on a long run: finish, check, report
            self.report.stopped_early = True
            self.say(f"stopped after {self.report.kills} kills; finishing and checking")
            self.restart_and_check("after the stop")
        # Let the last days finish, print whatever waits, and check everything once more.
        self.one_run(kill=False)
        if self.paper is not None:
            done = self.write_script([{"op": "print_pending"}])
            finish = cli(self.data, "run", str(done))
            result = json.loads(finish.stdout.splitlines()[-1])
            if finish.returncode != 0 or result["pending"] != 0:
                raise HarnessFailure(f"print_pending at the end: {finish.stdout}{finish.stderr}")
        snap = self.restart_and_check("at the end")
        if self.paper is not None:
            not_printed = [j for j in snap.jobs if not j[2]]
            if not_printed:
                raise HarnessFailure(f"jobs never printed: {not_printed[:5]}")
            paper = self.paper.copies()
            missing = [r[0] for r in snap.receipts if paper[r[0]] == 0]
            if missing:
                raise HarnessFailure(f"receipts that never reached the paper: {missing[:5]}")
            printed_jobs = len(snap.jobs)
            self.report.printed_twice = sum(paper.values()) - printed_jobs
            self.report.torn_pieces = self.paper.torn()
            self.report.drawer_pulses = self.paper.drawer_pulses()
        cycle, _ = self.position(snap)
        self.report.cycles_done = cycle
        self.report.receipts = len(snap.receipts)
        self.report.voids = sum(1 for r in snap.receipts if r[4])
        self.report.batches_synced = sum(1 for s, _o in snap.outbox.values() if s is not None)
        for (kind, _receipt), n in snap.corrections.items():
            self.report.corrections[kind] += n
        self.report.seconds = time.monotonic() - start
        return self.report


def prepare(data_dir: Path, template: Path | None = None) -> None:
    """A data folder with the demo city loaded (copied from ``template`` when given)."""
    if template is not None:
        shutil.copytree(template, data_dir)
        for name in ("ledger.db-wal", "ledger.db-shm"):
            (data_dir / name).unlink(missing_ok=True)
        return
    done = cli(data_dir, "demo", "--load-only")
    if done.returncode != 0:
        raise HarnessFailure(f"loading the demo city failed: {done.stderr}")


def crash_run(
    data_dir: Path,
    *,
    kills: int,
    seed: int,
    mode: str = "tcp",
    template: Path | None = None,
    log: Any = None,
) -> Report:
    prepare(data_dir, template)
    harness = Harness(data_dir, seed=seed, mode=mode, log=log)
    try:
        return harness.run(kills)
    finally:
        harness.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=int(os.environ.get("CRASH_KILLS", "100")))
    p.add_argument("--seed", type=int, default=int(os.environ.get("CRASH_SEED", "1")))
    p.add_argument("--mode", choices=("tcp", "none"), default="tcp")
    p.add_argument("--keep", type=Path, default=None, help="data folder to keep (default: temp)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = args.keep or Path(tmp) / "data"
        started = time.monotonic()

        def log(text: str) -> None:
            print(f"[{time.monotonic() - started:8.1f}s] {text}", file=sys.stderr, flush=True)

        report = crash_run(data, kills=args.kills, seed=args.seed, mode=args.mode, log=log)
        print(json.dumps(report.as_json(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
