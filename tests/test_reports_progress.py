"""Progress of long reports (issue 17, item 4): each report tells ``progress(done, total)`` from
0 to the whole, a ``progress`` that raises ``cancelled`` stops it with nothing changed, and the
command line draws its bar on stderr only when stderr is a terminal — stdout stays the exact
JSON either way."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.cli import main
from cashier_desk.desk.reporting import cancelled
from cashier_desk.errors import Refusal
from tests.helpers import dump_tables, small_day

ROOT = Path(__file__).resolve().parent.parent
LATER = "2027-11-23"  # a year on: every open item of the demo city is late


def _reports(app: App, day: str) -> dict[str, Callable[..., Any]]:
    desk = app.desk
    return {
        "stats": lambda **kw: desk.stats_report(day[:8] + "01", day, "code", **kw),
        "daily": lambda **kw: desk.daily_report(day, **kw),
        "delinquent": lambda **kw: desk.delinquent_report(LATER, **kw),
    }


def test_each_report_tells_its_progress_from_nothing_to_the_whole(
    make_app: Callable[..., App],
) -> None:
    app = make_app()
    small_day(app)
    for name, report in _reports(app, app.desk.business_date()).items():
        told: list[tuple[int, int]] = []
        report(progress=lambda done, total, told=told: told.append((done, total)))
        assert told[0][0] == 0 and told[-1][0] == told[-1][1] > 0, (name, told)
        assert [d for d, _ in told] == sorted(d for d, _ in told), name
        assert len({t for _, t in told}) == 1, name
    told = []
    _reports(app, app.desk.business_date())["delinquent"](
        progress=lambda done, total: told.append((done, total))
    )
    assert told[-1][1] > 50 and len(told) > 2  # every 50 items on the way


@pytest.mark.parametrize("at", [0, 1])
def test_a_progress_that_raises_cancelled_stops_the_report_and_changes_nothing(
    make_app: Callable[..., App], at: int
) -> None:
    app = make_app()
    small_day(app)
    before = dump_tables(app)
    for name, report in _reports(app, app.desk.business_date()).items():
        calls: list[int] = []

        def progress(done: int, total: int, calls: list[int] = calls) -> None:
            calls.append(done)
            if len(calls) > at:
                raise cancelled()

        with pytest.raises(Refusal) as refused:
            report(progress=progress)
        assert refused.value.code == "cancelled", name
        assert len(calls) == at + 1, name  # not a step further
    assert dump_tables(app) == before
    assert not list((app.data_dir / "reports").glob("stats-*"))


def test_the_progress_bar_goes_to_a_terminal_on_stderr_and_stdout_stays_exact_json(
    make_app: Callable[..., App], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app()
    small_day(app)
    data, ws = app.data_dir, app.desk.workstation
    app.close()
    args = ["--data-dir", str(data), "--workstation", ws, "report", "delinquent",
            "--date", LATER, "--out", str(tmp_path / "out")]  # fmt: skip
    # stderr not a terminal (captured): no bar, only the files written
    assert main(args) == 0
    piped_out, piped_err = capsys.readouterr()
    assert "\r" not in piped_err and "[" not in piped_err
    assert all(line.startswith("cashier-desk: wrote ") for line in piped_err.splitlines())
    # stderr a terminal: the bar is drawn there, over itself, and erased
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "cashier_desk", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed (EIO)
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    err = seen.decode("utf-8")
    assert proc.returncode == 0, err
    assert "\rcashier-desk: report delinquent [" in err and "#" in err
    assert "wrote " in err
    # stdout: one line of JSON, the same as without the bar, nothing else
    assert proc.stdout.decode("utf-8") == piped_out
    assert json.loads(piped_out)["items"]
