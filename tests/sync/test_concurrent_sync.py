"""Two syncs at once never raise a false tamper alarm.

Two ``cashier-desk sync`` processes of the same workstation start at the same moment (each
waits, already imported, for a common start time) against a central that holds none of its
batches, so both send every batch.  One workstation's deliveries are serialised at central (an
advisory lock on PostgreSQL, the write lock on SQLite) and "already there" is decided first:
both end ``ok`` with every batch "sent" by one and "already there" (or not needed) for the
other — never quarantined, never a refusal — and central holds each batch once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger import schema as local
from cashier_desk.sync import central
from cashier_desk.sync import schema as c
from tests.helpers import FakeClock, small_day
from tests.sync.conftest import (
    PgServer,
    assert_central_equals_local,
    next_day_clock,
    other_day,
    pg_url,
)

MakeApp = Callable[..., App]
ROUNDS = 6

CHILD = """
import sys, time
from cashier_desk.cli import main

start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
sys.exit(main(sys.argv[2:]))
"""


def _three_days(make_app: MakeApp) -> tuple[Path, list[str]]:
    clock = FakeClock()
    app = make_app(clock=clock)
    batches = [small_day(app)["batch"]]
    app.close()
    for days in (1, 2):
        app = make_app(clock=next_day_clock(clock, days))
        batches.append(other_day(app)["batch"])
        app.close()
    return Path(app.data_dir), batches


def _two_at_once(data_dir: Path, url: str) -> list[dict[str, Any]]:
    start = time.time() + 2.5  # both imported and waiting by then
    command = [sys.executable, "-c", CHILD, str(start), "--data-dir", str(data_dir)]
    procs = [
        subprocess.Popen(
            [*command, "--central", url, "sync"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "quarantine" not in err, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _check(results: list[dict[str, Any]], batches: list[str], engine: sa.Engine, app: App) -> None:
    for r in results:
        assert r["ok"] is True and r["quarantined"] == 0 and r["pending"] == 0, r
    assert sum(r["sent"] for r in results) == len(batches), results
    assert sorted(assert_central_equals_local(engine, app)) == sorted(batches)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(c.quarantine)).scalar() == 0
    with app.ledger.read() as conn:
        outcomes = set(conn.execute(sa.select(local.outbox.c.outcome)).scalars())
    assert outcomes <= {"sent", "already_there"}, outcomes


def test_two_syncs_at_once_into_sqlite_central(make_app: MakeApp, tmp_path: Path) -> None:
    data_dir, batches = _three_days(make_app)
    for k in range(ROUNDS):  # a fresh central each round: both send every batch
        url = f"sqlite:///{tmp_path / f'central{k}.db'}"
        results = _two_at_once(data_dir, url)
        engine = central.engine_for(url)
        app = make_app()
        try:
            _check(results, batches, engine, app)
        finally:
            app.close()
            engine.dispose()


@pytest.mark.postgres
def test_two_syncs_at_once_into_postgresql_central(make_app: MakeApp, pg_server: PgServer) -> None:
    data_dir, batches = _three_days(make_app)
    for _ in range(ROUNDS):
        name = pg_server.create_copy()
        engine = central.engine_for(pg_url(name))
        app = make_app()
        try:
            results = _two_at_once(data_dir, pg_url(name, central.WORKSTATION_ROLE))
            _check(results, batches, engine, app)
        finally:
            app.close()
            engine.dispose()
            pg_server.drop(name)
