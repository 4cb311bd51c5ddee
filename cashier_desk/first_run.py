"""A new counter's first run: what the setup asks (station, city, devices, central) turned into
its ``config.toml``, and a test print on the devices chosen — without Qt, so the window's setup
and its tests share one path (operations.md, Installer: "First run").

The setup writes ``config.toml`` only for a data folder that is still new: an empty ledger
(headless.md's "empty") and a config file that nobody has edited (the default text, or none).
A folder someone prepared by hand keeps its file.  The first admin is made next, in the
window's own first-admin screen, the same one a folder made by an import shows.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cashier_desk.config import (
    DEFAULT_TEXT,
    EARLIER_DEFAULT_TEXTS,
    Config,
    ConfigError,
    parse_config,
)
from cashier_desk.config.device_urls import ONE_WAY_SCHEMES

#: What the device settings may be, beside a typed URL (config.toml's own words).
PRINTERS = ("sim", "none")
DRAWERS = ("printer", "sim", "none")
SCANNERS = ("sim", "wedge", "none")
DISPLAYS = ("none", "sim")


@dataclass(frozen=True)
class Setup:
    """The answers of the setup, each as config.toml takes it ('' for "not given")."""

    station: str = "W1"
    city: str = ""
    address: str = ""
    timezone: str = ""
    printer: str = "sim"
    drawer: str = "printer"
    scanner: str = "sim"
    display: str = "none"
    columns: int = 42
    central_url: str = ""


def needs_setup(data_dir: Path, ledger_empty: bool) -> bool:
    """Whether the first-run setup applies: an empty ledger and an untouched config file."""
    if not ledger_empty:
        return False
    path = data_dir / "config.toml"
    try:
        return path.read_text(encoding="utf-8-sig") in (DEFAULT_TEXT, *EARLIER_DEFAULT_TEXTS)
    except FileNotFoundError:
        return True


def _toml(value: str | int) -> str:
    # A TOML basic string takes JSON's escapes; json never writes '\/'.
    return str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=False)


def _set(text: str, section: str, key: str, value: str | int) -> str:
    """``key = value`` in ``[section]`` of the default text: the key's line (commented out or
    not) takes the value and keeps its trailing comment."""
    start = text.index(f"[{section}]\n")
    end = text.find("\n[", start + 1)
    end = len(text) if end < 0 else end
    block = text[start:end]
    line = re.compile(rf'^(?:#\s*)?{re.escape(key)}\s*=\s*(?:"[^"\n]*"|[^\s#]+)(\s*#.*)?$', re.M)
    found = line.search(block)
    if found is None:  # pragma: no cover - the default text has every key the setup sets
        raise KeyError(f"[{section}] {key}")
    new = f"{key} = {_toml(value)}{found.group(1) or ''}"
    return text[:start] + block[: found.start()] + new + block[found.end() :] + text[end:]


def config_text(setup: Setup) -> tuple[str, Config]:
    """The config.toml the setup writes, and what it reads as.  A value config.toml would
    refuse is refused here with the same message (``ConfigError``, naming the key)."""
    text = DEFAULT_TEXT
    text = _set(text, "station", "id", setup.station.strip())
    text = _set(text, "station", "city", setup.city.strip())
    if setup.address.strip():
        text = _set(text, "station", "address", setup.address.strip())
    if setup.timezone.strip():
        text = _set(text, "station", "timezone", setup.timezone.strip())
    if setup.central_url.strip():
        text = _set(text, "central", "url", setup.central_url.strip())
    for key in ("printer", "drawer", "scanner", "display"):
        text = _set(text, "devices", key, str(getattr(setup, key)).strip())
    text = _set(text, "devices", "columns", setup.columns)
    config = parse_config(text, "the setup")
    if not config.city:
        raise ConfigError("[station] city: give the city's name (it prints on every receipt)")
    _check_devices(config)
    return text, config


def _check_devices(config: Config) -> None:
    """What the setup offers beside what config.toml takes (its device settings were checked
    as the text was read): a serial or network printer — a one-way USB or file printer is
    for config.toml itself."""
    if config.printer.scheme in ONE_WAY_SCHEMES:
        raise ConfigError(
            f"[devices] printer = {str(config.printer)!r}: one of {', '.join(PRINTERS)}, "
            "or a URL starting escpos+serial:// or escpos+tcp://"
        )


def write_config(data_dir: Path, setup: Setup) -> Config:
    """Write the setup's config.toml whole or not at all (a temporary file, flushed to disk,
    then renamed over the default one)."""
    text, config = config_text(setup)
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".config.", suffix=".toml", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, data_dir / "config.toml")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return config


def serial_port_settings() -> dict[str, list[str]]:
    """For each device, the settings the serial ports this machine has would take."""
    from cashier_desk.devices.check import serial_ports

    ports = [p["port"] for p in serial_ports()]
    return {
        "printer": [f"escpos+serial://{p}?baudrate=19200" for p in ports],
        "drawer": [f"drawer+serial://{p}" for p in ports],
        "scanner": [f"scanner+serial://{p}" for p in ports],
        "display": [f"display+serial://{p}" for p in ports],
    }


def print_test_page(setup: Setup, data_dir: Path) -> list[dict[str, Any]]:
    """Print a test page and pulse the drawer on the devices the setup chose; one result per
    check (``{"check", "ok", "message"}``).  The devices are closed again after."""
    from cashier_desk.devices import check
    from cashier_desk.devices.setup import build_devices

    _, config = config_text(setup)
    devices = build_devices(config, data_dir)
    try:
        results = check.run_tests(config.workstation or "W1", config, devices, scan_wait=0)
    finally:
        devices.close()
    return [r for r in results if r["check"] != "scan"]
