"""The composition root: builds a Desk for a data dir from its config, ledger and devices.

Nothing else creates devices or opens the ledger; the GUI and the command line both come here.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from cashier_desk.config import Config, check_workstation, load_config, write_default_config
from cashier_desk.desk import Clock, Desk, system_clock
from cashier_desk.desk.station import Station
from cashier_desk.devices.base import CashDrawer, NoPrinter, ReceiptPrinter
from cashier_desk.devices.model import Device
from cashier_desk.devices.setup import Devices, NoDrawer, attach_to_desk, build_devices
from cashier_desk.events import CloseoutDone, EventBus
from cashier_desk.ledger import first_use
from cashier_desk.ledger.db import Ledger
from cashier_desk.sync.relay import Relay
from cashier_desk.text import mask_card_numbers

DEFAULT_WORKSTATION = "W1"
#: The log file rotates by size: ``cashier-desk.log`` and at most LOG_KEEP older files
#: (``.1`` newest), each up to LOG_BYTES.
LOG_NAME = "cashier-desk.log"
LOG_BYTES = 5 * 1024 * 1024
LOG_KEEP = 4


def default_data_dir() -> Path:
    env = os.environ.get("CASHIER_DESK_HOME")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("cashier-desk", appauthor=False))


@dataclass
class App:
    data_dir: Path
    config: Config
    ledger: Ledger
    desk: Desk
    new: bool
    devices: Devices | None = None
    logs: bool = False  # whether this app writes the data folder's log file

    def is_empty(self) -> bool:
        """Empty as headless.md says (for ``demo``, ``restore`` and the window's offer of the
        demo city): the ledger was just made, or it has no users and no receipts."""
        with self.ledger.read() as conn:
            return first_use.is_empty(conn)

    def close(self) -> None:
        self.desk.stop_spooler()
        if self.desk.relay is not None:
            self.desk.relay.stop()
        if self.devices is not None:
            self.devices.close()
            self.devices = None
        self.ledger.close()
        if self.logs:
            _stop_logging_to(self.data_dir / LOG_NAME)
            self.logs = False


CENTRAL_ENV = "CASHIER_DESK_CENTRAL_URL"


def default_central_url(data_dir: Path) -> str:
    """The embedded central: ``central.db`` in the data dir (this machine only)."""
    return f"sqlite:///{(data_dir / 'central.db').resolve()}"


def resolve_central_url(data_dir: Path, config: Config, given: str | None = None) -> str:
    """Where closed batches go: ``--central`` (``given``), else ``CASHIER_DESK_CENTRAL_URL``,
    else ``[central] url`` in config.toml (a relative SQLite path there is taken from the data
    dir), else the embedded file."""
    url = given or os.environ.get(CENTRAL_ENV) or None
    if url:
        return url
    if config.central_url:
        return _in_data_dir(config.central_url, data_dir)
    return default_central_url(data_dir)


def _sqlite_path(url: str) -> str | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    return url[len(prefix) :].split("?", 1)[0] or None


def _in_data_dir(url: str, data_dir: Path) -> str:
    path = _sqlite_path(url)
    if path is None or Path(path).is_absolute():
        return url
    return "sqlite:///" + str((data_dir / path).resolve()) + url[len("sqlite:///" + path) :]


def is_embedded(url: str, data_dir: Path) -> bool:
    """True when ``url`` is the data dir's own central.db: batches stay on this machine."""
    path = _sqlite_path(url)
    return path is not None and Path(path).resolve() == (data_dir / "central.db").resolve()


def central_url_of(data_dir: Path, given: str | None = None) -> str:
    """``resolve_central_url`` for commands that do not open the ledger: the config file is
    read if there is one (never created)."""
    return resolve_central_url(data_dir, config_if_any(data_dir), given)


def config_if_any(data_dir: Path) -> Config:
    """The config file if there is one, else the defaults; never creates it."""
    return load_config(data_dir) if (data_dir / "config.toml").is_file() else Config()


class _MaskingFormatter(logging.Formatter):
    """Log lines (a traceback's too) with every card number masked to its last four: a
    message may quote what someone typed, and the log file is kept."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_card_numbers(super().format(record))


#: How many open apps log to each file: the last one closed closes the file.
_LOG_USERS: dict[str, int] = {}


def _stop_logging_to(path: Path) -> None:
    """An app closed: its log file is closed with the last app that wrote to it (a process
    that opens many apps one after another, as the tests do, keeps no file open per app)."""
    target = str(path.resolve())
    left = _LOG_USERS.get(target, 0) - 1
    if left > 0:
        _LOG_USERS[target] = left
        return
    _LOG_USERS.pop(target, None)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "baseFilename", None) == target:
            root.removeHandler(handler)
            handler.close()


def _log_to(path: Path) -> None:
    """Send this process's log records to the data folder's log file (once per file)."""
    root = logging.getLogger()
    # python-escpos calls logging.basicConfig() on import; the counter's terminal is for
    # messages to people, so library log lines go to the file only.
    for h in list(root.handlers):
        if type(h) is logging.StreamHandler and getattr(h, "stream", None) is sys.stderr:
            root.removeHandler(h)
    target = str(path.resolve())
    _LOG_USERS[target] = _LOG_USERS.get(target, 0) + 1
    if any(getattr(h, "baseFilename", None) == target for h in root.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(
        target, maxBytes=LOG_BYTES, backupCount=LOG_KEEP, encoding="utf-8"
    )
    handler.setFormatter(_MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)


def open_app(
    data_dir: Path | None = None,
    workstation: str | None = None,
    *,
    clock: Clock = system_clock,
    printer: ReceiptPrinter | None = None,
    cash_drawer: CashDrawer | None = None,
    peripherals: bool = False,
    central_url: str | None = None,
    background_sync: bool = False,
    devices: bool = True,
    quick_check: bool = True,
    read_only: bool = False,
) -> App:
    """Open (creating on first use) the data dir and build the Desk.  Devices come from the
    config unless a printer and drawer are passed in (tests); ``peripherals`` adds the scanner
    and the customer display (the window wants them, a script does not); ``quick_check``
    reads every page of the ledger first (for money: a damaged one refuses it).
    ``read_only``: a folder this account may not write, opened for reading commands without
    writing a byte (no config file made, no log kept there, every write refused ``read_only``)."""
    data_dir = data_dir or default_data_dir()
    new = not (data_dir / "ledger.db").exists()
    # config.toml is written once the ledger is made: a folder that has one was used, and
    # an empty ledger.db in it was emptied (see ledger.health), not cut short at first start.
    config = config_if_any(data_dir) if read_only else load_config(data_dir, create=False)
    ws = check_workstation(workstation or config.workstation or DEFAULT_WORKSTATION)
    if not read_only:
        data_dir.mkdir(parents=True, exist_ok=True)
        _log_to(data_dir / LOG_NAME)
    ledger = Ledger(
        data_dir / "ledger.db", quick_check=quick_check and not read_only, read_only=read_only
    )
    built: Devices | None = None
    if not devices:  # commands that print nothing and open no drawer need no devices
        printer = printer or NoPrinter()
        cash_drawer = cash_drawer or NoDrawer()
    try:
        if not read_only:
            write_default_config(data_dir)
        if printer is None or cash_drawer is None:
            built = build_devices(config, data_dir, peripherals=peripherals)
            printer = printer or built.printer
            cash_drawer = cash_drawer or built.drawer
        desk = Desk(
            Station(
                ledger,
                config,
                workstation=ws,
                printer=printer,
                cash_drawer=cash_drawer,
                clock=clock,
                events=EventBus(),
            )
        )
    except BaseException:
        if built is not None:
            built.close()
        ledger.close()
        raise
    url = resolve_central_url(data_dir, config, central_url)
    desk.relay = Relay(
        ledger, url, workstation=ws, clock=clock, embedded=is_embedded(url, data_dir)
    )
    desk.relay.on_result = desk.sync_done
    if background_sync:
        relay = desk.relay
        relay.start()
        desk.events.subscribe(CloseoutDone, lambda _: relay.wake())
    desk.pins.warm_up()
    app = App(data_dir, config, ledger, desk, new, built, logs=not read_only)
    real = built.all() if built is not None else []
    real += [d for d in (printer, cash_drawer) if isinstance(d, Device) and d not in real]
    for device in real:
        device.add_listener(desk.device_status_changed)
    if built is not None:
        attach_to_desk(built, desk.events)
    if isinstance(printer, Device):
        desk.start_spooler()
    return app
