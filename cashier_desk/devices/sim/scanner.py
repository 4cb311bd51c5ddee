"""A simulated serial barcode scanner on a pseudo-terminal.

:attr:`ScannerSim.port` is the slave side of a pty (raw mode): the driver opens it like any
``/dev/tty*``; the simulator writes to the master side as the scanner would.  :meth:`scan`
sends one code with its terminator (CR by default), :meth:`send_raw` sends any bytes (garbage,
half lines, endless lines) for fault tests.  :meth:`unplug` closes the pty, so a reader on the
slave gets an I/O error as from a pulled USB scanner; :meth:`plug` makes a fresh pty, whose path
may differ, as a re-enumerated USB device's does.
"""

from __future__ import annotations

import os
import pty
import select
import threading
import time
import tty
from types import TracebackType

_WRITE_DEADLINE_SECONDS = 5


class ScannerSim:
    """A scanner writing lines into a pty; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self._port = ""

    @property
    def port(self) -> str:
        """The path the driver opens (the pty's slave side)."""
        if not self._port:
            raise RuntimeError("the scanner simulator is not started")
        return self._port

    def start(self) -> ScannerSim:
        with self._lock:
            if self._master is None:
                master, slave = pty.openpty()
                tty.setraw(slave)
                os.set_blocking(master, False)  # send_raw waits with select, never in write
                self._master, self._slave = master, slave
                self._port = os.ttyname(slave)
        return self

    def stop(self) -> None:
        with self._lock:
            master, slave = self._master, self._slave
            self._master = self._slave = None
        for fd in (master, slave):
            if fd is not None:
                os.close(fd)

    def unplug(self) -> None:
        """Close the pty: the driver's next read fails."""
        self.stop()

    def plug(self) -> str:
        """A fresh pty (the scanner plugged back in); returns its path."""
        return self.start().port

    def __enter__(self) -> ScannerSim:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def scan(self, code: str, suffix: bytes = b"\r") -> None:
        """Send ``code`` as the scanner would: UTF-8 text and its terminator."""
        self.send_raw(code.encode("utf-8") + suffix)

    def send_raw(self, data: bytes) -> None:
        """Write ``data`` to the line as it is; waits while the reader drains the pty."""
        with self._lock:
            master = self._master
            if master is None:
                raise RuntimeError("the scanner simulator is not started")
            view = memoryview(data)
            deadline = time.monotonic() + _WRITE_DEADLINE_SECONDS
            while view:
                left = deadline - time.monotonic()
                _, writable, _ = select.select([], [master], [], max(0, left))
                if not writable:
                    raise TimeoutError("nobody reads the scanner's pty")
                try:
                    view = view[os.write(master, view) :]
                except BlockingIOError:
                    continue
