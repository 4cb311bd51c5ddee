"""Reading a report's PDF back in tests: its text (pypdf), and a layout check (pypdfium2):
no character's box touches a rule (a horizontal line of a table or a chart)."""

from __future__ import annotations

from pathlib import Path


def pdf_text(path: Path) -> str:
    """Every page's text, runs of blanks and line breaks as one space (a table's cells come
    out one a line)."""
    import pypdf

    reader = pypdf.PdfReader(str(path))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def text_clear_of_rules(path: Path, margin: float = 0.5) -> list[str]:
    """The characters whose glyph box touches a horizontal rule (a stroked or filled path at
    most 2 points high), as ``page N: 'c' at (x, y)``: [] when none does."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    found: list[str] = []
    pdf = pdfium.PdfDocument(str(path))
    try:
        for n in range(len(pdf)):
            page = pdf[n]
            rules = []
            for obj in page.get_objects():
                if obj.type != raw.FPDF_PAGEOBJ_PATH:
                    continue
                left, bottom, right, top = obj.get_bounds()
                if top - bottom <= 2 and right - left > 10:
                    rules.append((left, bottom - margin, right, top + margin))
            text = page.get_textpage()
            for i in range(text.count_chars()):
                ch = text.get_text_range(i, 1)
                if not ch.strip():
                    continue
                cl, cb, cr, ct = text.get_charbox(i)
                for rl, rb, rr, rt in rules:
                    if cl < rr and cr > rl and cb < rt and ct > rb:
                        found.append(f"page {n + 1}: {ch!r} at ({cl:.1f}, {cb:.1f})")
                        break
    finally:
        pdf.close()
    return found
