"""The ESC/POS printer's firmware: the command parser and what each command does to the paper.

:class:`Firmware` takes the bytes the host sent (:attr:`Firmware.buf`, a command split across
two feeds waits there for its rest), parses them with the command-length table of
``escpos_codes.py`` and carries them out: text and modes onto the :class:`Page`, cuts into
:attr:`Firmware.receipts`, status queries and drawer kicks to the :class:`StatusPort`.  It holds
no lock and knows no wire: :class:`~cashier_desk.devices.sim.escpos_printer.EscPosPrinterSim`
calls it under its lock.
"""

from __future__ import annotations

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
from cashier_desk.devices.sim.escpos_paper import Page, SimReceipt, TextStyle
from cashier_desk.devices.sim.escpos_status import STATUS_COMMANDS, StatusPort

_DEFAULT_TABS = tuple(range(8, 256, 8))


class Firmware:
    """The parser, the modes ``ESC @`` resets, and the paper; see the module docstring."""

    def __init__(self, status: StatusPort) -> None:
        self.status = status
        self.buf = bytearray()
        self.receipts: list[SimReceipt] = []
        self.unknown: list[bytes] = []
        self.cuts = 0
        self.discarded = 0  # bytes thrown away because a fault had stopped printing
        self.page = Page()  # the paper since the last cut
        # modes (reset by ESC @)
        self.style = TextStyle()
        self.double_strike = False
        self.code_page = 0
        self.selected = True
        self.tabs: tuple[int, ...] = _DEFAULT_TABS
        self.qr_store: dict[int, bytes] = {}

    def power_cycle(self) -> None:
        """What switching off loses: the input buffer, the unprinted line and the modes."""
        self.buf.clear()
        self.page.line = []
        self.page.line_style = None
        self.reset_modes()

    def reset_modes(self) -> None:
        self.style = TextStyle()
        self.double_strike = False
        self.code_page = 0
        self.selected = True
        self.tabs = _DEFAULT_TABS
        self.qr_store = {}

    # ----------------------------------------------------------------- parser
    def parse(self, out: bytearray) -> None:
        buf = self.buf
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
                    self.unknown.append(bytes(buf[pos : pos + 2]))
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
        if self.status.faults.stops_printing:
            self.discarded += nbytes
            self.page.tainted = True
            return False
        return self.selected or always

    # ----------------------------------------------------------------- text
    def _text(self, raw: bytes) -> None:
        table = decode_table(self.code_page)
        self.page.add_text("".join(table[b] for b in raw), self._effective_style())

    def _effective_style(self) -> TextStyle:
        if self.double_strike and not self.style.bold:
            return replace(self.style, bold=True)
        return self.style

    def _control(self, b: int) -> None:
        if b in (LF, FF):
            self.page.end_line(self._effective_style())
        elif b == HT:
            column = len(self.page.line)
            stop = next((t for t in self.tabs if t > column), None)
            if stop is not None:
                self.page.add_text(" " * (stop - column), self._effective_style())
        # CR, NUL, BEL and other control codes print nothing

    def _mark_graphic(self, kind: str, label: str) -> None:
        """A barcode or raster image: printed at once, on its own, below the pending text."""
        self.page.mark_graphic(kind, label, self._effective_style())

    # ----------------------------------------------------------------- commands
    def _command(self, cmd: bytes, out: bytearray) -> None:
        prefix, code = cmd[0], cmd[1]
        if (prefix, code) in STATUS_COMMANDS:
            out += self.status.query(prefix, code, cmd[2:])
        elif prefix == ESC:
            self._esc(code, cmd[2:], out)
        elif prefix == GS:
            self._gs(code, cmd[2:], out)
        elif prefix == FS and code == 0x70:
            self._mark_graphic("image", f"NV image {cmd[2]}")
        # other FS commands (kanji modes) print nothing

    def _esc(self, code: int, p: bytes, out: bytearray) -> None:
        s = self.style
        if code == 0x40:  # ESC @
            if self.page.tainted:
                if self.page.has_content:
                    self.close_receipt(None)
                self.page.tainted = False
            self.page.clear_line()
            self.reset_modes()
        elif code == 0x21:  # ESC ! n
            n = p[0]
            self.style = replace(
                s,
                font=n & 1,
                bold=bool(n & 0x08),
                height=2 if n & 0x10 else 1,
                width=2 if n & 0x20 else 1,
                underline=1 if n & 0x80 else 0,
            )
        elif code == 0x45:  # ESC E n
            self.style = replace(s, bold=bool(p[0] & 1))
        elif code == 0x47:  # ESC G n
            self.double_strike = bool(p[0] & 1)
        elif code == 0x2D:  # ESC - n
            self.style = replace(s, underline={1: 1, 2: 2, 49: 1, 50: 2}.get(p[0], 0))
        elif code == 0x61:  # ESC a n
            self.style = replace(s, align=ALIGN.get(p[0], s.align))
        elif code == 0x4D:  # ESC M n
            self.style = replace(s, font=p[0] - 48 if p[0] >= 48 else p[0])
        elif code == 0x7B:  # ESC { n
            self.style = replace(s, upside_down=bool(p[0] & 1))
        elif code == 0x74:  # ESC t n
            if p[0] not in CODE_PAGES:
                self.unknown.append(bytes((ESC, code, p[0])))
            self.code_page = p[0]
        elif code == 0x64:  # ESC d n: print the buffer and feed n lines
            feeds = p[0]
            if self.page.line:
                self.page.end_line(self._effective_style())
                feeds -= 1
            for _ in range(max(feeds, 0)):
                self.page.end_line(self._effective_style())
        elif code in (0x4A, 0x65):  # ESC J n / ESC e n: print and feed (dots / reverse)
            self.page.flush_partial(self._effective_style())
        elif code == 0x44:  # ESC D n1..nk NUL
            self.tabs = tuple(p[:-1])
        elif code == 0x2A:  # ESC * bit image: goes into the line buffer, printed by LF
            self.page.bit_image()
        elif code == 0x70:  # ESC p m t1 t2
            self.status.kick(2 if p[0] in (0, 48) else 5, out)
        elif code in (0x69, 0x6D):  # ESC i / ESC m
            self._cut("partial")
        elif code == 0x3D:  # ESC = n
            self.selected = bool(p[0] & 1)
        # everything else in the table (spacing, positions, colour, …) changes nothing we keep

    def _gs(self, code: int, p: bytes, out: bytearray) -> None:
        s = self.style
        if code == 0x21:  # GS ! n
            self.style = replace(s, width=((p[0] >> 4) & 7) + 1, height=(p[0] & 7) + 1)
        elif code == 0x42:  # GS B n
            self.style = replace(s, invert=bool(p[0] & 1))
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
                self.qr_store[cn] = body[3:]
            elif fn == 81:  # print the stored symbol
                kind = {0x30: "PDF417", 0x31: "QR"}.get(cn, f"2D-{cn}")
                data = self.qr_store.get(cn, b"").decode("utf-8", errors="replace")
                self.page.add_barcode(kind, data, self._effective_style())
        elif function == 0x4C and len(body) >= 2 and body[1] in (2, 50):  # GS ( L: print
            self._mark_graphic("image", "graphics")

    def _barcode(self, p: bytes) -> None:
        m = p[0]
        data = p[1:-1] if m <= 6 else p[2:]
        kind = BARCODE_KINDS.get(m, f"BARCODE-{m}")
        text = decode_code128(data) if m == 73 else data.decode("latin-1")
        self.page.add_barcode(kind, text, self._effective_style())

    def _cut(self, kind: CutKind) -> None:
        self.page.flush_partial(self._effective_style())
        self.cuts += 1
        if self.page.has_content:
            self.close_receipt(kind)
        self.page.tainted = False

    def close_receipt(self, cut: CutKind | None) -> None:
        receipt = self.page.take(cut, self.style)
        if receipt is not None:
            self.receipts.append(receipt)

    # ----------------------------------------------------------------- real-time commands
    def _real_time(self, cmd: bytes, out: bytearray) -> None:
        if not self.status.real_time(cmd, out):
            self.unknown.append(cmd)
