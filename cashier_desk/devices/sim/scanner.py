"""A simulated serial barcode scanner on a pseudo-terminal.

:attr:`ScannerSim.port` is the slave side of a pty (raw mode): the driver opens it like any
``/dev/tty*``; the simulator writes to the master side as the scanner would.  :meth:`scan`
sends one code with its terminator (CR by default), :meth:`send_raw` sends any bytes (garbage,
half lines, endless lines) for fault tests.  :meth:`unplug` closes the pty, so a reader on the
slave gets an I/O error as from a pulled USB scanner; :meth:`plug` makes a fresh pty and returns
its path, which may differ, as a re-enumerated USB device's does (``loop.py``).
"""

from __future__ import annotations

import os
import select
import time

from cashier_desk.devices.sim.loop import PtyLoop

_WRITE_DEADLINE_SECONDS = 5


class ScannerSim(PtyLoop):
    """A scanner writing lines into a pty; see the module docstring."""

    threaded = False  # it writes when told to (scan, send_raw): no thread
    blocking = False  # send_raw waits with select, never in write

    def scan(self, code: str, suffix: bytes = b"\r") -> None:
        """Send ``code`` as the scanner would: UTF-8 text and its terminator."""
        self.send_raw(code.encode("utf-8") + suffix)

    def send_raw(self, data: bytes) -> None:
        """Write ``data`` to the line as it is; waits while the reader drains the pty."""
        with self._lock:
            if self._pty is None:
                raise RuntimeError("the scanner simulator is not started")
            master = self._pty.master
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
