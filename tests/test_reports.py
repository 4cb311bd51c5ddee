"""Reports daily, stats and delinquent (issue 17, Done when): for a generated month of three
workstations each report's JSON equals the figures computed here from the receipts, the CSV
holds the JSON's figures, the PDF's text holds every row and no text touches a table's rule;
``stats --central`` equals the workstations' own figures added up (SQLite here; PostgreSQL in
``tests/sync/test_reports_central.py``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.cli import main
from cashier_desk.ledger.stats import BY
from cashier_desk.money import Money
from cashier_desk.reports import daily as daily_report
from cashier_desk.reports import stats as stats_report
from tests.reports_month import DAYS, build_month, expected_stats
from tests.reports_pdf import pdf_text, text_clear_of_rules

MONTH = ("2026-11-01", "2026-11-30")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _cli(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> tuple[Any, list[Path]]:
    app.close()
    code = main(["--data-dir", str(app.data_dir), "--workstation", app.desk.workstation, *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    paths = [Path(line.split("wrote ", 1)[1]) for line in err.splitlines() if "wrote " in line]
    return json.loads(out), paths


def _stats_from_csv(rows: list[dict[str, str]], shown: dict[str, Any]) -> dict[str, Any]:
    [total] = [r for r in rows if r["section"] == "total"]
    return {
        **{k: shown[k] for k in ("from", "to", "by")},
        "rows": [
            {"key": r["key"], "count": int(r["count"]), "amount": r["amount"]}
            for r in rows
            if r["section"] == "row"
        ],
        "total": {"count": int(total["count"]), "amount": total["amount"]},
    }


def test_stats_of_a_month_equal_the_receipts_in_json_csv_and_pdf(
    make_app: Callable[..., App], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = build_month(make_app, tmp_path)
    w2 = month["W2"].app
    expected = {by: expected_stats([w2], *MONTH, by) for by in BY}
    for by in BY:  # the Desk's figures
        from cashier_desk.reports.stats import as_json

        assert as_json(w2.desk.stats_report(*MONTH, by)) == expected[by], by
    assert any(r["key"] == "(rounding)" for r in expected["code"]["rows"])  # W2 rounds cash
    assert [r["key"] for r in expected["day"]["rows"]] == list(DAYS)
    # a late citation's penalty line is under its code: two lines of 50.00 each
    cit = [r for r in expected["code"]["rows"] if r["key"] == "PKG-CIT"]
    assert cit and Money.parse(cit[0]["amount"]).cents == 5000 * cit[0]["count"]
    for by in BY:  # the command: JSON, then the CSV and the PDF it wrote
        shown, paths = _cli(capsys, w2, "report", "stats", "--from", MONTH[0], "--to", MONTH[1],
                            "--by", by, "--out", str(tmp_path / "out"))  # fmt: skip
        assert shown == expected[by]
        pdf, sheet = sorted(paths, key=lambda p: p.suffix, reverse=True)
        assert _stats_from_csv(_csv(sheet), shown) == shown
        text = pdf_text(pdf)
        for row in shown["rows"]:
            assert f"{row['key']} {row['count']} {row['amount']}" in text, (by, row)
        assert f"Total {shown['total']['count']} {shown['total']['amount']}" in text
        assert text_clear_of_rules(pdf) == []


def test_stats_central_equal_the_workstations_added_up_on_sqlite(
    make_app: Callable[..., App], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cashier_desk.sync import central
    from cashier_desk.sync.pull import central_import
    from cashier_desk.sync.stats import central_stats
    from tests.reports_month import CODES, demo_codes_file

    url = f"sqlite:///{tmp_path / 'central.db'}"
    month = build_month(make_app, tmp_path, lambda ws: url)
    apps = [ws.app for ws in month.values()]
    for app in apps:
        assert app.desk.sync().sent == len(DAYS)
    engine = central.engine_for(url)
    try:
        (tmp_path / "cit.csv").write_text(CODES, encoding="utf-8")
        for f in (demo_codes_file(), tmp_path / "cit.csv"):
            central_import(engine, "revenue-codes", f, "2026-11-01T00:00:00+00:00")
        for by in BY:
            want = expected_stats(apps, *MONTH, by)
            got = stats_report.as_json(central_stats(engine, *MONTH, by))
            assert got == want, by
            mine = apps[0].desk.stats_report(*MONTH, by, at_central=True)
            assert stats_report.as_json(mine) == want
    finally:
        engine.dispose()
    shown, _ = _cli(capsys, apps[0], "--central", url, "report", "stats", "--from", MONTH[0],
                    "--to", MONTH[1], "--by", "month", "--central")  # fmt: skip
    assert shown == expected_stats(apps, *MONTH, "month")


def test_daily_reconciliation_equals_the_day(
    make_app: Callable[..., App], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = build_month(make_app, tmp_path)
    ws = month["W1"]
    day = DAYS[0]  # a day with a voided receipt
    done = ws.closeouts[day]
    shown = daily_report.as_json(ws.app.desk.daily_report(day))
    assert shown["date"] == day
    assert shown["tenders"] == done["tenders"]
    assert shown["gl"] == dict(sorted(done["gl"].items()))
    assert shown["deposit"] == done["deposit"]
    assert shown["adjustments"] == {
        "returned_checks": "0.00", "refunds": "0.00", "transfers": "0.00", "gl": {}
    }  # fmt: skip
    codes = expected_stats([ws.app], day, day, "code")
    assert shown["codes"] == {r["key"]: {"count": r["count"], "amount": r["amount"]}
                              for r in codes["rows"]}  # fmt: skip
    [batch] = shown["batches"]
    assert (batch["batch"], batch["receipts"], batch["voids"], batch["sync"]) == (
        done["batch"], done["receipts"], done["voids"], "pending")  # fmt: skip
    voided = [s["receipt"] for s in ws.sales if s["receipt"] in ws.voided]
    day_voided = [v for v in batch["voided"] if v["receipt"] in voided]
    assert day_voided and all(v["approver"] == "lee" for v in day_voided)
    # each session's over/short adds up to the day's
    for kind, fig in shown["tenders"].items():
        over = sum(Money.parse(s["tenders"][kind]["over_short"]).cents for s in batch["sessions"])
        assert str(Money(over)) == fig["over_short"]
    out, paths = _cli(capsys, ws.app, "report", "daily", "--date", day, "--out", str(tmp_path))
    assert out == shown
    pdf, sheet = sorted(paths, key=lambda p: p.suffix, reverse=True)
    rows = _csv(sheet)
    assert [tuple(r.values()) for r in rows] == daily_report.csv_rows_of(out)
    text = pdf_text(pdf)
    for code, fig in out["codes"].items():
        assert f"{code} {fig['count']} {fig['amount']}" in text
    for account, amount in out["gl"].items():
        assert f"{account} {amount}" in text
    for v in batch["voided"]:
        assert f"{v['receipt']} {v['total']} lee" in text
    assert text_clear_of_rules(pdf) == []


def test_delinquents_on_a_date(
    make_app: Callable[..., App], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cashier_desk.runner import run_op
    from tests.reports_month import citation_refs

    month = build_month(make_app, tmp_path)
    ws = month["W3"]
    paid = {i["ref"] for s in ws.sales if s["receipt"] not in ws.voided for i in s["items"]
            if "ref" in i}  # fmt: skip
    unpaid = [r for r in citation_refs("W3") if r not in paid]
    on_plan = unpaid.pop()
    ws.clock.now = ws.clock.now.replace(day=30)
    assert run_op(ws.app.desk, {"op": "login", "user": "amy", "pin": "4821"})["ok"]
    plan = run_op(ws.app.desk, {"op": "plan", "ref": on_plan, "monthly": "25.00",
                                "first_due": "2026-12-01", "approver": "lee",
                                "approver_pin": "1111"})  # fmt: skip
    assert plan["ok"], plan
    on = "2026-12-20"  # the first instalment 19 days overdue (grace 10)
    shown, paths = _cli(capsys, ws.app, "report", "delinquent", "--date", on)
    items = {i["ref"]: i for i in shown["items"]}
    for ref in unpaid:  # fine 50.00 + the 100% penalty, due 2026-11-01
        assert items[ref] == {"ref": ref, "program": "PARKING", "name": items[ref]["name"],
                              "due_date": "2026-11-01", "days_late": 49, "amount_due": "100.00",
                              "why": "past_due"}  # fmt: skip
    assert items[on_plan]["why"] == "plan_delinquent"
    assert (items[on_plan]["due_date"], items[on_plan]["days_late"]) == ("2026-12-01", 19)
    assert items[on_plan]["amount_due"] == plan["total"]
    for ref in paid:
        assert ref not in items
    order = [(-i["days_late"], i["ref"]) for i in shown["items"]]
    assert order == sorted(order)
    total = sum(Money.parse(i["amount_due"]).cents for i in shown["items"])
    assert shown["total"] == str(Money(total))
    pdf, sheet = sorted(paths, key=lambda p: p.suffix, reverse=True)
    rows = _csv(sheet)
    assert [
        {**{k: r[k] for k in r if k != "section"}, "days_late": int(r["days_late"])}
        for r in rows if r["section"] == "item"
    ] == shown["items"]  # fmt: skip
    assert [r["amount_due"] for r in rows if r["section"] == "total"] == [shown["total"]]
    text = pdf_text(pdf)
    for i in shown["items"]:
        assert (
            f"{i['ref']} {i['program']}" in text and f"{i['days_late']} {i['amount_due']}" in text
        )
    assert text_clear_of_rules(pdf) == []
