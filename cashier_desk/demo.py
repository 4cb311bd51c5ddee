"""The demo city: its reference data (``cashier_desk/resources/demo``, installed with the
package) and a believable headless day.

The demo day goes through the same script operations a training or acceptance script uses,
so it shows exactly what the counter does: two cashiers, payments of every kind, a void, a
drop, a paid-out, a no-sale, blind closes, approval and the lead's closeout.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk import resources
from cashier_desk.desk import Desk
from cashier_desk.errors import Refusal
from cashier_desk.ledger import drawer as drawer_rules
from cashier_desk.ledger.schema import receipts as receipts_t
from cashier_desk.ledger.schema import tenders as tenders_t
from cashier_desk.ledger.schema import voids
from cashier_desk.money import Money
from cashier_desk.runner import parse_item, run_op

DEMO_DIR = resources.path("demo")
#: People last: the demo city loads only into an empty data dir, where an import needs no
#: credentials until the ledger has people (headless.md, "Who may run what").
FILES = (
    ("revenue-codes", "revenue_codes.csv"),
    ("open-items", "open_items.csv"),
    ("program-rules", "program_rules.toml"),
    ("users", "users.csv"),
)


#: The city's programs (citations under the citation rule, TOT operators, licensed businesses,
#: a code per rule), kept apart from the base city the tests load (``FILES``).
PROGRAM_FILES = (
    ("revenue-codes", "program_codes.csv"),
    ("open-items", "program_items.csv"),
    ("accounts", "accounts.csv"),
)


def load_reference_data(desk: Desk, folder: Path = DEMO_DIR) -> dict[str, int]:
    """Import the demo revenue codes, open items, program rules and users (rows with the same
    key replaced) into a ledger that has no people yet."""
    return _load(desk, folder, FILES)


def load_city(desk: Desk, folder: Path = DEMO_DIR) -> dict[str, int]:
    """The demo city a person asks for (``demo``, the window's offer): the reference data and
    its programs, people last; the rows of each kind of file added up."""
    people = [f for f in FILES if f[0] == "users"]
    rest = [f for f in FILES if f[0] != "users"]
    return _load(desk, folder, (*rest, *PROGRAM_FILES, *people))


def _load(desk: Desk, folder: Path, files: Sequence[tuple[str, str]]) -> dict[str, int]:
    loaded: dict[str, int] = {}
    for kind, name in files:
        loaded[kind] = loaded.get(kind, 0) + desk.import_file(kind, folder / name).rows
    return loaded


def _payable_refs(desk: Desk, folder: Path, rng: random.Random, want: int) -> list[str]:
    with (folder / "open_items.csv").open(encoding="utf-8", newline="") as fh:
        refs = [row["ref"] for row in csv.DictReader(fh) if row["status"] == "open"]
    rng.shuffle(refs)
    picked: list[str] = []
    for ref in refs:
        item = desk.open_item(ref)
        if item is not None and item.still_due.is_positive():
            picked.append(ref)
        if len(picked) == want:
            break
    return picked


def _do(desk: Desk, op: dict[str, Any]) -> dict[str, Any]:
    result = run_op(desk, op)
    if not result["ok"]:
        raise Refusal(result["error"], f"demo day: {op['op']} refused: {result['message']}")
    return result


def _sale(desk: Desk, rng: random.Random, refs: list[str]) -> dict[str, Any]:
    kind = rng.randrange(100)
    items: list[dict[str, Any]]
    if kind < 45 and refs:
        items = [{"ref": refs.pop()}]
    elif kind < 65:
        items = [
            {"code": rng.choice(["DOG-LIC", "CAT-LIC", "DOG-LIC-S"]), "qty": rng.randint(1, 2)}
        ]
    elif kind < 80:
        items = [{"code": "COPIES", "qty": rng.randint(1, 40)}]
    elif kind < 90:
        items = [{"code": "PKG-PRM-RES"}, {"code": "PKG-PRM-VIS", "qty": rng.randint(1, 10)}]
    else:
        items = [{"code": "MISC", "amount": f"{rng.randint(1, 60)}.{rng.randint(0, 99):02d}"}]
    probe = desk.open_item(items[0]["ref"]) if "ref" in items[0] else None
    payer = probe.name if probe else rng.choice(["", "J. Rivera", "M. Chen", "A. Novak"])
    return {"op": "sale", "items": items, "payer": payer}


def _tenders(total_cents: int, rng: random.Random, n: int) -> list[dict[str, str]]:
    def money(c: int) -> str:
        return f"{c // 100}.{c % 100:02d}"

    style = n % 5
    if style == 0:
        return [{"type": "check", "amount": money(total_cents), "number": str(1000 + n)}]
    if style == 1:
        return [
            {"type": "card", "amount": money(total_cents), "auth": f"A{n:05d}", "last4": "4242"}
        ]
    if style == 2 and total_cents > 500:
        return [
            {"type": "money_order", "amount": money(total_cents - 500), "number": f"MO-{n}"},
            {"type": "cash", "amount": "5.00"},
        ]
    rounded = ((total_cents // 2000) + 1) * 2000
    return [{"type": "cash", "amount": money(rounded)}]


def run_demo_day(desk: Desk, folder: Path = DEMO_DIR, seed: int = 7) -> dict[str, Any]:
    """Run a whole demo day; return the closeout result."""
    rng = random.Random(seed)
    refs = _payable_refs(desk, folder, rng, 30)
    fund = {"20.00": 5, "10.00": 5, "5.00": 10, "1.00": 40, "0.25": 40}
    n = 0
    for cashier, pin, drawer_id in (("amy", "4821", "D1"), ("bob", "2468", "D2")):
        _do(desk, {"op": "login", "user": cashier, "pin": pin})
        _do(desk, {"op": "open_drawer", "drawer": drawer_id, "opening": fund})
        receipts = []
        for _ in range(25):
            n += 1
            sale = _sale(desk, rng, refs)
            total = desk.quote([parse_item(i) for i in sale["items"]]).total
            sale["tenders"] = _tenders(total.cents, rng, n)
            receipts.append(_do(desk, sale)["receipt"])
        _do(desk, {"op": "void", "receipt": receipts[3], "approver": "lee",
                   "approver_pin": "1111", "reason": "rang up the wrong licence"})  # fmt: skip
        _do(desk, {"op": "drop", "amount": "100.00"})
        _do(desk, {"op": "paid_out", "amount": "12.50", "reason": "postage",
                   "gl": "101-1200-52100"})  # fmt: skip
        _do(desk, {"op": "no_sale", "reason": "make change"})
        # The demo cashier counts what is there: ask the ledger as a lead would after the count.
        session = desk.current_session()
        if session is None:
            raise Refusal("no_open_drawer", "demo day: the drawer closed unexpectedly")
        counted = _count_like_a_person(desk, session.id, rng)
        close = _do(desk, {"op": "close_drawer", "counted": counted})
        if close["needs_approval"]:
            _do(desk, {"op": "approve_close", "approver": "lee", "approver_pin": "1111",
                       "comment": "recounted with the cashier"})  # fmt: skip
        _do(desk, {"op": "logout"})
    return _do(desk, {"op": "closeout", "approver": "pat", "approver_pin": "2222"})


def _count_like_a_person(desk: Desk, session_id: str, rng: random.Random) -> dict[str, Any]:
    """What a cashier would count: the real contents of the drawer, with a coin dropped now
    and then (so the demo shows a small shortage)."""
    with desk.ledger.read() as conn:
        session = drawer_rules.get_session(conn, session_id)
        if session is None:
            raise Refusal("no_open_drawer", "demo day: no session")
        cash = drawer_rules.expected_cash_in_drawer(conn, session)
        card = drawer_rules.drawer_balances(conn, session_id)["card"]
        live = (
            sa.select(tenders_t.c.kind, tenders_t.c.number, tenders_t.c.amount_cents)
            .join(receipts_t, receipts_t.c.id == tenders_t.c.receipt_id)
            .where(
                receipts_t.c.session_id == session_id,
                ~sa.exists().where(voids.c.receipt_id == receipts_t.c.id),
            )
        )
        paper = conn.execute(live).all()
    short = rng.choice((0, 25))
    cents = cash.cents - short
    twenties, cents = divmod(cents, 2000)
    ones, cents = divmod(cents, 100)
    quarters, cents = divmod(cents, 25)
    return {
        "cash": {"20.00": twenties, "1.00": ones, "0.25": quarters, "0.01": cents},
        "checks": [
            {"number": p.number, "amount": str(Money(p.amount_cents))}
            for p in paper
            if p.kind == "check"
        ],
        "money_orders": [
            {"number": p.number, "amount": str(Money(p.amount_cents))}
            for p in paper
            if p.kind == "money_order"
        ],
        "card": str(card),
    }
