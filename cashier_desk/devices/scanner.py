"""A barcode scanner on a serial line (``scanner+serial:///dev/ttyACM0``).

Serial scanners (and USB scanners in CDC/"virtual COM" mode) send each code as one line of text
ended by CR, LF or CR LF, depending on how the scanner was programmed; all three are accepted,
and an empty line (the LF of a CR LF) is skipped.  While the scanner is enabled a daemon thread
reads the line and hands each complete code to ``on_scan(code)``.

A line is refused — ``on_error(message)`` is called and nothing is delivered — when it is not
valid UTF-8, holds a control character, or is longer than ``max_length`` (128) characters.  A
refused line is dropped whole, up to its terminator: its bytes never join the next code.  The
thread never dies of what arrives on the line, nor of a callback that raises.

A port error (``SerialException``, ``OSError``, ``ValueError``) becomes an offline status with
the message, and the port is closed.  :meth:`SerialScanner.reconnect` opens it again (optionally
at a new address: a USB scanner plugged back in may come back as another ``ttyACM``); the status
goes online again once a read on the new port succeeds.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

from cashier_desk.devices.model import DeviceResult
from cashier_desk.devices.serial_line import SERIAL_ERRORS, SerialLineDevice, describe

log = logging.getLogger(__name__)

MAX_LENGTH = 128

_READ_TIMEOUT_MS = 100
_TERMINATORS = b"\r\n"
_UTF8_MAX_BYTES = 4


class ScanLine(NamedTuple):
    """One line off the wire: a ``code``, or ``None`` and the ``problem`` it was refused for."""

    code: str | None
    problem: str = ""


class LineSplitter:
    """Cuts a byte stream into checked scan codes; holds no more than one line's worth."""

    def __init__(self, max_length: int = MAX_LENGTH) -> None:
        self.max_length = max_length
        self._buffer = bytearray()
        self._discarding = False  # inside a line already refused as too long

    def reset(self) -> None:
        self._buffer.clear()
        self._discarding = False

    def feed(self, data: bytes) -> list[ScanLine]:
        """Split ``data`` into the lines it completes (a partial line waits for its end)."""
        results: list[ScanLine] = []
        start = 0
        for index, byte in enumerate(data):
            if byte not in _TERMINATORS:
                continue
            self._take(data[start:index], results)
            start = index + 1
            if self._discarding:
                self._discarding = False
            elif self._buffer:
                results.append(self._check(bytes(self._buffer)))
            self._buffer.clear()
        self._take(data[start:], results)
        return results

    def _take(self, chunk: bytes, results: list[ScanLine]) -> None:
        if self._discarding or not chunk:
            return
        self._buffer.extend(chunk)
        if len(self._buffer) > self.max_length * _UTF8_MAX_BYTES:
            # Too long whatever the encoding: refuse now, drop the rest of the line unread.
            results.append(
                ScanLine(None, f"scan refused: longer than {self.max_length} characters")
            )
            self._buffer.clear()
            self._discarding = True

    def _check(self, line: bytes) -> ScanLine:
        try:
            code = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return ScanLine(None, f"scan refused: not valid UTF-8 (byte 0x{line[exc.start]:02x})")
        for char in code:
            if unicodedata.category(char) == "Cc":
                return ScanLine(None, f"scan refused: control character U+{ord(char):04X}")
        if len(code) > self.max_length:
            return ScanLine(None, f"scan refused: longer than {self.max_length} characters")
        return ScanLine(code)


class SerialScanner(SerialLineDevice):
    """A line-per-scan barcode scanner; see the module docstring."""

    kind = "scanner"
    worker = "reader"

    def __init__(
        self,
        url: str,
        *,
        name: str = "scanner",
        on_scan: Callable[[str], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        baudrate: int = 9600,
        max_length: int = MAX_LENGTH,
    ) -> None:
        super().__init__(name, url, baudrate)
        self.on_scan = on_scan
        self.on_error = on_error
        self._splitter = LineSplitter(max_length)

    # -- the line -----------------------------------------------------------------------------

    def _configure(self, port: Any) -> None:
        port.timeout = _READ_TIMEOUT_MS / 1000

    def _connected(self) -> DeviceResult:
        self._splitter.reset()
        return super()._connected()

    # -- the reader thread --------------------------------------------------------------------

    def _can_work(self) -> bool:
        return self._port is not None

    def _work(self, stop: threading.Event) -> None:
        """The reader thread: one port, until stopped or until the port fails."""
        port = self._port
        while not stop.is_set():
            try:
                data = port.read(max(1, int(port.in_waiting)))
            except SERIAL_ERRORS as exc:
                if not stop.is_set():
                    self._went_offline(f"cannot read the scanner: {describe(exc)}")
                return  # the port stays open until reconnect() or close() closes it
            if stop.is_set():
                return
            if not self.status.online:
                self._set_status(self.status.with_(online=True, detail=""))
            for line in self._splitter.feed(data):
                if line.code is not None:
                    self._deliver(self.on_scan, line.code, "scan")
                else:
                    log.info("%s: %s", self.name, line.problem)
                    self._deliver(self.on_error, line.problem, "error")

    def _deliver(self, callback: Callable[[str], None] | None, text: str, what: str) -> None:
        if callback is None:
            return
        try:
            callback(text)
        except Exception:
            log.exception("%s: the %s callback failed", self.name, what)
