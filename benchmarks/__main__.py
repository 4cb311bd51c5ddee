"""``python -m benchmarks``: run the suite, print the table, optionally write JSON.

Every figure is printed beside this machine's limit for the same work, measured in the same
run, and the ratio.  The exit status is 0 when the suite ran (targets missed or not: machines
are noisy); ``--strict`` makes a missed target exit 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import closeout, imports, lookup, pins, printing, sale, startup, verify
from benchmarks.common import (
    SIZES,
    Context,
    Figure,
    describe_machine,
    format_table,
    machine_info,
    write_json,
)


def _sync(ctx: Context) -> list[Figure]:
    """The sync benchmark needs psycopg (the ``test`` extra); without it, it is skipped."""
    try:
        from benchmarks import sync
    except ImportError as exc:
        if ctx.postgres == "require":
            raise
        note = f"skipped: {exc.name or exc} is not installed (pip install -e '.[test]')"
        return [Figure("sync.rows_per_s", "Sync to central PostgreSQL", None, "rows/s", note=note)]
    return sync.run(ctx)


BENCHES: dict[str, Callable[[Context], list[Figure]]] = {
    "sale": sale.run,
    "lookup": lookup.run,
    "import": imports.run,
    "closeout": closeout.run,
    "sync": _sync,
    "print": printing.run,
    "startup": startup.run,
    "pins": pins.run,
    "verify": verify.run,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="cashier_desk's hot paths against this machine's own limits.",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help=f"a comma-separated subset of: {', '.join(BENCHES)}",
    )
    parser.add_argument(
        "--postgres",
        choices=("auto", "require", "skip"),
        default=None,
        help="the sync benchmark's server: auto (default; 'require' when CI=true) skips it "
        "when no server answers",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        help="where the scratch ledgers go (default: a new temporary folder)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="profile the measured code with pyinstrument into DIR (figures are then slower)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # not available on this platform
        return []


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    size = SIZES[args.size]
    names = list(BENCHES) if not args.only else [n.strip() for n in args.only.split(",")]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"benchmarks: unknown benchmark(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    postgres = args.postgres or ("require" if os.environ.get("CI") == "true" else "auto")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.work_dir is not None:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        work_dir = Path(tempfile.mkdtemp(prefix="cashier-bench-", dir=args.work_dir))
    else:
        work_dir = Path(tempfile.mkdtemp(prefix="cashier-bench-"))
    ctx = Context(size, work_dir, postgres=postgres, profile_dir=args.profile)
    machine = machine_info(work_dir)
    load_before = _loadavg()
    started = datetime.now(UTC)
    print(f"cashier_desk benchmarks, size {size.name}, {started:%Y-%m-%d %H:%M} UTC")
    print(f"machine: {describe_machine(machine)}")
    print(f"scratch: {work_dir}")
    print(f"load average (1, 5, 15 min) before: {load_before}")
    if args.profile:
        print(f"profiling into {args.profile}: the figures are slower than without it")
    print(flush=True)
    figures: list[Figure] = []
    failed: list[str] = []
    timings: dict[str, float] = {}
    try:
        for name in names:
            t0 = time.perf_counter()
            print(f"… {name}", file=sys.stderr, flush=True)
            try:
                figures += BENCHES[name](ctx)
            except Exception:
                failed.append(name)
                print(f"benchmarks: {name} failed:", file=sys.stderr)
                traceback.print_exc()
            timings[name] = round(time.perf_counter() - t0, 1)
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(format_table(figures))
    print()
    load_after = _loadavg()
    print("seconds per benchmark: " + ", ".join(f"{k} {v}" for k, v in timings.items()))
    print(
        f"load average after: {load_after} (other work on the machine skews the figures; "
        "the limits are measured in the same run to offset that)"
    )
    if args.json:
        write_json(
            args.json,
            {
                "size": size.name,
                "started": started.isoformat(),
                "machine": machine,
                "load_average": {"before": load_before, "after": load_after},
                "seconds": timings,
                "failed": failed,
                "results": [f.as_json() for f in figures],
            },
        )
    if failed:
        print(f"benchmarks: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    if args.strict and any(f.met is False for f in figures):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
