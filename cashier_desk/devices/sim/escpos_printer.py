"""A simulated ESC/POS receipt printer with a cash drawer on its drawer-kick port.

:class:`EscPosPrinterSim` is a pure protocol engine: bytes go in through :meth:`feed` (in chunks
of any size; a command split across two feeds is kept in a parse buffer), answers come back as
bytes.  It parses what python-escpos sends with a command-length table, so every command's
parameters and payloads (raster images, QR data, graphics) are skipped exactly; a command it
does not know is recorded in :attr:`unknown_commands` and only its ESC/GS/FS/DLE byte is
skipped, so parsing recovers.  It knows nothing about wires: ``transports.py`` puts it behind a
pseudo-terminal or a TCP socket, the way a real printer sits behind a serial or network port.

What it keeps:

* the text of each receipt, line by line with the style each line started with (bold, size,
  alignment, …), decoded with the code page selected by ``ESC t``; a receipt is closed by a cut
  (``GS V``) and appended to :attr:`receipts` (:class:`SimReceipt`);
* the barcodes (``GS k``, decoded — CODE128's ``{A``/``{B``/``{C`` code sets included) and
  native QR/PDF417 codes (``GS ( k``) printed on each receipt;
* a cash drawer on the drawer-kick connector: ``ESC p`` and ``DLE DC4 1`` pulse it open; it
  closes after :attr:`drawer_close_after` seconds, or when :meth:`close_drawer` is called.

It answers the status commands like an Epson TM printer: ``DLE EOT 1..4`` (real-time status, one
byte each, bits below), ``GS a`` (Automatic Status Back: four bytes whenever an enabled status
changes, plus once when enabled), ``GS r``, ``ESC v``/``ESC u`` and ``GS I``.

Faults (:class:`PrinterFaults`) are switched with the ``set_*`` methods: paper near end, paper
out, cover open, offline, "garbage" (status answers become random junk) and "silent" (a printer
on a one-way link: it takes every byte but never answers a status query).  While the paper is
out, the cover open or the printer offline, everything except the real-time commands (``DLE EOT``,
``DLE ENQ``, ``DLE DC4``) is discarded — so ``ESC p`` does not open the drawer but ``DLE DC4 1``
does, as on a real printer — and the receipt being printed is marked incomplete.

Real-time status bytes (``DLE EOT n``; bits 1 and 4 are always 1, bits 0 and 7 always 0, which
is how a host tells a status byte from junk)::

    n=1 printer   bit2 drawer-kick connector pin 3 HIGH   bit3 offline
    n=2 offline   bit2 cover open   bit5 printing stopped by paper end   bit6 error
    n=3 error     (no error is ever simulated: always 0x12)
    n=4 paper     bits 2+3 paper near end   bits 5+6 paper end

python-escpos reads these with ``RT_MASK_ONLINE`` (8), ``RT_MASK_LOWPAPER`` (30) and
``RT_MASK_NOPAPER`` (114): 0x12 is "online, paper adequate", 0x1E "paper ending", 0x7E "no
paper" (when the roll is out the near-end sensor sees no paper either).

A receipt that is interrupted by a fault is never appended as complete.  After a fault has
discarded data, whatever prints next belongs to the interrupted job and its receipt is appended
with ``complete=False`` at the next cut — unless the host starts a fresh job with ``ESC @``, which
closes the interrupted piece (as an incomplete receipt without a cut) and starts clean.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TypeAlias

from PIL import Image, ImageDraw, ImageFont

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

NUL = 0x00
EOT = 0x04
ENQ = 0x05
HT = 0x09
LF = 0x0A
FF = 0x0C
CR = 0x0D
DLE = 0x10
DC4 = 0x14
ESC = 0x1B
FS = 0x1C
GS = 0x1D

Align = Literal["left", "center", "right"]
CutKind = Literal["full", "partial"]

#: ESC t n → Python codec, numbered as in Epson's code page table (and python-escpos's default
#: profile).  Anything else selected with ESC t is recorded as unknown and decoded as CP437.
CODE_PAGES: dict[int, str] = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    13: "cp857",
    14: "cp737",
    15: "iso8859_7",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
    21: "cp874",
    32: "cp720",
    33: "cp775",
    34: "cp855",
    35: "cp861",
    36: "cp862",
    37: "cp864",
    38: "cp869",
    39: "iso8859_2",
    40: "iso8859_15",
    44: "cp1125",
    45: "cp1250",
    46: "cp1251",
    47: "cp1253",
    48: "cp1254",
    49: "cp1255",
    50: "cp1256",
    51: "cp1257",
    52: "cp1258",
    53: "kz1048",
}

#: GS k m → barcode kind, named as python-escpos names them.
BARCODE_KINDS: dict[int, str] = {
    0: "UPC-A",
    1: "UPC-E",
    2: "EAN13",
    3: "EAN8",
    4: "CODE39",
    5: "ITF",
    6: "CODABAR",
    65: "UPC-A",
    66: "UPC-E",
    67: "EAN13",
    68: "EAN8",
    69: "CODE39",
    70: "ITF",
    71: "CODABAR",
    72: "CODE93",
    73: "CODE128",
    74: "GS1-128",
    75: "GS1 DATABAR OMNIDIRECTIONAL",
    76: "GS1 DATABAR TRUNCATED",
    77: "GS1 DATABAR LIMITED",
    78: "GS1 DATABAR EXPANDED",
}

# The command-length table.  Fixed: (prefix, code) → number of parameter bytes after the two
# command bytes.  Variable-length commands are measured by the functions further down.
_FIXED: dict[tuple[int, int], int] = {
    # ESC
    (ESC, 0x20): 1,  # ESC SP n      right-side character spacing
    (ESC, 0x21): 1,  # ESC ! n       print mode
    (ESC, 0x24): 2,  # ESC $ nL nH   absolute position
    (ESC, 0x25): 1,  # ESC % n       user-defined characters on/off
    (ESC, 0x2B): 1,  # ESC + n       line spacing n/360 (python-escpos)
    (ESC, 0x2D): 1,  # ESC - n       underline
    (ESC, 0x32): 0,  # ESC 2         default line spacing
    (ESC, 0x33): 1,  # ESC 3 n       line spacing
    (ESC, 0x3C): 0,  # ESC <         return home
    (ESC, 0x3D): 1,  # ESC = n       select peripheral device
    (ESC, 0x3F): 1,  # ESC ? n       cancel user-defined character
    (ESC, 0x40): 0,  # ESC @         initialize
    (ESC, 0x41): 1,  # ESC A n       line spacing n/60 (python-escpos)
    (ESC, 0x42): 2,  # ESC B n t     buzzer
    (ESC, 0x45): 1,  # ESC E n       emphasized
    (ESC, 0x47): 1,  # ESC G n       double-strike
    (ESC, 0x4A): 1,  # ESC J n       print and feed n dots
    (ESC, 0x4B): 1,  # ESC K n       (slip) eject / reverse feed
    (ESC, 0x4C): 0,  # ESC L         page mode
    (ESC, 0x4D): 1,  # ESC M n       font
    (ESC, 0x52): 1,  # ESC R n       international character set
    (ESC, 0x53): 0,  # ESC S         standard mode
    (ESC, 0x54): 1,  # ESC T n       page-mode direction
    (ESC, 0x55): 1,  # ESC U n       unidirectional printing
    (ESC, 0x56): 1,  # ESC V n       90° rotation
    (ESC, 0x57): 8,  # ESC W ...     page-mode area
    (ESC, 0x5C): 2,  # ESC \ nL nH   relative position
    (ESC, 0x61): 1,  # ESC a n       justification
    (ESC, 0x64): 1,  # ESC d n       print and feed n lines
    (ESC, 0x65): 1,  # ESC e n       print and reverse feed
    (ESC, 0x66): 2,  # ESC f t1 t2   slip wait time
    (ESC, 0x69): 0,  # ESC i         partial cut (legacy)
    (ESC, 0x6D): 0,  # ESC m         partial cut (legacy)
    (ESC, 0x70): 3,  # ESC p m t1 t2 generate pulse (drawer kick)
    (ESC, 0x72): 1,  # ESC r n       colour
    (ESC, 0x74): 1,  # ESC t n       code page
    (ESC, 0x75): 1,  # ESC u n       transmit peripheral (drawer) status
    (ESC, 0x76): 0,  # ESC v         transmit paper sensor status
    (ESC, 0x7B): 1,  # ESC { n       upside-down
    # GS
    (GS, 0x21): 1,  # GS ! n        character size
    (GS, 0x24): 2,  # GS $          absolute vertical position (page mode)
    (GS, 0x2F): 1,  # GS / m        print downloaded bit image
    (GS, 0x3A): 0,  # GS :          macro definition start/end
    (GS, 0x42): 1,  # GS B n        white/black reverse
    (GS, 0x48): 1,  # GS H n        HRI position
    (GS, 0x49): 1,  # GS I n        transmit printer ID
    (GS, 0x4C): 2,  # GS L nL nH    left margin
    (GS, 0x50): 2,  # GS P x y      motion units
    (GS, 0x54): 1,  # GS T n        print position to line start
    (GS, 0x57): 2,  # GS W nL nH    print area width
    (GS, 0x5C): 2,  # GS \          relative vertical position (page mode)
    (GS, 0x5E): 3,  # GS ^          execute macro
    (GS, 0x61): 1,  # GS a n        Automatic Status Back
    (GS, 0x62): 1,  # GS b n        smoothing
    (GS, 0x66): 1,  # GS f n        HRI font
    (GS, 0x68): 1,  # GS h n        barcode height
    (GS, 0x72): 1,  # GS r n        transmit status
    (GS, 0x77): 1,  # GS w n        barcode module width
    (GS, 0x7C): 1,  # GS | n        print density
    # FS
    (FS, 0x21): 1,  # FS ! n        kanji print mode
    (FS, 0x26): 0,  # FS &          kanji mode on
    (FS, 0x2D): 1,  # FS - n        kanji underline
    (FS, 0x2E): 0,  # FS .          kanji mode off
    (FS, 0x43): 1,  # FS C n        kanji code system
    (FS, 0x53): 2,  # FS S n1 n2    kanji spacing
    (FS, 0x57): 1,  # FS W n        kanji quadruple size
    (FS, 0x70): 2,  # FS p n m      print NV bit image
    # DLE (real-time)
    (DLE, EOT): 1,  # DLE EOT n     real-time status
    (DLE, ENQ): 1,  # DLE ENQ n     real-time request
}

_LengthFn = Callable[[bytearray, int], int | None]


def _u16(buf: bytes | bytearray, at: int) -> int:
    return buf[at] + 256 * buf[at + 1]


def _len_paren(buf: bytearray, pos: int) -> int | None:
    """ESC/GS/FS ( X pL pH d1..dk — k = pL + 256·pH."""
    if len(buf) - pos < 5:
        return None
    return 5 + _u16(buf, pos + 3)


def _len_esc_star(buf: bytearray, pos: int) -> int | None:
    """ESC * m nL nH d1..dk — bit image, k = columns × (1 or 3 bytes per column)."""
    if len(buf) - pos < 5:
        return None
    m = buf[pos + 2]
    per_column = {0: 1, 1: 1, 32: 3, 33: 3}.get(m)
    if per_column is None:
        return 0
    return 5 + _u16(buf, pos + 3) * per_column


def _len_esc_d_tabs(buf: bytearray, pos: int) -> int | None:
    """ESC D n1..nk NUL — at most 32 tab positions."""
    end = buf.find(b"\x00", pos + 2, pos + 2 + 33)
    if end < 0:
        return None if len(buf) - pos < 2 + 33 else 0
    return end + 1 - pos


def _len_esc_c(buf: bytearray, pos: int) -> int | None:
    """ESC c 0/1/3/4/5 n — paper and panel settings."""
    if len(buf) - pos < 4:
        return None
    return 4 if buf[pos + 2] in b"01345" else 0


def _len_gs_v_cut(buf: bytearray, pos: int) -> int | None:
    """GS V m (m = 0, 1, 48, 49) or GS V m n (m = 65, 66, 97, 98, 103, 104)."""
    if len(buf) - pos < 3:
        return None
    m = buf[pos + 2]
    if m in (0, 1, 48, 49):
        return 3
    if m in (65, 66, 97, 98, 103, 104):
        return 4 if len(buf) - pos >= 4 else None
    return 0


def _len_gs_k_barcode(buf: bytearray, pos: int) -> int | None:
    """GS k m d1..dk NUL (m = 0..6) or GS k m n d1..dn (m = 65..78)."""
    if len(buf) - pos < 3:
        return None
    m = buf[pos + 2]
    if m <= 6:
        end = buf.find(b"\x00", pos + 3, pos + 3 + 256)
        if end < 0:
            return None if len(buf) - pos < 3 + 256 else 0
        return end + 1 - pos
    if 65 <= m <= 78:
        if len(buf) - pos < 4:
            return None
        return 4 + buf[pos + 3]
    return 0


def _len_gs_v_raster(buf: bytearray, pos: int) -> int | None:
    """GS v 0 m xL xH yL yH d1..dk — k = (xL + 256·xH) × (yL + 256·yH)."""
    if len(buf) - pos < 3:
        return None
    if buf[pos + 2] != 0x30:
        return 0
    if len(buf) - pos < 8:
        return None
    return 8 + _u16(buf, pos + 4) * _u16(buf, pos + 6)


def _len_gs_8_graphics(buf: bytearray, pos: int) -> int | None:
    """GS 8 L p1 p2 p3 p4 m fn d1..dk — the 32-bit length counts from m."""
    if len(buf) - pos < 3:
        return None
    if buf[pos + 2] != 0x4C:
        return 0
    if len(buf) - pos < 7:
        return None
    return 7 + int.from_bytes(buf[pos + 3 : pos + 7], "little")


def _len_gs_star(buf: bytearray, pos: int) -> int | None:
    """GS * x y d1..dk — downloaded bit image, k = x × y × 8."""
    if len(buf) - pos < 4:
        return None
    return 4 + buf[pos + 2] * buf[pos + 3] * 8


def _len_dle_dc4(buf: bytearray, pos: int) -> int | None:
    """DLE DC4 fn ... — fn 1 (pulse: m t), 2 (power off: a b), 7 (a b c), 8 (d1..d7)."""
    if len(buf) - pos < 3:
        return None
    params = {1: 2, 2: 2, 7: 3, 8: 7}.get(buf[pos + 2])
    if params is None:
        return 0
    return 3 + params


_VARIABLE: dict[tuple[int, int], _LengthFn] = {
    (ESC, 0x28): _len_paren,
    (ESC, 0x2A): _len_esc_star,
    (ESC, 0x44): _len_esc_d_tabs,
    (ESC, 0x63): _len_esc_c,
    (GS, 0x28): _len_paren,
    (GS, 0x2A): _len_gs_star,
    (GS, 0x38): _len_gs_8_graphics,
    (GS, 0x56): _len_gs_v_cut,
    (GS, 0x6B): _len_gs_k_barcode,
    (GS, 0x76): _len_gs_v_raster,
    (FS, 0x28): _len_paren,
    (DLE, DC4): _len_dle_dc4,
}

_REAL_TIME = {(DLE, EOT), (DLE, ENQ), (DLE, DC4)}
_ALIGN: dict[int, Align] = {
    0: "left",
    1: "center",
    2: "right",
    48: "left",
    49: "center",
    50: "right",
}
_DEFAULT_TABS = tuple(range(8, 256, 8))
_OUTBOX_LIMIT = 4096


@dataclass(frozen=True)
class TextStyle:
    """The character style a printed line started with."""

    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    align: Align = "left"
    font: int = 0
    invert: bool = False
    upside_down: bool = False

    @property
    def double_width(self) -> bool:
        return self.width >= 2

    @property
    def double_height(self) -> bool:
        return self.height >= 2


@dataclass(frozen=True)
class SimLine:
    """One printed line: its text and the style it started with."""

    text: str
    style: TextStyle = TextStyle()

    @property
    def bold(self) -> bool:
        return self.style.bold

    @property
    def align(self) -> Align:
        return self.style.align

    @property
    def double_width(self) -> bool:
        return self.style.double_width

    @property
    def double_height(self) -> bool:
        return self.style.double_height


@dataclass(frozen=True)
class SimGraphic:
    """Something printed that is not text (a barcode, QR code or image), for rendering."""

    before_line: int
    kind: str
    label: str


@dataclass
class SimReceipt:
    """One piece of paper: the lines printed between two cuts.

    ``complete`` is False when a fault interrupted the job (see the module docstring); ``cut``
    is None for an interrupted piece that was closed by a new job's ``ESC @`` instead of a cut.
    """

    lines: list[SimLine]
    barcodes: list[tuple[str, str]]
    graphics: list[SimGraphic] = field(default_factory=list)
    cut: CutKind | None = "full"
    complete: bool = True

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class PrinterFaults:
    """The fault switches; change them through the ``EscPosPrinterSim.set_*`` methods."""

    paper_near_end: bool = False
    paper_out: bool = False
    cover_open: bool = False
    offline: bool = False
    garbage: bool = False
    silent: bool = False  # takes bytes, never answers (a one-way cable, a parallel port)

    @property
    def stops_printing(self) -> bool:
        return self.paper_out or self.cover_open or self.offline


def decode_code128(data: bytes) -> str:
    """Decode ESC/POS CODE128 data: ``{A``/``{B``/``{C`` select a code set, ``{{`` is ``{``.

    In code set C every byte is a value 0–99 printed as two digits.  The function characters
    (``{1``…``{4``, ``{S``) print nothing and are dropped.
    """
    out: list[str] = []
    code_set = "B"
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0x7B and i + 1 < len(data):
            nxt = data[i + 1]
            if nxt in b"ABC":
                code_set = chr(nxt)
            elif nxt == 0x7B:
                out.append("{")
            i += 2
            continue
        if code_set == "C":
            out.append(f"{b:02d}" if b < 100 else "?")
        else:
            out.append(chr(b))
        i += 1
    return "".join(out)


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
        self._rng = random.Random(seed)
        self.drawer_close_after = drawer_close_after
        self.drawer_pin = drawer_pin
        self.drawer_open_level_high = drawer_open_level_high
        self._faults = PrinterFaults()
        self._buf = bytearray()
        self._receipts: list[SimReceipt] = []
        self._unknown: list[bytes] = []
        self._outbox = bytearray()
        self._listeners: list[Callable[[], None]] = []
        self._notify = False
        # drawer
        self._drawer_open = False
        self._drawer_pulses = 0
        self._drawer_kicks: list[int] = []
        self._drawer_close_at: float | None = None
        self._drawer_timer: threading.Timer | None = None
        # counters
        self._cuts = 0
        self._discarded = 0
        # Automatic Status Back
        self._asb_mask = 0
        self._asb_last = self._asb_bytes()
        # modes (reset by ESC @)
        self._style = TextStyle()
        self._double_strike = False
        self._code_page = 0
        self._selected = True
        self._tabs: tuple[int, ...] = _DEFAULT_TABS
        self._qr_store: dict[int, bytes] = {}
        # the paper since the last cut
        self._lines: list[SimLine] = []
        self._line: list[str] = []
        self._line_style: TextStyle | None = None
        self._line_graphics = False
        self._barcodes: list[tuple[str, str]] = []
        self._graphics: list[SimGraphic] = []
        self._tainted = False

    # ----------------------------------------------------------------- public: state
    @property
    def faults(self) -> PrinterFaults:
        with self._lock:
            return self._faults

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
            lines = list(self._lines)
            if self._line:
                lines.append(SimLine("".join(self._line), self._line_style or self._style))
            return SimReceipt(
                lines, list(self._barcodes), list(self._graphics), None, not self._tainted
            )

    @property
    def drawer_open(self) -> bool:
        with self._lock:
            self._check_drawer_deadline(None)
            return self._drawer_open

    @property
    def drawer_pulses(self) -> int:
        """Pulses that reached the drawer (and so opened it, or found it open)."""
        with self._lock:
            return self._drawer_pulses

    @property
    def drawer_kicks(self) -> list[int]:
        """Every kick pulse the printer generated, by pin (2 or 5), in order."""
        with self._lock:
            return list(self._drawer_kicks)

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
            return self._asb_mask

    # ----------------------------------------------------------------- public: faults
    def set_faults(self, **changes: bool) -> None:
        """Change several fault switches at once, e.g. ``set_faults(paper_out=True)``."""
        with self._lock:
            self._faults = replace(self._faults, **changes)
            if self._faults.stops_printing and self._has_content():
                self._tainted = True
            self._status_changed(None)
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
            self._faults = PrinterFaults()
            self._status_changed(None)
        self._fire_listeners()

    # ----------------------------------------------------------------- public: drawer
    def close_drawer(self) -> None:
        """The cashier pushes the drawer shut."""
        with self._lock:
            self._set_drawer(False, None, None)
        self._fire_listeners()

    def close(self) -> None:
        """Cancel the drawer's close timer (the sim stays usable)."""
        with self._lock:
            self._cancel_drawer_timer()

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
            self._check_drawer_deadline(None)
            out = bytes(self._outbox)
            self._outbox.clear()
        return out

    def status_byte(self, n: int) -> int:
        """The true ``DLE EOT n`` answer (what is sent when not answering garbage)."""
        with self._lock:
            return self._rt_status(n)

    def asb_status(self) -> bytes:
        """The true four Automatic Status Back bytes."""
        with self._lock:
            return self._asb_bytes()

    def power_cycle(self) -> None:
        """Switch off and on: buffers, modes, code page and ASB reset; paper and faults stay."""
        with self._lock:
            self._buf.clear()
            self._line = []
            self._line_style = None
            self._reset_modes()
            self._asb_mask = 0
            self._asb_last = self._asb_bytes()

    # ----------------------------------------------------------------- public: the wire
    def feed(self, data: bytes) -> bytes:
        """Consume bytes from the host; return the printer's answers to them."""
        out = bytearray()
        with self._lock:
            self._check_drawer_deadline(out)
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

    def _reset_page(self) -> None:
        self._lines = []
        self._line = []
        self._line_style = None
        self._line_graphics = False
        self._barcodes = []
        self._graphics = []

    def _has_content(self) -> bool:
        return bool(self._lines or self._line or self._barcodes or self._graphics)

    def _fire_listeners(self) -> None:
        with self._lock:
            if not self._notify:
                return
            self._notify = False
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
                length = self._command_length(buf, pos)
                if length is None:
                    break  # the rest of the command has not arrived yet
                if length == 0:
                    self._unknown.append(bytes(buf[pos : pos + 2]))
                    pos += 1  # skip only the prefix byte; parsing recovers on what follows
                    continue
                cmd = bytes(buf[pos : pos + length])
                pos += length
                if (cmd[0], cmd[1]) in _REAL_TIME:
                    self._real_time(cmd, out)
                elif self._accepts(length, always=(cmd[0], cmd[1]) == (ESC, 0x3D)):
                    self._command(cmd, out)
                continue
            pos += 1
            if self._accepts(1):
                self._control(b)
        del buf[:pos]

    @staticmethod
    def _command_length(buf: bytearray, pos: int) -> int | None:
        """Total length of the command at ``pos``; None: incomplete; 0: unknown."""
        if len(buf) - pos < 2:
            return None
        key = (buf[pos], buf[pos + 1])
        fixed = _FIXED.get(key)
        if fixed is not None:
            return 2 + fixed if len(buf) - pos >= 2 + fixed else None
        measure = _VARIABLE.get(key)
        if measure is None:
            return 0
        length = measure(buf, pos)
        if length is not None and len(buf) - pos < length:
            return None  # known length, payload still arriving
        return length

    def _accepts(self, nbytes: int, always: bool = False) -> bool:
        """Whether to execute non-real-time data: not while stopped, nor while deselected."""
        if self._faults.stops_printing:
            self._discarded += nbytes
            self._tainted = True
            return False
        return self._selected or always

    # ----------------------------------------------------------------- text
    def _text(self, raw: bytes) -> None:
        table = _decode_table(self._code_page)
        if self._line_style is None:
            self._line_style = self._effective_style()
        self._line.extend(table[b] for b in raw)

    def _effective_style(self) -> TextStyle:
        if self._double_strike and not self._style.bold:
            return replace(self._style, bold=True)
        return self._style

    def _control(self, b: int) -> None:
        if b in (LF, FF):
            self._end_line()
        elif b == HT:
            column = len(self._line)
            stop = next((t for t in self._tabs if t > column), None)
            if stop is not None:
                if self._line_style is None:
                    self._line_style = self._effective_style()
                self._line.extend(" " * (stop - column))
        # CR, NUL, BEL and other control codes print nothing

    def _end_line(self) -> None:
        """Print the line buffer and feed one line (a blank line when the buffer is empty)."""
        if self._line or not self._line_graphics:
            style = self._line_style or self._effective_style()
            self._lines.append(SimLine("".join(self._line), style))
        self._line = []
        self._line_style = None
        self._line_graphics = False

    def _flush_partial(self) -> None:
        if self._line:
            self._end_line()

    def _mark_graphic(self, kind: str, label: str) -> None:
        """A barcode or raster image: printed at once, on its own, below the pending text."""
        self._flush_partial()
        self._graphics.append(SimGraphic(len(self._lines), kind, label))

    # ----------------------------------------------------------------- commands
    def _command(self, cmd: bytes, out: bytearray) -> None:
        prefix, code = cmd[0], cmd[1]
        if prefix == ESC:
            self._esc(code, cmd[2:], out)
        elif prefix == GS:
            self._gs(code, cmd[2:], out)
        elif prefix == FS and code == 0x70:
            self._mark_graphic("image", f"NV image {cmd[2]}")
        # other FS commands (kanji modes) print nothing

    def _esc(self, code: int, p: bytes, out: bytearray) -> None:
        s = self._style
        if code == 0x40:  # ESC @
            if self._tainted:
                if self._has_content():
                    self._close_receipt(None)
                self._tainted = False
            self._line = []
            self._line_style = None
            self._line_graphics = False
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
            self._style = replace(s, align=_ALIGN.get(p[0], s.align))
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
            if self._line:
                self._end_line()
                feeds -= 1
            for _ in range(max(feeds, 0)):
                self._end_line()
        elif code in (0x4A, 0x65):  # ESC J n / ESC e n: print and feed (dots / reverse)
            self._flush_partial()
        elif code == 0x44:  # ESC D n1..nk NUL
            self._tabs = tuple(p[:-1])
        elif code == 0x2A:  # ESC * bit image: goes into the line buffer, printed by LF
            self._line_graphics = True
            if not self._graphics or self._graphics[-1].before_line != len(self._lines):
                self._graphics.append(SimGraphic(len(self._lines), "image", "bit image"))
        elif code == 0x70:  # ESC p m t1 t2
            self._kick(2 if p[0] in (0, 48) else 5, out)
        elif code in (0x69, 0x6D):  # ESC i / ESC m
            self._cut("partial")
        elif code == 0x3D:  # ESC = n
            self._selected = bool(p[0] & 1)
        elif code == 0x75:  # ESC u n: drawer status, bit 0 = pin 3
            out += self._answer(bytes((1 if self._pin3_high() else 0,)))
        elif code == 0x76:  # ESC v: paper sensor status
            out += self._answer(bytes((self._paper_sensor_bits(),)))
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
            width, height = _u16(p, 2) * 8, _u16(p, 4)
            self._mark_graphic("image", f"raster {width}x{height}")
        elif code == 0x28:  # GS ( X pL pH ...
            self._gs_paren(p)
        elif code == 0x38:  # GS 8 L
            if len(p) >= 7 and p[6] == 0x32:
                self._mark_graphic("image", "graphics")
        elif code == 0x2F:  # GS / m
            self._mark_graphic("image", "downloaded bit image")
        elif code == 0x61:  # GS a n
            self._asb_mask = p[0] & 0x0F
            self._asb_last = self._asb_bytes()
            if self._asb_mask:
                out += self._answer(self._asb_last)
        elif code == 0x72:  # GS r n
            if p[0] in (1, 49):
                out += self._answer(bytes((self._paper_sensor_bits(),)))
            elif p[0] in (2, 50):
                out += self._answer(bytes((1 if self._pin3_high() else 0,)))
        elif code == 0x49:  # GS I n
            out += self._answer(_printer_id(p[0]))

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
                self._barcodes.append((kind, data))
                self._mark_graphic("barcode", f"{kind} {data}")
        elif function == 0x4C and len(body) >= 2 and body[1] in (2, 50):  # GS ( L: print
            self._mark_graphic("image", "graphics")

    def _barcode(self, p: bytes) -> None:
        m = p[0]
        data = p[1:-1] if m <= 6 else p[2:]
        kind = BARCODE_KINDS.get(m, f"BARCODE-{m}")
        text = decode_code128(data) if m == 73 else data.decode("latin-1")
        self._barcodes.append((kind, text))
        self._mark_graphic("barcode", f"{kind} {text}")

    def _cut(self, kind: CutKind) -> None:
        self._flush_partial()
        self._cuts += 1
        if self._has_content():
            self._close_receipt(kind)
        self._tainted = False

    def _close_receipt(self, cut: CutKind | None) -> None:
        lines = list(self._lines)
        if self._line:
            lines.append(SimLine("".join(self._line), self._line_style or self._style))
        while lines and not lines[-1].text.strip():  # the feed before the cut is paper, not text
            lines.pop()
        graphics = [replace(g, before_line=min(g.before_line, len(lines))) for g in self._graphics]
        receipt = SimReceipt(lines, list(self._barcodes), graphics, cut, not self._tainted)
        if lines or receipt.barcodes or graphics:
            self._receipts.append(receipt)
        self._reset_page()

    # ----------------------------------------------------------------- real-time commands
    def _real_time(self, cmd: bytes, out: bytearray) -> None:
        code = cmd[1]
        if code == EOT:
            n = cmd[2]
            if 1 <= n <= 4:
                out += self._answer(bytes((self._rt_status(n),)))
            else:
                self._unknown.append(cmd)
        elif code == DC4 and cmd[2] == 1:  # DLE DC4 1 m t: pulse, even when offline
            self._kick(2 if cmd[3] in (0, 48) else 5, out)
        # DLE ENQ (recover / clear) and the other DLE DC4 functions: nothing to simulate

    def _answer(self, true_answer: bytes) -> bytes:
        if self._faults.silent:
            return b""
        if not self._faults.garbage:
            return true_answer
        junk = bytearray(self._rng.randbytes(self._rng.randint(1, 4)))
        if junk[0] & 0x93 in (0x12, 0x10):  # never let junk pass for a status byte
            junk[0] ^= 0x80
        return bytes(junk)

    def _pin3_high(self) -> bool:
        return self._drawer_open == self.drawer_open_level_high

    def _paper_sensor_bits(self) -> int:
        f = self._faults
        bits = 0x03 if (f.paper_near_end or f.paper_out) else 0
        return bits | (0x0C if f.paper_out else 0)

    def _rt_status(self, n: int) -> int:
        f = self._faults
        value = 0x12
        if n == 1:
            value |= 0x04 if self._pin3_high() else 0
            value |= 0x08 if f.stops_printing else 0
        elif n == 2:
            value |= 0x04 if f.cover_open else 0
            value |= 0x20 if f.paper_out else 0
        elif n == 4:
            value |= 0x0C if (f.paper_near_end or f.paper_out) else 0
            value |= 0x60 if f.paper_out else 0
        return value

    def _asb_bytes(self) -> bytes:
        f = self._faults
        first = 0x10
        first |= 0x04 if self._pin3_high() else 0
        first |= 0x08 if f.stops_printing else 0
        first |= 0x20 if f.cover_open else 0
        return bytes((first, 0x00, self._paper_sensor_bits(), 0x00))

    def _status_changed(self, out: bytearray | None) -> None:
        """Send an ASB status when an enabled category changed (to ``out`` or the outbox)."""
        now = self._asb_bytes()
        before, self._asb_last = self._asb_last, now
        mask = self._asb_mask
        changed = (
            (mask & 1 and (now[0] ^ before[0]) & 0x04)  # drawer-kick connector pin 3
            or (mask & 2 and (now[0] ^ before[0]) & 0x68)  # online/offline, cover, feed
            or (mask & 4 and now[1] != before[1])  # errors
            or (mask & 8 and now[2] != before[2])  # roll paper sensor
        )
        if not changed:
            return
        answer = self._answer(now)
        if out is not None:
            out += answer
        else:
            self._outbox += answer
            del self._outbox[:-_OUTBOX_LIMIT]
            self._notify = True

    # ----------------------------------------------------------------- drawer
    def _kick(self, pin: int, out: bytearray | None) -> None:
        self._drawer_kicks.append(pin)
        if self.drawer_pin is not None and pin != self.drawer_pin:
            return
        self._drawer_pulses += 1
        deadline = None
        if self.drawer_close_after is not None:
            deadline = time.monotonic() + self.drawer_close_after
        self._set_drawer(True, deadline, out)
        if self.drawer_close_after is not None:
            timer = threading.Timer(self.drawer_close_after, self._on_drawer_timer)
            timer.daemon = True
            self._drawer_timer = timer
            timer.start()

    def _set_drawer(self, is_open: bool, deadline: float | None, out: bytearray | None) -> None:
        self._cancel_drawer_timer()
        self._drawer_close_at = deadline
        if self._drawer_open != is_open:
            self._drawer_open = is_open
            self._status_changed(out)

    def _cancel_drawer_timer(self) -> None:
        if self._drawer_timer is not None:
            self._drawer_timer.cancel()
            self._drawer_timer = None

    def _check_drawer_deadline(self, out: bytearray | None) -> None:
        if self._drawer_close_at is not None and time.monotonic() >= self._drawer_close_at:
            self._drawer_close_at = None
            self._cancel_drawer_timer()
            if self._drawer_open:
                self._drawer_open = False
                self._status_changed(out)

    def _on_drawer_timer(self) -> None:
        with self._lock:
            self._drawer_timer = None
            self._check_drawer_deadline(None)
        self._fire_listeners()


def _printer_id(n: int) -> bytes:
    """GS I n: model/type/version bytes, or a ``_``-framed string for n = 65..69."""
    fixed = {1: 0x20, 49: 0x20, 2: 0x02, 50: 0x02, 3: 0x01, 51: 0x01}
    if n in fixed:
        return bytes((fixed[n],))
    names = {65: "SIM 1.0", 66: "cashier_desk", 67: "ESC/POS SIM", 68: "0000000001"}
    if n in names:
        return b"_" + names[n].encode("ascii") + b"\x00"
    return b""


_TABLES: dict[int, str] = {}


def _decode_table(code_page: int) -> str:
    table = _TABLES.get(code_page)
    if table is None:
        codec = CODE_PAGES.get(code_page, "cp437")
        table = "".join(bytes((b,)).decode(codec, errors="replace") for b in range(256))
        _TABLES[code_page] = table
    return table


# --------------------------------------------------------------------------------- rendering
_MARGIN = 8
_FONT_PX = 14


def render_png(receipt: SimReceipt, path: Path | str, columns: int = 42) -> Path:
    """Draw ``receipt`` as a paper strip ``columns`` characters wide and save it as a PNG.

    Lines wider than the paper wrap as on a printer; double width halves the characters per
    line.  Barcodes, QR codes and images are drawn as labelled hatched boxes.
    """
    font = _load_font()
    cell_w = max(1, math.ceil(font.getlength("M")))
    cell_h = _FONT_PX + 4
    paper_w = columns * cell_w
    rows: list[Image.Image] = []
    graphics = sorted(receipt.graphics, key=lambda g: g.before_line)
    for index in range(len(receipt.lines) + 1):
        rows.extend(
            _graphic_row(g, paper_w, cell_h, font) for g in graphics if g.before_line == index
        )
        if index < len(receipt.lines):
            rows.extend(_text_rows(receipt.lines[index], columns, cell_w, cell_h, font))
    height = sum(r.height for r in rows) + 2 * _MARGIN
    page = Image.new("L", (paper_w + 2 * _MARGIN, max(height, cell_h)), 255)
    y = _MARGIN
    for row in rows:
        page.paste(row, (_MARGIN, y))
        y += row.height
    target = Path(path)
    page.save(target, format="PNG")
    return target


_Font: TypeAlias = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _load_font() -> _Font:
    """A monospaced system font if there is one, else Pillow's default (drawn in cells)."""
    try:
        return ImageFont.truetype("DejaVuSansMono.ttf", _FONT_PX)
    except (ImportError, OSError):
        pass
    try:
        return ImageFont.load_default(size=_FONT_PX)
    except (ImportError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default_imagefont()


def _draw_text(
    draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, font: _Font, ink: int
) -> None:
    try:
        draw.text(xy, text, fill=ink, font=font)
    except UnicodeEncodeError:  # the bitmap fallback font knows Latin-1 only
        safe = text.encode("latin-1", errors="replace").decode("latin-1")
        draw.text(xy, safe, fill=ink, font=font)


def _text_rows(
    line: SimLine, columns: int, cell_w: int, cell_h: int, font: _Font
) -> list[Image.Image]:
    style = line.style
    per_row = max(1, columns // style.width)
    chunks = [line.text[i : i + per_row] for i in range(0, len(line.text), per_row)] or [""]
    paper_w = columns * cell_w
    rows = []
    for chunk in chunks:
        glyphs = Image.new("L", (max(1, len(chunk)) * cell_w, cell_h), 0 if style.invert else 255)
        draw = ImageDraw.Draw(glyphs)
        ink = 255 if style.invert else 0
        for i, ch in enumerate(chunk):
            _draw_text(draw, (i * cell_w, 1), ch, font, ink)
            if style.bold:
                _draw_text(draw, (i * cell_w + 1, 1), ch, font, ink)
        if style.underline and chunk:
            draw.line(
                (0, cell_h - 2, len(chunk) * cell_w, cell_h - 2), fill=ink, width=style.underline
            )
        if style.width > 1 or style.height > 1:
            glyphs = glyphs.resize(
                (glyphs.width * style.width, cell_h * style.height), Image.Resampling.NEAREST
            )
        if style.upside_down:
            glyphs = glyphs.rotate(180)
        row = Image.new("L", (paper_w, glyphs.height), 255)
        used = len(chunk) * cell_w * style.width
        x = {"left": 0, "center": (paper_w - used) // 2, "right": paper_w - used}[style.align]
        row.paste(glyphs.crop((0, 0, max(1, used), glyphs.height)), (max(0, x), 0))
        rows.append(row)
    return rows


def _graphic_row(graphic: SimGraphic, paper_w: int, cell_h: int, font: _Font) -> Image.Image:
    row = Image.new("L", (paper_w, cell_h * 3), 255)
    draw = ImageDraw.Draw(row)
    left, right = paper_w // 6, paper_w - paper_w // 6
    for x in range(left, right, 3 if graphic.kind == "barcode" else 6):
        draw.line((x, 2, x, cell_h * 2 - 2), fill=0, width=1)
    draw.rectangle((left, 1, right, cell_h * 2 - 1), outline=0)
    label = graphic.label[: max(1, paper_w // max(1, math.ceil(font.getlength("M"))))]
    _draw_text(draw, (left, cell_h * 2), label, font, 0)
    return row
