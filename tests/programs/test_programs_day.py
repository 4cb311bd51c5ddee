"""A scripted counter day mixing the four programs of issue 15 (a TOT return, a nil return, a
new business licence, a dog licence with a parking permit, a voided cat licence): it closes
out, and the closeout's GL is each program's accounts to the cent.  The same kind of day also
runs through ``cashier-desk run`` as an outside tester would."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cashier_desk.app import App
from cashier_desk.ledger.schema import animal_licences, licences, permits, tot_returns
from cashier_desk.sync import central
from tests.helpers import run_ok
from tests.programs.counter_city import LEAD, on_day, rows, set_up
from tests.test_fund_journal import check_funds

TOT = {"tot": {"account": "TOT-0042", "period": "2026-Q3", "gross_rents": "50000.00",
               "exempt_rents": "5000.00"}}  # fmt: skip
NIL = {"tot": {"account": "TOT-0043", "period": "2026-Q3", "gross_rents": "0.00",
               "exempt_rents": "0.00"}}  # fmt: skip
LICENCE = {"licence": {"kind": "new", "name": "Blue Door Cafe", "address": "12 Oak St",
                       "year": 2027, "gross_receipts": "250000.00"}}  # fmt: skip
DOG = {"animal": {"species": "dog", "name": "Rex", "owner": "Ann Lee", "address": "1 Main St",
                  "altered": True, "term_years": 1, "rabies_cert": "R-1234",
                  "rabies_expires": "2028-06-30"}}  # fmt: skip
CAT = {"animal": {"species": "cat", "name": "Tom", "owner": "Ann Lee", "address": "1 Main St",
                  "altered": False, "term_years": 1}}  # fmt: skip
PERMIT = {"permit": {"code": "PKG-PRM-RES", "plate": "8ABC123", "address": "12 Oak St"}}


def four_programs_day(app: App, tmp_path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """A day of all four programs (and a void) closed out; the closeout's result and its GL
    without zero accounts, each checked against the contract's figures."""
    on_day(app, "2026-12-10")
    set_up(app, tmp_path)  # drawer D1 opened with 100.00
    sold = run_ok(
        app,
        {"op": "sale", "items": [TOT],
         "tenders": [{"type": "check", "amount": "5445.00", "number": "501"}]},
        {"op": "sale", "items": [LICENCE], "tenders": [{"type": "cash", "amount": "140.00"}]},
        {"op": "sale", "items": [DOG, PERMIT],
         "tenders": [{"type": "card", "amount": "55.00", "auth": "A1B2C3", "last4": "4242"}]},
        {"op": "sale", "items": [CAT], "tenders": [{"type": "cash", "amount": "20.00"}]},
        {"op": "sale", "items": [NIL], "tenders": []},
    )  # fmt: skip
    assert [s["total"] for s in sold] == ["5445.00", "129.00", "55.00", "20.00", "0.00"]
    assert sold[1]["change"] == "11.00"
    assert sold[1]["licences"] == [{"licence": "BL-W1-000001", "valid_through": "2027-12-31"}]
    assert sold[2]["licences"] == [
        {"licence": "AL-W1-000001", "tag": "TAG-W1-000001", "expires": "2027-12-09"}]  # fmt: skip
    assert sold[2]["permits"] == [{"permit": "PP-W1-000001", "valid_through": "2027-06-30"}]
    run_ok(app, {"op": "void", "receipt": sold[3]["receipt"], **LEAD, "reason": "wrong cat"})
    closed = run_ok(
        app,
        {"op": "close_drawer", "counted": {
            "cash": {"20.00": 11, "5.00": 1, "1.00": 4},
            "checks": [{"number": "501", "amount": "5445.00"}], "card": "55.00"}},
    )[0]  # fmt: skip
    assert closed["needs_approval"] is False, closed
    out = run_ok(app, {"op": "closeout", "date": "2026-12-10", "approver": "pat",
                       "approver_pin": "2222"})[0]  # fmt: skip
    assert (out["receipts"], out["voids"]) == (5, 1)
    gl = {k: v for k, v in out["gl"].items() if v != "0.00"}
    assert gl == {
        "101-0000-31300": "4500.00", "101-0000-31310": "900.00", "101-0000-31320": "45.00",
        "101-0000-41100": "125.00", "260-0000-22040": "0.40", "101-0000-41150": "3.60",
        "101-2200-42100": "15.00", "101-0000-42500": "40.00",
    }  # fmt: skip
    assert out["deposit"] == {"cash": "129.00", "checks": "5445.00", "money_orders": "0.00",
                              "total": "5574.00"}  # fmt: skip
    assert [(r.account, r.voided_at) for r in rows(app, tot_returns)] == [
        ("TOT-0042", None), ("TOT-0043", None)]  # fmt: skip
    assert [r.number for r in rows(app, licences)] == ["BL-W1-000001"]
    assert [(r.species, r.voided_at is None) for r in rows(app, animal_licences)] == [
        ("dog", True), ("cat", False)]  # fmt: skip
    assert [r.plate for r in rows(app, permits)] == ["8ABC123"]
    return out, gl


def test_a_day_of_all_four_programs_closes_out_to_each_programs_accounts(
    app: App, tmp_path: Path
) -> None:
    out, gl = four_programs_day(app, tmp_path)
    check_funds(out, journal_rows(out))  # every fund of the GL journal balances
    # the batch reaches central, whose totals for the day are the closeout's
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = central.engine_for(url)
    central.init_central(engine)
    assert app.desk.relay is not None
    app.desk.relay.central_url = url
    assert run_ok(app, {"op": "sync"})[0]["sent"] == 1
    at_central = central.totals(engine, "2026-12-10")
    engine.dispose()
    assert {k: v for k, v in at_central["gl"].items() if v != "0.00"} == gl
    assert at_central["receipts"] == 5


def test_the_programs_items_through_cashier_desk_run(app: App, tmp_path: Path) -> None:
    on_day(app, "2026-12-10")
    set_up(app, tmp_path)
    data_dir = app.data_dir
    app.close()
    script = tmp_path / "day.jsonl"
    ops = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "quote", "items": [TOT], "date": "2026-11-10"},
        {"op": "sale", "items": [LICENCE, DOG],
         "tenders": [{"type": "cash", "amount": "200.00"}]},
        {"op": "sale", "items": [{**LICENCE["licence"], "kind": "renewal"}], "tenders": [],
         "expect": "error"},
        {"op": "sale", "items": [{"licence": {"kind": "renewal", "account": "BL-W1-000001",
                                              "year": 2027, "gross_receipts": "1.00"}}],
         "tenders": [{"type": "cash", "amount": "100.00"}], "expect": "error"},
    ]  # fmt: skip
    script.write_text("".join(json.dumps(op) + "\n" for op in ops), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), "run", str(script)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert results[1]["total"] == "4972.50"
    assert (results[2]["total"], results[2]["change"]) == ("144.00", "56.00")
    business, animal = results[2]["licences"]  # (the command runs on today's date)
    assert business == {"licence": "BL-W1-000001", "valid_through": "2027-12-31"}
    assert (sorted(animal), animal["tag"]) == (["expires", "licence", "tag"], "TAG-W1-000001")
    assert results[3]["error"] == "bad_request"
    assert results[4]["error"] == "already_licensed"


def test_a_quote_of_every_program_is_the_sales_lines(app: App, tmp_path: Path) -> None:
    from tests.programs.counter_city import quote, receipt_lines, sale

    on_day(app, "2026-12-10")
    set_up(app, tmp_path)
    items = [TOT, LICENCE, DOG, PERMIT, CAT, NIL]
    got = quote(app, items)
    assert got["ok"] and got["total"] == "5649.00", got
    sold = sale(app, items)
    assert sold["ok"] and sold["total"] == got["total"], sold
    assert receipt_lines(app, sold["receipt"]) == [
        (line["description"], line["amount"]) for line in got["lines"]]  # fmt: skip
    assert [x["licence"] for x in sold["licences"]] == [
        "BL-W1-000001", "AL-W1-000001", "AL-W1-000002"]  # fmt: skip
    assert [x["permit"] for x in sold["permits"]] == ["PP-W1-000001"]


def journal_rows(out: dict[str, Any]) -> list[dict[str, str]]:
    """The closeout's GL journal export, row by row."""
    [journal] = [p for p in out["papers"] if Path(p).name.startswith("gl-journal-")]
    with open(journal, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_each_programs_items_reach_its_payments_file(app: App, tmp_path: Path) -> None:
    """An outside trial: a TOT return filed and a licence renewed at the counter reached no
    payments file (only open items did), so the TOT and licensing systems never heard of
    them.  Each line of a program item is listed under its code's program with its record's
    reference and account; the voided cat licence pays nothing."""
    out, _ = four_programs_day(app, tmp_path)
    paid: dict[tuple[str, str, str], int] = {}
    for p in app.desk.item_payments(out["batch"]):
        key = (p.program, p.ref, p.account)
        paid[key] = paid.get(key, 0) + p.amount.cents
    assert paid == {
        ("TOT", "2026-Q3", "TOT-0042"): 544500,
        ("TOT", "2026-Q3", "TOT-0043"): 0,  # the nil return's one tax line
        ("LICENCE", "BL-W1-000001", rows(app, licences)[0].account): 12900,
        ("ANIMAL", "AL-W1-000001", "TAG-W1-000001"): 1500,
        ("PARKING", "PP-W1-000001", "8ABC123"): 4000,
    }
    written = sorted(Path(f).name for f in out["papers"] if Path(f).name.startswith("payments-"))
    assert written == [f"payments-{name}-{out['batch']}.csv"
                       for name in ("animal", "licence", "parking", "tot")]  # fmt: skip
    tot = (Path(app.data_dir) / "exports" / f"payments-tot-{out['batch']}.csv").read_text()
    assert tot.splitlines()[1].startswith("TOT,2026-Q3,TOT-0042,4500.00,")
