"""``report stats --central`` on PostgreSQL (issue 17, Done when): a generated month of three
workstations, each sending as its own role, read back at central by an administrator equals
the workstations' own figures added up, for every ``--by``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cashier_desk.app import App
from cashier_desk.ledger.stats import BY
from cashier_desk.reports.stats import as_json
from cashier_desk.sync.pull import central_import
from cashier_desk.sync.stats import central_stats
from tests.reports_month import CODES, DAYS, build_month, demo_codes_file, expected_stats
from tests.sync.conftest import CentralPg

MONTH = ("2026-11-01", "2026-11-30")


@pytest.mark.postgres
def test_stats_central_equal_the_workstations_added_up_on_postgresql(
    make_app: Callable[..., App],
    central_pg: CentralPg,
    ws_role: Callable[[str], str],
    tmp_path: Path,
) -> None:
    urls = {"W1": central_pg.workstation_url, "W2": ws_role("W2"), "W3": ws_role("W3")}
    month = build_month(make_app, tmp_path, urls.__getitem__)
    apps = [ws.app for ws in month.values()]
    for app in apps:
        assert app.desk.sync().sent == len(DAYS)
    (tmp_path / "cit.csv").write_text(CODES, encoding="utf-8")
    for f in (demo_codes_file(), tmp_path / "cit.csv"):
        central_import(central_pg.engine, "revenue-codes", f, "2026-11-01T00:00:00+00:00")
    for by in BY:
        want = expected_stats(apps, *MONTH, by)
        assert as_json(central_stats(central_pg.engine, *MONTH, by)) == want, by
    # The Desk's way (the command's), with the administrator's URL as the central one.
    reader = apps[0]
    assert reader.desk.relay is not None
    reader.desk.relay.central_url = central_pg.url
    found = reader.desk.stats_report(*MONTH, "tender", at_central=True)
    assert as_json(found) == expected_stats(apps, *MONTH, "tender")
