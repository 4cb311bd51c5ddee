"""The workstation's configuration file, ``<data-dir>/config.toml``.

Created with defaults on first use; every key is optional.  A bad value is reported with the
key that holds it, and the program does not start on a config it cannot trust.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cashier_desk.money import GlAccount, Money, MoneyError, is_gl_account, parse_gl_account
from cashier_desk.text import looks_like_card_number, mask_card_numbers

DEFAULT_TEXT = """\
# cashier_desk workstation configuration. Every key is optional.

[station]
# id = "W1"                 # workstation id, the prefix of receipt numbers
city = "City of Springfield"
# address = "100 Main Street"
# timezone = "America/Chicago"   # receipts and business dates (default: the machine's zone)

[central]
# The city's central database, where closed batches go (SQLAlchemy URL). Without it, batches
# go to central.db in this data folder: this machine only. --central and
# CASHIER_DESK_CENTRAL_URL override it.
# url = "postgresql+psycopg://cashier_workstation@central.example.gov/cashier"

[policy]
over_short_tolerance = "5.00"
over_short_account = "101-0000-49900"
paid_out_limit = "50.00"       # a paid-out above this needs a lead's approval
max_amount = "1000000.00"      # no line, tender, count, drop or paid-out above this
# paid_out_accounts = ["101-1200-52100"]   # the GL accounts a paid-out may go to (default: any)
deposit_account = "101-0000-10100"        # the GL journal export: the bank account deposited to
card_clearing_account = "101-0000-10150"  # ... and where card settlements are cleared
due_from_account = "{fund}-0000-13900"    # what the treasury owes each other fund, in it
due_to_account = "101-0000-20900"         # ... and owes them, in the treasury (deposit) fund
drawer_must_close = true       # the next sale waits until the cash drawer is closed
                               # (only a drawer with a sensor: see drawer_sensor)
drawer_alert_seconds = 60      # alert when the drawer stays open longer than this
idle_lock_minutes = 15         # the window locks after this long without a key or a click
min_pin_length = 4             # the shortest PIN import users and the first admin take (6 advised)
cash_rounding = "0.01"         # "0.05": what is paid in cash is rounded to 5 cents (0.01: none)
cash_rounding_account = "101-0000-49910"  # ... and the difference goes here

[refund]
ap_account = "{fund}-0000-20200"   # a refund's offset (accounts payable) in each fund

[security]
# pepper_file = "pepper.key"   # the city's PIN pepper (default: pepper.key in this data folder);
                               # the same file on every workstation, readable only by this account
# argon2_time_cost = 2         # argon2id passes per PIN check ...
# argon2_memory_kib = 65536    # ... and its memory: about 100 ms a check (benchmarks/README.md)

[backup]
# dir = "backups"    # where a backup is written after every closeout (default: backups in this
                     # data folder; a relative path is taken from the data folder)
keep = 30            # the newest automatic backups kept

[devices]
printer = "sim"      # escpos+serial:///dev/ttyUSB0?baudrate=19200, escpos+tcp://HOST:9100, none
drawer = "printer"   # the printer's drawer port; or drawer+serial://..., sim, none
scanner = "sim"      # scanner+serial:///dev/ttyACM0, wedge, none
display = "none"     # display+serial://..., sim
columns = 42         # receipt width: 42 or 48 (from the printer's profile)
drawer_sensor = "auto"   # auto: the drawer has a sensor when its state can be read; yes; no
sim_drawer_close_seconds = 0   # a simulated drawer closes by itself after this
"""

_WS_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{0,19}", re.ASCII)


class ConfigError(ValueError):
    """The configuration file cannot be used; the message names the key (and never shows a
    card number that was typed into the file by mistake)."""

    def __init__(self, message: str) -> None:
        super().__init__(mask_card_numbers(message))


@dataclass(frozen=True)
class Config:
    workstation: str | None = None
    city: str = "City of Springfield"
    address: str = ""
    timezone: str | None = None
    central_url: str | None = None  # [central] url; None: central.db in the data dir
    over_short_tolerance: Money = Money(500)
    over_short_account: GlAccount = GlAccount("101-0000-49900")
    paid_out_limit: Money = Money(5000)
    max_amount: Money = Money(100_000_000)  # no line, tender or count above it
    paid_out_accounts: tuple[GlAccount, ...] = ()  # empty: any account
    deposit_account: GlAccount = GlAccount("101-0000-10100")
    card_clearing_account: GlAccount = GlAccount("101-0000-10150")
    due_from_account: str = "{fund}-0000-13900"
    due_to_account: GlAccount = GlAccount("101-0000-20900")
    printer: str = "sim"
    drawer: str = "printer"
    scanner: str = "sim"
    display: str = "none"
    columns: int = 42
    drawer_sensor: str = "auto"
    sim_drawer_close_seconds: float = 0
    drawer_must_close: bool = True
    drawer_alert_seconds: int = 60
    idle_lock_minutes: int = 15
    min_pin_length: int = 4
    pepper_file: str | None = None  # [security] pepper_file; None: pepper.key in the data dir
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 65536
    backup_dir: str | None = None  # [backup] dir; None: backups in the data dir
    backup_keep: int = 30  # [backup] keep
    cash_rounding: Money = Money(1)  # [policy] cash_rounding; 0.01: none
    cash_rounding_account: GlAccount = GlAccount("101-0000-49910")
    refund_ap_account: str = "{fund}-0000-20200"  # [refund] ap_account; {fund}: each fund's


def local_time(moment: datetime, zone: str | None) -> datetime:
    """A moment in the station's time zone (the machine's own when none is configured)."""
    tz: tzinfo | None = ZoneInfo(zone) if zone else None
    return moment.astimezone(tz)


def check_workstation(ws: str) -> str:
    if re.search(r"[0-9]{13}", ws):
        # 13 digits in a row could be (part of) a card number, and the id prints on every
        # receipt and goes into every record: refused whatever the Luhn check says, and not
        # echoed back.
        raise ConfigError("a workstation id must not hold 13 digits in a row (like W1)")
    if not _WS_RE.fullmatch(ws):
        raise ConfigError(f"workstation id {ws!r} must be 1 to 20 letters, digits or '_' (like W1)")
    return ws


def _get_str(table: dict[str, Any], section: str, key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"[{section}] {key} must be a string in quotes")
    return value


def parse_config(text: str, source: str = "config.toml") -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}") from None
    known = {
        "station": {"id", "city", "address", "timezone"},
        "central": {"url"},
        "policy": {
            "over_short_tolerance",
            "over_short_account",
            "paid_out_limit",
            "max_amount",
            "paid_out_accounts",
            "deposit_account",
            "card_clearing_account",
            "due_from_account",
            "due_to_account",
            "drawer_must_close",
            "drawer_alert_seconds",
            "idle_lock_minutes",
            "min_pin_length",
            "cash_rounding",
            "cash_rounding_account",
        },
        "security": {"pepper_file", "argon2_time_cost", "argon2_memory_kib"},
        "backup": {"dir", "keep"},
        "refund": {"ap_account"},
        "devices": {
            "printer",
            "drawer",
            "scanner",
            "display",
            "columns",
            "drawer_sensor",
            "sim_drawer_close_seconds",
        },
    }
    for section, table in data.items():
        if section not in known or not isinstance(table, dict):
            raise ConfigError(f"{source}: unknown section [{section}]")
        for key in table:
            if key not in known[section]:
                raise ConfigError(f"{source}: unknown key {key!r} in [{section}]")
    station = data.get("station", {})
    policy = data.get("policy", {})
    devices = data.get("devices", {})
    d = Config()
    ws = station.get("id")
    if ws is not None:
        if not isinstance(ws, str):
            raise ConfigError("[station] id must be a string in quotes")
        check_workstation(ws)
    tolerance = _amount(policy, "over_short_tolerance", d.over_short_tolerance)
    account = _gl(policy, "over_short_account", d.over_short_account)
    paid_out_limit = _amount(policy, "paid_out_limit", d.paid_out_limit)
    max_amount = _amount(policy, "max_amount", d.max_amount)
    if not max_amount.is_positive():
        raise ConfigError("[policy] max_amount must be more than 0.00")
    paid_out_accounts = _gl_list(policy, "paid_out_accounts")
    deposit_account = _gl(policy, "deposit_account", d.deposit_account)
    card_account = _gl(policy, "card_clearing_account", d.card_clearing_account)
    due_from, due_to = _due_accounts(policy, d, deposit_account)
    cash_rounding = _amount(policy, "cash_rounding", d.cash_rounding)
    if not Money(1) <= cash_rounding <= Money(100):
        raise ConfigError('[policy] cash_rounding must be from "0.01" (none) to "1.00"')
    rounding_account = _gl(policy, "cash_rounding_account", d.cash_rounding_account)
    zone = station.get("timezone")
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ConfigError(
                f"[station] timezone {zone!r} is not a time zone like America/Chicago"
            ) from None
    columns = devices.get("columns", 42)
    if columns not in (42, 48) or type(columns) is not int:
        raise ConfigError("[devices] columns must be 42 or 48")
    close_after = devices.get("sim_drawer_close_seconds", 0)
    if type(close_after) not in (int, float) or not 0 <= close_after <= 3600:
        raise ConfigError("[devices] sim_drawer_close_seconds must be a number from 0 to 3600")
    sensor = devices.get("drawer_sensor", "auto")
    if sensor not in ("auto", "yes", "no"):
        raise ConfigError('[devices] drawer_sensor must be "auto", "yes" or "no"')
    must_close = policy.get("drawer_must_close", True)
    if not isinstance(must_close, bool):
        raise ConfigError("[policy] drawer_must_close must be true or false")
    alert = policy.get("drawer_alert_seconds", 60)
    if type(alert) is not int or not 0 <= alert <= 86400:
        raise ConfigError("[policy] drawer_alert_seconds must be a whole number of seconds")
    idle = policy.get("idle_lock_minutes", 15)
    if type(idle) is not int or not 1 <= idle <= 480:
        raise ConfigError("[policy] idle_lock_minutes must be a whole number from 1 to 480")
    backup = data.get("backup", {})
    backup_dir = backup.get("dir")
    if backup_dir is not None and (not isinstance(backup_dir, str) or not backup_dir.strip()):
        raise ConfigError("[backup] dir must be a folder path in quotes")
    return Config(
        backup_dir=backup_dir,
        backup_keep=_whole(backup, "backup", "keep", 30, 1, 10000),
        central_url=_central_url(data.get("central", {})),
        workstation=ws,
        idle_lock_minutes=idle,
        min_pin_length=_whole(policy, "policy", "min_pin_length", 4, 4, 64),
        **_security(data.get("security", {})),
        timezone=zone,
        columns=columns,
        drawer_sensor=sensor,
        sim_drawer_close_seconds=close_after,
        drawer_must_close=must_close,
        drawer_alert_seconds=alert,
        city=_get_str(station, "station", "city", d.city),
        address=_get_str(station, "station", "address", d.address),
        over_short_tolerance=tolerance,
        over_short_account=account,
        paid_out_limit=paid_out_limit,
        max_amount=max_amount,
        paid_out_accounts=paid_out_accounts,
        deposit_account=deposit_account,
        card_clearing_account=card_account,
        due_from_account=due_from,
        due_to_account=due_to,
        cash_rounding=cash_rounding,
        cash_rounding_account=rounding_account,
        refund_ap_account=_fund_account(
            data.get("refund", {}), "refund", "ap_account", d.refund_ap_account
        ),
        printer=_get_str(devices, "devices", "printer", d.printer),
        drawer=_get_str(devices, "devices", "drawer", d.drawer),
        scanner=_get_str(devices, "devices", "scanner", d.scanner),
        display=_get_str(devices, "devices", "display", d.display),
    )


def _whole(table: dict[str, Any], section: str, key: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if type(value) is not int or not low <= value <= high:
        raise ConfigError(f"[{section}] {key} must be a whole number from {low} to {high}")
    return value


def _security(table: dict[str, Any]) -> dict[str, Any]:
    """``[security]``: the PIN pepper's file and argon2's cost (OWASP's least is 7 MiB)."""
    pepper = table.get("pepper_file")
    if pepper is not None and (not isinstance(pepper, str) or not pepper.strip()):
        raise ConfigError("[security] pepper_file must be a file path in quotes")
    return {
        "pepper_file": pepper.strip() if pepper else None,
        "argon2_time_cost": _whole(table, "security", "argon2_time_cost", 2, 1, 50),
        "argon2_memory_kib": _whole(table, "security", "argon2_memory_kib", 65536, 7168, 4194304),
    }


def _gl(policy: dict[str, Any], key: str, default: str) -> GlAccount:
    try:
        return parse_gl_account(_get_str(policy, "policy", key, default))
    except MoneyError as exc:
        raise ConfigError(f"[policy] {key}: {exc}") from None


def due_from_for(pattern: str, fund: str) -> str:
    """The due-from account of ``fund``: ``[policy] due_from_account`` with its ``{fund}``."""
    return pattern.replace("{fund}", fund, 1)


def _fund_account(table: dict[str, Any], section: str, key: str, default: str) -> str:
    """An account of each fund: its fund segment is ``{fund}``."""
    pattern = _get_str(table, section, key, default)
    sample = due_from_for(pattern, "0")
    if looks_like_card_number(sample) or not pattern.startswith("{fund}-"):
        raise ConfigError(f"[{section}] {key}: {pattern!r} is not a GL account whose fund is "
                          f"{{fund}}, like {default}")  # fmt: skip
    if not is_gl_account(sample):
        raise ConfigError(f"[{section}] {key}: {pattern!r} is not a GL account like {default}")
    return pattern


def _due_accounts(policy: dict[str, Any], d: Config, deposit: GlAccount) -> tuple[str, GlAccount]:
    """``[policy] due_from_account`` (its fund segment must be ``{fund}``, so each fund's
    due-from is in that fund) and ``due_to_account`` (in the treasury fund, the deposit's)."""
    due_from = _get_str(policy, "policy", "due_from_account", d.due_from_account)
    sample = due_from_for(due_from, "0")
    if looks_like_card_number(sample):
        raise ConfigError("[policy] due_from_account: that looks like a card number")
    if not due_from.startswith("{fund}-") or not is_gl_account(sample):
        raise ConfigError(
            f"[policy] due_from_account: {due_from!r} is not a GL account whose fund is "
            f"{{fund}} (each fund's own), like {d.due_from_account}"
        )
    due_to = _gl(policy, "due_to_account", d.due_to_account)
    treasury = deposit.split("-", 1)[0]
    if due_to.split("-", 1)[0] != treasury:
        raise ConfigError(
            f"[policy] due_to_account {due_to} must be in the treasury fund {treasury}, "
            "the fund of [policy] deposit_account"
        )
    return due_from, due_to


def _amount(policy: dict[str, Any], key: str, default: Money) -> Money:
    """A [policy] amount: a string like "5.00", never negative."""
    try:
        amount = Money.parse(_get_str(policy, "policy", key, str(default)))
    except MoneyError as exc:
        raise ConfigError(f"[policy] {key}: {exc}") from None
    if amount.is_negative():
        raise ConfigError(f"[policy] {key} may not be negative")
    return amount


def _gl_list(policy: dict[str, Any], key: str) -> tuple[GlAccount, ...]:
    value = policy.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'[policy] {key} must be a list of GL accounts, like ["101-1200-52100"]')
    accounts: list[GlAccount] = []
    for item in value:
        try:
            accounts.append(parse_gl_account(item))
        except MoneyError as exc:
            raise ConfigError(f"[policy] {key}: {exc}") from None
    return tuple(accounts)


def _central_url(table: dict[str, Any]) -> str | None:
    url = table.get("url")
    if url is None:
        return None
    if not isinstance(url, str) or not url.strip():
        raise ConfigError("[central] url must be a database URL in quotes")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url.strip()).get_backend_name()
    except (ArgumentError, ValueError):
        backend = None
    if backend not in ("postgresql", "sqlite"):
        raise ConfigError(
            "[central] url is not a database URL like "
            "postgresql+psycopg://cashier_workstation@central.example.gov/cashier "
            "or sqlite:///central.db"
        )
    return url.strip()


def load_config(data_dir: Path, *, create: bool = True) -> Config:
    """Read ``config.toml``, writing the default file first if there is none (``create``;
    else the defaults are read and the file is left to :func:`write_default_config`)."""
    path = data_dir / "config.toml"
    if not path.exists():
        if not create:
            return parse_config(DEFAULT_TEXT, str(path))
        write_default_config(data_dir)
    try:
        # utf-8-sig: Windows editors (Notepad) start a saved file with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    return parse_config(text, str(path))


def backup_folder(config: Config, data_dir: Path) -> Path:
    """Where the automatic backups go: ``[backup] dir`` (from the data dir when relative)."""
    return data_dir / (config.backup_dir or "backups")


def write_default_config(data_dir: Path) -> None:
    """Write the default ``config.toml`` if there is none."""
    path = data_dir / "config.toml"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(DEFAULT_TEXT, encoding="utf-8")
