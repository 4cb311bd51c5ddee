"""The one layout every report shares (operations.md, Reports): a title, a few lines saying
what the report is of, tables and bar charts in a PDF (reportlab's platypus and
``reportlab.graphics``), and the same figures as a CSV.

Tables are laid out by platypus, which measures each row before it draws it: the header's rule
is drawn in the padding under the header row and the rows start below it, so text never
touches a rule, and a table longer than a page goes on over the next with its header repeated.
Amounts reach reportlab as text (``str(Money)``) and, for a chart, as whole cents; never as a
float of money.  Files are written whole or not at all (a temporary file renamed into place).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cashier_desk.money import Money
from cashier_desk.reports.exports import write_csv

_FONT = "Helvetica"
_BOLD = "Helvetica-Bold"
_SIZE = 9
_CHART_WIDTH = 468  # points: the page's width (letter) less its margins
_BAR = 13  # points per bar of a chart
_CHART_MOST = 520  # the tallest a chart may be, to fit a page with its heading


@dataclass(frozen=True)
class Table:
    """A table: its heading, its column names, its rows of text; ``right`` the columns of
    figures (right-aligned); ``last_bold`` when the last row is a total."""

    heading: str
    header: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    right: frozenset[int] = frozenset()
    last_bold: bool = False
    empty: str = "None."


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of amounts: a bar per label, its length the amount in cents."""

    heading: str
    labels: Sequence[str]
    cents: Sequence[int]


@dataclass(frozen=True)
class Document:
    title: str
    about: Sequence[str]  # lines under the title: the period, the source, when it was made
    parts: Sequence[Table | Chart] = field(default_factory=tuple)
    landscape: bool = False  # a table too wide for the page standing up


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    return {
        "title": ParagraphStyle("title", fontName=_BOLD, fontSize=15, leading=19, spaceAfter=4),
        "about": ParagraphStyle("about", fontName=_FONT, fontSize=9, leading=12),
        "heading": ParagraphStyle(
            "heading", fontName=_BOLD, fontSize=11, leading=14, spaceBefore=12, spaceAfter=4
        ),
        "empty": ParagraphStyle("empty", fontName=_FONT, fontSize=_SIZE, leading=12),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(table: Table) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table as Grid
    from reportlab.platypus import TableStyle

    data = [list(table.header), *(list(row) for row in table.rows)]
    style = [
        ("FONT", (0, 0), (-1, -1), _FONT, _SIZE),
        ("FONT", (0, 0), (-1, 0), _BOLD, _SIZE),
        # Padding keeps every rule clear of the text above and below it.
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for col in table.right:
        style.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    if table.last_bold and table.rows:
        style.append(("FONT", (0, -1), (-1, -1), _BOLD, _SIZE))
        style.append(("LINEABOVE", (0, -1), (-1, -1), 1, colors.black))
    for n in range(1, len(data)):
        if n % 2 == 0:
            style.append(("BACKGROUND", (0, n), (-1, n), colors.HexColor("#F0F0F0")))
    return Grid(data, repeatRows=1, style=TableStyle(style), hAlign="LEFT")


def _chart(chart: Chart) -> Any:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    n = len(chart.labels)
    height = min(_CHART_MOST, _BAR * n + 40)
    size = 8 if height / max(n, 1) >= 10 else 6
    longest = max((len(label) for label in chart.labels), default=4)
    left = min(200, 12 + longest * size * 11 // 20)  # Helvetica: about 0.55 em a character
    drawing = Drawing(_CHART_WIDTH, height)
    bars = HorizontalBarChart()
    bars.x = left
    bars.y = 24
    bars.width = _CHART_WIDTH - left - 20
    bars.height = height - 34
    # Top to bottom in the table's order: the chart's first category is at the bottom.
    bars.data = [list(reversed([int(c) for c in chart.cents]))]
    bars.categoryAxis.categoryNames = list(reversed(list(chart.labels)))
    bars.categoryAxis.labels.fontName = _FONT
    bars.categoryAxis.labels.fontSize = size
    bars.categoryAxis.labels.boxAnchor = "e"
    bars.categoryAxis.labels.dx = -4
    bars.valueAxis.labels.fontName = _FONT
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.labelTextFormat = lambda cents: str(Money(int(cents)))
    bars.valueAxis.forceZero = True
    bars.valueAxis.visibleGrid = True
    bars.valueAxis.gridStrokeColor = colors.HexColor("#D9D9D9")
    bars.bars[0].fillColor = colors.HexColor("#406BA6")
    bars.bars[0].strokeColor = None
    bars.barSpacing = 1
    drawing.add(bars)
    return drawing


def write_pdf(path: Path, doc: Document) -> None:
    """Draw ``doc`` into ``path`` (letter, portrait unless ``doc.landscape``), whole or not
    at all."""
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate

    styles = _styles()
    flow: list[Any] = [Paragraph(_escape(doc.title), styles["title"])]
    flow += [Paragraph(_escape(line), styles["about"]) for line in doc.about]
    for part in doc.parts:
        heading = Paragraph(_escape(part.heading), styles["heading"])
        if isinstance(part, Chart):
            if part.labels:
                flow.append(KeepTogether([heading, _chart(part)]))
        elif part.rows:
            flow += [heading, _table(part)]
        else:
            flow += [heading, Paragraph(_escape(part.empty), styles["empty"])]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    pdf = SimpleDocTemplate(
        str(partial),
        pagesize=landscape(letter) if doc.landscape else letter,
        leftMargin=72,
        rightMargin=72,
        topMargin=60,
        bottomMargin=60,
        title=doc.title,
        author="cashier_desk",
        invariant=1,
    )
    pdf.build(flow)
    os.replace(partial, path)


def write_table_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """The report's figures as CSV (whole or not at all, no cell a spreadsheet formula)."""
    write_csv(path, header, rows)
