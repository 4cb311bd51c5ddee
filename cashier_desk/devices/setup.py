"""Devices from the config file: each ``[devices]`` setting becomes a driver (and, for ``sim``,
the simulator it talks to over a real TCP socket or pseudo-terminal).

``sim`` is the default for every device: the simulator runs in this process, and the driver
reaches it exactly as it would reach hardware, so the production code path is the one that runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cashier_desk.config import Config, ConfigError, DeviceSetting
from cashier_desk.devices.base import CashDrawer, NoPrinter, ReceiptPrinter
from cashier_desk.devices.display import LineDisplay
from cashier_desk.devices.model import Device, Scanned
from cashier_desk.devices.printer import EscPosPrinter, PrinterDrawer
from cashier_desk.devices.scanner import SerialScanner
from cashier_desk.events import Alert, EventBus, ReceiptPosted

if TYPE_CHECKING:
    from cashier_desk.devices.sim.loop import PtyLoop

log = logging.getLogger(__name__)
_D = TypeVar("_D", bound=Device)


class NoDrawer:
    """``drawer = "none"``: there is no drawer to open."""

    def open_drawer(self) -> bool:
        return False

    def is_open(self) -> bool | None:
        return None

    def has_sensor(self) -> bool:
        return False


@dataclass
class Devices:
    printer: ReceiptPrinter
    drawer: CashDrawer
    scanner: SerialScanner | None = None
    display: LineDisplay | None = None
    printer_sim: Any = None
    scanner_sim: Any = None  # the window's demo buttons and `devices test` scan through it
    display_sim: Any = None
    _stops: list[Callable[[], None]] = field(default_factory=list)
    _paper_roll: Path | None = None

    def all(self) -> list[Device]:
        found: list[Device] = []
        for d in (self.printer, self.drawer, self.scanner, self.display):
            if isinstance(d, Device) and d not in found:
                found.append(d)
        return found

    def close(self) -> None:
        for device in self.all():
            try:
                device.close()
            except Exception:
                log.exception("closing %s failed", device.name)
        self._save_paper_roll()
        for stop in reversed(self._stops):
            try:
                stop()
            except Exception:
                log.exception("stopping a simulator failed")
        self._stops.clear()

    def _save_paper_roll(self) -> None:
        """Append what the simulated printer printed to ``sim/printer.txt``."""
        if self.printer_sim is None or self._paper_roll is None:
            return
        receipts = self.printer_sim.receipts
        if not receipts:
            return
        self._paper_roll.parent.mkdir(parents=True, exist_ok=True)
        with self._paper_roll.open("a", encoding="utf-8") as fh:
            for r in receipts:
                fh.write(r.text.rstrip("\n") + "\n" + "-" * 20 + " cut\n")
        self.printer_sim = None


def build_devices(config: Config, data_dir: Path, *, peripherals: bool = False) -> Devices:
    """The printer and drawer always; the scanner and line display when ``peripherals``."""
    stops: list[Callable[[], None]] = []
    printer_sim: Any = None
    printer: ReceiptPrinter
    # The printer reads the drawer on its own port only; a drawer elsewhere has its own line.
    sensor = config.drawer_sensor if config.drawer == "printer" else "no"
    try:
        if config.printer == "sim":
            from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
            from cashier_desk.devices.sim.transports import TcpSimServer

            printer_sim = EscPosPrinterSim(drawer_close_after=config.sim_drawer_close_seconds)
            server = TcpSimServer(printer_sim)
            server.start()
            stops.append(printer_sim.close)
            stops.append(server.stop)
            host, port = server.address
            printer = EscPosPrinter(
                f"escpos+tcp://{host}:{port}?columns={config.columns}", drawer_sensor=sensor
            )
        elif config.printer == "none":
            printer = NoPrinter()
        else:  # a URL, checked when the config was read
            printer = EscPosPrinter(config.printer, columns=config.columns, drawer_sensor=sensor)
    except ValueError as exc:  # a Config made in code, not read from a file
        raise ConfigError(f"[devices] printer: {exc}") from None
    if isinstance(printer, EscPosPrinter):
        result = printer.start()
        if not result.ok:
            log.warning("printer: %s", result.message)

    drawer: CashDrawer
    if config.drawer == "printer":
        drawer = PrinterDrawer(printer) if isinstance(printer, EscPosPrinter) else NoDrawer()
    elif config.drawer == "none":
        drawer = NoDrawer()
    elif config.drawer == "sim" or config.drawer.is_url:
        from cashier_desk.devices.serial_drawer import SerialDrawer

        url = config.drawer.target
        if config.drawer == "sim":
            from cashier_desk.devices.sim.serial_drawer import SerialDrawerSim

            sim = SerialDrawerSim(close_after=config.sim_drawer_close_seconds)
            sim.start()
            stops.append(sim.stop)
            url = sim.url
        try:
            serial_drawer = SerialDrawer(url, **_drawer_options(config))
        except ValueError as exc:
            raise ConfigError(f"[devices] drawer: {exc}") from None
        serial_drawer.start()
        drawer = serial_drawer
    else:
        raise ConfigError(f"[devices] drawer = {config.drawer!r} is not a drawer setting")

    devices = Devices(printer, drawer, printer_sim=printer_sim, _stops=stops)
    devices._paper_roll = data_dir / "sim" / "printer.txt"
    if peripherals:
        devices.scanner, devices.scanner_sim = _scanner(config, stops)
        devices.display, devices.display_sim = _display(config, stops)
    return devices


def _drawer_options(config: Config) -> dict[str, Any]:
    params = config.drawer.options
    options: dict[str, Any] = {}
    if "open_byte" in params:
        options["open_byte"] = int(params["open_byte"], 0)
    if "sense" in params:
        options["sense"] = params["sense"]
    options["sensor"] = config.drawer_sensor != "no"
    return options


def _scanner(config: Config, stops: list[Callable[[], None]]) -> tuple[SerialScanner | None, Any]:
    if config.scanner in ("none", "wedge"):
        return None, None  # the keyboard wedge is read by the window itself
    return _on_serial_line(config.scanner, SerialScanner, _scanner_sim, stops)


def _display(config: Config, stops: list[Callable[[], None]]) -> tuple[LineDisplay | None, Any]:
    if config.display == "none":
        return None, None
    return _on_serial_line(config.display, LineDisplay, _display_sim, stops)


def _scanner_sim() -> PtyLoop:
    from cashier_desk.devices.sim.scanner import ScannerSim

    return ScannerSim()


def _display_sim() -> PtyLoop:
    from cashier_desk.devices.sim.display import LineDisplaySim

    return LineDisplaySim()


def _on_serial_line(
    setting: DeviceSetting,
    driver: Callable[[str], _D],
    simulator: Callable[[], PtyLoop],
    stops: list[Callable[[], None]],
) -> tuple[_D, PtyLoop | None]:
    """The driver on the port the setting names, or on a new simulator's pty for ``sim``
    (the simulators are imported only then)."""
    sim: PtyLoop | None = None
    port = setting.target
    if setting == "sim":
        sim = simulator().start()
        stops.append(sim.stop)
        port = sim.port
    device = driver(port)
    device.start()
    return device, sim


def attach_to_desk(devices: Devices, events: EventBus) -> None:
    """Scans become ``scan`` events for the window; sales show on the customer display."""
    scanner = devices.scanner
    if scanner is not None:
        scanner.on_scan = lambda code: events.publish(Scanned(code))
        scanner.on_error = lambda message: events.publish(
            Alert("scan_refused", f"The scan was not understood: {message}")
        )
    display = devices.display
    if display is not None:

        def show_sale(sale: ReceiptPosted) -> None:
            display.show(f"TOTAL {sale.total}".rjust(20), f"CHANGE {sale.change}".rjust(20))

        events.subscribe(ReceiptPosted, show_sale)
