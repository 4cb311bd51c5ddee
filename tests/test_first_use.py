"""A data dir's first use: headless.md's "empty", and the first admin the window makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.demo import DEMO_DIR
from cashier_desk.errors import Refusal
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock, dump_tables, run_ok


def _new(path: Path) -> App:
    return open_app(
        path, "W1", clock=FakeClock(), printer=MemoryPrinter(), cash_drawer=CountingDrawer()
    )


def test_empty_means_no_users_and_no_receipts(tmp_path: Path, app: App) -> None:
    new = _new(tmp_path / "new")
    try:
        assert new.is_empty()
        new.desk.import_file("revenue-codes", DEMO_DIR / "revenue_codes.csv")
        assert new.is_empty(), "reference data alone leaves a data dir empty"
        new.desk.create_first_admin("ada", "Ada Lovelace", "2718")
        assert not new.is_empty()
    finally:
        new.close()
    assert not app.is_empty()  # the demo city has people


def test_the_first_admin_is_checked_audited_and_logged_in(tmp_path: Path) -> None:
    new = _new(tmp_path / "new")
    try:
        for login, name, pin, code in (
            ("", "Ada", "2718", "bad_text"),
            ("ada lovelace", "Ada", "2718", "bad_text"),
            ("4111111111111111", "Ada", "2718", "bad_text"),
            ("ada", "", "2718", "bad_text"),
            ("ada", "Ada", "271", "bad_pin"),
            ("ada", "Ada", "27\n18", "bad_pin"),
        ):
            before = dump_tables(new)
            with pytest.raises(Refusal) as refused:
                new.desk.create_first_admin(login, name, pin)
            assert refused.value.code == code, (login, name, pin)
            assert dump_tables(new) == before and new.desk.user is None

        user = new.desk.create_first_admin(" ada ", " Ada Lovelace ", "2718")
        assert (user.login, user.name, user.role) == ("ada", "Ada Lovelace", "admin")
        assert new.desk.logged_in() == "ada"
        with new.ledger.read() as conn:
            audit = list(conn.exec_driver_sql("SELECT actor, action, target FROM audit_log"))
        assert audit == [("ada", "first_admin", "ada"), ("ada", "login", "ada")]
        new.desk.logout()
        assert new.desk.login("ada", "2718").role == "admin"  # the PIN is a real argon2 hash
    finally:
        new.close()


def test_a_second_first_admin_is_refused_once_anyone_exists(app: App) -> None:
    before = dump_tables(app)
    with pytest.raises(Refusal) as refused:
        app.desk.create_first_admin("mallory", "Mallory", "6666")
    assert refused.value.code == "users_exist"
    assert dump_tables(app) == before and app.desk.user is None
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"})
    with pytest.raises(Refusal):
        app.desk.create_first_admin("mallory", "Mallory", "6666")
