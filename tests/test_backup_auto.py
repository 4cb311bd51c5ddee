"""The backup after every closeout, its rotation and its failure; and restoring a backup as
the other way out of a ledger that lost work (issue 12 item 2, issue 18 item 3)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.config import ConfigError, parse_config
from cashier_desk.devices.base import NoPrinter
from cashier_desk.devices.setup import NoDrawer
from cashier_desk.ledger.backup import auto_backup
from cashier_desk.runner import run_op
from tests.helpers import run_ok, small_day
from tests.test_backup import run_cli

LOGIN = {"op": "login", "user": "amy", "pin": "4821"}
OPEN = {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}}
SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC"}],
    "tenders": [{"type": "cash", "amount": "20.00"}],
}


def test_a_closeout_writes_a_backup_that_restores(app: App, tmp_path: Path) -> None:
    result = small_day(app)
    assert "backup_failed" not in result
    written = sorted((app.data_dir / "backups").iterdir())
    assert [p.name for p in written] == ["cashier-desk-W1-20261123T150000Z-001.zip"]
    app.close()
    code, out, err = run_cli(tmp_path / "r", "restore", str(written[0]))
    assert code == 0, err
    assert json.loads(out)["manifest"]["row_counts"]["batches"] == 1


def test_rotation_keeps_the_newest_and_touches_nothing_else(app: App) -> None:
    folder = app.data_dir / "elsewhere"
    folder.mkdir()
    (folder / "notes.zip").write_text("mine", encoding="utf-8")
    (folder / "cashier-desk-W2-20200101T000000Z-001.zip").write_text("W2's", encoding="utf-8")
    start = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    made = [
        auto_backup(app.ledger, folder, workstation="W1", now=start + timedelta(days=d), keep=2)
        for d in (0, 1, 1, 2)
    ]
    assert made[1] != made[2]  # the same second twice: numbered, not overwritten
    assert sorted(p.name for p in folder.iterdir()) == [
        "cashier-desk-W1-20261124T150000Z-002.zip",
        "cashier-desk-W1-20261125T150000Z-001.zip",
        "cashier-desk-W2-20200101T000000Z-001.zip",
        "notes.zip",
    ]


def test_what_a_backup_cut_short_left_is_removed_later(app: App) -> None:
    folder = app.data_dir / "backups"
    folder.mkdir()
    old = folder / ".cashier-desk-W1-20261122T150000Z-001.zip.4242.part"
    new = folder / ".cashier-desk-W1-20261123T150000Z-001.zip.4243.db"
    for p in (old, new):
        p.write_bytes(b"half a backup")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    auto_backup(app.ledger, folder, workstation="W1", now=datetime.now(UTC), keep=5)
    assert not old.exists() and new.exists()  # a backup running now is left alone


def test_backup_config_is_read_and_checked() -> None:
    config = parse_config('[backup]\ndir = "/mnt/usb/backups"\nkeep = 7\n')
    assert (config.backup_dir, config.backup_keep) == ("/mnt/usb/backups", 7)
    assert (parse_config("").backup_dir, parse_config("").backup_keep) == (None, 30)
    with pytest.raises(ConfigError, match=r"\[backup\] keep"):
        parse_config("[backup]\nkeep = 0\n")
    with pytest.raises(ConfigError, match=r"\[backup\] dir"):
        parse_config("[backup]\ndir = 3\n")


def test_a_failed_backup_is_told_to_the_lead_and_the_closeout_stands(
    template_dir: Path,
    make_app: Callable[..., App],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = tmp_path / "data"
    shutil.copytree(template_dir, data)
    (data / "blocker").write_text("a file where the backup folder should be", encoding="utf-8")
    config = data / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('# dir = "backups"', 'dir = "blocker"'), encoding="utf-8")
    app = make_app()
    with caplog.at_level(logging.ERROR):
        result = small_day(app)
    assert result["ok"] and result["batch"]
    assert "The backup after closeout" in result["backup_failed"]
    assert "blocker" in result["backup_failed"]
    assert [c.batch for c in app.desk.day_closeouts()] == [result["batch"]]
    assert any("backup after closeout" in r.getMessage() for r in caplog.records)


# -- restore: the other way out of a ledger that lost work ---------------------------------


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template_dir, target)
    return target


def _ring(data: Path, *ops: dict[str, object]) -> None:
    app = open_app(data, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    try:
        run_ok(app, *ops)
    finally:
        app.close()


def _lose_work(data: Path, old: Path) -> None:
    """Put back an older copy of the ledger (the mark keeps what was saved)."""
    for side in ("ledger.db-wal", "ledger.db-shm"):
        (data / side).unlink(missing_ok=True)
    shutil.copy(old, data / "ledger.db")


def _move_out(data: Path, to: Path) -> None:
    to.mkdir()
    for name in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):
        if (data / name).exists():
            shutil.move(data / name, to / name)


def test_a_backup_at_the_mark_takes_money_at_once(data_dir: Path, tmp_path: Path) -> None:
    _ring(data_dir, LOGIN, OPEN, SALE)
    old = tmp_path / "old.db"
    shutil.copy(data_dir / "ledger.db", old)
    _ring(data_dir, LOGIN, SALE)
    code, _out, err = run_cli(data_dir, "backup", str(tmp_path / "b.zip"))
    assert code == 0, err
    _lose_work(data_dir, old)
    app = open_app(data_dir, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    assert app.ledger.loss is not None
    app.close()

    code, _out, err = run_cli(data_dir, "restore", str(tmp_path / "b.zip"))
    assert code == 1 and "(not_empty)" in err  # the lost ledger is still in the folder
    _move_out(data_dir, tmp_path / "kept")
    code, out, err = run_cli(data_dir, "restore", str(tmp_path / "b.zip"))
    assert code == 0, err
    assert json.loads(out)["ledger_loss"] is None
    app = open_app(data_dir, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    try:
        assert app.ledger.loss is None
        assert run_op(app.desk, LOGIN)["ok"]
        assert run_op(app.desk, SALE)["receipt"] == "W1-000003"
    finally:
        app.close()


def test_a_backup_behind_the_mark_still_needs_the_loss_accepted(
    data_dir: Path, tmp_path: Path
) -> None:
    _ring(data_dir, LOGIN, OPEN, SALE)
    code, _out, err = run_cli(data_dir, "backup", str(tmp_path / "b.zip"))
    assert code == 0, err
    old = tmp_path / "old.db"
    shutil.copy(data_dir / "ledger.db", old)
    _ring(data_dir, LOGIN, SALE, SALE)  # W1-000002 and W1-000003: in no backup
    _lose_work(data_dir, old)
    _move_out(data_dir, tmp_path / "kept")
    code, out, err = run_cli(data_dir, "restore", str(tmp_path / "b.zip"))
    assert code == 0, err
    loss = json.loads(out)["ledger_loss"]
    assert "W1-000003" in loss and "accept-loss" in err
    app = open_app(data_dir, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    try:
        assert run_op(app.desk, LOGIN)["ok"]
        refused = run_op(app.desk, SALE)
        assert (refused["ok"], refused["error"]) == (False, "ledger_rolled_back")
        app.desk.accept_ledger_loss("sam", "3333")
        assert run_op(app.desk, SALE)["receipt"] == "W1-000004"
    finally:
        app.close()
