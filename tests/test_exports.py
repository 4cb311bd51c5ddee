"""What a closeout hands to other systems: the GL journal for the ERP and the payments on open
items per program (F6)."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path
from typing import Any

from cashier_desk import cli
from cashier_desk.app import App
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.reports.exports import write_exports
from cashier_desk.reports.journal import JournalAccounts, fund_totals, gl_journal
from tests.helpers import run_ok

DEPOSIT, CARDS = "101-0000-10100", "101-0000-10150"
ACCOUNTS = JournalAccounts(DEPOSIT, CARDS, "{fund}-0000-13900", "101-0000-20900")


def worked_day() -> list[dict[str, Any]]:
    """The worked journal of docs/decisions.md: water by check (fund 501), two citations whose
    GL code adds the state's 4.50 (fund 250), one of them with a dog licence in a card sale, a
    water payment voided, a 2.50 paid-out for postage and a drawer 1.00 short."""
    lead = {"approver": "lee", "approver_pin": "1111"}
    return [
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
        {"op": "void", "receipt": "W1-000004", **lead, "reason": "wrong bill"},
        {"op": "paid_out", "amount": "2.50", "reason": "postage", "gl": "101-1200-52100"},
        # 100.00 + 45.00 - 2.50 = 142.50 expected; 141.50 counted
        {"op": "close_drawer", "counted": {
            "cash": {"20.00": 7, "1.00": 1, "0.50": 1},
            "checks": [{"number": "1042", "amount": "82.15"}], "card": "65.00"}},
        {"op": "logout"},
        {"op": "closeout", **lead},
    ]  # fmt: skip


def _day(app: App) -> Closeout:
    """The worked day, closed out; its closeout as the ledger reads it back."""
    run_ok(app, *worked_day())
    [closeout] = app.desk.day_closeouts(app.desk.business_date())
    return closeout


def test_the_gl_journal_balances_fund_by_fund(app: App) -> None:
    """The worked journal of docs/decisions.md ("The deposit"): water (fund 501), the state's
    add-on on two citations (fund 250, a split GL code), a voided payment, a paid-out and a
    shortage; each fund other than the treasury (101) is settled through due-to/due-from."""
    closeout = _day(app)
    lines = gl_journal(closeout, ACCOUNTS)
    assert [(x.account, str(x.debit), str(x.credit), x.memo) for x in lines] == [
        (DEPOSIT, "123.65", "0.00", "Deposit: cash, checks, money orders"),  # 41.50 + 82.15
        (CARDS, "65.00", "0.00", "Card settlement"),
        ("101-0000-41300", "0.00", "81.00", "Revenue"),  # the city's part of two citations
        ("101-0000-49900", "1.00", "0.00", "Drawer shortage"),
        ("101-1200-52100", "2.50", "0.00", "Paid-outs"),  # the postage
        ("101-2200-42100", "0.00", "20.00", "Revenue"),  # the dog licence
        ("101-0000-20900", "0.00", "9.00", "Due to fund 250: its net receipts"),
        ("101-0000-20900", "0.00", "82.15", "Due to fund 501: its net receipts"),
        ("250-0000-22010", "0.00", "9.00", "Revenue"),  # 4.50 of each citation to the state
        ("250-0000-13900", "9.00", "0.00", "Due from treasury fund 101"),
        ("501-0000-44110", "0.00", "82.15", "Revenue"),  # the voided 10.00 nets out
        ("501-0000-13900", "82.15", "0.00", "Due from treasury fund 101"),
    ]
    assert [(t.fund, str(t.debits), str(t.credits)) for t in fund_totals(lines)] == [
        ("101", "192.15", "192.15"),
        ("250", "9.00", "9.00"),
        ("501", "82.15", "82.15"),
    ]
    assert all(bool(x.debit) != bool(x.credit) for x in lines)  # one side per line


def test_payments_go_back_per_program_without_the_voided_one(app: App, tmp_path: Path) -> None:
    closeout = _day(app)
    written = write_exports(closeout, app.desk.item_payments(closeout.batch), tmp_path,
                            accounts=ACCOUNTS)  # fmt: skip
    assert [(f.kind, f.program, f.rows) for f in written] == [
        ("gl_journal", None, 12),
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
                          "Deposit: cash, checks, money orders"]  # fmt: skip
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
        ("gl_journal", None, 12),
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
    written = write_exports(closeout, payments, tmp_path, accounts=ACCOUNTS)[1:]
    assert len({f.path for f in written}) == 4  # four programs, four files
    for f in written:
        [row] = list(csv.DictReader(f.path.open(encoding="utf-8", newline="")))
        assert row["program"] == f.program
        assert row["ref"] == next(p.ref for p in payments if p.program == f.program)
    names = sorted(f.path.name for f in written)
    assert all(n.startswith(("payments-utility_billing-", "payments-utility-")) for n in names)


def test_a_card_clearing_account_in_another_fund_is_settled_like_any_fund(app: App) -> None:
    """The deposit's fund is the treasury; a card clearing account kept in fund 102 debits
    that fund, so fund 102 credits its due-from and the treasury debits its due-to."""
    closeout = _day(app)
    accounts = replace(ACCOUNTS, card_clearing="102-0000-10150")
    lines = gl_journal(closeout, accounts)
    sides = {(x.account, x.memo): (str(x.debit), str(x.credit)) for x in lines}
    assert sides["102-0000-10150", "Card settlement"] == ("65.00", "0.00")
    assert sides["102-0000-13900", "Due from treasury fund 101"] == ("0.00", "65.00")
    assert sides["101-0000-20900", "Due to fund 102: its net payments"] == ("65.00", "0.00")
    assert {t.fund: t.debits == t.credits for t in fund_totals(lines)} == dict.fromkeys(
        ("101", "102", "250", "501"), True
    )
    assert lines[0].account == DEPOSIT  # the treasury's lines come first


def test_without_its_sources_a_batch_is_journaled_net_per_account(app: App) -> None:
    """A closeout that does not say what brought each account's money in (one made from the
    batch summary alone) still journals every account, net, and balances every fund."""
    closeout = replace(_day(app), sources={})
    lines = gl_journal(closeout, ACCOUNTS)
    sides = {x.account: (str(x.debit), str(x.credit), x.memo) for x in lines}
    assert sides["101-0000-49900"] == ("1.00", "0.00", "Net paid out")
    assert sides["250-0000-22010"] == ("0.00", "9.00", "Net received")
    assert all(t.debits == t.credits for t in fund_totals(lines))
