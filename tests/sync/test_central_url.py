"""Central is configured, not defaulted away: ``[central] url`` in config.toml (``--central``
and ``CASHIER_DESK_CENTRAL_URL`` override it), "central: this machine only" while it is the
data dir's own central.db, and a changed URL never loses a batch nor posts one twice: each sync
asks central which batches it holds and sends every one it lacks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from cashier_desk.app import (
    App,
    default_central_url,
    is_embedded,
    open_app,
    resolve_central_url,
)
from cashier_desk.config import Config, ConfigError, parse_config
from cashier_desk.sync import central
from cashier_desk.sync.relay import describe
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock, small_day
from tests.sync.conftest import (
    CentralPg,
    assert_central_equals_local,
    cli,
    dump_central,
    local_payload,
    other_day,
    workstation,
)

MakeApp = Callable[..., App]
RECEIVED = "2026-11-23T23:00:00+00:00"


def set_central(data_dir: Path, url: str | None) -> None:
    """Write ``[central] url`` into the data dir's config.toml (or take it out)."""
    path = data_dir / "config.toml"
    text = re.sub(r"(?ms)^\[central\]\n.*?(?=^\[|\Z)", "", path.read_text(encoding="utf-8"))
    if url is not None:
        text += f'\n[central]\nurl = "{url}"\n'
    path.write_text(text, encoding="utf-8")
    assert "[policy]" in text and "[devices]" in text


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_flag_over_env_over_config_over_the_embedded_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASHIER_DESK_CENTRAL_URL", raising=False)
    data = tmp_path / "data"
    configured = parse_config('[central]\nurl = "postgresql+psycopg://ws@city-hall/cashier"\n')
    assert configured.central_url == "postgresql+psycopg://ws@city-hall/cashier"
    embedded = resolve_central_url(data, Config())
    assert embedded == default_central_url(data) and is_embedded(embedded, data)
    assert resolve_central_url(data, configured) == "postgresql+psycopg://ws@city-hall/cashier"
    assert not is_embedded(resolve_central_url(data, configured), data)
    monkeypatch.setenv("CASHIER_DESK_CENTRAL_URL", "sqlite:////srv/env.db")
    assert resolve_central_url(data, configured) == "sqlite:////srv/env.db"
    assert resolve_central_url(data, configured, "sqlite:////srv/flag.db") == (
        "sqlite:////srv/flag.db"
    )
    # A relative SQLite path in the config is taken from the data dir, not the current folder.
    relative = parse_config('[central]\nurl = "sqlite:///shared/central.db"\n')
    monkeypatch.delenv("CASHIER_DESK_CENTRAL_URL")
    assert resolve_central_url(data, relative) == sqlite_url((data / "shared/central.db").resolve())
    # The data dir's own file, however it is written, is this machine only.
    same = parse_config('[central]\nurl = "sqlite:///central.db"\n')
    assert is_embedded(resolve_central_url(data, same), data)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[central]\nurl = 5\n", "[central] url must be a database URL"),
        ('[central]\nurl = ""\n', "[central] url must be a database URL"),
        ('[central]\nurl = "city hall"\n', "[central] url is not a database URL"),
        ('[central]\nurl = "postgres://ws@h/cashier"\n', "[central] url is not a database URL"),
        ('[central]\nurl = "mysql://ws@h/cashier"\n', "[central] url is not a database URL"),
        ('[central]\nhost = "x"\n', "unknown key 'host' in [central]"),
    ],
)
def test_a_bad_central_url_in_the_config_names_the_key(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert problem in str(caught.value)


def test_the_app_and_the_status_line_say_where_batches_go(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = open_app(data, "W1", printer=MemoryPrinter(), cash_drawer=CountingDrawer())
    try:
        assert app.desk.relay is not None and app.desk.relay.embedded
        assert app.desk.relay.status_text() == "central: this machine only"
    finally:
        app.close()
    set_central(data, sqlite_url(tmp_path / "city.db"))
    app = open_app(data, "W1", printer=MemoryPrinter(), cash_drawer=CountingDrawer())
    try:
        assert app.desk.relay is not None and not app.desk.relay.embedded
        assert app.desk.relay.central_url == sqlite_url(tmp_path / "city.db")
        assert app.desk.relay.status_text() == ""
    finally:
        app.close()
    assert describe(False, 2, 1) == ("central: 2 batches waiting · 1 batch in quarantine")


def test_central_status_says_this_machine_only_until_a_url_is_configured(
    make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app()
    small_day(app)
    data = app.data_dir
    app.close()
    assert cli("--data-dir", str(data), "sync").returncode == 0
    done = cli("--data-dir", str(data), "central", "status")
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout.splitlines()[0])
    assert first == {"central": "this machine only", "url": default_central_url(data)}
    assert "central: this machine only" in done.stderr
    assert "[central] url" in done.stderr

    city = sqlite_url(tmp_path / "city.db")
    set_central(data, city)
    done = cli("--data-dir", str(data), "sync")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sent"] == 1
    done = cli("--data-dir", str(data), "central", "status")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    assert lines[0] == {"central": city}
    assert lines[1]["workstation"] == "W1" and lines[1]["batches"] == 1
    assert "this machine only" not in done.stdout + done.stderr


def test_the_command_line_and_the_environment_override_the_config(
    make_app: MakeApp, tmp_path: Path, engines: Callable[[str], sa.Engine]
) -> None:
    app = make_app()
    day = small_day(app)
    data = app.data_dir
    app.close()
    urls = {name: sqlite_url(tmp_path / f"{name}.db") for name in ("config", "env", "flag")}
    set_central(data, urls["config"])
    env = {"CASHIER_DESK_CENTRAL_URL": urls["env"]}
    assert cli("--data-dir", str(data), "--central", urls["flag"], "sync", env=env).returncode == 0
    assert cli("--data-dir", str(data), "sync", env=env).returncode == 0
    assert not (tmp_path / "config.db").exists()
    for name in ("env", "flag"):
        assert central.totals(engines(urls[name]), day["date"])["batches"] == 1


def test_switching_central_sends_what_it_lacks_and_doubles_nothing(
    make_app: MakeApp, tmp_path: Path, engines: Callable[[str], sa.Engine]
) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)
    small_day(app)
    clock.advance(days=1)
    other_day(app)
    data = app.data_dir
    app.close()
    a, b = sqlite_url(tmp_path / "a.db"), sqlite_url(tmp_path / "b.db")

    set_central(data, a)
    done = cli("--data-dir", str(data), "sync")
    assert json.loads(done.stdout) == {
        "ok": True, "sent": 2, "already_there": 0, "pending": 0, "quarantined": 0,
    }  # fmt: skip
    # The city moves its central: every batch marked sent here goes to the new one.
    set_central(data, b)
    done = cli("--data-dir", str(data), "sync")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "ok": True, "sent": 2, "resent": 2, "already_there": 0, "pending": 0, "quarantined": 0,
    }  # fmt: skip
    assert "2 batch(es) marked sent here were not at this central" in done.stderr
    again = make_app(clock=FakeClock(clock.now))
    assert_central_equals_local(engines(b), again)
    # A day closed while on B.
    clock.advance(days=1)
    again.desk.clock = clock
    day3 = other_day(again)
    assert again.desk.sync().sent == 1
    again.close()
    before = dump_central(engines(a))

    # Back to A: only the day A lacks goes; what A holds is not posted twice.
    set_central(data, a)
    done = cli("--data-dir", str(data), "sync")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "ok": True, "sent": 1, "resent": 1, "already_there": 0, "pending": 0, "quarantined": 0,
    }  # fmt: skip
    last = make_app(clock=FakeClock(clock.now))
    mine = assert_central_equals_local(engines(a), last)
    assert_central_equals_local(engines(b), last)
    after = dump_central(engines(a))
    assert all(set(rows) >= set(before[t]) for t, rows in after.items()), "A lost a row"
    assert sum(len(r) for r in after.values()) > sum(len(r) for r in before.values())
    assert day3["batch"] in mine
    # Sent once more by hand, A answers "already there"; the relay has nothing left to send.
    payload, sha = local_payload(last, day3["batch"])
    assert central.deliver(engines(a), payload, sha, RECEIVED) == "already_there"
    r = last.desk.sync()
    assert (r.sent, r.already_there, r.resent, r.pending) == (0, 0, 0, 0)


@pytest.mark.parametrize("command", [["sync"], ["sync", "pull"], ["central", "status"]])
def test_a_central_url_that_cannot_be_one_is_one_clear_line(
    make_app: MakeApp, command: list[str]
) -> None:
    app = make_app()
    small_day(app)
    data = str(app.data_dir)
    app.close()
    done = cli("--data-dir", data, "--central", "postgresql://ws:secret@h:port/x", *command)
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("cashier-desk: ") and len(done.stderr.splitlines()) == 1
    assert "central database URL cannot be used" in done.stderr
    assert "secret" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.postgres
def test_moving_from_postgresql_to_another_central_and_back(
    make_app: MakeApp, central_pg: CentralPg, tmp_path: Path, engines: Callable[[str], sa.Engine]
) -> None:
    clock = FakeClock()
    app = workstation(make_app, central_pg.workstation_url, clock)
    small_day(app)
    assert app.desk.sync().sent == 1
    assert app.desk.relay is not None
    app.desk.relay.central_url = sqlite_url(tmp_path / "b.db")
    clock.advance(days=1)
    other_day(app)
    r = app.desk.sync()
    assert (r.sent, r.resent, r.already_there) == (2, 1, 0)
    assert_central_equals_local(engines(sqlite_url(tmp_path / "b.db")), app)
    before = dump_central(central_pg.engine)
    app.desk.relay.central_url = central_pg.workstation_url
    r = app.desk.sync()
    assert (r.sent, r.resent, r.already_there) == (1, 1, 0)
    assert_central_equals_local(central_pg.engine, app)
    after = dump_central(central_pg.engine)
    assert all(set(rows) >= set(before[t]) for t, rows in after.items())


@pytest.mark.parametrize(
    "command",
    [["central", "init"], ["central", "workstation", "add", "W2"], ["central", "status"]],
)
def test_a_central_url_whose_driver_is_not_installed_is_one_clear_line(
    tmp_path: Path, command: list[str]
) -> None:
    """An outside trial met a traceback (`No module named 'psycopg'`) from `central init`
    after a plain install; psycopg is now installed with the program, and a URL naming any
    other driver that is not here says so in one line."""
    done = cli(
        "--data-dir", str(tmp_path / "d"), "--central", "postgresql+pg8000://a@h/x", *command
    )
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("cashier-desk: ") and len(done.stderr.splitlines()) == 1
    assert "driver that is not installed" in done.stderr and "pg8000" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
