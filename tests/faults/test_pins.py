"""PINs against offline guessing: the hashes in ``ledger.db`` and central are useless without
the city's pepper, a 0600 file no other account can read; a missing, foreign or exposed pepper
is refused (never replaced); hashes from before the pepper still work and are made again with
it; ``[policy] min_pin_length`` holds wherever a PIN is set; and argon2 never runs inside the
ledger's write transaction, so an import of 1,500 people does not hold up a sale."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from cashier_desk.app import App, open_app
from cashier_desk.config import Config, ConfigError, parse_config
from cashier_desk.demo import DEMO_DIR
from cashier_desk.errors import Refusal
from cashier_desk.ledger import auth
from cashier_desk.ledger.pins import COST_ENV, PREFIX, Pepper, PinHasher, key_id
from cashier_desk.runner import run_op
from cashier_desk.sync import central
from cashier_desk.sync.pull import central_import
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import ADMIN, FakeClock, dump_tables, run_ok

SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC"}],
    "tenders": [{"type": "cash", "amount": "20.00"}],
}


def _open(data: Path) -> App:
    return open_app(
        data, "W1", clock=FakeClock(), printer=MemoryPrinter(), cash_drawer=CountingDrawer()
    )


def _copy(template_dir: Path, target: Path, min_pin_length: int | None = None) -> Path:
    shutil.copytree(template_dir, target)
    if min_pin_length is not None:
        config = target / "config.toml"
        text = config.read_text(encoding="utf-8")
        assert "\nmin_pin_length = 4 " in text  # the default file says it
        text = text.replace("\nmin_pin_length = 4 ", f"\nmin_pin_length = {min_pin_length} ")
        config.write_text(text, "utf-8")
    return target


@pytest.fixture
def fresh(template_dir: Path, tmp_path: Path) -> Iterator[Callable[..., App]]:
    """Apps on copies of the demo city (each opened anew: no pepper held in memory)."""
    opened: list[App] = []

    def make(name: str = "data", min_pin_length: int | None = None) -> App:
        target = tmp_path / name
        if not target.exists():
            _copy(template_dir, target, min_pin_length)
        app = _open(target)
        opened.append(app)
        return app

    yield make
    for app in opened:
        app.close()


def _key(data: Path) -> bytes:
    return base64.b64decode((data / "pepper.key").read_text(encoding="ascii").strip())


def _hash_of(app: App, login: str) -> str:
    with app.ledger.read() as conn:
        found = conn.exec_driver_sql("SELECT pin_hash FROM users WHERE login = ?", (login,))
        return str(found.scalar())


def _refused(code: str, call: Callable[[], object]) -> Refusal:
    with pytest.raises(Refusal) as refused:
        call()
    assert refused.value.code == code, refused.value.message
    return refused.value


# -- the hashes alone are useless ----------------------------------------------------------


def test_a_hash_taken_from_the_ledger_does_not_verify_without_the_pepper(
    fresh: Callable[..., App],
) -> None:
    app = fresh()
    stored = _hash_of(app, "amy")
    assert stored.startswith(PREFIX)
    encoded = "$" + stored.removeprefix(PREFIX).partition("$")[2]
    assert encoded.startswith("$argon2id$")
    argon2 = PasswordHasher()
    # An attacker with ledger.db alone tries every four-digit PIN: none fits.
    tried = 0
    for n in range(10_000):
        tried += 1
        with pytest.raises(VerifyMismatchError):
            argon2.verify(encoded, f"{n:04d}")
    assert tried == 10_000
    # With the pepper file, amy's PIN fits, as argon2id over HMAC-SHA256(pepper, PIN).
    keyed = hmac.new(_key(app.data_dir), b"4821", hashlib.sha256).digest()
    assert argon2.verify(encoded, keyed)
    assert run_ok(app, {"op": "login", "user": "amy", "pin": "4821"})


def test_the_pepper_file_is_0600_and_another_account_cannot_read_it() -> None:
    # Not under pytest's tmp_path (0700 for root): here only the file's own mode keeps
    # "nobody" out, and the control file shows the folder itself is open to it.
    root = Path(tempfile.mkdtemp(prefix="pins-nobody-"))
    try:
        root.chmod(0o755)
        data = root / "data"
        app = _open(data)
        try:
            assert not (data / "pepper.key").exists()
            app.desk.create_first_admin("ada", "Ada Lovelace", "271828")
        finally:
            app.close()
        key_file = data / "pepper.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        data.chmod(0o755)
        (data / "control.txt").write_text("open to all\n", encoding="ascii")
        (data / "control.txt").chmod(0o644)

        def as_nobody(path: Path) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["runuser", "-u", "nobody", "--", "cat", str(path)],
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip

        control = as_nobody(data / "control.txt")
        assert control.returncode == 0 and control.stdout == "open to all\n", control.stderr
        denied = as_nobody(key_file)
        assert denied.returncode != 0 and "Permission denied" in denied.stderr
        assert key_file.read_text(encoding="ascii").strip() not in denied.stdout
    finally:
        shutil.rmtree(root)


# -- a missing, foreign or exposed pepper --------------------------------------------------


def test_a_missing_pepper_is_refused_and_never_made_anew(
    fresh: Callable[..., App], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    fresh().close()
    (data / "pepper.key").unlink()
    app = fresh()
    before = dump_tables(app)
    refused = _refused("pepper_missing", lambda: app.desk.login("amy", "4821"))
    assert "pepper.key" in refused.message and "chmod 600" in refused.message
    users = tmp_path / "users.csv"
    users.write_text("login,name,role,pin\nzed,Zed Q,cashier,777123\n", encoding="utf-8")
    _refused("pepper_missing", lambda: app.desk.import_file("users", users, **ADMIN))
    assert dump_tables(app) == before  # no failure counted, nobody imported
    assert not (data / "pepper.key").exists()
    result = run_op(app.desk, {"op": "login", "user": "lee", "pin": "1111"})
    assert (result["ok"], result["error"]) == (False, "pepper_missing")


def test_another_citys_pepper_is_refused_without_counting_a_wrong_pin(
    fresh: Callable[..., App], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    fresh().close()
    key = data / "pepper.key"
    key.write_text(
        base64.b64encode(os.urandom(32)).decode() + "\n", encoding="ascii"
    )  # keeps its mode 0600
    app = fresh()
    before = dump_tables(app)
    for _ in range(6):  # more than the lockout's five
        _refused("pepper_mismatch", lambda: app.desk.login("amy", "4821"))
    assert dump_tables(app) == before


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_pepper_file_others_may_read_is_refused(
    fresh: Callable[..., App], tmp_path: Path, mode: int
) -> None:
    data = tmp_path / "data"
    fresh().close()
    (data / "pepper.key").chmod(mode)
    app = fresh()
    refused = _refused("pepper_unsafe", lambda: app.desk.login("amy", "4821"))
    assert f"{mode:04o}" in refused.message and "chmod 600" in refused.message
    assert stat.S_IMODE((data / "pepper.key").stat().st_mode) == mode  # left for a person


def test_a_file_that_is_not_a_pepper_is_refused(fresh: Callable[..., App], tmp_path: Path) -> None:
    data = tmp_path / "data"
    fresh().close()
    (data / "pepper.key").write_text("secret\n", encoding="ascii")
    _refused("pepper_unsafe", lambda: fresh().desk.login("amy", "4821"))


def test_two_processes_making_the_pepper_at_once_share_one(tmp_path: Path) -> None:
    path = tmp_path / "pepper.key"
    keys: list[bytes | None] = []
    makers = [
        threading.Thread(target=lambda: keys.append(Pepper(path).key(may_create=True)))
        for _ in range(8)
    ]
    for t in makers:
        t.start()
    for t in makers:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and keys[0] == _key(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["pepper.key"]  # no temporary file left


def test_a_provisioned_pepper_file_named_in_config_is_used(tmp_path: Path) -> None:
    city = tmp_path / "keys" / "city-pepper.key"
    Pepper(city).key(may_create=True)
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text(f'[security]\npepper_file = "{city}"\n', encoding="utf-8")
    app = _open(data)
    try:
        app.desk.create_first_admin("ada", "Ada Lovelace", "2718")
        assert not (data / "pepper.key").exists()
        stored = _hash_of(app, "ada")
        encoded = "$" + stored.removeprefix(PREFIX).partition("$")[2]
        key = base64.b64decode(city.read_text(encoding="ascii"))
        assert PasswordHasher().verify(encoded, hmac.new(key, b"2718", hashlib.sha256).digest())
    finally:
        app.close()


# -- hashes from before the pepper -----------------------------------------------------------


def test_a_hash_from_before_the_pepper_works_and_is_made_again_with_it(
    fresh: Callable[..., App], tmp_path: Path
) -> None:
    """A data dir upgraded from before the pepper: plain argon2 hashes of the PIN, no file."""
    data = tmp_path / "data"
    old = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)  # the old hasher
    app = fresh()
    lines = (DEMO_DIR / "users.csv").read_text(encoding="utf-8").splitlines()[1:]
    with app.ledger.write() as conn:
        for login, _name, _role, pin in (line.split(",") for line in lines):
            conn.exec_driver_sql(
                "UPDATE users SET pin_hash = ? WHERE login = ?", (old.hash(pin), login)
            )
    app.close()
    (data / "pepper.key").unlink()
    app = fresh()
    legacy_bob = _hash_of(app, "bob")
    # A wrong PIN against an old hash counts as ever, and makes nothing.
    _refused("bad_credentials", lambda: app.desk.login("amy", "0000"))
    assert not (data / "pepper.key").exists()
    assert app.desk.login("amy", "4821").login == "amy"
    stored = _hash_of(app, "amy")
    assert stored.startswith(PREFIX) and "m=8,t=1" in stored  # today's (the tests') cost
    assert stat.S_IMODE((data / "pepper.key").stat().st_mode) == 0o600
    encoded = "$" + stored.removeprefix(PREFIX).partition("$")[2]
    keyed = hmac.new(_key(data), b"4821", hashlib.sha256).digest()
    assert PasswordHasher().verify(encoded, keyed)
    with app.ledger.read() as conn:
        rehashed = list(
            conn.exec_driver_sql(
                "SELECT actor, target FROM audit_log WHERE action = 'pin_rehashed'"
            )
        )
    assert rehashed == [("amy", "amy")]
    assert _hash_of(app, "bob") == legacy_bob  # the others until their own next login
    app.desk.logout()
    assert app.desk.login("amy", "4821").login == "amy"  # with the pepper now
    assert app.desk.login("bob", "2468").login == "bob"
    assert _hash_of(app, "bob").startswith(PREFIX)


def test_a_hash_of_another_cost_is_made_again_at_the_next_login(
    fresh: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COST_ENV, "2,16")
    app = fresh()
    assert "m=8,t=1" in _hash_of(app, "amy")
    app.desk.login("amy", "4821")
    assert "m=16,t=2" in _hash_of(app, "amy")


# -- min_pin_length ------------------------------------------------------------------------


def test_min_pin_length_holds_for_import_users(fresh: Callable[..., App], tmp_path: Path) -> None:
    app = fresh(min_pin_length=6)
    assert app.config.min_pin_length == 6
    users = tmp_path / "users.csv"
    users.write_text(
        "login,name,role,pin\nzed,Zed Q,cashier,777123\nyan,Yan P,cashier,77712\n",
        encoding="utf-8",
    )
    before = dump_tables(app)
    refused = _refused("bad_row", lambda: app.desk.import_file("users", users, **ADMIN))
    assert refused.message == "users.csv line 3, column pin: must be 6 to 64 printable characters"
    assert dump_tables(app) == before  # the whole file refused, zed too
    users.write_text("login,name,role,pin\nzed,Zed Q,cashier,777123\n", encoding="utf-8")
    assert app.desk.import_file("users", users, **ADMIN).rows == 1
    assert app.desk.login("zed", "777123").login == "zed"


def test_min_pin_length_holds_for_the_first_admin(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text("[policy]\nmin_pin_length = 6\n", encoding="utf-8")
    app = _open(data)
    try:
        refused = _refused("bad_pin", lambda: app.desk.create_first_admin("ada", "Ada", "27182"))
        assert "6 to 64" in refused.message
        assert not app.desk.has_users() and not (data / "pepper.key").exists()
        assert app.desk.create_first_admin("ada", "Ada", "271828").role == "admin"
    finally:
        app.close()


def test_min_pin_length_holds_for_a_users_import_at_central(
    template_dir: Path, tmp_path: Path
) -> None:
    engine = central.engine_for(f"sqlite:///{tmp_path / 'central.db'}")
    try:
        central.init_central(engine)
        pins = PinHasher.for_data_dir(template_dir, Config())
        refused = _refused(
            "bad_row",
            lambda: central_import(
                engine,
                "users",
                DEMO_DIR / "users.csv",
                "2026-11-01T00:00:00+00:00",
                pins=pins,
                min_pin_length=6,
            ),
        )
        assert "line 2, column pin: must be 6 to 64" in refused.message
    finally:
        engine.dispose()


def test_the_command_line_refuses_a_short_pin_naming_the_row(tmp_path: Path) -> None:
    from tests.faults.harness import cli

    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text("[policy]\nmin_pin_length = 6\n", encoding="utf-8")
    done = cli(data, "import", "users", str(DEMO_DIR / "users.csv"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "cashier-desk: users.csv line 2, column pin: must be 6 to 64 printable characters (bad_row)"
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[policy]\nmin_pin_length = 3\n", "min_pin_length"),
        ("[policy]\nmin_pin_length = 65\n", "min_pin_length"),
        ('[policy]\nmin_pin_length = "6"\n', "min_pin_length"),
        ("[security]\nargon2_memory_kib = 1024\n", "argon2_memory_kib"),
        ("[security]\nargon2_time_cost = 0\n", "argon2_time_cost"),
        ("[security]\npepper_file = 7\n", "pepper_file"),
        ("[security]\npepper = 'x'\n", "pepper"),
    ],
)
def test_bad_pin_settings_are_refused_naming_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        parse_config(text)


def test_pin_settings_default_and_read() -> None:
    d = parse_config("")
    assert (d.min_pin_length, d.argon2_time_cost, d.argon2_memory_kib, d.pepper_file) == (
        4, 2, 65536, None,
    )  # fmt: skip
    c = parse_config(
        '[policy]\nmin_pin_length = 6\n[security]\npepper_file = "/etc/city/pepper.key"\n'
        "argon2_time_cost = 3\nargon2_memory_kib = 47104\n"
    )
    assert (c.min_pin_length, c.argon2_time_cost, c.argon2_memory_kib, c.pepper_file) == (
        6, 3, 47104, "/etc/city/pepper.key",
    )  # fmt: skip


# -- central carries hashes only -----------------------------------------------------------


def test_central_and_sync_pull_carry_hashes_never_the_pepper(
    fresh: Callable[..., App], template_dir: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = central.engine_for(url)
    try:
        central.init_central(engine)
        pins = PinHasher.for_data_dir(template_dir, Config())  # the importer holds the pepper
        people = tmp_path / "people.csv"
        people.write_text("login,name,role,pin\nzed,Zed Q,cashier,Zq9-pin-31x7\n", "utf-8")
        assert central_import(engine, "users", people, "2026-11-01T00:00:00+00:00", pins=pins)
    finally:
        engine.dispose()
    w2 = fresh("w2")
    assert w2.desk.relay is not None
    w2.desk.relay.central_url = url
    assert w2.desk.pull_reference_data().users == 1
    assert w2.desk.login("zed", "Zq9-pin-31x7").login == "zed"  # the city's pepper at W2
    w2.desk.logout()
    key = _key(template_dir)
    forms = [key, base64.b64encode(key), key.hex().encode(), key.hex().upper().encode()]
    scanned = 0
    for folder in (tmp_path, tmp_path / "w2"):
        for name in ("central.db", "central.db-wal", "ledger.db", "ledger.db-wal",
                     "cashier-desk.log"):  # fmt: skip
            path = folder / name
            if path.exists():
                scanned += 1
                content = path.read_bytes()
                assert not any(f in content for f in forms), f"{path} holds the pepper"
    assert scanned >= 4
    assert (tmp_path / "central.db").exists()


# -- argon2 outside the write transaction --------------------------------------------------


class _Signalling(PinHasher):
    """The app's own hasher, telling the test when argon2 starts (nothing else changed)."""

    def __init__(self, pins: PinHasher) -> None:
        super().__init__(pins.pepper, *pins.cost)
        self.started = threading.Event()

    def hash(self, pin: str, *, may_create: bool) -> str:
        self.started.set()
        return super().hash(pin, may_create=may_create)

    def check(self, stored: str, pin: str) -> bool:
        self.started.set()
        return super().check(stored, pin)


def test_an_import_of_1500_users_does_not_hold_up_a_sale(
    fresh: Callable[..., App], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COST_ENV, "1,512")  # about 1 ms a PIN here: a second or two of argon2
    app = fresh()
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})  # fmt: skip
    people = tmp_path / "people.csv"
    people.write_text(
        "login,name,role,pin\n"
        + "".join(f"p{n:04d},Person {n},cashier,{n:06d}\n" for n in range(1500)),
        encoding="utf-8",
    )
    signalling = _Signalling(app.desk.pins)
    app.desk.pins = signalling
    finished: dict[str, float] = {}
    errors: list[BaseException] = []

    def import_people() -> None:
        try:
            assert app.desk.import_file("users", people, **ADMIN).rows == 1500
        except BaseException as exc:  # reported below
            errors.append(exc)
        finished["import"] = time.monotonic()

    worker = threading.Thread(target=import_people)
    worker.start()
    assert signalling.started.wait(60), "the import never began hashing"
    result = run_op(app.desk, SALE)
    finished["sale"] = time.monotonic()
    worker.join(300)
    assert not errors and result["ok"], (errors, result)
    assert "import" in finished and finished["sale"] < finished["import"]
    with app.ledger.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM users").scalar() == 1509


def test_a_pin_check_does_not_hold_up_a_sale(
    fresh: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = fresh()
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})  # fmt: skip
    monkeypatch.setenv(COST_ENV, "4,65536")  # a slow check: a few hundred ms here
    slow = _Signalling(PinHasher.for_data_dir(app.data_dir, app.config))
    with app.ledger.write() as conn:  # lee's PIN hashed at that cost
        lee = slow.hash("1111", may_create=False)
        conn.exec_driver_sql("UPDATE users SET pin_hash = ? WHERE login = 'lee'", (lee,))
    slow.started.clear()
    finished: dict[str, float] = {}

    def check_lee() -> None:
        user = auth.authenticate(
            app.ledger, slow, "lee", "1111",
            now=FakeClock().now, workstation="W1", purpose="approve",
        )  # fmt: skip
        assert user.login == "lee"
        finished["check"] = time.monotonic()

    worker = threading.Thread(target=check_lee)
    worker.start()
    assert slow.started.wait(60)
    result = run_op(app.desk, SALE)
    finished["sale"] = time.monotonic()
    worker.join(60)
    assert result["ok"], result
    assert "check" in finished and finished["sale"] < finished["check"]


def test_central_import_users_hashes_with_the_pepper_of_its_data_dir(tmp_path: Path) -> None:
    from tests.faults.harness import cli

    office = tmp_path / "office"
    url = f"sqlite:///{tmp_path / 'central.db'}"
    people = tmp_path / "people.csv"
    people.write_text("login,name,role,pin\nzed,Zed Q,cashier,Zq9-pin-31x7\n", "utf-8")
    assert cli(office, "--central", url, "central", "init").returncode == 0
    done = cli(office, "--central", url, "central", "import", "users", str(people))
    assert done.returncode == 0, done.stderr
    key = _key(office)  # made there, 0600, by the first users import at central
    # ... and said (an outside trial met a pepper made silently, then every login refused)
    assert f"a new city pepper was made at {office / 'pepper.key'}" in done.stderr
    assert stat.S_IMODE((office / "pepper.key").stat().st_mode) == 0o600
    engine = central.engine_for(url)
    try:
        with engine.connect() as conn:
            stored = str(conn.exec_driver_sql("SELECT pin_hash FROM ref_users").scalar())
    finally:
        engine.dispose()
    assert stored.startswith(f"{PREFIX}{key_id(key)}$argon2id$")
    central_bytes = (tmp_path / "central.db").read_bytes()
    assert key not in central_bytes and base64.b64encode(key) not in central_bytes
    # Imported again with it: nothing said.  The pepper gone from that machine: refused,
    # and none made in its place.
    same = cli(office, "--central", url, "central", "import", "users", str(people))
    assert same.returncode == 0 and "pepper" not in same.stderr, same.stderr
    (office / "pepper.key").unlink()
    again = cli(office, "--central", url, "central", "import", "users", str(people))
    assert again.returncode == 1 and again.stderr.strip().endswith("(pepper_missing)")
    assert not (office / "pepper.key").exists()
