"""A busy day at one workstation, in a process of its own: the closeout's time and the memory.

``python -m benchmarks.day --data DIR --receipts N`` runs N sales of the usual mix through
``Desk.sale`` (bills by check or cash, licences, copies, parking permits by card, miscellaneous
fees by cash or money order; in-memory printer, counting drawer) over two cashiers' drawers
with a drop and a few voids, closes both drawers with exact blind counts, then times the lead's
``Desk.closeout`` call alone.  It prints one JSON line: the closeout's seconds, each sale's
timing summary, the batch made, and the process's peak resident memory after the whole day
(``ru_maxrss`` since the process started: ``VmHWM``).  ``--idle`` only opens the app and logs
in: the same memory, for the limit.

The parent (``benchmarks.closeout``) gives it a data folder with the demo city and enough
synthetic open items (refs ``synth(0)`` … ``synth(N-1)``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import bench_app, profiled_into, summary, synth
from cashier_desk.desk import BlindCount, CountedItem, Desk, ItemRequest, TenderRequest
from cashier_desk.ledger import drawer
from cashier_desk.ledger.backup import auto_backup
from cashier_desk.money import Money


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    """This process's peak resident memory since it started.

    ``VmHWM`` is ``ru_maxrss`` counted from ``exec``: Linux carries ``ru_maxrss`` over from
    the parent at ``fork``, so a worker spawned by a large benchmark process would report the
    parent's size.  ``ru_maxrss`` itself is used where there is no ``/proc`` (not Linux)."""
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _round_up(cents: int, step: int = 2000) -> int:
    return -(-cents // step) * step


class DaySales:
    """The usual mix of the counter's sales, deterministic from a seed."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.next_item = 0

    def next(self, desk: Desk, n: int) -> tuple[list[ItemRequest], list[TenderRequest], str]:
        rng = self.rng
        kind = rng.randrange(100)
        payer = ""
        if kind < 45:
            item = synth(self.next_item)
            self.next_item += 1
            items = [ItemRequest(ref=item.ref)]
            payer = item.name
        elif kind < 65:
            items = [ItemRequest(code=rng.choice(["DOG-LIC", "CAT-LIC"]), qty=rng.randint(1, 2))]
        elif kind < 80:
            items = [ItemRequest(code="COPIES", qty=rng.randint(1, 40))]
        elif kind < 90:
            items = [
                ItemRequest(code="PKG-PRM-RES"),
                ItemRequest(code="PKG-PRM-VIS", qty=rng.randint(1, 10)),
            ]
        else:
            items = [ItemRequest(code="MISC", amount=Money(rng.randint(100, 6_000)))]
        total = desk.quote(items).total
        if 80 <= kind < 90:
            tenders = [TenderRequest("card", total, auth=f"A{n:05d}", last4="4242")]
        elif kind < 45 and rng.random() < 0.5:
            tenders = [TenderRequest("check", total, number=str(20_000 + n))]
        elif kind >= 90 and rng.random() < 0.3:
            tenders = [TenderRequest("money_order", total, number=f"MO{n}")]
        else:
            tenders = [TenderRequest("cash", Money(_round_up(total.cents)))]
        return items, tenders, payer


def _exact_count(desk: Desk) -> BlindCount:
    """What the drawer should hold, counted exactly (no over/short, no approval needed)."""
    user = desk.user
    assert user is not None
    with desk.ledger.read() as conn:
        session = drawer.open_session_of_cashier(conn, user.login)
        assert session is not None
        balances = drawer.drawer_balances(conn, session.id)
    left = (session.opening + balances["cash"]).cents
    cash: dict[Money, int] = {}
    for denom in drawer.DENOMINATIONS:
        count, left = divmod(left, denom.cents)
        if count:
            cash[denom] = count

    def items(kind: str) -> list[CountedItem]:
        amount = balances[kind]
        return [CountedItem("all", amount)] if amount.is_positive() else []

    return BlindCount(
        cash=cash, checks=items("check"), money_orders=items("money_order"), card=balances["card"]
    )


def run_day(data: Path, receipts: int, profile: Path | None) -> dict[str, Any]:
    started = time.perf_counter()
    app = bench_app(data)
    times: list[float] = []
    try:
        desk = app.desk
        mix = DaySales()
        cashiers = [("amy", "4821", "D1"), ("bob", "2468", "D2")]
        voids_each = max(1, receipts // 2000)  # a few voids: each needs a lead's PIN
        for c, (login, pin, drawer_id) in enumerate(cashiers):
            desk.login(login, pin)
            desk.open_drawer(drawer_id, {Money.parse("20.00"): 5, Money.parse("1.00"): 20})
            mine = receipts // len(cashiers) + (c < receipts % len(cashiers))
            numbers = []
            for _ in range(mine):
                items, tenders, payer = mix.next(desk, len(times))
                t0 = time.perf_counter()
                result = desk.sale(items, tenders, payer)
                times.append(time.perf_counter() - t0)
                numbers.append(result.receipt)
            desk.drop(Money.parse("100.00"))
            for number in numbers[:voids_each]:
                desk.void(number, "lee", "1111", "rung up twice")
            desk.close_drawer(_exact_count(desk))
        desk.logout()
        business_date = desk.business_date()
        if profile is not None:
            with profiled_into(profile, "closeout"):
                t0 = time.perf_counter()
                closeout = desk.closeout(business_date, "pat", "2222")
                closeout_s = time.perf_counter() - t0
        else:
            t0 = time.perf_counter()
            closeout = desk.closeout(business_date, "pat", "2222")
            closeout_s = time.perf_counter() - t0
        # The closeout's time includes the backup after it; the same backup again, alone:
        t0 = time.perf_counter()
        auto_backup(app.ledger, data / "bench-backups", workstation="W1", now=desk.now(), keep=1)
        backup_s = time.perf_counter() - t0
        ledger_mb = (data / "ledger.db").stat().st_size / 1e6
    finally:
        app.close()
    return {
        "closeout_s": closeout_s,
        "backup_s": backup_s,
        "ledger_mb": ledger_mb,
        "batch": closeout.batch,
        "receipts": closeout.receipts,
        "voids": closeout.voids,
        "sales": summary(times),
        "day_s": time.perf_counter() - started,
        "maxrss_mb": _peak_mb(),
        "rss_mb": _status_mb("VmRSS"),
    }


def run_idle(data: Path) -> dict[str, Any]:
    app = bench_app(data)
    try:
        app.desk.login("amy", "4821")
        app.desk.receipts()
    finally:
        app.close()
    return {"maxrss_mb": _peak_mb(), "rss_mb": _status_mb("VmRSS")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.day", description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--receipts", type=int, default=10_000)
    parser.add_argument("--idle", action="store_true")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args(argv)
    out = run_idle(args.data) if args.idle else run_day(args.data, args.receipts, args.profile)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
