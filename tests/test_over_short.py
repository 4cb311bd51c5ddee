"""Over/short history (F9): every closed drawer of a period, per tender, with approvals."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest

from cashier_desk import cli
from cashier_desk.app import App
from cashier_desk.errors import Refusal
from tests.helpers import run_ok, small_day


def _two_drawers(app: App) -> str:
    small_day(app)  # amy's D1: 14.00 short, approved by lee, closed out
    run_ok(
        app,
        {"op": "login", "user": "bob", "pin": "2468"},
        {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"code": "DOG-LIC"}],
         "tenders": [{"type": "cash", "amount": "20.00"}]},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 6, "0.50": 1}}},  # 0.50 over
    )  # fmt: skip
    return app.desk.business_date()


def test_every_closed_drawer_of_the_period_with_its_over_short(app: App) -> None:
    day = _two_drawers(app)
    rows = app.desk.over_short_history(day, day)
    assert [(r.cashier, r.drawer, str(r.by_tender["cash"]), str(r.total), r.approved_by)
            for r in rows] == [("amy", "D1", "-14.00", "-14.00", "lee"),
                               ("bob", "D2", "0.50", "0.50", None)]  # fmt: skip
    assert app.desk.over_short_history("2001-01-01", "2001-12-31") == []
    for bad in (("2026-13-01", day), (day, "yesterday"), ("2026-11-30", "2026-11-01")):
        with pytest.raises(Refusal) as refused:
            app.desk.over_short_history(*bad)
        assert refused.value.code == "bad_date"


def test_cli_report_over_short_writes_the_csv(app: App) -> None:
    day = _two_drawers(app)
    data = app.desk.ledger.path.parent
    app.close()
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--data-dir", str(data), "report", "over-short", "--from", day,
                         "--to", day])  # fmt: skip
    assert (code, err.getvalue()) == (0, "")
    result = json.loads(out.getvalue())
    assert result["sessions"] == 2
    assert result["by_cashier"] == {"amy": "-14.00", "bob": "0.50"}
    with open(result["file"], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["cashier"], r["cash"], r["check"], r["total"], r["approved_by"]) for r in rows] == [
        ("amy", "-14.00", "0.00", "-14.00", "lee"),
        ("bob", "0.50", "0.00", "0.50", ""),
    ]
    with redirect_stdout(io.StringIO()), redirect_stderr(err := io.StringIO()):
        code = cli.main(["--data-dir", str(data), "report", "over-short", "--from", day,
                         "--to", "2001-01-01"])  # fmt: skip
    assert code == 1 and "before it starts" in err.getvalue()
