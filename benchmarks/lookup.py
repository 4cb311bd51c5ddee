"""Scan to item: finding an open item among many, as the cashier scans or types.

A fresh ledger gets ``size.open_items`` synthetic open items (inserted with ``executemany``
straight into ``open_items``), then the Desk answers:

* a scanned bill stub (``desk.lookup_scan(ref)``) and a keyed reference (``desk.open_item``);
* the search as the cashier types (``desk.search_open_items``) by the start of a reference,
  a name or an address.

The limit beside each is the best this machine does for the same question with ``sqlite3``
on the same file: a primary-key lookup for a reference, and an index range scan
(``col >= 'prefix' AND col < 'prefiy' ORDER BY col LIMIT 20``) for a prefix.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import Context, Figure, add_open_items, bench_app, summary, synth

TARGET = "value<=20"  # p99 in ms
WARMUP = 1


def _prefix_bound(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Timed(list[float]):
    """Durations of queries, and how many of them found something."""

    found = 0


def _time_queries(
    queries: list[str], ask: Callable[[str], object], budget_s: float, minimum: int = 5
) -> Timed:
    """Time each query; stop early once the kind has used its time budget (never before
    ``minimum`` queries)."""
    for q in queries[:WARMUP]:
        ask(q)
    times = Timed()
    spent = 0.0
    for q in queries:
        started = time.perf_counter()
        answer = ask(q)
        dt = time.perf_counter() - started
        times.append(dt)
        times.found += bool(answer)
        spent += dt
        if spent > budget_s and len(times) >= minimum:
            break
    return times


def _queries(n_items: int, count: int) -> dict[str, list[str]]:
    rng = random.Random(42)
    picks = [synth(rng.randrange(n_items)) for _ in range(count)]
    return {
        "ref": [p.ref for p in picks],
        # as typed: the first few characters (a ref is typed further, it is mostly digits)
        "ref_prefix": [p.ref[: rng.randint(6, 9)] for p in picks],
        "name_prefix": [p.name[: rng.randint(3, 8)] for p in picks],
        "address_prefix": [p.address[: rng.randint(4, 9)] for p in picks],
    }


def _raw(db: Path, queries: dict[str, list[str]], budget_s: float) -> dict[str, Timed]:
    conn = sqlite3.connect(db)
    try:

        def point(ref: str) -> object:
            return conn.execute("SELECT * FROM open_items WHERE ref = ?", (ref,)).fetchall()

        def prefix(col: str) -> Callable[[str], object]:
            sql = (
                f"SELECT ref FROM open_items WHERE {col} >= ? AND {col} < ? ORDER BY {col} LIMIT 20"
            )
            return lambda q: conn.execute(sql, (q, _prefix_bound(q))).fetchall()

        return {
            "ref": _time_queries(queries["ref"], point, budget_s),
            "ref_prefix": _time_queries(queries["ref_prefix"], prefix("ref"), budget_s),
            "name_prefix": _time_queries(queries["name_prefix"], prefix("name"), budget_s),
            "address_prefix": _time_queries(queries["address_prefix"], prefix("address"), budget_s),
        }
    finally:
        conn.close()


def run(ctx: Context) -> list[Figure]:
    size = ctx.size
    data_dir = ctx.fresh_data_dir("lookup")
    db = data_dir / "ledger.db"
    load_s = add_open_items(db, size.open_items)
    queries = _queries(size.open_items, size.lookups)
    raw = _raw(db, queries, size.lookup_budget_s)
    app = bench_app(data_dir)
    try:
        desk = app.desk
        with ctx.profiled("lookup"):
            got = {
                "scan": _time_queries(queries["ref"], desk.lookup_scan, size.lookup_budget_s),
                "open_item": _time_queries(queries["ref"], desk.open_item, size.lookup_budget_s),
                "ref_prefix": _time_queries(
                    queries["ref_prefix"], desk.search_open_items, size.lookup_budget_s
                ),
                "name_prefix": _time_queries(
                    queries["name_prefix"], desk.search_open_items, size.lookup_budget_s
                ),
                "address_prefix": _time_queries(
                    queries["address_prefix"], desk.search_open_items, size.lookup_budget_s
                ),
            }
    finally:
        app.close()
    items = f"{size.open_items:,} open items"
    rows = [
        ("scan", "ref", "Scan a bill stub (lookup_scan), p99", "raw sqlite3 PK lookup"),
        ("open_item", "ref", "Open item by reference, p99", "raw sqlite3 PK lookup"),
        ("ref_prefix", "ref_prefix", "Search by reference prefix, p99", "raw index range"),
        ("name_prefix", "name_prefix", "Search by name prefix, p99", "raw index range"),
        ("address_prefix", "address_prefix", "Search by address prefix, p99", "raw index range"),
    ]
    figures = []
    for key, raw_key, title, how in rows:
        s, r = summary(got[key]), summary(raw[raw_key])
        note = (
            f"{s['n']} queries among {items} ({got[key].found} found something); "
            f"median {s['p50_ms']:.2f} ms"
        )
        if key == "scan":
            note += f" (loading the items took {load_s:.1f} s)"
        figures.append(
            Figure(
                f"lookup.{key}.p99",
                title,
                s["p99_ms"],
                "ms",
                r["p99_ms"],
                how,
                TARGET,
                note,
                {"desk": s, "raw": r, "open_items": size.open_items, "load_s": load_s},
            )
        )
    return figures
