"""The composition root: builds a Desk for a data dir from its config, ledger and devices.

Nothing else creates devices or opens the ledger; the GUI and the command line both come here.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from cashier_desk.config import Config, ConfigError, check_workstation, load_config
from cashier_desk.desk import Clock, Desk, system_clock
from cashier_desk.devices.base import (
    CashDrawer,
    CountingDrawer,
    FilePrinter,
    NoPrinter,
    ReceiptPrinter,
)
from cashier_desk.events import EventBus
from cashier_desk.ledger.db import Ledger

DEFAULT_WORKSTATION = "W1"


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

    def close(self) -> None:
        self.ledger.close()


def _printer(config: Config, data_dir: Path) -> ReceiptPrinter:
    if config.printer == "sim":
        return FilePrinter(data_dir / "sim" / "printer.txt")
    if config.printer == "none":
        return NoPrinter()
    raise ConfigError(f"[devices] printer = {config.printer!r} is not a printer this version knows")


def _drawer(config: Config) -> CashDrawer:
    if config.drawer in ("printer", "sim", "none"):
        return CountingDrawer()
    raise ConfigError(f"[devices] drawer = {config.drawer!r} is not a drawer this version knows")


def open_app(
    data_dir: Path | None = None,
    workstation: str | None = None,
    *,
    clock: Clock = system_clock,
    printer: ReceiptPrinter | None = None,
    cash_drawer: CashDrawer | None = None,
) -> App:
    """Open (creating on first use) the data dir and build the Desk."""
    data_dir = data_dir or default_data_dir()
    new = not (data_dir / "ledger.db").exists()
    config = load_config(data_dir)
    ws = check_workstation(workstation or config.workstation or DEFAULT_WORKSTATION)
    logging.basicConfig(
        filename=str(data_dir / "cashier-desk.log"),
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ledger = Ledger(data_dir / "ledger.db")
    desk = Desk(
        ledger,
        config,
        workstation=ws,
        printer=printer or _printer(config, data_dir),
        cash_drawer=cash_drawer or _drawer(config),
        clock=clock,
        events=EventBus(),
    )
    return App(data_dir, config, ledger, desk, new)
