"""What a closeout hands to other systems: the GL journal for the ERP and the payments on open
items per program (F6)."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path

from cashier_desk import cli
from cashier_desk.app import App
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.reports.exports import gl_journal, write_exports
from tests.helpers import run_ok

DEPOSIT, CARDS = "101-0000-10100", "101-0000-10150"


def _day(app: App) -> Closeout:
    """Payments on a water bill (check) and two parking citations (cash, card), one of them
    voided; a licence by card; a paid-out; a drawer 1.00 short."""
    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"ref": "UB-100234"}],
         "tenders": [{"type": "check", "amount": "82.15", "number": "1042"}]},
        {"op": "sale", "items": [{"ref": "PC-2026-000001"}],
         "tenders": [{"type": "cash", "amount": "45.00"}]},
        {"op": "sale", "items": [{"ref": "PC-2026-000003"}, {"code": "DOG-LIC"}],
         "tenders": [{"type": "card", "amount": "65.00", "last4": "4242", "auth": "A1B2"}]},
        {"op": "sale", "items": [{"ref": "UB-100001", "amount": "10.00"}],
         "tenders": [{"type": "cash", "amount": "10.00"}]},
        {"op": "void", "receipt": "W1-000004", "approver": "lee", "approver_pin": "1111",
         "reason": "wrong bill"},
        {"op": "paid_out", "amount": "2.50", "reason": "postage", "gl": "101-1200-52100"},
        # 100.00 + 45.00 - 2.50 = 142.50 expected; 141.50 counted
        {"op": "close_drawer", "counted": {
            "cash": {"20.00": 7, "1.00": 1, "0.50": 1},
            "checks": [{"number": "1042", "amount": "82.15"}], "card": "65.00"}},
    )  # fmt: skip
    return app.desk.closeout(app.desk.business_date(), "pat", "2222")


def test_the_gl_journal_balances_and_takes_every_side_right(app: App) -> None:
    closeout = _day(app)
    lines = gl_journal(closeout, deposit_account=DEPOSIT, card_account=CARDS)
    sides = {x.account: (str(x.debit), str(x.credit)) for x in lines}
    assert sides[DEPOSIT] == ("123.65", "0.00")  # 41.50 cash (141.50 - 100.00 fund) + 82.15
    assert sides[CARDS] == ("65.00", "0.00")
    assert sides["101-1200-52100"] == ("2.50", "0.00")  # the paid-out
    assert sides[app.config.over_short_account] == ("1.00", "0.00")  # the shortage
    credits = {a: c for a, (d, c) in sides.items() if c != "0.00"}
    assert credits == {
        "501-0000-44110": "82.15",  # the water bill (the voided 10.00 on UB-100001 nets out)
        "250-0000-22010": "9.00",  # two citations, 4.50 each to the state's share
        "101-0000-41300": "81.00",  # ... and the rest to the city
        "101-2200-42100": "20.00",  # the dog licence
    }
    assert sum(x.debit.cents for x in lines) == sum(x.credit.cents for x in lines)
    assert all(bool(x.debit) != bool(x.credit) for x in lines)  # one side per line


def test_payments_go_back_per_program_without_the_voided_one(app: App, tmp_path: Path) -> None:
    closeout = _day(app)
    written = write_exports(closeout, app.desk.item_payments(closeout.batch), tmp_path,
                            deposit_account=DEPOSIT, card_account=CARDS)  # fmt: skip
    assert [(f.kind, f.program, f.rows) for f in written] == [
        ("gl_journal", None, 8),
        ("payments", "PARKING", 2),
        ("payments", "UTILITY", 1),
    ]
    parking = list(csv.DictReader(written[1].path.open(encoding="utf-8", newline="")))
    assert [(r["ref"], r["amount"], r["receipt"]) for r in parking] == [
        ("PC-2026-000001", "45.00", "W1-000002"),
        ("PC-2026-000003", "45.00", "W1-000003"),
    ]
    assert {r["account"] for r in parking} == {"CA 7LHJ704", "CA 5WBG361"}
    utility = list(csv.DictReader(written[2].path.open(encoding="utf-8", newline="")))
    assert [(r["ref"], r["amount"], r["batch"]) for r in utility] == [
        ("UB-100234", "82.15", closeout.batch)  # UB-100001's payment was voided
    ]
    journal = list(csv.reader(written[0].path.open(encoding="utf-8", newline="")))
    assert journal[0] == ["business_date", "batch", "line", "account", "debit", "credit", "memo"]
    assert journal[1] == [closeout.business_date, closeout.batch, "1", DEPOSIT, "123.65", "",
                          "Deposit"]  # fmt: skip
    assert not list(tmp_path.glob("*.part"))


def test_cli_export_writes_the_files_of_a_finished_day(app: App, tmp_path: Path) -> None:
    closeout = _day(app)
    data = app.desk.ledger.path.parent
    app.close()
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--data-dir", str(data), "export", "--date", closeout.business_date])
    assert (code, err.getvalue()) == (0, "")
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [(x["export"], x.get("program"), x["rows"]) for x in lines] == [
        ("gl_journal", None, 8),
        ("payments", "PARKING", 2),
        ("payments", "UTILITY", 1),
    ]
    for x in lines:
        assert Path(x["file"]).parent == data / "exports" and Path(x["file"]).is_file()
    with redirect_stdout(io.StringIO()), redirect_stderr(err := io.StringIO()):
        code = cli.main(["--data-dir", str(data), "export", "--date", "2001-01-01"])
    assert code == 1 and "no closeout of 2001-01-01" in err.getvalue()


def test_programs_whose_names_look_alike_never_share_a_file(app: App, tmp_path: Path) -> None:
    closeout = _day(app)
    base = app.desk.item_payments(closeout.batch)[0]
    payments = [
        replace(base, program=program, ref=f"R-{n}")
        for n, program in enumerate(["Utility Billing", "Utility/Billing", "UTILITY", "utility"])
    ]
    written = write_exports(closeout, payments, tmp_path, deposit_account=DEPOSIT,
                            card_account=CARDS)[1:]  # fmt: skip
    assert len({f.path for f in written}) == 4  # four programs, four files
    for f in written:
        [row] = list(csv.DictReader(f.path.open(encoding="utf-8", newline="")))
        assert row["program"] == f.program
        assert row["ref"] == next(p.ref for p in payments if p.program == f.program)
    names = sorted(f.path.name for f in written)
    assert all(n.startswith(("payments-utility_billing-", "payments-utility-")) for n in names)
