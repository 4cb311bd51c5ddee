"""ESC/POS as the simulated printer reads it: the bytes, the command-length table, code pages.

The length table lets the parser skip every command's parameters and payloads exactly (raster
images, QR data, graphics), so a command it does not use never derails what follows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

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


def u16(buf: bytes | bytearray, at: int) -> int:
    return buf[at] + 256 * buf[at + 1]


def _len_paren(buf: bytearray, pos: int) -> int | None:
    """ESC/GS/FS ( X pL pH d1..dk — k = pL + 256·pH."""
    if len(buf) - pos < 5:
        return None
    return 5 + u16(buf, pos + 3)


def _len_esc_star(buf: bytearray, pos: int) -> int | None:
    """ESC * m nL nH d1..dk — bit image, k = columns × (1 or 3 bytes per column)."""
    if len(buf) - pos < 5:
        return None
    m = buf[pos + 2]
    per_column = {0: 1, 1: 1, 32: 3, 33: 3}.get(m)
    if per_column is None:
        return 0
    return 5 + u16(buf, pos + 3) * per_column


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
    return 8 + u16(buf, pos + 4) * u16(buf, pos + 6)


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

REAL_TIME = {(DLE, EOT), (DLE, ENQ), (DLE, DC4)}
ALIGN: dict[int, Align] = {
    0: "left",
    1: "center",
    2: "right",
    48: "left",
    49: "center",
    50: "right",
}


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


def command_length(buf: bytearray, pos: int) -> int | None:
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


_TABLES: dict[int, str] = {}


def decode_table(code_page: int) -> str:
    table = _TABLES.get(code_page)
    if table is None:
        codec = CODE_PAGES.get(code_page, "cp437")
        table = "".join(bytes((b,)).decode(codec, errors="replace") for b in range(256))
        _TABLES[code_page] = table
    return table
