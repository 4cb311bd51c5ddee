"""The simulated printer's sensors and drawer port: what its status answers say.

:class:`StatusPort` holds the fault switches, the cash drawer on the drawer-kick connector and
Automatic Status Back (``GS a``), and builds every status answer from them.  It is not
thread-safe on its own: :class:`~cashier_desk.devices.sim.escpos_printer.EscPosPrinterSim` calls
it under its lock.  Answers the host asked for go into the ``out`` buffer it passes; unsolicited
ones (a status change between commands) go into :attr:`outbox` and set :attr:`notify`.

It answers the status commands like an Epson TM printer: ``DLE EOT 1..4`` (real-time status, one
byte each, bits below), ``GS a`` (Automatic Status Back: four bytes whenever an enabled status
changes, plus once when enabled), ``GS r``, ``ESC v``/``ESC u`` and ``GS I``.

Real-time status bytes (``DLE EOT n``; bits 1 and 4 are always 1, bits 0 and 7 always 0, which
is how a host tells a status byte from junk)::

    n=1 printer   bit2 drawer-kick connector pin 3 HIGH   bit3 offline
    n=2 offline   bit2 cover open   bit5 printing stopped by paper end   bit6 error
    n=3 error     (no error is ever simulated: always 0x12)
    n=4 paper     bits 2+3 paper near end   bits 5+6 paper end

python-escpos reads these with ``RT_MASK_ONLINE`` (8), ``RT_MASK_LOWPAPER`` (30) and
``RT_MASK_NOPAPER`` (114): 0x12 is "online, paper adequate", 0x1E "paper ending", 0x7E "no
paper" (when the roll is out the near-end sensor sees no paper either).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from cashier_desk.devices.sim.escpos_codes import DC4, EOT, ESC, GS
from cashier_desk.devices.sim.escpos_paper import PrinterFaults

_OUTBOX_LIMIT = 4096

#: The status commands :meth:`StatusPort.query` answers: ESC u, ESC v, GS a, GS r, GS I.
STATUS_COMMANDS = frozenset({(ESC, 0x75), (ESC, 0x76), (GS, 0x61), (GS, 0x72), (GS, 0x49)})


class StatusPort:
    """Faults, drawer and Automatic Status Back, answered as an Epson TM printer answers."""

    def __init__(
        self,
        *,
        drawer_close_after: float | None,
        drawer_pin: int | None,
        drawer_open_level_high: bool,
        seed: int | None,
        on_timer: Callable[[], None],
    ) -> None:
        self.drawer_close_after = drawer_close_after
        self.drawer_pin = drawer_pin
        self.drawer_open_level_high = drawer_open_level_high
        self.faults = PrinterFaults()
        self.outbox = bytearray()
        self.notify = False
        self.drawer_open = False
        self.drawer_pulses = 0
        self.drawer_kicks: list[int] = []
        self.asb_mask = 0
        self._rng = random.Random(seed)
        self._on_timer = on_timer
        self._close_at: float | None = None
        self._timer: threading.Timer | None = None
        self._asb_last = self.asb_bytes()

    # ----------------------------------------------------------------- answers
    def answer(self, true_answer: bytes) -> bytes:
        """What goes on the wire for ``true_answer``: nothing when silent, junk when garbage."""
        if self.faults.silent:
            return b""
        if not self.faults.garbage:
            return true_answer
        junk = bytearray(self._rng.randbytes(self._rng.randint(1, 4)))
        if junk[0] & 0x93 in (0x12, 0x10):  # never let junk pass for a status byte
            junk[0] ^= 0x80
        return bytes(junk)

    def query(self, prefix: int, code: int, p: bytes) -> bytes:
        """The answer to one of :data:`STATUS_COMMANDS` with parameters ``p``."""
        drawer = bytes((1 if self.pin3_high() else 0,))  # bit 0 = drawer-kick pin 3
        paper = bytes((self.paper_sensor_bits(),))
        if (prefix, code) == (ESC, 0x75):  # ESC u n: drawer status
            return self.answer(drawer)
        if (prefix, code) == (ESC, 0x76):  # ESC v: paper sensor status
            return self.answer(paper)
        if code == 0x61:  # GS a n
            return self.enable_asb(p[0])
        if code == 0x72:  # GS r n
            if p[0] in (1, 49):
                return self.answer(paper)
            return self.answer(drawer) if p[0] in (2, 50) else b""
        return self.answer(printer_id(p[0]))  # GS I n

    def real_time(self, cmd: bytes, out: bytearray) -> bool:
        """A real-time command (``DLE EOT n``, ``DLE DC4``, ``DLE ENQ``); False: unknown."""
        code = cmd[1]
        if code == EOT:
            n = cmd[2]
            if not 1 <= n <= 4:
                return False
            out += self.answer(bytes((self.rt_status(n),)))
        elif code == DC4 and cmd[2] == 1:  # DLE DC4 1 m t: pulse, even when offline
            self.kick(2 if cmd[3] in (0, 48) else 5, out)
        # DLE ENQ (recover / clear) and the other DLE DC4 functions: nothing to simulate
        return True

    def pin3_high(self) -> bool:
        return self.drawer_open == self.drawer_open_level_high

    def paper_sensor_bits(self) -> int:
        f = self.faults
        bits = 0x03 if (f.paper_near_end or f.paper_out) else 0
        return bits | (0x0C if f.paper_out else 0)

    def rt_status(self, n: int) -> int:
        """The true ``DLE EOT n`` byte."""
        f = self.faults
        value = 0x12
        if n == 1:
            value |= 0x04 if self.pin3_high() else 0
            value |= 0x08 if f.stops_printing else 0
        elif n == 2:
            value |= 0x04 if f.cover_open else 0
            value |= 0x20 if f.paper_out else 0
        elif n == 4:
            value |= 0x0C if (f.paper_near_end or f.paper_out) else 0
            value |= 0x60 if f.paper_out else 0
        return value

    def asb_bytes(self) -> bytes:
        """The true four Automatic Status Back bytes."""
        f = self.faults
        first = 0x10
        first |= 0x04 if self.pin3_high() else 0
        first |= 0x08 if f.stops_printing else 0
        first |= 0x20 if f.cover_open else 0
        return bytes((first, 0x00, self.paper_sensor_bits(), 0x00))

    def enable_asb(self, mask: int) -> bytes:
        """``GS a n``: the new mask; returns the status sent at once when enabled."""
        self.asb_mask = mask & 0x0F
        self._asb_last = self.asb_bytes()
        return self.answer(self._asb_last) if self.asb_mask else b""

    def reset_asb(self) -> None:
        self.asb_mask = 0
        self._asb_last = self.asb_bytes()

    def status_changed(self, out: bytearray | None) -> None:
        """Send an ASB status when an enabled category changed (to ``out`` or the outbox)."""
        now = self.asb_bytes()
        before, self._asb_last = self._asb_last, now
        mask = self.asb_mask
        changed = (
            (mask & 1 and (now[0] ^ before[0]) & 0x04)  # drawer-kick connector pin 3
            or (mask & 2 and (now[0] ^ before[0]) & 0x68)  # online/offline, cover, feed
            or (mask & 4 and now[1] != before[1])  # errors
            or (mask & 8 and now[2] != before[2])  # roll paper sensor
        )
        if not changed:
            return
        answer = self.answer(now)
        if out is not None:
            out += answer
        else:
            self.outbox += answer
            del self.outbox[:-_OUTBOX_LIMIT]
            self.notify = True

    # ----------------------------------------------------------------- drawer
    def kick(self, pin: int, out: bytearray | None) -> None:
        """A kick pulse on ``pin`` (2 or 5): opens the drawer wired to it."""
        self.drawer_kicks.append(pin)
        if self.drawer_pin is not None and pin != self.drawer_pin:
            return
        self.drawer_pulses += 1
        deadline = None
        if self.drawer_close_after is not None:
            deadline = time.monotonic() + self.drawer_close_after
        self.set_drawer(True, deadline, out)
        if self.drawer_close_after is not None:
            timer = threading.Timer(self.drawer_close_after, self._on_timer)
            timer.daemon = True
            self._timer = timer
            timer.start()

    def set_drawer(self, is_open: bool, deadline: float | None, out: bytearray | None) -> None:
        self.cancel_timer()
        self._close_at = deadline
        if self.drawer_open != is_open:
            self.drawer_open = is_open
            self.status_changed(out)

    def cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def check_deadline(self, out: bytearray | None) -> None:
        """Close the drawer when its close-after time has passed."""
        if self._close_at is not None and time.monotonic() >= self._close_at:
            self._close_at = None
            self.cancel_timer()
            if self.drawer_open:
                self.drawer_open = False
                self.status_changed(out)

    def timer_fired(self) -> None:
        self._timer = None
        self.check_deadline(None)


def printer_id(n: int) -> bytes:
    """GS I n: model/type/version bytes, or a ``_``-framed string for n = 65..69."""
    fixed = {1: 0x20, 49: 0x20, 2: 0x02, 50: 0x02, 3: 0x01, 51: 0x01}
    if n in fixed:
        return bytes((fixed[n],))
    names = {65: "SIM 1.0", 66: "cashier_desk", 67: "ESC/POS SIM", 68: "0000000001"}
    if n in names:
        return b"_" + names[n].encode("ascii") + b"\x00"
    return b""
