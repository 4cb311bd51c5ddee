"""The nightly import of open items: ``size.open_items`` rows from a CSV file, twice.

The file has every column an import may have (``plate`` on two rows in five, ``as_of`` on
every row).  In a process of its own, ``Desk.import_file("open-items", ...)`` loads it into a
copy of the demo city's ledger (every row new), then again on top (every row replaced): each
is one durable transaction that checks every row as it streams.  The process's peak resident
memory (``VmHWM``) is the memory figure.

The limit beside each is the same file through plain ``sqlite3`` in a process of its own, on
another copy of the same ledger (the same table, indexes and search-index triggers, so the FTS5
index is maintained in both): ``csv.reader`` straight into ``executemany`` of the same INSERT
(with the same search key), nothing checked or converted beyond the cents, one
``BEGIN IMMEDIATE`` transaction with the ledger's pragmas.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import Context, Figure, bench_app, synth_item

RATIO_TARGET = "ratio<=1.5"
MEMORY_TARGET = "value<=300"  # MB
HEADER = "ref,program,account,name,address,amount_due,due_date,revenue_code,status,plate,as_of"
AS_OF = "2026-11-22T23:00:00-06:00"


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(HEADER.split(","))
        for i in range(count):
            row = synth_item(i)
            cents = row[5]
            out.writerow((*row[:5], f"{cents // 100}.{cents % 100:02d}", *row[6:9], row[10], AS_OF))


def _peak_mb() -> float:
    from benchmarks.day import _peak_mb as peak

    return peak()


def _child_import(data: Path, csv_path: Path) -> dict[str, Any]:
    app = bench_app(data)
    try:
        times = []
        for _ in range(2):
            started = time.perf_counter()
            rows = app.desk.import_file("open-items", csv_path, login="sam", pin="3333").rows
            times.append(time.perf_counter() - started)
    finally:
        app.close()
    return {"rows": rows, "fresh_s": times[0], "again_s": times[1], "maxrss_mb": _peak_mb()}


def _raw_rows(csv_path: Path) -> Iterator[dict[str, Any]]:
    from cashier_desk.ledger.search import key_base

    with csv_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for cells in reader:
            row: dict[str, Any] = dict(zip(header, cells, strict=True))
            row["amount_due_cents"] = int(row["amount_due"].replace(".", ""))
            row["issued"] = row["notice"] = None
            row["paid_before_line"] = 0
            row["key_base"] = key_base(row["ref"])
            yield row


def _child_raw(data: Path, csv_path: Path) -> dict[str, Any]:
    from cashier_desk.ledger.import_write import _UPSERT_ITEM

    conn = sqlite3.connect(data / "ledger.db", isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        times = []
        for _ in range(2):
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(_UPSERT_ITEM, _raw_rows(csv_path))
            conn.execute("COMMIT")
            times.append(time.perf_counter() - started)
    finally:
        conn.close()
    return {"fresh_s": times[0], "again_s": times[1], "maxrss_mb": _peak_mb()}


def _worker(*args: str) -> dict[str, Any]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.imports", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=3600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmarks.imports failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(ctx: Context) -> list[Figure]:
    n = ctx.size.open_items
    csv_path = ctx.work_dir / "open_items.csv"
    write_csv(csv_path, n)
    raw_dir = ctx.fresh_data_dir("import-raw")
    raw = _worker("--raw", "--data", str(raw_dir), "--csv", str(csv_path))
    desk_dir = ctx.fresh_data_dir("import-desk")
    got = _worker("--data", str(desk_dir), "--csv", str(csv_path))
    size_mb = csv_path.stat().st_size / 1e6
    rows = f"{n:,} rows ({size_mb:.0f} MB of CSV)"
    return [
        Figure(
            "import.fresh_s",
            f"Import {n:,} open items (all new)",
            got["fresh_s"],
            "s",
            raw["fresh_s"],
            "raw sqlite3 executemany of the same file, same indexes and FTS5 index",
            RATIO_TARGET,
            f"{rows}; {n / got['fresh_s']:,.0f} rows/s, every row checked",
            {"desk": got, "raw": raw},
        ),
        Figure(
            "import.again_s",
            f"Import {n:,} open items again (all replaced)",
            got["again_s"],
            "s",
            raw["again_s"],
            "raw sqlite3 executemany of the same file, same indexes and FTS5 index",
            RATIO_TARGET,
            f"{rows}; {n / got['again_s']:,.0f} rows/s",
        ),
        Figure(
            "import.peak_mb",
            f"Peak memory of those imports ({n:,} rows)",
            got["maxrss_mb"],
            "MB",
            raw["maxrss_mb"],
            "the raw sqlite3 import's process",
            MEMORY_TARGET,
            "VmHWM of the importing process (the app opened, both imports)",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.imports", description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--raw", action="store_true", help="the sqlite3 limit instead")
    args = parser.parse_args(argv)
    result = _child_raw(args.data, args.csv) if args.raw else _child_import(args.data, args.csv)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
