"""What the simulated printer put on paper — lines, styles, barcodes, receipts — and a PNG of it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeAlias

from PIL import Image, ImageDraw, ImageFont

from cashier_desk.devices.sim.escpos_codes import Align, CutKind


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


class Page:
    """The paper since the last cut: finished lines, the line being built, codes and images.

    ``tainted``: a fault discarded part of this job, so the receipt it ends in is incomplete.
    Methods that may finish a line take the style a line gets when none was set while building.
    """

    def __init__(self) -> None:
        self.tainted = False
        self.lines: list[SimLine] = []
        self.line: list[str] = []
        self.line_style: TextStyle | None = None
        self.line_graphics = False
        self.barcodes: list[tuple[str, str]] = []
        self.graphics: list[SimGraphic] = []

    def reset(self) -> None:
        self.lines = []
        self.barcodes = []
        self.graphics = []
        self.clear_line()

    def clear_line(self) -> None:
        self.line = []
        self.line_style = None
        self.line_graphics = False

    @property
    def has_content(self) -> bool:
        return bool(self.lines or self.line or self.barcodes or self.graphics)

    def add_text(self, chars: str, style: TextStyle) -> None:
        if self.line_style is None:
            self.line_style = style
        self.line.extend(chars)

    def end_line(self, style: TextStyle) -> None:
        """Print the line buffer and feed one line (a blank line when the buffer is empty)."""
        if self.line or not self.line_graphics:
            self.lines.append(SimLine("".join(self.line), self.line_style or style))
        self.clear_line()

    def flush_partial(self, style: TextStyle) -> None:
        if self.line:
            self.end_line(style)

    def mark_graphic(self, kind: str, label: str, style: TextStyle) -> None:
        """A barcode or raster image: printed at once, on its own, below the pending text."""
        self.flush_partial(style)
        self.graphics.append(SimGraphic(len(self.lines), kind, label))

    def add_barcode(self, kind: str, data: str, style: TextStyle) -> None:
        self.barcodes.append((kind, data))
        self.mark_graphic("barcode", f"{kind} {data}", style)

    def bit_image(self) -> None:
        """``ESC *``: an image in the line buffer, printed with the line."""
        self.line_graphics = True
        if not self.graphics or self.graphics[-1].before_line != len(self.lines):
            self.graphics.append(SimGraphic(len(self.lines), "image", "bit image"))

    def _all_lines(self, style: TextStyle) -> list[SimLine]:
        lines = list(self.lines)
        if self.line:
            lines.append(SimLine("".join(self.line), self.line_style or style))
        return lines

    def snapshot(self, style: TextStyle) -> SimReceipt:
        """What is on the paper now (not yet a receipt)."""
        lines = self._all_lines(style)
        return SimReceipt(lines, list(self.barcodes), list(self.graphics), None, not self.tainted)

    def take(self, cut: CutKind | None, style: TextStyle) -> SimReceipt | None:
        """End the page: the receipt it makes (None when nothing was printed); a fresh page."""
        lines = self._all_lines(style)
        while lines and not lines[-1].text.strip():  # the feed before the cut is paper, not text
            lines.pop()
        graphics = [replace(g, before_line=min(g.before_line, len(lines))) for g in self.graphics]
        receipt = SimReceipt(lines, list(self.barcodes), graphics, cut, not self.tainted)
        self.reset()
        return receipt if lines or receipt.barcodes or graphics else None


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
