"""A kill during the first sync into a fresh central.db never leaves it half-built.

The child is ``python -m cashier_desk sync`` with a hook that SIGKILLs it just before a chosen
statement reaches central.db: in the middle of creating its tables (each migration), while
recording the schema version, and in the middle of the first batch.  The next ``sync`` (or
``central init`` first) finds central.db whole — empty or made — and every batch arrives
exactly once.  A central.db an older version left half-built is repaired by ``central init``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cashier_desk.app import App
from cashier_desk.sync import central
from tests.faults.harness import child_env
from tests.helpers import FakeClock, small_day
from tests.sync.conftest import assert_central_equals_local, cli, next_day_clock, other_day

MakeApp = Callable[..., App]

CHILD = """
import os, signal, sys
import sqlalchemy as sa

marker = sys.argv[1]


def kill(conn, cursor, statement, parameters, context, executemany):
    if marker in statement and "central.db" in str(conn.engine.url):
        os.kill(os.getpid(), signal.SIGKILL)


sa.event.listen(sa.engine.Engine, "before_cursor_execute", kill)
from cashier_desk.cli import main

sys.exit(main(sys.argv[2:]))
"""

#: Where the kill lands: inside each migration, at the version, inside the first batch.
MOMENTS = [
    "CREATE TABLE chain_heads",  # c0001, half its tables made
    "ALTER TABLE batches",  # c0002 (nothing on SQLite: the next one then)
    "CREATE TABLE quarantine_decisions",  # c0003
    "CREATE VIEW open_item_payments",  # c0004
    "CREATE TABLE contacts",  # c0005
    "UPDATE central_alembic_version",  # the version, after a migration
    "INSERT INTO batches",  # the first batch
    "INSERT INTO receipt_lines",  # its receipts are in, its lines not yet
    "INSERT INTO chain_heads",  # the last row of the first batch
]


def _two_days(make_app: MakeApp) -> tuple[Path, list[str]]:
    clock = FakeClock()
    app = make_app(clock=clock)
    batches = [small_day(app)["batch"]]
    app.close()
    app = make_app(clock=next_day_clock(clock))
    batches.append(other_day(app)["batch"])
    app.close()
    return Path(app.data_dir), batches


def _tables(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("moment", "recover_with"),
    [(m, ("sync", "central init")[i % 2]) for i, m in enumerate(MOMENTS)],
)
def test_a_kill_in_the_first_sync_never_leaves_central_half_built(
    make_app: MakeApp, moment: str, recover_with: str
) -> None:
    data_dir, batches = _two_days(make_app)
    db = data_dir / "central.db"
    assert not db.exists()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, moment, "--data-dir", str(data_dir), "sync"],
        capture_output=True, text=True, timeout=120, env=child_env(), check=False,
    )  # fmt: skip
    if moment == "ALTER TABLE batches":
        assert child.returncode == 0, child.stderr  # c0002 does nothing on SQLite
        return
    assert child.returncode == -9, (child.returncode, child.stderr)
    made = _tables(db)
    # Whole or nothing: no table without the schema version that made it.
    assert not made or central.VERSION_TABLE in made, made
    if recover_with == "central init":
        done = cli("--data-dir", str(data_dir), "central", "init")
        assert done.returncode == 0, done.stderr
    done = cli("--data-dir", str(data_dir), "sync")
    assert done.returncode == 0, done.stderr
    assert '"sent":2' in done.stdout and '"quarantined":0' in done.stdout, done.stdout
    engine = central.engine_for(f"sqlite:///{db}")
    try:
        assert central.revision(engine) == central.head_revision()
        app = make_app()
        assert sorted(assert_central_equals_local(engine, app)) == sorted(batches)
    finally:
        engine.dispose()


def test_central_init_repairs_a_central_db_an_older_version_left_half_built(
    tmp_path: Path,
) -> None:
    from cashier_desk.sync import schema as c

    db = tmp_path / "central.db"
    engine = central.engine_for(f"sqlite:///{db}")
    try:
        # What a kill in the middle of the first sync left before: tables, no version.
        c.metadata.create_all(engine, tables=[c.batches, c.sessions, c.receipts])
        done = cli("--data-dir", str(tmp_path), "central", "init")
        assert done.returncode == 0, done.stderr
        assert central.revision(engine) == central.head_revision()

        # With rows in it, nothing is dropped: a clear refusal.
        other = tmp_path / "other"
        other.mkdir()
        engine2 = central.engine_for(f"sqlite:///{other / 'central.db'}")
        c.metadata.create_all(engine2, tables=[c.batches])
        with engine2.begin() as conn:
            conn.execute(
                c.batches.insert().values(id="W1-1", workstation="W1", business_date="d",
                                          sha256="s", payload="{}", approver="a", receipts=0,
                                          voids=0, received_at="t")
            )  # fmt: skip
        engine2.dispose()
        done = cli("--data-dir", str(other), "central", "init")
        assert done.returncode == 1
        assert "holds data but no schema version" in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        engine.dispose()
