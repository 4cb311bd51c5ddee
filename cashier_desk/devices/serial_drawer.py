"""A standalone cash drawer on its own serial line (``drawer+serial:///dev/ttyS1``).

Such a drawer has no protocol to speak of: one byte written to the line (BEL, ``0x07``, on most
models) fires the solenoid, and the drawer's switch is wired to one of the modem-status inputs
(CTS, DSR or CD) so the workstation can see whether it stands open.  The line is opened through
``serial.serial_for_url``, so ``/dev/ttyS1``, ``rfc2217://host:port`` (a terminal server, or the
simulator in :mod:`cashier_desk.devices.sim.serial_drawer`) and every other pyserial URL work.

While the drawer is enabled a daemon thread polls the switch every 100 ms: a change becomes a
status event (``status.drawer_open``), and a drawer left open longer than ``alert_after``
seconds raises one "left open" alert per opening through ``on_alert``.

Every pyserial error becomes an offline status with a message, and the port is closed until
:meth:`SerialDrawer.reconnect` opens it again (:mod:`cashier_desk.devices.serial_line`).  A
read of pending input (with timeout 0) comes before each use of the line: it is the one call on
which every pyserial backend notices a line that is gone (an RFC 2217 connection that dropped,
a USB adapter pulled out), whereas the modem-line properties of an RFC 2217 port only repeat
the last state the server sent.  The drawer sends nothing the driver uses, so whatever that
read returns is discarded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from cashier_desk.config.device_urls import SENSE_LINES
from cashier_desk.devices.model import DeviceResult, DeviceStatus, Lifecycle
from cashier_desk.devices.serial_line import SERIAL_ERRORS, SerialLineDevice, describe

log = logging.getLogger(__name__)

_POLL_MS = 100


class SerialDrawer(SerialLineDevice):
    """A cash drawer fired by one byte on a serial line and sensed on a modem input."""

    kind = "drawer"
    worker = "poll"

    def __init__(
        self,
        url: str,
        *,
        name: str = "cash drawer",
        open_byte: int = 0x07,
        sense: str = "dsr",
        open_means_high: bool = True,
        alert_after: float | None = None,
        on_alert: Callable[[str], None] | None = None,
        baudrate: int = 9600,
        sensor: bool = True,
    ) -> None:
        if sense not in SENSE_LINES:
            raise ValueError(f"sense must be one of {', '.join(SENSE_LINES)}, not {sense!r}")
        if not 0 <= open_byte <= 0xFF:
            raise ValueError(f"open_byte must be a byte value (0-255), not {open_byte}")
        if alert_after is not None and alert_after < 0:
            raise ValueError("alert_after must not be negative")
        super().__init__(name, url, baudrate)
        self.open_byte = open_byte
        self.sense = sense
        self.open_means_high = open_means_high
        self.alert_after = alert_after
        self.on_alert = on_alert
        self.sensor = sensor  # False: no switch is wired; the sense line is never believed

    # -- what the Desk uses -------------------------------------------------------------------

    def open_drawer(self) -> bool:
        """Fire the drawer; False (and an offline status saying why) when the line failed."""
        if self.lifecycle is not Lifecycle.ENABLED:
            log.warning("%s: open_drawer while %s", self.name, self.lifecycle.value)
            return False
        return self._write_line(bytes([self.open_byte]), "could not open the drawer", self._drain)

    def has_sensor(self) -> bool:
        """Whether this drawer's state is read at all (``[devices] drawer_sensor``)."""
        return self.sensor

    def is_open(self) -> bool | None:
        """Read the drawer switch now; None when the line cannot be read (status says why) or
        the drawer has no sensor (the line is still checked, so a dead line goes offline)."""
        error: BaseException | None = None
        with self._io:
            port = self._port
            if port is None:
                return None
            try:
                self._drain(port)
                level = bool(getattr(port, self.sense))
            except SERIAL_ERRORS as exc:
                self._port = None
                error = exc
        if error is not None:
            self._lost(port, f"cannot read the drawer switch: {describe(error)}")
            return None
        state: bool | None = level if self.open_means_high else not level
        if not self.sensor:
            state = None
        if self._port is port:  # else the line failed or was replaced meanwhile: that news wins
            self._set_status(self.status.with_(online=True, detail="", drawer_open=state))
        return state

    # -- the line -----------------------------------------------------------------------------

    def _configure(self, port: Any) -> None:
        port.timeout = 0

    def _connected(self) -> DeviceResult:
        self.is_open()
        if not self.status.online:
            return DeviceResult.failure("offline", self.status.detail)
        return DeviceResult.success()

    def _offline_status(self, message: str) -> DeviceStatus:
        return self.status.with_(online=False, detail=message, drawer_open=None)

    @staticmethod
    def _drain(port: Any) -> None:
        """Discard pending input, then read once more: the read that fails on a dead line.

        (An RFC 2217 port whose connection dropped first hands back its end-of-connection
        marker as an empty read, and only fails on the read after that.)
        """
        port.read(max(1, int(port.in_waiting)))
        port.read(1)

    # -- the poll thread ----------------------------------------------------------------------

    def _work(self, stop: threading.Event) -> None:
        opened_at: float | None = None
        alerted = False
        while not stop.is_set():
            state = self.is_open()
            if state:
                now = time.monotonic()
                if opened_at is None:
                    opened_at, alerted = now, False
                if (
                    not alerted
                    and self.alert_after is not None
                    and now - opened_at >= self.alert_after
                ):
                    alerted = True
                    self._alert()
            else:
                opened_at = None
            stop.wait(_POLL_MS / 1000)

    def _alert(self) -> None:
        message = f"the {self.name} has been open for more than {self.alert_after:g} seconds"
        log.info("%s", message)
        if self.on_alert is None:
            return
        try:
            self.on_alert(message)
        except Exception:
            log.exception("%s: the left-open alert callback failed", self.name)
