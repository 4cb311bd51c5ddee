"""`cashier-desk demo`: the demo city loads and its day runs headless to a balanced closeout."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from cashier_desk import cli


def test_the_demo_day_runs_to_a_closeout_and_says_how_to_see_it(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--data-dir", str(data), "demo"])
    assert code == 0, err.getvalue()
    printed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert "demo_data" in printed[0]
    closeout = printed[-1]
    assert (closeout["op"], closeout["ok"]) == ("closeout", True)
    assert all(t["over_short"] == "0.00" for t in closeout["tenders"].values())
    assert err.getvalue() == (
        f"cashier-desk: a new data folder was set up in {data}\n"
        f"cashier-desk: the demo day ran headless; data in {data}. See it in the window with: "
        f"cashier-desk --data-dir {data}\n"
    )
