"""A simulated ESC/POS receipt printer with a cash drawer on its drawer-kick port.

:class:`EscPosPrinterSim` is a pure protocol engine: bytes go in through :meth:`feed` (in chunks
of any size; a command split across two feeds is kept in a parse buffer), answers come back as
bytes.  It parses what python-escpos sends with a command-length table, so every command's
parameters and payloads (raster images, QR data, graphics) are skipped exactly; a command it
does not know is recorded in :attr:`unknown_commands` and only its ESC/GS/FS/DLE byte is
skipped, so parsing recovers (``escpos_commands.py``, its firmware).  It knows nothing about
wires: ``transports.py`` puts it behind a pseudo-terminal or a TCP socket, the way a real
printer sits behind a serial or network port.

What it keeps: the text of each receipt, line by line with the style each line started with,
decoded with the code page of ``ESC t``, closed by a cut (``GS V``) into :attr:`receipts`; the
barcodes (``GS k``, CODE128 code sets decoded) and QR/PDF417 codes (``GS ( k``) on each receipt;
a cash drawer on the drawer-kick connector that ``ESC p`` and ``DLE DC4 1`` pulse open, closing
after ``drawer_close_after`` seconds or when :meth:`close_drawer` is called.

It answers the status commands like an Epson TM printer (``escpos_status.py`` tells how).

Faults (:class:`PrinterFaults`) are switched with the ``set_*`` methods: paper near end, paper
out, cover open, offline, "garbage" (status answers become random junk) and "silent" (a printer
on a one-way link: it takes every byte but never answers a status query).  While the paper is
out, the cover open or the printer offline, everything except the real-time commands (``DLE EOT``,
``DLE ENQ``, ``DLE DC4``) is discarded — so ``ESC p`` does not open the drawer but ``DLE DC4 1``
does, as on a real printer — and the receipt being printed is marked incomplete.

A receipt that is interrupted by a fault is never appended as complete.  After a fault has
discarded data, whatever prints next belongs to the interrupted job and its receipt is appended
with ``complete=False`` at the next cut — unless the host starts a fresh job with ``ESC @``, which
closes the interrupted piece (as an incomplete receipt without a cut) and starts clean.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from cashier_desk.devices.sim.escpos_codes import CODE_PAGES, decode_code128
from cashier_desk.devices.sim.escpos_commands import Firmware
from cashier_desk.devices.sim.escpos_paper import (
    PrinterFaults,
    SimGraphic,
    SimLine,
    SimReceipt,
    TextStyle,
    render_png,
)
from cashier_desk.devices.sim.escpos_status import StatusPort

__all__ = [
    "CODE_PAGES",
    "EscPosPrinterSim",
    "PrinterFaults",
    "SimGraphic",
    "SimLine",
    "SimReceipt",
    "TextStyle",
    "decode_code128",
    "render_png",
]


class EscPosPrinterSim:
    """An ESC/POS printer and its cash drawer, as a thread-safe byte-in/byte-out engine.

    ``drawer_close_after``: seconds after a pulse until the drawer closes by itself (None: it
    stays open until :meth:`close_drawer`).  ``drawer_pin``: the kick pin (2 or 5) the drawer is
    wired to (None: either pulse opens it).  ``drawer_open_level_high``: the drawer reports
    "open" as drawer-kick connector pin 3 HIGH (status bit 2 set); False inverts it, as some
    drawers do.  ``seed`` makes the "garbage" answers reproducible.
    """

    def __init__(
        self,
        *,
        drawer_close_after: float | None = None,
        drawer_pin: int | None = None,
        drawer_open_level_high: bool = True,
        seed: int | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._status = StatusPort(
            drawer_close_after=drawer_close_after,
            drawer_pin=drawer_pin,
            drawer_open_level_high=drawer_open_level_high,
            seed=seed,
            on_timer=self._on_drawer_timer,
        )
        self._fw = Firmware(self._status)
        self._listeners: list[Callable[[], None]] = []

    # ----------------------------------------------------------------- public: state
    @property
    def faults(self) -> PrinterFaults:
        with self._lock:
            return self._status.faults

    @property
    def receipts(self) -> list[SimReceipt]:
        """The receipts cut so far (a copy)."""
        with self._lock:
            return list(self._fw.receipts)

    @property
    def unknown_commands(self) -> list[bytes]:
        """Commands it could not use: an unknown prefix + code, or an unsupported ESC t n."""
        with self._lock:
            return list(self._fw.unknown)

    @property
    def in_progress(self) -> SimReceipt:
        """What is on the paper since the last cut (not yet a receipt)."""
        with self._lock:
            return self._fw.page.snapshot(self._fw.style)

    @property
    def drawer_open(self) -> bool:
        with self._lock:
            self._status.check_deadline(None)
            return self._status.drawer_open

    @property
    def drawer_pulses(self) -> int:
        """Pulses that reached the drawer (and so opened it, or found it open)."""
        with self._lock:
            return self._status.drawer_pulses

    @property
    def drawer_kicks(self) -> list[int]:
        """Every kick pulse the printer generated, by pin (2 or 5), in order."""
        with self._lock:
            return list(self._status.drawer_kicks)

    @property
    def cuts(self) -> int:
        """Cut commands executed (a cut with nothing printed makes no receipt)."""
        with self._lock:
            return self._fw.cuts

    @property
    def discarded_bytes(self) -> int:
        """Bytes thrown away because a fault had stopped printing."""
        with self._lock:
            return self._fw.discarded

    @property
    def code_page(self) -> int:
        with self._lock:
            return self._fw.code_page

    @property
    def asb_enabled(self) -> int:
        """The ``GS a`` mask in force (0: Automatic Status Back is off)."""
        with self._lock:
            return self._status.asb_mask

    # ----------------------------------------------------------------- public: faults
    def set_faults(self, **changes: bool) -> None:
        """Change several fault switches at once, e.g. ``set_faults(paper_out=True)``."""
        with self._lock:
            self._status.faults = replace(self._status.faults, **changes)
            if self._status.faults.stops_printing and self._fw.page.has_content:
                self._fw.page.tainted = True
            self._status.status_changed(None)
        self._fire_listeners()

    def set_paper_near_end(self, on: bool = True) -> None:
        self.set_faults(paper_near_end=on)

    def set_paper_out(self, on: bool = True) -> None:
        self.set_faults(paper_out=on)

    def set_cover_open(self, on: bool = True) -> None:
        self.set_faults(cover_open=on)

    def set_offline(self, on: bool = True) -> None:
        self.set_faults(offline=on)

    def set_garbage(self, on: bool = True) -> None:
        self.set_faults(garbage=on)

    def set_silent(self, on: bool = True) -> None:
        """Never answer a status query (nor send Automatic Status Back); still print."""
        self.set_faults(silent=on)

    def clear_faults(self) -> None:
        with self._lock:
            self._status.faults = PrinterFaults()
            self._status.status_changed(None)
        self._fire_listeners()

    # ----------------------------------------------------------------- public: drawer
    def close_drawer(self) -> None:
        """The cashier pushes the drawer shut."""
        with self._lock:
            self._status.set_drawer(False, None, None)
        self._fire_listeners()

    def close(self) -> None:
        """Cancel the drawer's close timer (the sim stays usable)."""
        with self._lock:
            self._status.cancel_timer()

    # ----------------------------------------------------------------- public: output
    def add_output_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` (from any thread) when unsolicited output is queued."""
        with self._lock:
            self._listeners.append(listener)

    def remove_output_listener(self, listener: Callable[[], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def take_output(self) -> bytes:
        """Unsolicited output (Automatic Status Back after a fault or drawer change), drained."""
        with self._lock:
            self._status.check_deadline(None)
            out = bytes(self._status.outbox)
            self._status.outbox.clear()
        return out

    def status_byte(self, n: int) -> int:
        """The true ``DLE EOT n`` answer (what is sent when not answering garbage)."""
        with self._lock:
            return self._status.rt_status(n)

    def asb_status(self) -> bytes:
        """The true four Automatic Status Back bytes."""
        with self._lock:
            return self._status.asb_bytes()

    def power_cycle(self) -> None:
        """Switch off and on: buffers, modes, code page and ASB reset; paper and faults stay."""
        with self._lock:
            self._fw.power_cycle()
            self._status.reset_asb()

    # ----------------------------------------------------------------- public: the wire
    def feed(self, data: bytes) -> bytes:
        """Consume bytes from the host; return the printer's answers to them."""
        out = bytearray()
        with self._lock:
            self._status.check_deadline(out)
            self._fw.buf += data
            self._fw.parse(out)
        self._fire_listeners()
        return bytes(out)

    # ================================================================= internals

    # ================================================================= internals
    def _fire_listeners(self) -> None:
        with self._lock:
            if not self._status.notify:
                return
            self._status.notify = False
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def _on_drawer_timer(self) -> None:
        with self._lock:
            self._status.timer_fired()
        self._fire_listeners()
