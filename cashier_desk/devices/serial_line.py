"""What every device on a serial line of its own shares: opening the line, losing it, closing
it, reconnecting, and a background thread (a reader or a poller) while the device is enabled.

The line is opened through ``serial.serial_for_url``, so ``/dev/ttyS1``, ``rfc2217://host:port``
and every other pyserial URL work.  Every pyserial error (``SerialException``, ``OSError``,
``ValueError``) becomes an offline status with a message saying why; a line that failed stays
closed until :meth:`SerialLineDevice.reconnect` (or close/open) opens it again, so an error is
never papered over by a stale "online".

Locks: ``_lock`` (the device model's) orders lifecycle changes; ``_io`` guards the port and is
never held while a status event goes out.  The background thread is stopped *before* the
model's lock is taken: the thread may be waiting for that lock to publish a status, so joining
it under the lock could hang.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import serial

from cashier_desk.devices.model import Device, DeviceResult, DeviceStatus, Lifecycle

log = logging.getLogger(__name__)

SERIAL_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, ValueError)

_JOIN_SECONDS = 2


def describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class SerialLineDevice(Device):
    """A device on its own serial line.  Subclasses set ``worker`` to name their background
    thread (None: no thread) and may override the hooks ``_configure`` (timeouts before the
    line opens), ``_connected`` (first contact once open), ``_work`` (the thread's body),
    ``_can_work``, ``_resume`` (after a reconnect) and ``_offline_status``."""

    #: The background thread's role ("reader", "poll"), or None for a device without one.
    worker: str | None = None

    def __init__(self, name: str, url: str, baudrate: int) -> None:
        super().__init__(name)
        self.url = url
        self.baudrate = baudrate
        self._port: Any = None  # a pyserial port while the line is open
        self._io = threading.RLock()  # guards the port; never held while status events go out
        self._thread: threading.Thread | None = None
        self._thread_stop = threading.Event()

    def reconnect(self, url: str | None = None) -> DeviceResult:
        """Close the line and open it again, at ``url`` if given; the lifecycle stays as it was."""
        if self.lifecycle is Lifecycle.CLOSED:
            return DeviceResult.failure("not_open", f"the {self.kind} is not open")
        self._stop_thread()
        with self._lock:
            if url is not None:
                self.url = url
            with self._io:
                port, self._port = self._port, None
            self._close(port)
            result = self._connect()
            if self.lifecycle is Lifecycle.ENABLED:
                result = self._resume(result)
        return result

    # -- lifecycle ----------------------------------------------------------------------------

    def disable(self) -> None:
        self._stop_thread()
        super().disable()

    def release(self) -> None:
        self._stop_thread()
        super().release()

    def close(self) -> None:
        self._stop_thread()
        super().close()

    def _do_open(self) -> DeviceResult:
        return self._connect()

    def _do_enable(self) -> DeviceResult:
        self._start_thread()
        return DeviceResult.success()

    def _do_disable(self) -> None:
        self._stop_thread()

    def _do_close(self) -> None:
        self._stop_thread()
        with self._io:
            port, self._port = self._port, None
        self._close(port)
        self._set_status(DeviceStatus(detail="closed"))

    # -- hooks --------------------------------------------------------------------------------

    def _configure(self, port: Any) -> None:
        """Set up the port before it opens (timeouts)."""

    def _connected(self) -> DeviceResult:
        """The line has just opened: the device is online unless first contact says otherwise."""
        self._set_status(self.status.with_(online=True, detail=""))
        return DeviceResult.success()

    def _resume(self, result: DeviceResult) -> DeviceResult:
        """After a reconnect while enabled: start the background thread again."""
        self._start_thread()
        return result

    def _can_work(self) -> bool:
        return True

    def _work(self, stop: threading.Event) -> None:
        """The background thread's body: run until ``stop`` is set."""

    def _offline_status(self, message: str) -> DeviceStatus:
        return self.status.with_(online=False, detail=message)

    # -- the line -----------------------------------------------------------------------------

    def _connect(self) -> DeviceResult:
        try:
            port = serial.serial_for_url(self.url, do_not_open=True)
            port.baudrate = self.baudrate
            self._configure(port)
            port.open()
        except SERIAL_ERRORS as exc:
            message = f"cannot open the line: {describe(exc)}"
            self._went_offline(message)
            return DeviceResult.failure("offline", message)
        with self._io:
            self._port = port
        return self._connected()

    def _close(self, port: Any) -> None:
        if port is None:
            return
        try:
            port.close()
        except SERIAL_ERRORS as exc:
            log.info("%s: closing %s: %s", self.name, self.url, describe(exc))

    def _write_line(
        self, data: bytes, failing: str, prepare: Callable[[Any], object] | None = None
    ) -> bool:
        """Write ``data`` on the line (after ``prepare(port)``); False when the line is closed
        already, or when the write fails — then offline, ``failing`` saying what failed."""
        with self._io:
            port = self._port
            if port is None:
                return False  # already offline, with the reason in status.detail
            try:
                if prepare is not None:
                    prepare(port)
                port.write(data)
                port.flush()
            except SERIAL_ERRORS as exc:
                self._port = None
                error = exc
            else:
                return True
        self._lost(port, f"{failing}: {describe(error)}")
        return False

    def _lost(self, port: Any, message: str) -> None:
        """The line failed: say so first, then close the port (closing can take a while)."""
        self._went_offline(message)
        self._close(port)

    def _went_offline(self, message: str) -> None:
        log.warning("%s offline: %s", self.name, message)
        self._set_status(self._offline_status(message))

    # -- the background thread ----------------------------------------------------------------

    def _start_thread(self) -> None:
        if self.worker is None or self._thread is not None or not self._can_work():
            return
        stop = threading.Event()
        self._thread_stop = stop
        self._thread = threading.Thread(
            target=self._work, args=(stop,), name=f"{self.name} {self.worker}", daemon=True
        )
        self._thread.start()

    def _stop_thread(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._thread_stop.set()
        if thread is not threading.current_thread():
            thread.join(_JOIN_SECONDS)
