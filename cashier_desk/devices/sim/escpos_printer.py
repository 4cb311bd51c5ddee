"""A simulated ESC/POS receipt printer with a cash drawer on its drawer-kick port.

:class:`EscPosPrinterSim` is a pure protocol engine: bytes go in through :meth:`feed` (in chunks
of any size; a command split across two feeds is kept in a parse buffer), answers come back as
bytes.  It parses what python-escpos sends with a command-length table, so every command's
parameters and payloads (raster images, QR data, graphics) are skipped exactly; a command it
does not know is recorded in :attr:`unknown_commands` and only its ESC/GS/FS/DLE byte is
skipped, so parsing recovers.  It knows nothing about wires: ``transports.py`` puts it behind a
pseudo-terminal or a TCP socket, the way a real printer sits behind a serial or network port.

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

from cashier_desk.devices.sim.escpos_codes import (
    ALIGN,
    BARCODE_KINDS,
    CODE_PAGES,
    DLE,
    ESC,
    FF,
    FS,
    GS,
    HT,
    LF,
    REAL_TIME,
    CutKind,
    command_length,
    decode_code128,
    decode_table,
    u16,
)
from cashier_desk.devices.sim.escpos_paper import (
    Page,
    PrinterFaults,
    SimGraphic,
    SimLine,
    SimReceipt,
    TextStyle,
    render_png,
)
from cashier_desk.devices.sim.escpos_status import STATUS_COMMANDS, StatusPort

__all__ = [
    "CODE_PAGES",
    "EscPosPrinterSim",
    "PrinterFaults",
    "SimGraphic",
    "SimLine",
    "SimReceipt",
    "TextStyle",
    "render_png",
]

_DEFAULT_TABS = tuple(range(8, 256, 8))


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
        self._buf = bytearray()
        self._receipts: list[SimReceipt] = []
        self._unknown: list[bytes] = []
        self._listeners: list[Callable[[], None]] = []
        # counters
        self._cuts = 0
        self._discarded = 0
        # modes (reset by ESC @)
        self._style = TextStyle()
        self._double_strike = False
        self._code_page = 0
        self._selected = True
        self._tabs: tuple[int, ...] = _DEFAULT_TABS
        self._qr_store: dict[int, bytes] = {}
        self._page = Page()  # the paper since the last cut

    # ----------------------------------------------------------------- public: state
    @property
    def faults(self) -> PrinterFaults:
        with self._lock:
            return self._status.faults

    @property
    def receipts(self) -> list[SimReceipt]:
        """The receipts cut so far (a copy)."""
        with self._lock:
            return list(self._receipts)

    @property
    def unknown_commands(self) -> list[bytes]:
        """Commands it could not use: an unknown prefix + code, or an unsupported ESC t n."""
        with self._lock:
            return list(self._unknown)

    @property
    def in_progress(self) -> SimReceipt:
        """What is on the paper since the last cut (not yet a receipt)."""
        with self._lock:
            return self._page.snapshot(self._style)

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
            return self._cuts

    @property
    def discarded_bytes(self) -> int:
        """Bytes thrown away because a fault had stopped printing."""
        with self._lock:
            return self._discarded

    @property
    def code_page(self) -> int:
        with self._lock:
            return self._code_page

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
            if self._status.faults.stops_printing and self._page.has_content:
                self._page.tainted = True
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
            self._buf.clear()
            self._page.line = []
            self._page.line_style = None
            self._reset_modes()
            self._status.reset_asb()

    # ----------------------------------------------------------------- public: the wire
    def feed(self, data: bytes) -> bytes:
        """Consume bytes from the host; return the printer's answers to them."""
        out = bytearray()
        with self._lock:
            self._status.check_deadline(out)
            self._buf += data
            self._parse(out)
        self._fire_listeners()
        return bytes(out)

    # ================================================================= internals
    def _reset_modes(self) -> None:
        self._style = TextStyle()
        self._double_strike = False
        self._code_page = 0
        self._selected = True
        self._tabs = _DEFAULT_TABS
        self._qr_store = {}

    def _fire_listeners(self) -> None:
        with self._lock:
            if not self._status.notify:
                return
            self._status.notify = False
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    # ----------------------------------------------------------------- parser
    def _parse(self, out: bytearray) -> None:
        buf = self._buf
        pos = 0
        while pos < len(buf):
            b = buf[pos]
            if b >= 0x20:
                end = pos + 1
                while end < len(buf) and buf[end] >= 0x20:
                    end += 1
                if self._accepts(end - pos):
                    self._text(bytes(buf[pos:end]))
                pos = end
                continue
            if b in (ESC, GS, FS, DLE):
                length = command_length(buf, pos)
                if length is None:
                    break  # the rest of the command has not arrived yet
                if length == 0:
                    self._unknown.append(bytes(buf[pos : pos + 2]))
                    pos += 1  # skip only the prefix byte; parsing recovers on what follows
                    continue
                cmd = bytes(buf[pos : pos + length])
                pos += length
                if (cmd[0], cmd[1]) in REAL_TIME:
                    self._real_time(cmd, out)
                elif self._accepts(length, always=(cmd[0], cmd[1]) == (ESC, 0x3D)):
                    self._command(cmd, out)
                continue
            pos += 1
            if self._accepts(1):
                self._control(b)
        del buf[:pos]

    def _accepts(self, nbytes: int, always: bool = False) -> bool:
        """Whether to execute non-real-time data: not while stopped, nor while deselected."""
        if self._status.faults.stops_printing:
            self._discarded += nbytes
            self._page.tainted = True
            return False
        return self._selected or always

    # ----------------------------------------------------------------- text
    def _text(self, raw: bytes) -> None:
        table = decode_table(self._code_page)
        self._page.add_text("".join(table[b] for b in raw), self._effective_style())

    def _effective_style(self) -> TextStyle:
        if self._double_strike and not self._style.bold:
            return replace(self._style, bold=True)
        return self._style

    def _control(self, b: int) -> None:
        if b in (LF, FF):
            self._page.end_line(self._effective_style())
        elif b == HT:
            column = len(self._page.line)
            stop = next((t for t in self._tabs if t > column), None)
            if stop is not None:
                self._page.add_text(" " * (stop - column), self._effective_style())
        # CR, NUL, BEL and other control codes print nothing

    def _mark_graphic(self, kind: str, label: str) -> None:
        """A barcode or raster image: printed at once, on its own, below the pending text."""
        self._page.mark_graphic(kind, label, self._effective_style())

    # ----------------------------------------------------------------- commands
    def _command(self, cmd: bytes, out: bytearray) -> None:
        prefix, code = cmd[0], cmd[1]
        if (prefix, code) in STATUS_COMMANDS:
            out += self._status.query(prefix, code, cmd[2:])
        elif prefix == ESC:
            self._esc(code, cmd[2:], out)
        elif prefix == GS:
            self._gs(code, cmd[2:], out)
        elif prefix == FS and code == 0x70:
            self._mark_graphic("image", f"NV image {cmd[2]}")
        # other FS commands (kanji modes) print nothing

    def _esc(self, code: int, p: bytes, out: bytearray) -> None:
        s = self._style
        if code == 0x40:  # ESC @
            if self._page.tainted:
                if self._page.has_content:
                    self._close_receipt(None)
                self._page.tainted = False
            self._page.clear_line()
            self._reset_modes()
        elif code == 0x21:  # ESC ! n
            n = p[0]
            self._style = replace(
                s,
                font=n & 1,
                bold=bool(n & 0x08),
                height=2 if n & 0x10 else 1,
                width=2 if n & 0x20 else 1,
                underline=1 if n & 0x80 else 0,
            )
        elif code == 0x45:  # ESC E n
            self._style = replace(s, bold=bool(p[0] & 1))
        elif code == 0x47:  # ESC G n
            self._double_strike = bool(p[0] & 1)
        elif code == 0x2D:  # ESC - n
            self._style = replace(s, underline={1: 1, 2: 2, 49: 1, 50: 2}.get(p[0], 0))
        elif code == 0x61:  # ESC a n
            self._style = replace(s, align=ALIGN.get(p[0], s.align))
        elif code == 0x4D:  # ESC M n
            self._style = replace(s, font=p[0] - 48 if p[0] >= 48 else p[0])
        elif code == 0x7B:  # ESC { n
            self._style = replace(s, upside_down=bool(p[0] & 1))
        elif code == 0x74:  # ESC t n
            if p[0] not in CODE_PAGES:
                self._unknown.append(bytes((ESC, code, p[0])))
            self._code_page = p[0]
        elif code == 0x64:  # ESC d n: print the buffer and feed n lines
            feeds = p[0]
            if self._page.line:
                self._page.end_line(self._effective_style())
                feeds -= 1
            for _ in range(max(feeds, 0)):
                self._page.end_line(self._effective_style())
        elif code in (0x4A, 0x65):  # ESC J n / ESC e n: print and feed (dots / reverse)
            self._page.flush_partial(self._effective_style())
        elif code == 0x44:  # ESC D n1..nk NUL
            self._tabs = tuple(p[:-1])
        elif code == 0x2A:  # ESC * bit image: goes into the line buffer, printed by LF
            self._page.bit_image()
        elif code == 0x70:  # ESC p m t1 t2
            self._status.kick(2 if p[0] in (0, 48) else 5, out)
        elif code in (0x69, 0x6D):  # ESC i / ESC m
            self._cut("partial")
        elif code == 0x3D:  # ESC = n
            self._selected = bool(p[0] & 1)
        # everything else in the table (spacing, positions, colour, …) changes nothing we keep

    def _gs(self, code: int, p: bytes, out: bytearray) -> None:
        s = self._style
        if code == 0x21:  # GS ! n
            self._style = replace(s, width=((p[0] >> 4) & 7) + 1, height=(p[0] & 7) + 1)
        elif code == 0x42:  # GS B n
            self._style = replace(s, invert=bool(p[0] & 1))
        elif code == 0x56:  # GS V
            self._cut("partial" if p[0] in (1, 49, 66, 98, 104) else "full")
        elif code == 0x6B:  # GS k
            self._barcode(p)
        elif code == 0x76:  # GS v 0
            width, height = u16(p, 2) * 8, u16(p, 4)
            self._mark_graphic("image", f"raster {width}x{height}")
        elif code == 0x28:  # GS ( X pL pH ...
            self._gs_paren(p)
        elif code == 0x38:  # GS 8 L
            if len(p) >= 7 and p[6] == 0x32:
                self._mark_graphic("image", "graphics")
        elif code == 0x2F:  # GS / m
            self._mark_graphic("image", "downloaded bit image")

    def _gs_paren(self, p: bytes) -> None:
        function = p[0]
        body = p[3:]
        if function == 0x6B and len(body) >= 2:  # GS ( k: 2D codes
            cn, fn = body[0], body[1]
            if fn == 80 and len(body) >= 3:  # store the data (after m)
                self._qr_store[cn] = body[3:]
            elif fn == 81:  # print the stored symbol
                kind = {0x30: "PDF417", 0x31: "QR"}.get(cn, f"2D-{cn}")
                data = self._qr_store.get(cn, b"").decode("utf-8", errors="replace")
                self._page.add_barcode(kind, data, self._effective_style())
        elif function == 0x4C and len(body) >= 2 and body[1] in (2, 50):  # GS ( L: print
            self._mark_graphic("image", "graphics")

    def _barcode(self, p: bytes) -> None:
        m = p[0]
        data = p[1:-1] if m <= 6 else p[2:]
        kind = BARCODE_KINDS.get(m, f"BARCODE-{m}")
        text = decode_code128(data) if m == 73 else data.decode("latin-1")
        self._page.add_barcode(kind, text, self._effective_style())

    def _cut(self, kind: CutKind) -> None:
        self._page.flush_partial(self._effective_style())
        self._cuts += 1
        if self._page.has_content:
            self._close_receipt(kind)
        self._page.tainted = False

    def _close_receipt(self, cut: CutKind | None) -> None:
        receipt = self._page.take(cut, self._style)
        if receipt is not None:
            self._receipts.append(receipt)

    # ----------------------------------------------------------------- real-time commands
    def _real_time(self, cmd: bytes, out: bytearray) -> None:
        if not self._status.real_time(cmd, out):
            self._unknown.append(cmd)

    def _on_drawer_timer(self) -> None:
        with self._lock:
            self._status.timer_fired()
        self._fire_listeners()
