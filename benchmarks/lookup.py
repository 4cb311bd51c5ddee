"""Scan to item: finding an open item among many, as the cashier scans or types.

A fresh ledger gets ``size.open_items`` synthetic open items (inserted with ``executemany``
straight into ``open_items``, then the search index built), then the Desk answers:

* a scanned bill stub (``desk.lookup_scan(ref)``) and a keyed reference (``desk.open_item``);
* the counter's search as the cashier types (``desk.search_open_items``): the start of a
  reference, a name as written ("Ada Abara" typed from the left), a surname first ("Abara
  Ad"), two or three letters of any word of a name, an address ("12 Map") or a street and its
  number ("Maple 12"), a plate, an account number.

The limit beside the exact reference is a primary-key lookup with ``sqlite3`` on the same
file; beside each search, the same FTS5 question asked with ``sqlite3`` (the words as prefixes,
the first 20 row ids in the index's order, nothing read from the items).
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import Context, Figure, add_open_items, bench_app, summary, synth
from cashier_desk.ledger import search

TARGET = "value<=20"  # p99 in ms
WARMUP = 1


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
    plated = [p for p in picks if p.plate] or picks

    def word_start(name: str) -> str:
        return rng.choice(name.split())[: rng.randint(2, 3)]

    def street(address: str) -> str:
        number, name, _suffix = address.split(" ")
        return f"{name[: rng.randint(3, len(name))]} {number}"

    return {
        "ref": [p.ref for p in picks],
        # as typed: the first few characters (a ref is typed further, it is mostly digits)
        "ref_prefix": [p.ref[: rng.randint(6, 9)] for p in picks],
        "name_prefix": [p.name[: rng.randint(3, 8)] for p in picks],
        "surname_first": [
            f"{p.name.split()[1]} {p.name.split()[0][: rng.randint(1, 3)]}" for p in picks
        ],
        "word_start": [word_start(p.name) for p in picks],
        "address_prefix": [p.address[: rng.randint(4, 9)] for p in picks],
        "street": [street(p.address) for p in picks],
        "plate": [p.plate[: rng.randint(4, 7)] for p in plated],
        "account": [p.account for p in picks],
    }


SEARCHES = (
    ("ref_prefix", "Search by reference prefix, p99"),
    ("name_prefix", "Search by name prefix (as written), p99"),
    ("surname_first", "Search by surname first, p99"),
    ("word_start", "Search by 2-3 letters of a name's word, p99"),
    ("address_prefix", "Search by address prefix, p99"),
    ("street", "Search by street and number, p99"),
    ("plate", "Search by plate, p99"),
    ("account", "Search by account number, p99"),
)


def _raw(db: Path, queries: dict[str, list[str]], budget_s: float) -> dict[str, Timed]:
    conn = sqlite3.connect(db)
    try:

        def point(ref: str) -> object:
            return conn.execute("SELECT * FROM open_items WHERE ref = ?", (ref,)).fetchall()

        fts = (
            f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH ? "
            "ORDER BY rowid LIMIT 20"
        )

        def match(text: str) -> object:
            query = search.match_query(text)
            return [] if query is None else conn.execute(fts, (query,)).fetchall()

        out = {"ref": _time_queries(queries["ref"], point, budget_s)}
        for key, _title in SEARCHES:
            out[key] = _time_queries(queries[key], match, budget_s)
        return out
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
            }
            for key, _title in SEARCHES:
                got[key] = _time_queries(queries[key], desk.search_open_items, size.lookup_budget_s)
    finally:
        app.close()
    items = f"{size.open_items:,} open items"
    rows = [
        ("scan", "ref", "Scan a bill stub (lookup_scan), p99", "raw sqlite3 PK lookup"),
        ("open_item", "ref", "Open item by reference, p99", "raw sqlite3 PK lookup"),
    ]
    rows += [(key, key, title, "raw FTS5 match, first 20") for key, title in SEARCHES]
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
