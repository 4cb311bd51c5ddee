"""A city with a revenue code for each program of issue 15, registered accounts, someone at the
counter with an open drawer, and helpers to run a day of program items through the script
runner (``run_op``), as an outside tester would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger.schema import (
    accounts,
    animal_licences,
    licences,
    permits,
    receipts,
    tot_returns,
)
from cashier_desk.runner import run_op
from tests.helpers import SUPERVISOR, FakeClock, run_ok

CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    "TOT,Transient occupancy tax,TOT,101-0000-31300,open,,no,tot\n"
    "BUS-LIC,Business licence,LICENCE,101-0000-41100,open,,no,business_licence\n"
    "ANIMAL-LIC,Animal licence,ANIMAL,101-2200-42100,open,,no,animal_licence\n"
    "PKG-PRM-RES,Residential parking permit,PARKING,101-0000-42500,fixed,40.00,no,"
    "parking_permit\n"
)
ACCOUNTS = (
    "account,rule,name,address,opened\n"
    "TOT-0042,tot,Harbor Inn,1 Bay Rd,2019-04-01\n"
    "TOT-0043,tot,Motel Six Palms,,2021-01-15\n"
    "BL-0007,business_licence,Blue Door Cafe,12 Oak St,2020-02-01\n"
)
LOGIN = {"op": "login", "user": "amy", "pin": "4821"}
LEAD = {"approver": "lee", "approver_pin": "1111"}
TABLES = {
    "receipts": receipts,
    "tot_returns": tot_returns,
    "licences": licences,
    "animal_licences": animal_licences,
    "permits": permits,
    "accounts": accounts,
}


def set_up(app: App, folder: Path, codes: str = CODES) -> App:
    """The city's codes and accounts imported, amy logged in with drawer D1 open."""
    (folder / "codes.csv").write_text(codes, encoding="utf-8")
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    app.desk.import_file("revenue-codes", folder / "codes.csv", **SUPERVISOR)
    app.desk.import_file("accounts", folder / "accounts.csv", **SUPERVISOR)
    run_ok(app, LOGIN, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    return app


def on_day(app: App, day: str) -> None:
    """The counter's business date becomes ``day`` (10:00 in California)."""
    clock = app.desk.clock
    if not isinstance(clock, FakeClock):
        raise TypeError("the app needs the tests' clock")
    clock.now = datetime.fromisoformat(f"{day}T18:00:00").replace(tzinfo=UTC)


def rules(app: App, folder: Path, text: str) -> None:
    path = folder / "rules.toml"
    path.write_text(text, encoding="utf-8")
    app.desk.import_file("program-rules", path, **SUPERVISOR)


def quote(app: App, items: list[dict[str, Any]], on: str | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"op": "quote", "items": items}
    if on is not None:
        op["date"] = on
    return run_op(app.desk, op)


def sale(
    app: App, items: list[dict[str, Any]], tenders: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A sale of the items paid by one check of the quoted total (no tender for 0.00)."""
    if tenders is None:
        total = quote(app, items)
        if not total["ok"]:
            return total
        amount = total["total"]
        tenders = [] if amount == "0.00" else [
            {"type": "check", "amount": amount, "number": "1001"}]  # fmt: skip
    return run_op(app.desk, {"op": "sale", "items": items, "tenders": tenders})


def void(app: App, receipt: str) -> dict[str, Any]:
    return run_op(app.desk, {"op": "void", "receipt": receipt, **LEAD, "reason": "keyed wrong"})


def counts(app: App) -> dict[str, int]:
    with app.ledger.read() as conn:
        return {
            name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for name, t in TABLES.items()
        }


def rows(app: App, table: sa.Table) -> list[sa.Row[Any]]:
    with app.ledger.read() as conn:
        return list(conn.execute(sa.select(table).order_by(table.c.id)))


def receipt_lines(app: App, receipt: str) -> list[tuple[str, str]]:
    view = app.desk.receipt(receipt)
    return [(line.description, str(line.amount)) for line in view.lines]
