"""The workstation's configuration file, ``<data-dir>/config.toml``.

Created with defaults on first use; every key is optional.  A bad value is reported with the
key that holds it, and the program does not start on a config it cannot trust.

Every key is declared once, as a field of :class:`Config` (``values.setting``: section, key,
default, parser, comment); reading the file, checking it and writing the default file
(:data:`DEFAULT_TEXT`) all go by those declarations.  The device settings are parsed into
:class:`~cashier_desk.config.device_urls.DeviceSetting` s as the file is read.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cashier_desk.config import values as v
from cashier_desk.config.device_urls import ONE_WAY_SCHEMES, DeviceSetting, device
from cashier_desk.config.values import SETTING, ConfigError, Setting, setting
from cashier_desk.money import GlAccount, Money, is_gl_account
from cashier_desk.text import looks_like_card_number

__all__ = [
    "DEFAULT_TEXT",
    "EARLIER_DEFAULT_TEXTS",
    "Config",
    "ConfigError",
    "DeviceSetting",
    "backup_folder",
    "check_workstation",
    "due_from_for",
    "load_config",
    "local_time",
    "parse_config",
    "write_default_config",
]

_WS_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{0,19}", re.ASCII)
_DUE_FROM = "{fund}-0000-13900"


def check_workstation(ws: str) -> str:
    if re.search(r"[0-9]{13}", ws):
        # 13 digits in a row could be (part of) a card number, and the id prints on every
        # receipt and goes into every record: refused whatever the Luhn check says, and not
        # echoed back.
        raise ConfigError("a workstation id must not hold 13 digits in a row (like W1)")
    if not _WS_RE.fullmatch(ws):
        raise ConfigError(f"workstation id {ws!r} must be 1 to 20 letters, digits or '_' (like W1)")
    return ws


def _workstation(value: Any, where: str) -> str | None:
    return check_workstation(v.text(value, where))


def due_from_for(pattern: str, fund: str) -> str:
    """The due-from account of ``fund``: ``[policy] due_from_account`` with its ``{fund}``."""
    return pattern.replace("{fund}", fund, 1)


def _fund_account(example: str) -> Callable[[Any, str], str]:
    """An account of each fund: its fund segment must be ``{fund}``, so each fund's own is
    in that fund (a due-from, a refund's accounts payable)."""

    def parse(value: Any, where: str) -> str:
        pattern = v.text(value, where)
        sample = due_from_for(pattern, "0")
        if looks_like_card_number(sample):
            raise ConfigError(f"{where}: that looks like a card number")
        if not pattern.startswith("{fund}-") or not is_gl_account(sample):
            raise ConfigError(
                f"{where}: {pattern!r} is not a GL account whose fund is "
                f"{{fund}} (each fund's own), like {example}"
            )
        return pattern

    return parse


_due_from = _fund_account(_DUE_FROM)


def _pepper_file(value: Any, where: str) -> str | None:
    parsed = v.path_text("a file path")(value, where)
    return parsed.strip() if parsed else None


_SECTIONS = {
    "station": "",
    "central": "The city's central database, where closed batches go (SQLAlchemy URL). Without "
    "it, batches\ngo to central.db in this data folder: this machine only. --central and\n"
    "CASHIER_DESK_CENTRAL_URL override it.",
    "policy": "",
    "refund": "",
    "security": "",
    "backup": "",
    "retention": "",
    "devices": "",
}
_HEADER = "cashier_desk workstation configuration. Every key is optional."
_MAX = Money(100_000_000)


@dataclass(frozen=True)
class Config:
    """The settings, one field a key of ``config.toml`` (in the file's order)."""

    # fmt: off

    # [station]
    workstation: str | None = setting(
        "station", "id", None, _workstation, "workstation id, the prefix of receipt numbers",
        example='"W1"', column=28)
    city: str = setting("station", "city", "City of Springfield", v.text)
    address: str = setting("station", "address", "", v.text, example='"100 Main Street"')
    timezone: str | None = setting(
        "station", "timezone", None, v.timezone,
        "receipts and business dates (default: the machine's zone)",
        example='"America/Chicago"', column=33)
    # [central]; None: central.db in the data dir
    central_url: str | None = setting(
        "central", "url", None, v.database_url,
        example='"postgresql+psycopg://cashier_workstation@central.example.gov/cashier"',
    )
    # [policy]
    over_short_tolerance: Money = setting("policy", "over_short_tolerance", Money(500), v.amount())
    over_short_account: GlAccount = setting(
        "policy", "over_short_account", GlAccount("101-0000-49900"), v.gl)
    paid_out_limit: Money = setting(
        "policy", "paid_out_limit", Money(5000), v.amount(),
        "a paid-out above this needs a lead's approval", column=31)
    max_amount: Money = setting(
        "policy", "max_amount", _MAX, v.amount(Money(1), message="must be more than 0.00"),
        "no line, tender, count, drop or paid-out above this", column=31)
    paid_out_accounts: tuple[GlAccount, ...] = setting(
        "policy", "paid_out_accounts", (), v.gl_list,
        "the GL accounts a paid-out may go to (default: any)",
        example='["101-1200-52100"]', column=43)
    deposit_account: GlAccount = setting(
        "policy", "deposit_account", GlAccount("101-0000-10100"), v.gl,
        "the GL journal export: the bank account deposited to", column=42)
    card_clearing_account: GlAccount = setting(
        "policy", "card_clearing_account", GlAccount("101-0000-10150"), v.gl,
        "... and where card settlements are cleared", column=42)
    due_from_account: str = setting(
        "policy", "due_from_account", _DUE_FROM, _due_from,
        "what the treasury owes each other fund, in it", column=42)
    due_to_account: GlAccount = setting(
        "policy", "due_to_account", GlAccount("101-0000-20900"), v.gl,
        "... and owes them, in the treasury (deposit) fund", column=42)
    drawer_must_close: bool = setting(
        "policy", "drawer_must_close", True, v.boolean,
        "the next sale waits until the cash drawer is closed\n"
        "(only a drawer with a sensor: see drawer_sensor)", column=31)
    drawer_alert_seconds: int = setting(
        "policy", "drawer_alert_seconds", 60, v.whole(0, 86400, "a whole number of seconds"),
        "alert when the drawer stays open longer than this", column=31)
    idle_lock_minutes: int = setting(
        "policy", "idle_lock_minutes", 15, v.whole(1, 480),
        "the window locks after this long without a key or a click", column=31)
    min_pin_length: int = setting(
        "policy", "min_pin_length", 4, v.whole(4, 64),
        "the shortest PIN import users and the first admin take (6 advised)", column=31,
    )
    cash_rounding: Money = setting(
        "policy", "cash_rounding", Money(1),
        v.amount(Money(1), Money(100), 'must be from "0.01" (none) to "1.00"'),
        '"0.05": what is paid in cash is rounded to 5 cents (0.01: none)', column=31)
    cash_rounding_account: GlAccount = setting(
        "policy", "cash_rounding_account", GlAccount("101-0000-49910"), v.gl,
        "... and the difference goes here", column=42)
    # [refund]: a refund's offset (accounts payable), in each fund
    refund_ap_account: str = setting(
        "refund", "ap_account", "{fund}-0000-20200", _fund_account("{fund}-0000-20200"),
        "a refund's offset (accounts payable) in each fund", column=35)
    # [security]: the PIN pepper's file (None: pepper.key in the data dir) and argon2's cost
    # (OWASP's least memory is 7 MiB)
    pepper_file: str | None = setting(
        "security", "pepper_file", None, _pepper_file,
        "the city's PIN pepper (default: pepper.key in this data folder);\n"
        "the same file on every workstation, readable only by this account",
        example='"pepper.key"', column=31)
    argon2_time_cost: int = setting(
        "security", "argon2_time_cost", 2, v.whole(1, 50),
        "argon2id passes per PIN check ...", example="2", column=31)
    argon2_memory_kib: int = setting(
        "security", "argon2_memory_kib", 65536, v.whole(7168, 4194304),
        "... and its memory: about 100 ms a check (benchmarks/README.md)",
        example="65536", column=31)
    # [backup]; dir None: backups in the data dir
    backup_dir: str | None = setting(
        "backup", "dir", None, v.path_text("a folder path"),
        "where a backup is written after every closeout (default: backups in this\n"
        "data folder; a relative path is taken from the data folder)",
        example='"backups"', column=21)
    backup_keep: int = setting(
        "backup", "keep", 30, v.whole(1, 10000), "the newest automatic backups kept", column=21)
    # [retention]: what `retention purge` must keep (GC 34090: the audit year and 4 more)
    retention_years: int = setting(
        "retention", "years", 5, v.whole(2, 100),
        "retention purge removes only what is older than this", column=21)
    # [devices]
    printer: DeviceSetting = setting(
        "devices", "printer", DeviceSetting("sim"), device("printer"),
        "escpos+serial:///dev/ttyUSB0?baudrate=19200, escpos+tcp://HOST:9100, none",
        column=21)
    drawer: DeviceSetting = setting(
        "devices", "drawer", DeviceSetting("printer"), device("drawer"),
        "the printer's drawer port; or drawer+serial://..., sim, none", column=21)
    scanner: DeviceSetting = setting(
        "devices", "scanner", DeviceSetting("sim"), device("scanner"),
        "scanner+serial:///dev/ttyACM0, wedge, none", column=21)
    display: DeviceSetting = setting(
        "devices", "display", DeviceSetting("none"), device("display"),
        "display+serial://..., sim", column=21)
    columns: int = setting(
        "devices", "columns", 42, v.columns,
        "receipt width: 42 or 48 (from the printer's profile)", column=21)
    drawer_sensor: str = setting(
        "devices", "drawer_sensor", "auto", v.choice("auto", "yes", "no"),
        "auto: the drawer has a sensor when its state can be read; yes; no", column=25)
    sim_drawer_close_seconds: float = setting(
        "devices", "sim_drawer_close_seconds", 0.0, v.number(0, 3600),
        "a simulated drawer closes by itself after this", column=31)
    # fmt: on


#: Each field's key, in the file's order.
SCHEMA: dict[str, Setting] = {f.name: f.metadata[SETTING] for f in fields(Config)}


def _default_text(leave_out: frozenset[str] = frozenset()) -> str:
    """The default ``config.toml``: every key (but the fields ``leave_out``), its default (or
    an example, commented out) and its comment; the sections' notes above their keys."""
    lines = [f"# {_HEADER}"]
    defaults = Config()
    section = ""
    for name, key in SCHEMA.items():
        if name in leave_out:
            continue
        if key.section != section:
            section = key.section
            lines += ["", f"[{section}]"]
            lines += [f"# {note}" for note in _SECTIONS[section].splitlines()]
        value = key.example if key.example is not None else v.toml_value(getattr(defaults, name))
        line = f"{'# ' if key.example is not None else ''}{key.key} = {value}"
        helps = key.help.splitlines() or [""]
        if helps[0]:
            line = f"{line.ljust(key.column)}# {helps[0]}"
        lines.append(line)
        lines += [f"{' ' * key.column}# {more}" for more in helps[1:]]
    return "\n".join(lines) + "\n"


DEFAULT_TEXT = _default_text()
#: The default files earlier versions wrote (before ``[retention] years`` and ``[refund]
#: ap_account``): a data folder whose file is still one of them is as untouched as one with
#: :data:`DEFAULT_TEXT`.
EARLIER_DEFAULT_TEXTS = (_default_text(frozenset({"retention_years", "refund_ap_account"})),)


def local_time(moment: datetime, zone: str | None) -> datetime:
    """A moment in the station's time zone (the machine's own when none is configured)."""
    tz: tzinfo | None = ZoneInfo(zone) if zone else None
    return moment.astimezone(tz)


def parse_config(text: str, source: str = "config.toml") -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}") from None
    known: dict[str, set[str]] = {}
    for key in SCHEMA.values():
        known.setdefault(key.section, set()).add(key.key)
    for section, table in data.items():
        if section not in known or not isinstance(table, dict):
            raise ConfigError(f"{source}: unknown section [{section}]")
        for name in table:
            if name not in known[section]:
                raise ConfigError(f"{source}: unknown key {name!r} in [{section}]")
    given: dict[str, Any] = {}
    for name, key in SCHEMA.items():
        table = data.get(key.section, {})
        if key.key in table:
            given[name] = key.parse(table[key.key], key.where)
    config = Config(**given)
    _check_together(config)
    return config


def _check_together(config: Config) -> None:
    """What one key cannot say alone."""
    treasury = config.deposit_account.split("-", 1)[0]
    if config.due_to_account.split("-", 1)[0] != treasury:
        raise ConfigError(
            f"[policy] due_to_account {config.due_to_account} must be in the treasury fund "
            f"{treasury}, the fund of [policy] deposit_account"
        )
    printer = config.printer
    one_way = printer.scheme in ONE_WAY_SCHEMES or printer.options.get("status") == "none"
    if config.drawer == "printer" and config.drawer_sensor == "yes" and one_way:
        raise ConfigError(
            f"[devices] drawer_sensor = 'yes': {printer!r} reports no status, so the drawer "
            'on its port has no sensor to read (set drawer_sensor = "auto" or "no")'
        )


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
