"""``cashier-desk report daily | stats | delinquent | tot`` (operations.md, Reports): the figures as
JSON on stdout (money as strings with two decimals), a PDF and a CSV of each report in
``--out DIR`` (default ``<data-dir>/reports/``), their paths on stderr.  The Desk reads the
figures (from the ledger, or central's books for ``stats --central``); ``reports/`` lays them
out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.ledger.stats import BY

HELP = """\
daily --date D          the daily reconciliation of this workstation: tenders expected,
                        counted and over/short (the day's and each drawer session's), lines
                        by revenue code, GL, deposit, adjustments, voided receipts, batches
stats --from D1 --to D2 --by code|program|tender|cashier|day|month [--central]
                        statistics for a period; --central: every workstation's synced
                        batches at the central database
delinquent --date D     open items past due, delinquent plans, certified-funds-only accounts
tot --period P          every registered TOT operator with its return for the period
                        (2026-Q3 or 2026-07) or missing
Each prints its figures as JSON and writes a PDF and a CSV into --out DIR (default: reports in
the data folder), naming them on stderr; on a terminal, stderr shows a progress bar meanwhile.
"""


def add_parsers(rep_sub: Any) -> None:
    """The report subcommands beside ``over-short``."""

    def out(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--out", type=Path, default=None, help="folder (default: reports in the data folder)"
        )

    daily = rep_sub.add_parser("daily", help="the daily reconciliation of this workstation")
    daily.add_argument("--date", required=True, help="business date YYYY-MM-DD")
    out(daily)
    stats = rep_sub.add_parser("stats", help="statistics for a period (table and bar chart)")
    stats.add_argument("--from", dest="date_from", required=True, help="first business date")
    stats.add_argument("--to", dest="date_to", required=True, help="last business date")
    stats.add_argument("--by", required=True, choices=BY)
    stats.add_argument(
        "--central",
        dest="at_central",
        action="store_true",
        help="every workstation's synced batches, read from the central database",
    )
    out(stats)
    late = rep_sub.add_parser("delinquent", help="delinquent items, plans and accounts on a date")
    late.add_argument("--date", required=True, help="date YYYY-MM-DD")
    out(late)
    tot = rep_sub.add_parser("tot", help="TOT operators with their return for a period, or missing")
    tot.add_argument("--period", required=True, help="period YYYY-Qn or YYYY-MM")
    out(tot)


class ProgressBar:
    """A report's progress on stderr, only when stderr is a terminal (stdout carries the JSON
    alone): one line drawn over itself, at most every 1/10 of the way, erased when done."""

    WIDTH = 30

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        tenths = 10 * done // total if total > 0 else 0
        if tenths == self.shown:
            return
        self.shown = tenths
        filled = self.WIDTH * done // total if total > 0 else 0
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        self.stream.flush()

    def end(self) -> None:
        if self.shown >= 0:
            self.stream.write("\r" + " " * (len(self.label) + self.WIDTH + 30) + "\r")
            self.stream.flush()


def progress_bar(label: str) -> ProgressBar | None:
    """A bar on stderr when it is a terminal; none otherwise (a pipe, a log, a test)."""
    return ProgressBar(sys.stderr, label) if sys.stderr.isatty() else None


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, separators=(",", ":")), flush=True)


def cmd_report(app: App, args: argparse.Namespace) -> int:
    from cashier_desk.reports import daily, delinquent, stats, tot

    folder = args.out if args.out is not None else app.desk.data_dir() / "reports"
    shown: dict[str, Any]
    bar = progress_bar(f"cashier-desk: report {args.report_command}")
    try:
        if args.report_command == "daily":
            day = app.desk.daily_report(args.date, progress=bar)
            shown = daily.as_json(day)
            paths = daily.write(day, folder, app.desk.workstation)
        elif args.report_command == "stats":
            found = app.desk.stats_report(
                args.date_from, args.date_to, args.by, at_central=args.at_central, progress=bar
            )
            shown = stats.as_json(found)
            source = "the central database: every workstation's synced batches"
            if not args.at_central:
                source = f"workstation {app.desk.workstation}'s ledger"
            paths = stats.write(found, folder, source=source, central=args.at_central)
        elif args.report_command == "tot":
            returns = app.desk.tot_report(args.period, progress=bar)
            shown = tot.as_json(returns)
            paths = tot.write(returns, folder)
        else:
            late = app.desk.delinquent_report(args.date, progress=bar)
            shown = delinquent.as_json(late)
            paths = delinquent.write(late, folder)
    except OSError as exc:
        raise Refusal("bad_file", f"cannot write the report into {folder}: {exc}") from None
    finally:
        if bar is not None:
            bar.end()
    _print_json(shown)
    for path in paths:
        print(f"cashier-desk: wrote {path}", file=sys.stderr)
    return 0
