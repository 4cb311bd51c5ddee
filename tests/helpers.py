"""Helpers for tests: a hand-moved clock and a dump of every table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger.schema import metadata


class FakeClock:
    """A clock the test moves by hand (starts mid-morning UTC on a fixed day)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def dump_tables(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for proving that a refused operation changed nothing."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with app.ledger.read() as conn:
        for table in metadata.sorted_tables:
            out[table.name] = [tuple(r) for r in conn.execute(sa.select(table))]
    return out


def run_ok(app: App, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    """Run script operations through the runner; fail the test on any refusal."""
    from cashier_desk.runner import run_op

    results = []
    for op in ops:
        result = run_op(app.desk, op)
        assert result["ok"], result
        results.append(result)
    return results


def small_day(app: App) -> dict[str, Any]:
    """A short day that writes to every table: sales, a void, a drop, a paid-out, a no-sale,
    a close short beyond tolerance sent back for a recount, the recount (short beyond
    tolerance too), its approval and the closeout.  Returns the closeout."""
    cash = {"type": "cash", "amount": "100.00"}
    results = run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"code": "DOG-LIC", "qty": 2}], "tenders": [cash]},
        {"op": "sale", "items": [{"ref": "UB-100234"}],
         "tenders": [{"type": "check", "amount": "82.15", "number": "1042"}]},
        {"op": "void", "receipt": "W1-000001", "approver": "lee", "approver_pin": "1111",
         "reason": "wrong licence"},
        {"op": "sale", "items": [{"code": "MISC", "amount": "12.00"}], "tenders": [cash]},
        {"op": "drop", "amount": "50.00"},
        {"op": "paid_out", "amount": "2.50", "reason": "postage", "gl": "101-1200-52100"},
        {"op": "no_sale", "reason": "make change"},
        # the first count misses the 0.50 coin (14.50 short); the lead sends it back
        {"op": "close_drawer", "counted": {"cash": {"20.00": 2, "5.00": 1},
                                           "checks": [{"number": "1042", "amount": "82.15"}]}},
        {"op": "reject_close", "approver": "lee", "approver_pin": "1111",
         "comment": "count the coins again"},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 2, "5.00": 1,
                                                    "0.50": 1},
                                           "checks": [{"number": "1042", "amount": "82.15"}]}},
        {"op": "approve_close", "approver": "lee", "approver_pin": "1111", "comment": "ok"},
        {"op": "closeout", "date": app.desk.business_date(), "approver": "pat",
         "approver_pin": "2222"},
    )  # fmt: skip
    return results[-1]


#: The demo city's supervisor and admin, as ``Desk.import_file`` takes them: an import into a
#: ledger that has people needs one (headless.md, "Who may run what"); and the admin as the
#: command line's global options.
SUPERVISOR = {"login": "sam", "pin": "3333"}
ADMIN = {"login": "ada", "pin": "9999"}
AS_ADMIN = ("--user", "ada", "--pin", "9999")


def import_city(app: App, folder: Path, codes: str, items: str) -> None:
    """Import revenue codes and open items (CSV text) as a supervisor, through the files a
    city would hand over."""
    (folder / "codes.csv").write_text(codes, encoding="utf-8")
    (folder / "items.csv").write_text(items, encoding="utf-8")
    app.desk.import_file("revenue-codes", folder / "codes.csv", **SUPERVISOR)
    app.desk.import_file("open-items", folder / "items.csv", **SUPERVISOR)
