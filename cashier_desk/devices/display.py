"""A 2 × 20 customer line display on a serial line, Epson DM-D command set.

The Epson DM-D family (DM-D110, DM-D210 …) and the many pole displays that emulate it take the
"ESC/POS customer display" commands.  This driver sends only these:

=================  ====================  ===================================================
``ESC @``          ``1B 40``             initialise (clear, cursor home, default modes)
``ESC t n``        ``1B 74 00``          character code table: n = 0, PC437
``US MD1``         ``1F 01``             overwrite mode (text replaces what is under it)
``US C n``         ``1F 43 00``          cursor display: n = 0, off
``CLR``            ``0C``                clear the screen, cursor home
``US $ x y``       ``1F 24 x y``         move the cursor to column x (1–20), row y (1–2)
text               ``20``–``FF``         PC437 characters written at the cursor
=================  ====================  ===================================================

A line is shown by moving the cursor to its first column and writing exactly 20 characters,
so the other line is left alone and nothing flickers.  (``ESC Q A``/``ESC Q B`` … ``CR``, the
"set upper/lower line" commands some drivers use, belong to the CD5220 command set, not to the
DM-D one; they are not sent.)

Text is normalised (NFC), control characters become ``?``, it is cut or padded to 20 columns
and encoded in CP437 with ``?`` for what the display cannot show.  Amounts arrive as formatted
strings ("12.30"): no money arithmetic happens here.  A port error becomes an offline status
with the message, never an exception; :meth:`LineDisplay.reconnect` opens the line again.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

from cashier_desk.devices.model import DeviceResult, Lifecycle
from cashier_desk.devices.serial_line import SerialLineDevice

log = logging.getLogger(__name__)

WIDTH = 20
ROWS = 2

ESC = 0x1B
US = 0x1F
CLR = 0x0C
INITIALISE = bytes([ESC, 0x40])
SELECT_PC437 = bytes([ESC, 0x74, 0x00])
OVERWRITE_MODE = bytes([US, 0x01])
CURSOR_OFF = bytes([US, 0x43, 0x00])
CLEAR = bytes([CLR])


def move_cursor(column: int, row: int) -> bytes:
    """``US $ x y``: 1-based column and row."""
    if not (1 <= column <= WIDTH and 1 <= row <= ROWS):
        raise ValueError(f"no cell at column {column}, row {row}")
    return bytes([US, 0x24, column, row])


def fit(text: str, *, right: bool = False) -> bytes:
    """One display line: control characters to ``?``, cut/padded to 20, encoded in CP437."""
    text = unicodedata.normalize("NFC", text)
    text = "".join("?" if unicodedata.category(c) == "Cc" else c for c in text)[:WIDTH]
    text = text.rjust(WIDTH) if right else text.ljust(WIDTH)
    return text.encode("cp437", errors="replace")


_WRITE_TIMEOUT_SECONDS = 2


class LineDisplay(SerialLineDevice):
    """The customer-facing 2 × 20 display; see the module docstring."""

    kind = "display"

    def __init__(self, url: str, *, name: str = "customer display", baudrate: int = 9600) -> None:
        super().__init__(name, url, baudrate)

    # -- what the counter shows ---------------------------------------------------------------

    def show(self, upper: str, lower: str) -> bool:
        """Show two lines (each cut or padded to 20); False when the display is unreachable."""
        return self._send(move_cursor(1, 1) + fit(upper) + move_cursor(1, 2) + fit(lower))

    def show_item(self, description: str, amount_text: str) -> bool:
        """The item just keyed: its description above, its amount right-aligned below."""
        return self._show_labelled(description, amount_text)

    def show_total(self, total_text: str, label: str = "TOTAL") -> bool:
        """The sale's total: the label above, the amount right-aligned below."""
        return self._show_labelled(label, total_text)

    def show_change(self, change_text: str, label: str = "CHANGE") -> bool:
        """The change due: the label above, the amount right-aligned below."""
        return self._show_labelled(label, change_text)

    def clear(self) -> bool:
        return self._send(CLEAR)

    def _show_labelled(self, label: str, amount_text: str) -> bool:
        return self._send(
            move_cursor(1, 1) + fit(label) + move_cursor(1, 2) + fit(amount_text, right=True)
        )

    # -- the line -----------------------------------------------------------------------------

    def _configure(self, port: Any) -> None:
        if not self.url.startswith("rfc2217:"):  # pyserial's RFC 2217 client has none
            port.write_timeout = _WRITE_TIMEOUT_SECONDS

    def _do_enable(self) -> DeviceResult:
        return self._initialise()

    def _resume(self, result: DeviceResult) -> DeviceResult:
        return self._initialise() if result.ok else result

    def _initialise(self) -> DeviceResult:
        if self._write(INITIALISE + SELECT_PC437 + OVERWRITE_MODE + CURSOR_OFF + CLEAR):
            return DeviceResult.success()
        return DeviceResult.failure("offline", self.status.detail)

    def _send(self, data: bytes) -> bool:
        if self.lifecycle is not Lifecycle.ENABLED:
            log.warning("%s: output while %s", self.name, self.lifecycle.value)
            return False
        return self._write(data)

    def _write(self, data: bytes) -> bool:
        return self._write_line(data, "cannot write to the display")
