"""A simulated 2 × 20 customer display (Epson DM-D commands) on a pseudo-terminal.

The driver opens :attr:`LineDisplaySim.port`, the slave side of a raw pty; a thread reads the
master side and interprets what arrives as a DM-D would, keeping the screen in :attr:`lines`
(two 20-character strings).  Understood: ``ESC @``, ``ESC t n``, ``US $ x y``, ``US C n``,
``US MD1``/``MD2``/``MD3``, ``CLR`` (0C), ``HOM`` (0B), CR, LF, BS, HT and the PC437 characters
20–FF, written in overwrite mode.  Anything else is counted in :attr:`unknown` and skipped.
Bytes are kept across reads, so a command split over two writes is still understood.
"""

from __future__ import annotations

import threading

from cashier_desk.devices.sim.loop import PtyLoop

WIDTH = 20
ROWS = 2

_TICK_MS = 20
_ESC, _US = 0x1B, 0x1F


class LineDisplaySim(PtyLoop):
    """A DM-D-style display behind a pty; see the module docstring."""

    thread_name = "display sim"

    def __init__(self) -> None:
        super().__init__()
        self._screen_lock = threading.Lock()  # not the loop's lock: stop() joins the thread
        self._cells = [[" "] * WIDTH for _ in range(ROWS)]
        self._row = 0
        self._column = 0
        self._pending = bytearray()
        self.received = bytearray()  # every byte that arrived
        self.unknown = 0  # commands or control bytes not understood
        self.code_table = 0
        self.cursor_shown = True

    @property
    def lines(self) -> tuple[str, str]:
        with self._screen_lock:
            return "".join(self._cells[0]), "".join(self._cells[1])

    def _serve(self, stop: threading.Event) -> None:
        line = self._pty
        while line is not None and not stop.is_set():
            data = line.read(4096, _TICK_MS / 1000)
            if data:
                with self._screen_lock:
                    self.received.extend(data)
                    self._pending.extend(data)
                    self._interpret()

    # -- the display's firmware ---------------------------------------------------------------

    def _interpret(self) -> None:
        buf = self._pending
        i = 0
        while i < len(buf):
            used = self._command(buf, i)
            if used == 0:
                break  # incomplete: wait for the rest
            i += used
        del buf[:i]

    def _command(self, buf: bytearray, i: int) -> int:
        """Carry out the command at ``buf[i]``; returns the bytes it used (0: incomplete)."""
        byte = buf[i]
        left = len(buf) - i
        if byte == _ESC:
            if left < 2:
                return 0
            if buf[i + 1] == 0x40:  # ESC @
                self._initialise()
                return 2
            if buf[i + 1] == 0x74:  # ESC t n
                if left < 3:
                    return 0
                self.code_table = buf[i + 2]
                return 3
            self.unknown += 1
            return 2
        if byte == _US:
            if left < 2:
                return 0
            op = buf[i + 1]
            if op == 0x24:  # US $ x y
                if left < 4:
                    return 0
                column, row = buf[i + 2], buf[i + 3]
                if 1 <= column <= WIDTH and 1 <= row <= ROWS:
                    self._column, self._row = column - 1, row - 1
                else:
                    self.unknown += 1
                return 4
            if op == 0x43:  # US C n
                if left < 3:
                    return 0
                self.cursor_shown = bool(buf[i + 2])
                return 3
            if op not in (0x01, 0x02, 0x03):  # US MD1/MD2/MD3: display modes
                self.unknown += 1
            return 2
        if byte == 0x0C:  # CLR
            self._clear()
        elif byte == 0x0B:  # HOM
            self._row = self._column = 0
        elif byte == 0x0D:  # CR
            self._column = 0
        elif byte == 0x0A:  # LF
            self._row = (self._row + 1) % ROWS
        elif byte == 0x08:  # BS
            self._column = max(0, self._column - 1)
        elif byte == 0x09:  # HT
            self._advance()
        elif byte < 0x20:
            self.unknown += 1
        else:
            self._cells[self._row][self._column] = bytes([byte]).decode("cp437")
            self._advance()
        return 1

    def _advance(self) -> None:
        self._column += 1
        if self._column == WIDTH:  # overwrite mode: wrap to the start of the other line
            self._column = 0
            self._row = (self._row + 1) % ROWS

    def _clear(self) -> None:
        self._cells = [[" "] * WIDTH for _ in range(ROWS)]
        self._row = self._column = 0

    def _initialise(self) -> None:
        self._clear()
        self.code_table = 0
        self.cursor_shown = True
