"""``cashier-desk report tot --period P`` (programs.md, "Transient occupancy tax returns";
operations.md, "Reports"): every registered operator with its return for the period or
``missing`` — the JSON on stdout equals figures worked out here from the contract's formulas,
the CSV equals the JSON, the PDF holds every row; voided returns do not count; a bad period is
refused and writes nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.cli import main
from cashier_desk.errors import Refusal
from cashier_desk.money import Money
from cashier_desk.reports.tot import FIGURES
from tests.helpers import SUPERVISOR
from tests.programs.counter_city import on_day, sale, set_up, void
from tests.reports_pdf import pdf_text, text_clear_of_rules

MORE = "account,rule,name,address,opened\nTOT-0044,tot,Redwater Heights Inn & Suites,,\n"


def tot(account: str, period: str, gross: str, exempt: str, amended: bool = False) -> Any:
    return {"tot": {"account": account, "period": period, "gross_rents": gross,
                    "exempt_rents": exempt, "amended": amended}}  # fmt: skip


def expected(gross: str, exempt: str, paid_before: int, days_late: int, months: int) -> Any:
    """A return's figures by the contract's default rules (10%; 10% late, another 10% after
    30 days; 0.5% a started month), each amount rounded once: (tax, tax paid, penalty,
    interest), in cents."""
    tax = (Money.parse(gross).cents - Money.parse(exempt).cents) * 10 // 100
    owed = tax - paid_before
    penalty = (owed * 10 // 100 if days_late > 0 else 0) + (
        owed * 10 // 100 if days_late > 30 else 0
    )
    interest = owed * 5 * months // 1000
    return tax, owed, penalty, interest


def row(account: str, name: str, status: str, gross: str, exempt: str, figures: Any,
        receipt: str, day: str) -> dict[str, Any]:  # fmt: skip
    tax, owed, penalty, interest = figures
    return {
        "account": account, "name": name, "status": status,
        "gross_rents": gross, "exempt_rents": exempt, "tax": str(Money(tax)),
        "tax_paid": str(Money(owed)), "penalty": str(Money(penalty)),
        "interest": str(Money(interest)), "paid": str(Money(owed + penalty + interest)),
        "receipt": receipt, "date": day,
    }  # fmt: skip


def missing(account: str, name: str) -> dict[str, Any]:
    figures = ("gross_rents", "exempt_rents", "tax", "tax_paid", "penalty", "interest", "paid")
    return {"account": account, "name": name, "status": "missing",
            **dict.fromkeys((*figures, "receipt", "date"))}  # fmt: skip


@pytest.fixture
def quarter(app: App, tmp_path: Path) -> App:
    """Q3 2026: Harbor Inn files late (and its Q2 too), Motel Six Palms files and the receipt
    is voided, Redwater files very late and then amends; a business licence account is no
    operator."""
    set_up(app, tmp_path)
    (tmp_path / "more.csv").write_text(MORE, encoding="utf-8")
    app.desk.import_file("accounts", tmp_path / "more.csv", **SUPERVISOR)
    on_day(app, "2026-11-10")
    for items in ([tot("TOT-0042", "2026-Q3", "50000.00", "5000.00")],
                  [tot("TOT-0042", "2026-Q2", "10000.00", "0.00")],
                  [tot("TOT-0043", "2026-Q3", "8000.00", "0.00")]):  # fmt: skip
        assert sale(app, items)["ok"]
    assert void(app, "W1-000003")["ok"]
    on_day(app, "2026-12-15")
    assert sale(app, [tot("TOT-0044", "2026-Q3", "20000.00", "0.00")])["ok"]
    assert sale(app, [tot("TOT-0044", "2026-Q3", "30000.00", "1000.00", amended=True)])["ok"]
    return app


def cli(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> tuple[int, str, str]:
    app.close()
    code = main(["--data-dir", str(app.data_dir), "--workstation", "W1", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_report_tot_lists_every_operator_with_its_return_or_missing(
    quarter: App, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, quarter, "report", "tot", "--period", "2026-Q3")
    assert code == 0, err
    shown = json.loads(out)
    first = expected("50000.00", "5000.00", 0, 10, 1)  # 2026-11-10: 10 days late
    assert first == (450000, 450000, 45000, 2250)  # the contract's worked example
    late = expected("20000.00", "0.00", 0, 45, 2)  # 2026-12-15: 45 days, 2 started months
    amended = expected("30000.00", "1000.00", late[0], 45, 2)
    rows = [
        row("TOT-0042", "Harbor Inn", "filed", "50000.00", "5000.00", first, "W1-000001",
            "2026-11-10"),
        missing("TOT-0043", "Motel Six Palms"),  # its return was voided
        row("TOT-0044", "Redwater Heights Inn & Suites", "filed", "20000.00", "0.00", late,
            "W1-000004", "2026-12-15"),
        row("TOT-0044", "Redwater Heights Inn & Suites", "amended", "30000.00", "1000.00",
            amended, "W1-000005", "2026-12-15"),
    ]  # fmt: skip
    paid = [first, late, amended]
    total = {
        "operators": 3, "filed": 2, "missing": 1,
        "tax_paid": str(Money(sum(f[1] for f in paid))),
        "penalty": str(Money(sum(f[2] for f in paid))),
        "interest": str(Money(sum(f[3] for f in paid))),
        "paid": str(Money(sum(f[1] + f[2] + f[3] for f in paid))),
    }  # fmt: skip
    assert shown == {"period": "2026-Q3", "due": "2026-10-31", "rows": rows, "total": total}
    # the files: in the data folder's reports, named on stderr
    folder = quarter.data_dir / "reports"
    pdf, sheet = folder / "tot-2026-Q3.pdf", folder / "tot-2026-Q3.csv"
    assert f"wrote {pdf}" in err and f"wrote {sheet}" in err
    with sheet.open(encoding="utf-8", newline="") as fh:
        lines = list(csv.DictReader(fh))
    body = [{k: (v or None) for k, v in r.items() if k != "section"} for r in lines
            if r["section"] == "return"]  # fmt: skip
    assert body == shown["rows"]
    [sums] = [r for r in lines if r["section"] == "total"]
    assert (sums["account"], sums["name"], sums["status"]) == ("", "", "2 filed, 1 missing")
    assert {k: sums[k] for k in ("tax_paid", "penalty", "interest", "paid")} == {
        k: total[k] for k in ("tax_paid", "penalty", "interest", "paid")}  # fmt: skip
    text = pdf_text(pdf)
    assert "Transient occupancy tax returns, 2026-Q3" in text and "due 2026-10-31" in text
    for r in rows:
        said = [r["account"], r["name"][:24], r["status"]]  # the PDF cuts a long name
        said += [r[k] for k in (*FIGURES, "receipt", "date") if r[k] is not None]
        assert " ".join(said) in text, said
    assert f"Total 2 filed 1 missing {total['tax_paid']} {total['penalty']}" in text
    assert text_clear_of_rules(pdf) == []


def test_a_period_with_no_returns_lists_every_operator_missing(
    quarter: App, capsys: pytest.CaptureFixture[str]
) -> None:
    found = quarter.desk.tot_report("2026-07")  # a month: the quarter's returns are not it
    assert [(o.account, o.returns) for o in found.operators] == [
        ("TOT-0042", ()), ("TOT-0043", ()), ("TOT-0044", ())]  # fmt: skip
    code, out, _ = cli(capsys, quarter, "report", "tot", "--period", "2026-Q2")
    assert code == 0
    shown = json.loads(out)
    q2 = expected("10000.00", "0.00", 0, 102, 4)  # due 2026-07-31, filed 2026-11-10
    assert [(r["account"], r["status"], r["paid"]) for r in shown["rows"]] == [
        ("TOT-0042", "filed", str(Money(q2[1] + q2[2] + q2[3]))), ("TOT-0043", "missing", None),
        ("TOT-0044", "missing", None)]  # fmt: skip


@pytest.mark.parametrize("period", ["2026-Q5", "2026-13", "26-Q3", "2026Q3", "", "2026-Q3x"])
def test_a_bad_period_is_refused_and_writes_nothing(
    quarter: App, capsys: pytest.CaptureFixture[str], period: str
) -> None:
    with pytest.raises(Refusal) as refused:
        quarter.desk.tot_report(period)
    assert refused.value.code == "bad_period"
    code, out, err = cli(capsys, quarter, "report", "tot", "--period", period)
    assert code != 0 and "bad_period" in out + err
    assert not list((quarter.data_dir / "reports").glob("tot-*"))
