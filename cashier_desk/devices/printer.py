"""The ESC/POS receipt printer: python-escpos over a pyserial link, on a device thread.

Links are opened by URL with pyserial's ``serial_for_url`` — a serial port
(``escpos+serial:///dev/ttyUSB0?baudrate=19200``) or a network printer on TCP 9100
(``escpos+tcp://10.0.0.5:9100``, through pyserial's ``socket://``) — and handed to
python-escpos as its device (python-escpos's own Serial class takes no URL).  USB and file
printers use python-escpos's ``Usb`` and ``File``.

All I/O runs on one device thread: callers submit work and wait at most as long as the line
needs.  Status comes from our own short DLE EOT queries (python-escpos's ``paper_status()``
reports "paper OK" when a serial printer is silent, and waits for the full timeout): a printer
that does not answer is OFFLINE.  A job counts as printed only when, after its last byte, the
printer answers a status query showing no error — it processes bytes in order, so the answer
proves it took the whole job.  What a link raises (:func:`link_errors`: ``OSError``, which
pyserial's, the socket's and pyusb's errors are, and python-escpos's errors) becomes a status
value here and never reaches the caller; any other exception is a bug in this program and
reaches the caller with its traceback — it is not "the printer is offline".

A printer on a one-way link (USB and file links, or any URL with ``?status=none``: a serial
cable with only the host's transmit line, a parallel port) reports no status at all.  It is
online while its link opens and takes bytes; a job counts as printed once written; and the
drawer on its port has no sensor: its state is unknown (``None``), never "open".
"""

from __future__ import annotations

import functools
import logging
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import serial

from cashier_desk.config.device_urls import DRAWER_SENSOR, ONE_WAY_SCHEMES, printer_url
from cashier_desk.devices import escpos_lib
from cashier_desk.devices.escpos_render import drawer_pulse, realtime_drawer_pulse, to_escpos
from cashier_desk.devices.model import Device, DeviceResult, DeviceStatus, check_device_thread
from cashier_desk.devices.receipt import ReceiptDoc

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
STATUS_TIMEOUT = 0.3  # seconds a printer may take to answer a real-time status query
MARGIN = 1.0  # seconds allowed beyond the line time for a job


class LinkError(Exception):
    """The link to the printer failed (translated from pyserial, socket or USB errors)."""


def link_errors(*more: type[Exception]) -> tuple[type[Exception], ...]:
    """What a link raises when the printer or its cable fails: ``OSError`` (pyserial's
    ``SerialException``, socket errors and pyusb's ``USBError`` are ones), :class:`LinkError`,
    and python-escpos's own errors (a USB printer not found) once python-escpos is loaded.
    Anything else is a bug in this program: it is not "the printer is offline"."""
    errors: tuple[type[Exception], ...] = (OSError, LinkError, *more)
    escpos_exceptions = sys.modules.get("escpos.exceptions")
    if escpos_exceptions is not None:
        errors += (escpos_exceptions.Error,)
    return errors


@functools.cache
def _port_escpos() -> type[Any]:
    """python-escpos driving a pyserial port opened by URL (the class is made when first
    needed: python-escpos is not imported with this module)."""
    escpos_lib.load()
    from escpos.escpos import Escpos

    class PortEscpos(Escpos):  # type: ignore[misc]
        def __init__(self, port: Any, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.port = port
            self._device = port

        def _raw(self, msg: bytes) -> None:
            self.port.write(msg)

        def _read(self) -> bytes:
            data: bytes = self.port.read(1)
            return data

        def close(self) -> None:
            port, self._device = self._device, None
            if port:
                port.close()
                # pyserial's socket:// close() swallows a failed shutdown() after a reset and
                # leaves the socket open; close it for good.
                sock = getattr(port, "_socket", None)
                if sock is not None:
                    sock.close()

    return PortEscpos


def parse_url(url: str) -> tuple[str, str, dict[str, str]]:
    """``escpos+serial:///dev/ttyUSB0?baudrate=19200`` → ("serial", "/dev/ttyUSB0", {...});
    the same parse the config file's ``[devices] printer`` goes through when it is read."""
    try:
        return printer_url(url)
    except ValueError as exc:
        raise ValueError(f"{url}: {exc}") from None


def decode_status(eot1: int, eot2: int, eot4: int) -> DeviceStatus | None:
    """The three DLE EOT answers as a status; None when they are not status bytes at all."""
    for b in (eot1, eot2, eot4):
        if b & 0x93 != 0x12:  # bits 1 and 4 are always 1, bits 0 and 7 always 0
            return None
    reports_offline = bool(eot1 & 0x08)
    return DeviceStatus(
        online=not reports_offline,
        detail="offline (the printer reports it)" if reports_offline else "",
        cover_open=bool(eot2 & 0x04),
        paper_empty=bool(eot2 & 0x20) or bool(eot4 & 0x60),
        paper_near_end=bool(eot4 & 0x0C),
        # Pin 3 of the drawer kick-out connector: HIGH reads as open (inverted by a setting
        # for drawers wired the other way).
        drawer_open=bool(eot1 & 0x04),
    )


class EscPosPrinter(Device):
    """A receipt printer on a serial, TCP, USB or file link."""

    kind = "printer"

    def __init__(
        self,
        url: str,
        *,
        name: str = "printer",
        columns: int = 42,
        poll_interval: float = 1.0,
        drawer_open_when_high: bool = True,
        drawer_sensor: str = "auto",
    ) -> None:
        super().__init__(name)
        self.url = url
        self.scheme, self.target, self.params = parse_url(url)
        self.columns = int(self.params.get("columns", columns))
        if self.columns not in (42, 48):
            raise ValueError(f"{url}: columns must be 42 or 48")
        #: Whether the printer answers status queries at all (False on a one-way link).
        self.reports_status = (
            self.scheme not in ONE_WAY_SCHEMES and self.params.get("status") != "none"
        )
        if drawer_sensor not in DRAWER_SENSOR:
            raise ValueError(f"drawer_sensor must be auto, yes or no, not {drawer_sensor!r}")
        if drawer_sensor == "yes" and not self.reports_status:
            raise ValueError(
                f"{url} reports no status, so the drawer on its port has no sensor to read "
                '(set drawer_sensor = "auto" or "no")'
            )
        #: Whether the drawer on this printer's port is read at all (its pin 3 is ignored
        #: when there is no sensor, or the printer cannot report it).
        self.drawer_sensed = self.reports_status and drawer_sensor != "no"
        self.baudrate = int(self.params.get("baudrate", "19200"))
        self.poll_interval = poll_interval
        self.drawer_open_when_high = drawer_open_when_high
        self._printer: Any = None
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    # -- line time -------------------------------------------------------------------------

    def line_seconds(self, size: int) -> float:
        """How long ``size`` bytes take on the line (10 bits a byte).  A network printer has no
        line speed unless the URL names one (``?baudrate=``, for a slow serial server)."""
        if self.scheme == "serial" or "baudrate" in self.params:
            return size * 10 / self.baudrate
        return 0.0

    # -- lifecycle -------------------------------------------------------------------------

    def _do_open(self) -> DeviceResult:
        escpos_lib.load()  # python-escpos and its profile cache, now that a printer opens
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-io", daemon=True)
        self._thread.start()
        return DeviceResult.success()

    def _do_enable(self) -> DeviceResult:
        status = self.submit(self._poll).result(timeout=10)
        if not status.online:
            return DeviceResult.failure("offline", f"the printer is {status.problem()}")
        return DeviceResult.success()

    def _do_close(self) -> None:
        self._jobs.put(None)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    # -- the device thread -----------------------------------------------------------------

    def submit(self, work: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        if self._thread is None:
            future.set_exception(LinkError("the printer is not open"))
        else:
            self._jobs.put((work, future))
        return future

    def _run(self) -> None:
        while True:
            try:
                item = self._jobs.get(timeout=self.poll_interval)
            except queue.Empty:
                try:
                    self._poll()
                except Exception:  # a bug: said with its traceback; the thread goes on
                    log.exception("%s: the status poll failed", self.name)
                continue
            if item is None:
                break
            work, future = item
            try:
                future.set_result(work())
            except Exception as exc:  # every error becomes a value on the future
                future.set_exception(exc)
        self._disconnect()

    def _connect(self) -> Any:
        if self._printer is not None:
            return self._printer
        try:
            if self.scheme == "serial":
                port = serial.serial_for_url(
                    self.target, baudrate=self.baudrate, timeout=STATUS_TIMEOUT, write_timeout=5
                )
                self._printer = _port_escpos()(port)
            elif self.scheme == "tcp":
                port = serial.serial_for_url(
                    f"socket://{self.target}", timeout=STATUS_TIMEOUT, write_timeout=5
                )
                sock = getattr(port, "_socket", None)
                if sock is not None:  # a status query is tiny: send it now, not after an ACK
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._printer = _port_escpos()(port)
            elif self.scheme == "usb":
                from escpos.printer import Usb

                vid, _, pid = self.target.partition(":")
                usb = Usb(int(vid, 16), int(pid, 16))
                usb.open()
                self._printer = usb
            else:
                from escpos.printer import File

                f = File(self.target)
                f.open()
                self._printer = f
        except link_errors(ValueError) as exc:  # ValueError: a setting pyserial refuses
            raise LinkError(str(exc) or type(exc).__name__) from exc
        return self._printer

    def _disconnect(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            try:
                printer.close()
            except link_errors():
                log.debug("closing the printer link failed", exc_info=True)

    def _offline(self, why: str) -> DeviceStatus:
        self._disconnect()
        status = DeviceStatus(online=False, detail=f"offline ({why})")
        self._set_status(status)
        return status

    def _ask(self, printer: Any, wait: float) -> bytes | None:
        """DLE EOT 1, 2 and 4 in one write; the three answers, or None if they did not come."""
        port = printer.port
        port.reset_input_buffer()
        port.write(DLE_EOT + b"\x01" + DLE_EOT + b"\x02" + DLE_EOT + b"\x04")
        answers = b""
        deadline = time.monotonic() + wait
        while len(answers) < 3:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            port.timeout = left
            answers += port.read(3 - len(answers))
        port.timeout = STATUS_TIMEOUT
        return bytes(answers)

    def _poll(self, wait: float = STATUS_TIMEOUT) -> DeviceStatus:
        """Ask the printer for its status (on the device thread; every job starts here)."""
        check_device_thread(self._thread, self.name)  # a bug, not an offline printer
        try:
            printer = self._connect()
            if not self.reports_status:  # a one-way link: online while it opens, nothing more
                one_way = DeviceStatus(online=True, detail="reports no status")
                self._set_status(one_way)
                return one_way
            answers = self._ask(printer, wait)
        except link_errors() as exc:
            return self._offline(str(exc) or type(exc).__name__)
        if answers is None:
            return self._offline("no answer")
        status = decode_status(answers[0], answers[1], answers[2])
        if status is None:
            return self._offline("garbled status answer")
        if not self.drawer_sensed:
            status = status.with_(drawer_open=None)  # pin 3 of a drawer with no switch: noise
        elif not self.drawer_open_when_high and status.drawer_open is not None:
            status = status.with_(drawer_open=not status.drawer_open)
        self._set_status(status)
        return status

    def _print(self, data: bytes) -> DeviceResult:
        status = self._poll()
        if not status.ready:
            return DeviceResult.failure("not_ready", f"the printer is {status.problem()}")
        try:
            printer = self._connect()
            port = getattr(printer, "port", None)
            if port is not None:
                port.write_timeout = self.line_seconds(len(data)) + MARGIN
            printer._raw(data)
            if port is not None:
                port.flush()
        except link_errors() as exc:  # the link was cut during the job
            self._offline(str(exc) or type(exc).__name__)
            return DeviceResult.failure("offline", "the printer went offline during the job")
        # The printer answers in order: this answer comes only after it took the whole job.
        after = self._poll(wait=self.line_seconds(len(data)) + MARGIN)
        if not after.ready:
            return DeviceResult.failure("not_ready", f"the printer is {after.problem()}")
        return DeviceResult.success()

    def _pulse(self, pin: int) -> DeviceResult:
        status = self._poll()
        try:
            printer = self._connect()
            # Real printers ignore ESC p while out of paper, with the cover open or offline;
            # the real-time DLE DC4 pulse still works then.
            printer._raw(drawer_pulse(pin) if status.ready else realtime_drawer_pulse(pin))
        except link_errors() as exc:
            self._offline(str(exc) or type(exc).__name__)
            return DeviceResult.failure("offline", "the drawer could not be reached")
        return DeviceResult.success()

    # -- what the Desk calls ---------------------------------------------------------------

    def print_receipt(self, doc: ReceiptDoc) -> bool:
        data = to_escpos(doc)
        try:
            result: DeviceResult = self.submit(lambda: self._print(data)).result(
                timeout=self.line_seconds(len(data)) + 3 * STATUS_TIMEOUT * 3 + 2 * MARGIN + 5
            )
        except (FutureTimeout, LinkError) as exc:  # a bug is not caught: it is not "offline"
            log.warning("print job failed: %s", str(exc) or type(exc).__name__)
            return False
        if not result.ok:
            log.info("receipt not printed: %s", result.message)
        return result.ok

    def pulse_drawer(self, pin: int = 2) -> DeviceResult:
        try:
            result: DeviceResult = self.submit(lambda: self._pulse(pin)).result(timeout=5)
        except (FutureTimeout, LinkError) as exc:
            return DeviceResult.failure("offline", str(exc))
        return result

    def refresh(self) -> DeviceStatus:
        """Ask for the status now (waits at most for three short queries)."""
        try:
            status: DeviceStatus = self.submit(self._poll).result(timeout=3)
        except (FutureTimeout, LinkError):
            return self.status
        return status

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until the device thread has done everything submitted so far."""
        self.submit(lambda: None).result(timeout=timeout)


class PrinterDrawer:
    """The cash drawer on the printer's drawer port."""

    def __init__(self, printer: EscPosPrinter, pin: int = 2) -> None:
        self.printer = printer
        self.pin = pin

    def open_drawer(self) -> bool:
        return self.printer.pulse_drawer(self.pin).ok

    def is_open(self) -> bool | None:
        """Open, closed, or None when its state cannot be read (no sensor, no answer)."""
        if not self.has_sensor():
            return None
        return self.printer.status.drawer_open if self.printer.status.online else None

    def has_sensor(self) -> bool:
        """Whether this drawer's state is read at all (``[devices] drawer_sensor``)."""
        return self.printer.drawer_sensed


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes (for tests and the CLI)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()
