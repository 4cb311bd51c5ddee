"""What central refuses is said in one line, with its stable code, and stdout stays empty
(decisions.md, "The command line") — an outside trial found a stray psycopg log line, a
refusal without its code and a sync refusal printed as JSON on stdout.

W1 is the run's ``cashier_workstation`` role; W2 gets a role of its own (``ws_role``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from cashier_desk.app import App
from cashier_desk.demo import DEMO_DIR
from tests.helpers import run_ok
from tests.sync.conftest import CentralPg, cli

pytestmark = pytest.mark.postgres

MakeApp = Callable[..., App]


def _one_line_ending(done: subprocess.CompletedProcess[str], code: str) -> str:
    assert done.returncode == 1, done.stdout
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    line = done.stderr.strip()
    assert line.startswith("cashier-desk: ") and line.endswith(f"({code})"), line
    assert "Traceback" not in line and "pipeline" not in line
    return line


def _w2_with_a_closed_day(make_app: MakeApp) -> Path:
    app = make_app("w2", workstation="W2")
    run_ok(app, {"op": "login", "user": "bob", "pin": "2468"},
           {"op": "open_drawer", "drawer": "D9", "opening": {"20.00": 5}},
           {"op": "sale", "items": [{"code": "DOG-LIC"}],
            "tenders": [{"type": "cash", "amount": "20.00"}]},
           {"op": "close_drawer", "counted": {"cash": {"20.00": 6}}},
           {"op": "closeout", "approver": "lee", "approver_pin": "1111"})  # fmt: skip
    data = Path(app.data_dir)
    app.close()
    return data


def test_a_workstation_role_importing_reference_data_is_refused_in_one_line(
    central_pg: CentralPg, tmp_path: Path
) -> None:
    codes = str(DEMO_DIR / "revenue_codes.csv")
    done = cli("--data-dir", str(tmp_path / "ws"), "--central", central_pg.workstation_url,
               "central", "import", "revenue-codes", codes)  # fmt: skip
    line = _one_line_ending(done, "not_authorized")
    assert "permission denied" in line


def test_a_sync_with_another_workstations_role_is_refused_in_one_line(
    make_app: MakeApp, central_pg: CentralPg, ws_role: Callable[[str], str]
) -> None:
    ws_role("W2")  # W2 is known to central, but sends with W1's role
    data = _w2_with_a_closed_day(make_app)
    done = cli("--data-dir", str(data), "--central", central_pg.workstation_url, "sync")
    _one_line_ending(done, "sync_refused")


def test_a_removed_workstations_sync_says_it_may_have_been_removed(
    make_app: MakeApp, central_pg: CentralPg, ws_role: Callable[[str], str], tmp_path: Path
) -> None:
    url = ws_role("W2")
    data = _w2_with_a_closed_day(make_app)
    assert cli("--data-dir", str(data), "--central", url, "sync").returncode == 0
    gone = cli("--data-dir", str(tmp_path / "adm"), "--central", central_pg.url,
               "central", "workstation", "remove", "W2")  # fmt: skip
    assert gone.returncode == 0, gone.stderr
    done = cli("--data-dir", str(data), "--central", url, "sync")
    line = _one_line_ending(done, "central_unreachable")
    assert "not permitted to log in" in line and "removed" in line
