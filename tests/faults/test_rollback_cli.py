"""A lost ledger at the command line, and a loss only central can see (issue 12, item 2).

``cashier-desk ledger accept-loss`` end to end: refused without credentials, for a cashier
and a lead, accepted for a supervisor; numbering then continues after the last receipt the
ledger knew and the gap is in the audit log.  An old copy of the ledger put back together
with its mark cannot tell what it lost; central, which holds the workstation's closed
batches, can: the ledger then refuses money like one behind its mark.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.devices.base import NoPrinter
from cashier_desk.devices.setup import NoDrawer
from cashier_desk.errors import Refusal
from cashier_desk.runner import run_op
from tests.helpers import FakeClock, run_ok, small_day

ROOT = Path(__file__).resolve().parents[2]
LOGIN = {"op": "login", "user": "amy", "pin": "4821"}
SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC"}],
    "tenders": [{"type": "cash", "amount": "20.00"}],
}


def cli(data: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CASHIER_DESK_")}
    return subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**clean, **env},
    )


def _audit(app: App, action: str) -> list[tuple[Any, ...]]:
    with app.ledger.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT actor, target, details FROM audit_log WHERE action = ? ORDER BY seq",
            (action,),
        ).all()
    return [tuple(r) for r in rows]


def _script(path: Path, *ops: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(op) + "\n" for op in ops), encoding="utf-8")
    return path


def test_accept_loss_from_the_command_line_end_to_end(data_dir: Path, tmp_path: Path) -> None:
    app = open_app(data_dir, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    run_ok(app, LOGIN, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}}, SALE)
    app.close()
    old = tmp_path / "old-ledger.db"
    shutil.copy(data_dir / "ledger.db", old)
    app = open_app(data_dir, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    run_ok(app, LOGIN, SALE, SALE)
    app.close()
    shutil.copy(old, data_dir / "ledger.db")  # W1-000002 and W1-000003 are lost

    nobody = cli(data_dir, "ledger", "accept-loss")
    assert nobody.returncode == 1
    assert "a supervisor or admin" in nobody.stderr and "(not_authorized)" in nobody.stderr
    for login, pin in (("amy", "4821"), ("lee", "1111")):  # a cashier, a lead
        done = cli(data_dir, "--user", login, "--pin", pin, "ledger", "accept-loss")
        assert done.returncode == 1 and "(not_authorized)" in done.stderr, done.stderr
        assert done.stdout == ""
    wrong = cli(data_dir, "--user", "sam", "--pin", "0000", "ledger", "accept-loss")
    assert wrong.returncode == 1 and "(bad_credentials)" in wrong.stderr
    sale = _script(tmp_path / "sale.jsonl", LOGIN, SALE)
    still = cli(data_dir, "run", str(sale))
    assert still.returncode == 1
    assert json.loads(still.stdout.splitlines()[-1])["error"] == "ledger_rolled_back"

    done = cli(data_dir, "ledger", "accept-loss", CASHIER_DESK_USER="sam", CASHIER_DESK_PIN="3333")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "ok": True,
        "accepted": "ledger_loss",
        "last_known_receipt": "W1-000003",
    }
    again = cli(data_dir, "--user", "sam", "--pin", "3333", "ledger", "accept-loss")
    assert again.returncode == 1 and "(nothing_to_accept)" in again.stderr

    ran = cli(data_dir, "run", str(sale))
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout.splitlines()[-1])["receipt"] == "W1-000004"
    assert "ledger_rolled_back" not in ran.stderr
    verify = cli(data_dir, "audit", "verify")
    assert verify.returncode == 0, verify.stderr

    app = open_app(data_dir, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    try:
        assert [r.receipt_no for r in app.desk.receipts()] == ["W1-000001", "W1-000004"]
        (accepted,) = _audit(app, "ledger_loss_accepted")
        actor, target, details = accepted
        assert (actor, target) == ("sam", "W1-000003")
        gap = json.loads(details)
        assert gap["known_receipts"] == {"W1": 3} and gap["ledger_receipts"] == {"W1": 1}
        refused = [(a, json.loads(d)["purpose"]) for a, _t, d in _audit(app, "override_refused")]
        assert ("amy", "accept ledger loss") in refused
        assert ("lee", "accept ledger loss") in refused
    finally:
        app.close()


def _closed_day(make_app: Callable[..., App], clock: FakeClock) -> tuple[App, dict[str, Any]]:
    app = make_app(clock=clock)
    day = small_day(app)
    result = app.desk.sync()
    assert result.sent == 1 and result.ledger_behind is None, result
    return app, day


def _day_sent_then_old_copy_back(
    make_app: Callable[..., App], clock: FakeClock, tmp_path: Path
) -> Path:
    """A day of three receipts closed and sent to (the embedded) central; then the ledger and
    its mark from before the day are put back.  Returns the data folder."""
    first = make_app(clock=clock)
    data: Path = first.data_dir
    first.close()
    old = tmp_path / "before-the-day"
    shutil.copytree(data, old)
    app, _day = _closed_day(make_app, clock)
    assert [r.receipt_no for r in app.desk.receipts()][-1] == "W1-000003"
    app.close()
    for name in ("ledger.db", "ledger.mark"):
        shutil.copy(old / name, data / name)
    return data


def test_an_old_copy_put_back_with_its_mark_is_caught_by_what_central_saw(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    clock = FakeClock()
    _day_sent_then_old_copy_back(make_app, clock, tmp_path)
    app = make_app(clock=clock)
    assert app.ledger.loss is None  # the ledger and its mark agree: only central knows
    run_ok(app, LOGIN)
    behind = app.desk.relay.check_ledger() if app.desk.relay else None
    assert behind is not None and "W1-000003" in behind
    with pytest.raises(Refusal) as refused:
        app.desk.open_drawer("D1", {})
    assert refused.value.code == "ledger_rolled_back"
    assert "W1-000003" in refused.value.message
    synced = run_op(app.desk, {"op": "sync"})
    assert (synced["ok"], synced["error"]) == (False, "ledger_rolled_back")
    app.close()

    app = make_app(clock=clock)  # the mark now holds what central saw: caught at start
    try:
        assert app.ledger.loss is not None
        assert app.desk.accept_ledger_loss("sam", "3333") == "W1-000003"
        opened = run_ok(
            app,
            LOGIN,
            {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
            SALE,
        )
        assert opened[-1]["receipt"] == "W1-000004"
        assert app.desk.relay is not None and app.desk.relay.check_ledger() is None
        assert app.ledger.loss is None  # the accepted gap is not a new loss
    finally:
        app.close()


def test_a_scripted_session_asks_central_first(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    data = _day_sent_then_old_copy_back(make_app, FakeClock(), tmp_path)
    script = _script(
        tmp_path / "sale.jsonl",
        LOGIN,
        {"op": "open_drawer", "drawer": "D9", "opening": {"20.00": 5}},
        SALE,
    )
    done = cli(data, "run", str(script))
    assert done.returncode == 1
    assert "(ledger_rolled_back)" in done.stderr and "W1-000003" in done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["error"] == "ledger_rolled_back"


def test_a_workstation_central_never_saw_is_not_alarmed(
    make_app: Callable[..., App],
) -> None:
    clock = FakeClock()
    app, _day = _closed_day(make_app, clock)
    other = make_app("other", workstation="W2", clock=clock)
    assert other.desk.relay is not None
    other.desk.relay.central_url = app.desk.relay.central_url if app.desk.relay else ""
    assert other.desk.relay.check_ledger() is None
    assert other.ledger.loss is None
    assert app.desk.relay is not None and app.desk.relay.check_ledger() is None
