"""The once-only rules across workstations (programs.md, "Precise readings"; issue 15, item 2):
accounts imported at central reach every counter by ``sync pull``; W1's TOT return, licences,
dog licence and parking permits (one of them voided) travel with its batch to central, and once
W2 has pulled them W2 refuses a second return of the period (``already_filed``) and a second
licence of the year (``already_licensed``), renews W1's dog licence, and counts W1's permits
in force at the address against the limit — the voided one freed.  On SQLite and PostgreSQL
(W2 through a role of its own, which adds only its own records and reads everyone's).  Central
refuses a batch whose records were made up or whose void was undone in transit."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger import schema as local
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from cashier_desk.sync import books, central, schema_programs
from cashier_desk.sync.pull import central_import
from tests.helpers import FakeClock, run_ok
from tests.programs.counter_city import ACCOUNTS, CODES, LEAD, quote
from tests.sync.conftest import CentralPg, reseal, workstation

DAY = datetime(2026, 12, 10, 18, 0, tzinfo=UTC)
NOW = "2026-12-10T17:00:00+00:00"
TOT = {"tot": {"account": "TOT-0042", "period": "2026-Q3", "gross_rents": "50000.00",
               "exempt_rents": "5000.00"}}  # fmt: skip
NEW = {"licence": {"kind": "new", "name": "Green Door Deli", "address": "14 Oak St",
                   "year": 2027, "gross_receipts": "250000.00"}}  # fmt: skip
DOG = {"animal": {"species": "dog", "name": "Rex", "owner": "Ann Lee", "address": "1 Main St",
                  "altered": True, "term_years": 1, "rabies_cert": "R-1234",
                  "rabies_expires": "2030-06-30"}}  # fmt: skip


def renewal(account: str) -> dict[str, Any]:
    return {"licence": {"kind": "renewal", "account": account, "year": 2027,
                        "gross_receipts": "250000.00"}}  # fmt: skip


def permit(plate: str, address: str = "12 Oak St") -> dict[str, Any]:
    return {"permit": {"code": "PKG-PRM-RES", "plate": plate, "address": address}}


def _central_city(engine: sa.Engine, folder: Path) -> None:
    """The city's codes and accounts imported at central (none at the counters)."""
    (folder / "codes.csv").write_text(CODES, encoding="utf-8")
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    central_import(engine, "revenue-codes", folder / "codes.csv", NOW)
    assert central_import(engine, "accounts", folder / "accounts.csv", NOW).rows == 3


class Counter:
    """A workstation's drawer day: each sale paid in cash of its quoted total."""

    def __init__(self, app: App, user: str, pin: str, drawer: str) -> None:
        self.app = app
        self.cash = 10_000
        run_ok(app, {"op": "login", "user": user, "pin": pin},
               {"op": "open_drawer", "drawer": drawer, "opening": {"20.00": 5}})  # fmt: skip

    def sell(self, *items: dict[str, Any]) -> dict[str, Any]:
        total = quote(self.app, list(items))
        if not total["ok"]:
            return total
        done = run_op(
            self.app.desk,
            {
                "op": "sale",
                "items": list(items),
                "tenders": [{"type": "cash", "amount": total["total"]}],
            },
        )
        if done["ok"]:
            self.cash += Money.parse(done["total"]).cents
        return done

    def void(self, sold: dict[str, Any]) -> None:
        run_ok(self.app, {"op": "void", "receipt": sold["receipt"], **LEAD, "reason": "wrong"})
        self.cash -= Money.parse(sold["total"]).cents

    def close_out(self) -> dict[str, Any]:
        cash = {"100.00": self.cash // 10_000, "0.01": self.cash % 10_000}
        run_ok(self.app, {"op": "close_drawer", "counted": {"cash": cash}}, {"op": "logout"})
        return run_ok(self.app, {"op": "closeout", **LEAD})[0]


def _w1_day(w1: App) -> dict[str, Any]:
    """W1 files a return, opens a licence and renews one, licenses a dog and sells three
    permits at 12 Oak St (the limit), voiding one; closes out and sends the batch."""
    day = Counter(w1, "amy", "4821", "D1")
    assert day.sell(TOT)["ok"]
    opened = day.sell(NEW)
    assert opened["licences"] == [{"licence": "BL-W1-000001", "valid_through": "2027-12-31"}]
    assert day.sell(renewal("BL-0007"))["ok"]
    dog = day.sell(DOG)
    assert dog["licences"][0]["licence"] == "AL-W1-000001"
    sold = [day.sell(permit(p)) for p in ("1AAA111", "2BBB222", "3CCC333")]
    assert all(s["ok"] for s in sold)
    assert day.sell(permit("4DDD444"))["error"] == "permit_limit"
    day.void(sold[1])
    assert day.close_out()["receipts"] == 7
    assert w1.desk.relay is not None
    pushed = w1.desk.relay.push()
    assert (pushed.sent, pushed.problems) == (1, [])
    return {"opened": opened, "dog": dog}


def _across(w1: App, w2: App, engine: sa.Engine) -> None:
    for app in (w1, w2):
        pulled = app.desk.pull_reference_data()
        assert (pulled.accounts, pulled.program_records) == (3, 0)
    _w1_day(w1)
    with engine.connect() as conn:
        at_central = {
            name: sorted((r.workstation, r.voided_at is None) for r in conn.execute(sa.select(t)))
            for name, t in schema_programs.RECORDS.items()
        }
    assert at_central == {
        "tot_returns": [("W1", True)],
        "licences": [("W1", True), ("W1", True)],
        "animal_licences": [("W1", True)],
        "permits": [("W1", False), ("W1", True), ("W1", True)],
    }
    _around_the_program(w1, engine)
    counter = Counter(w2, "bob", "2468", "D2")
    # Before W2 pulls, it knows nothing of W1's day.
    assert quote(w2, [TOT])["ok"]
    assert quote(w2, [renewal("BL-W1-000001")])["error"] == "unknown_account"
    assert quote(w2, [{"animal": DOG["animal"] | {"renews": "AL-W1-000001"}}])["error"] == (
        "unknown_licence")  # fmt: skip
    pulled = w2.desk.pull_reference_data()
    assert pulled.program_records == 7
    assert w2.desk.pull_reference_data().program_records == 0  # each batch once
    # The once-only rules now hold across the two counters.
    assert quote(w2, [TOT])["error"] == "already_filed"
    assert counter.sell(TOT)["error"] == "already_filed"
    assert counter.sell(renewal("BL-0007"))["error"] == "already_licensed"
    assert quote(w2, [renewal("BL-W1-000001")])["error"] == "already_licensed"
    renewed = counter.sell({"animal": DOG["animal"] | {"renews": "AL-W1-000001"}})
    assert renewed["ok"], renewed
    assert renewed["licences"][0]["expires"] == "2028-12-09"  # from the day after the old one
    # W1's two permits in force at the address count; the voided one is freed.
    assert counter.sell(permit("5EEE555", "12  OAK st"))["ok"]
    assert counter.sell(permit("6FFF666", "12 oak ST"))["error"] == "permit_limit"
    # W1's records are kept with their workstation and never sent again by W2.
    with w2.ledger.read() as conn:
        theirs = conn.execute(
            sa.select(sa.func.count()).where(local.permits.c.workstation == "W1")
        ).scalar_one()
    assert theirs == 3
    counter.close_out()
    assert w2.desk.relay is not None
    assert w2.desk.relay.push().sent == 1
    with w2.ledger.read() as conn:
        payload = json.loads(
            conn.execute(sa.select(local.batches.c.payload)).scalar_one()
        )  # fmt: skip
    records = payload["programs"]["records"]
    assert {n: [r["workstation"] for r in rows] for n, rows in records.items()} == {
        "animal_licences": ["W2"], "permits": ["W2"]}  # fmt: skip
    # W1 now sees W2's permit and renewal.
    assert w1.desk.pull_reference_data().program_records == 2
    run_ok(w1, {"op": "login", "user": "amy", "pin": "4821"})
    assert quote(w1, [permit("7GGG777")])["error"] == "permit_limit"


def _around_the_program(w1: App, engine: sa.Engine) -> None:
    """W1's day again as if from W9, which central never registered, written straight into
    central's books (an old central, a hand edit): its records are never brought."""
    with w1.ledger.read() as conn:
        text = str(conn.execute(sa.select(local.batches.c.payload)).scalar_one())
    w9 = json.loads(text.replace("W1", "W9"))
    with engine.begin() as conn:
        books.insert_batch(conn, w9, *reseal(w9), NOW)


def _apps(make_app: Callable[..., App], url1: str, url2: str) -> tuple[App, App]:
    w1 = workstation(make_app, url1, FakeClock(DAY), name="w1")
    w2 = make_app("w2", workstation="W2", clock=FakeClock(DAY))
    assert w2.desk.relay is not None
    w2.desk.relay.central_url = url2
    return w1, w2


def test_the_once_only_rules_hold_across_workstations_on_sqlite(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = central.engine_for(url)
    try:
        central.init_central(engine)
        _central_city(engine, tmp_path)
        _across(*_apps(make_app, url, url), engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_once_only_rules_hold_across_workstations_on_postgresql(
    make_app: Callable[..., App],
    central_pg: CentralPg,
    ws_role: Callable[[str], str],
    tmp_path: Path,
) -> None:
    _central_city(central_pg.engine, tmp_path)
    as_w2_url = ws_role("W2")
    _across(*_apps(make_app, central_pg.workstation_url, as_w2_url), central_pg.engine)
    # W2's role reads W1's records, and changes none of them.
    as_w2 = central.engine_for(as_w2_url)
    try:
        with as_w2.connect() as conn:
            seen = conn.execute(sa.text("SELECT DISTINCT workstation FROM permits")).scalars()
            assert sorted(seen) == ["W1", "W2"]
        with pytest.raises(sa.exc.DBAPIError), as_w2.begin() as conn:
            conn.execute(sa.text("UPDATE permits SET voided_at = NULL"))
    finally:
        as_w2.dispose()


def _edited_batch(make_app: Callable[..., App], url: str, edit: Callable[[Any], None]) -> str:
    w1 = workstation(make_app, url, FakeClock(DAY), name="w1")
    w1.desk.pull_reference_data()
    day = Counter(w1, "amy", "4821", "D1")
    sold = [day.sell(permit(p)) for p in ("1AAA111", "2BBB222")]
    day.void(sold[1])
    day.close_out()
    with w1.ledger.read() as conn:
        payload = json.loads(conn.execute(sa.select(local.batches.c.payload)).scalar_one())
    edit(payload)
    engine = central.engine_for(url)
    try:
        return central.deliver(engine, *reseal(payload), NOW)
    finally:
        engine.dispose()


def _undo_void(payload: Any) -> None:
    for r in payload["programs"]["records"]["permits"]:
        r["voided_at"] = None


def _made_up(payload: Any) -> None:
    [first, *_] = payload["programs"]["records"]["permits"]
    payload["programs"]["records"]["permits"].append(
        first | {"receipt_no": "W1-000999", "number": "PP-W1-000999"}
    )


@pytest.mark.parametrize("edit", [_undo_void, _made_up])
def test_central_refuses_records_edited_in_transit(
    make_app: Callable[..., App], tmp_path: Path, edit: Callable[[Any], None]
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = central.engine_for(url)
    try:
        central.init_central(engine)
        _central_city(engine, tmp_path)
    finally:
        engine.dispose()
    assert _edited_batch(make_app, url, edit) == "quarantined"
    engine = central.engine_for(url)
    try:
        with engine.connect() as conn:
            held = conn.execute(sa.select(sa.func.count()).select_from(
                schema_programs.permits)).scalar_one()  # fmt: skip
    finally:
        engine.dispose()
    assert held == 0


def test_central_import_accounts_from_the_command_line(tmp_path: Path) -> None:
    """``central import accounts FILE.csv`` like ``central import open-items``: the whole file
    checked (a bad row names its line and imports nothing), then rows by ``account``."""
    from tests.faults.harness import cli

    office = tmp_path / "office"
    url = f"sqlite:///{tmp_path / 'central.db'}"
    good, bad = tmp_path / "accounts.csv", tmp_path / "bad.csv"
    good.write_text(ACCOUNTS, encoding="utf-8")
    bad.write_text(ACCOUNTS + "TOT-0099,rental,Nowhere,,\n", encoding="utf-8")
    assert cli(office, "--central", url, "central", "init").returncode == 0
    refused = cli(office, "--central", url, "central", "import", "accounts", str(bad))
    assert refused.returncode != 0 and "line 5" in refused.stderr, refused.stderr
    done = cli(office, "--central", url, "central", "import", "accounts", str(good))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == 3
    engine = central.engine_for(url)
    try:
        with engine.connect() as conn:
            held = conn.execute(
                sa.select(
                    schema_programs.ref_accounts.c.account, schema_programs.ref_accounts.c.rule
                ).order_by(schema_programs.ref_accounts.c.account)
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in held] == [
        ("BL-0007", "business_licence"), ("TOT-0042", "tot"), ("TOT-0043", "tot")]  # fmt: skip
