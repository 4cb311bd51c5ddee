"""The end-of-day papers of a closeout: the deposit slip and the closeout summary as PDF
(reportlab), and a short closeout slip for the receipt printer.

Everything here is made from a :class:`~cashier_desk.ledger.closeout.Closeout` alone, so the
papers cannot disagree with the batch.  Amounts are written with ``str(Money)`` — reportlab
only ever sees text, never a number of money.  Files are written whole or not at all (a
temporary file renamed into place), so a half-written PDF is never left in the reports folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cashier_desk.ledger.closeout import Closeout
from cashier_desk.money import Money
from cashier_desk.paper import TENDER_NAMES, Line, ReceiptDoc
from cashier_desk.reports.journal import JournalAccounts, JournalLine, fund_totals, gl_journal

DEPOSIT_NAMES = {
    "cash": "Currency and coin",
    "checks": "Checks",
    "money_orders": "Money orders",
}

# Page geometry in points (1/72 inch), whole numbers only.
_LEFT = 60
_RIGHT = 552
_TOP = 740
_BOTTOM = 60
_LINE = 16
# A rule sits this far above the next baseline (5 points under the row above, whose
# descenders reach about 2.3), and moves the next row this much further down.
_RULE_DROP = 11
_RULE_SPACE = 4


@dataclass(frozen=True)
class CloseoutPapers:
    """Where the closeout's PDFs were saved."""

    deposit_slip: Path
    summary: Path

    def all(self) -> tuple[Path, Path]:
        return (self.deposit_slip, self.summary)


class _Page:
    """A page written top to bottom, line by line; a new page starts when one is full."""

    def __init__(self, path: Path, title: str) -> None:
        # reportlab is imported here, when a PDF is drawn, not when the window starts.
        from reportlab.lib.pagesizes import letter
        from reportlab.pdfgen.canvas import Canvas

        self.canvas = Canvas(str(path), pagesize=letter, invariant=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("cashier_desk")
        self.y = _TOP

    def _room(self, lines: int = 1) -> None:
        if self.y - lines * _LINE < _BOTTOM:
            self.canvas.showPage()
            self.y = _TOP

    def keep(self, lines: int) -> None:
        """Start a new page unless the next ``lines`` lines fit on this one (a block longer
        than a page simply flows on)."""
        if lines * _LINE <= _TOP - _BOTTOM:
            self._room(lines)

    def heading(self, text: str, size: int = 16) -> None:
        self._room(2)
        self.canvas.setFont("Helvetica-Bold", size)
        self.canvas.drawString(_LEFT, self.y, text)
        self.y -= _LINE + size // 2

    def text(self, text: str, *, bold: bool = False, mono: bool = False) -> None:
        self._room()
        if mono:
            self.canvas.setFont("Courier", 9)
        else:
            self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", 11)
        self.canvas.drawString(_LEFT, self.y, text)
        self.y -= _LINE

    def row(
        self,
        cells: Sequence[str],
        stops: Sequence[int],
        *,
        bold: bool = False,
        lefts: Sequence[int] = (),
    ) -> None:
        """The first cell at the left margin, the next ones left-aligned at ``lefts``, the
        others right-aligned at ``stops``."""
        self._room()
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", 11)
        self.canvas.drawString(_LEFT, self.y, cells[0])
        for cell, x in zip(cells[1:], lefts, strict=False):
            self.canvas.drawString(x, self.y, cell)
        for cell, stop in zip(cells[1 + len(lefts) :], stops, strict=True):
            self.canvas.drawRightString(stop, self.y, cell)
        self.y -= _LINE

    def rule(self) -> None:
        """A rule under the row above, clear of its descenders and of the next row's capitals
        (it takes a few points of its own, so the rows it divides do not touch it)."""
        self._room(2)
        self.canvas.line(_LEFT, self.y + _RULE_DROP, _RIGHT, self.y + _RULE_DROP)
        self.y -= _RULE_SPACE

    def gap(self) -> None:
        self.y -= _LINE

    def save(self) -> None:
        self.canvas.showPage()
        self.canvas.save()


#: Draws one document of a closeout into a file: (path, closeout, city, workstation).
_Drawer = Callable[[Path, Closeout, str, str], None]


def _write(path: Path, draw: _Drawer, closeout: Closeout, city: str, workstation: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    draw(partial, closeout, city, workstation)
    os.replace(partial, path)
    return path


def _header(page: _Page, title: str, closeout: Closeout, city: str, workstation: str) -> None:
    page.heading(city, 14)
    page.heading(title)
    page.text(f"Batch {closeout.batch}")
    page.text(f"Business date {closeout.business_date}    Workstation {workstation}")
    page.gap()


@dataclass(frozen=True)
class SlipRow:
    """One row of the deposit slip: a label, an amount (may be empty), bold or not."""

    label: str
    amount: str = ""
    bold: bool = False


def deposit_rows(closeout: Closeout) -> list[SlipRow]:
    """What the deposit slip lists: the cash as currency, coin and safe drops, every check and
    money order by number, and the total.  Without the detail (a batch summary alone) the cash
    is one line."""
    detail = closeout.detail
    rows: list[SlipRow] = []
    if detail is None:
        rows += [
            SlipRow(n, str(closeout.deposit.get(k, Money(0)))) for k, n in DEPOSIT_NAMES.items()
        ]
        return [*rows, SlipRow("Total deposit", str(closeout.deposit_total), bold=True)]
    pieces = list(detail.counted.items())
    rows += [
        SlipRow("Currency counted in the drawers", str(detail.currency)),
        SlipRow("Coin counted in the drawers", str(detail.coin)),
        *(
            SlipRow("    " + ",   ".join(f"{n} x {d}" for d, n in pieces[i : i + 5]))
            for i in range(0, len(pieces), 5)
        ),
        SlipRow("Less the change funds kept with the drawers", str(-detail.funds_kept)),
        SlipRow("Safe drops", str(detail.drops)),
        SlipRow("Cash", str(detail.cash), bold=True),
    ]
    for name, items in (("Checks", detail.checks), ("Money orders", detail.money_orders)):
        total = Money(sum(x.amount.cents for x in items))
        rows.append(SlipRow(f"{name} ({len(items)})", str(total), bold=True))
        rows += [
            SlipRow(f"    No. {x.number}    drawer {x.drawer}, {x.cashier}", str(x.amount))
            for x in items
        ]
    rows.append(SlipRow("Total deposit", str(closeout.deposit_total), bold=True))
    return rows


def _draw_deposit_slip(path: Path, closeout: Closeout, city: str, workstation: str) -> None:
    page = _Page(path, f"Deposit slip {closeout.batch}")
    _header(page, "Deposit slip", closeout, city, workstation)
    stops = [_RIGHT]
    page.row(["Deposit", "Amount"], stops, bold=True)
    page.rule()
    for row in deposit_rows(closeout):
        if row.label == "Total deposit":
            page.rule()
        if row.amount:
            page.row([row.label, row.amount], stops, bold=row.bold)
        else:
            page.text(row.label, bold=row.bold)
    page.gap()
    page.gap()
    page.text("Prepared by ______________________________    Date ____________")
    page.gap()
    page.text("Verified by ______________________________    Date ____________")
    page.gap()
    page.text("Bag number ______________________________")
    page.save()


def _draw_journal(page: _Page, journal: Sequence[JournalLine], treasury: str) -> None:
    """The GL journal fund by fund, each fund's debits and credits totalled."""
    stops, lefts = [456, _RIGHT], [160]
    treasury_lines = sum(1 for x in journal if x.fund == treasury)
    page.keep(treasury_lines + 5)  # the heading with the treasury's block
    page.row(["GL journal by fund", "", "Debit", "Credit"], stops, lefts=lefts, bold=True)
    page.rule()
    for total in fund_totals(journal):
        mine = [x for x in journal if x.fund == total.fund]
        page.keep(len(mine) + 3)  # the fund's name, its lines, the rule and its total
        name = f"Fund {total.fund}" + (" (treasury)" if total.fund == treasury else "")
        page.text(name, bold=True)
        for x in mine:
            debit, credit = (str(a) if a else "" for a in (x.debit, x.credit))
            page.row([x.account, x.memo, debit, credit], stops, lefts=lefts)
        page.rule()
        page.row([f"Fund {total.fund} total", "", str(total.debits), str(total.credits)],
                 stops, lefts=lefts, bold=True)  # fmt: skip
        page.gap()


def _draw_summary(
    path: Path,
    closeout: Closeout,
    city: str,
    workstation: str,
    journal: Sequence[JournalLine],
    treasury: str,
) -> None:
    page = _Page(path, f"Closeout {closeout.batch}")
    _header(page, "Closeout summary", closeout, city, workstation)
    page.text(f"Receipts {closeout.receipts}    Voids {closeout.voids}")
    page.gap()
    stops = [360, 456, _RIGHT]
    page.row(["Tender", "Expected", "Counted", "Over/short"], stops, bold=True)
    page.rule()
    for kind, figures in closeout.tenders.items():
        page.row(
            [
                TENDER_NAMES.get(kind, kind),
                str(figures.expected),
                str(figures.counted),
                str(figures.over_short),
            ],
            stops,
        )
    page.gap()
    _draw_journal(page, journal, treasury)  # ends with a gap
    page.keep(len(DEPOSIT_NAMES) + 6)  # the deposit table and the batch's fingerprint
    page.row(["Deposit", "Amount"], [_RIGHT], bold=True)
    page.rule()
    for key, name in DEPOSIT_NAMES.items():
        page.row([name, str(closeout.deposit.get(key, Money(0)))], [_RIGHT])
    page.row(["Total deposit", str(closeout.deposit_total)], [_RIGHT], bold=True)
    page.gap()
    page.text("Batch fingerprint (SHA-256)")
    page.text(closeout.sha256, mono=True)
    page.save()


def write_closeout_papers(
    closeout: Closeout, folder: Path, *, city: str, workstation: str, accounts: JournalAccounts
) -> CloseoutPapers:
    """Save the deposit slip and the closeout summary (with the GL journal, fund by fund) of a
    batch as PDF files in ``folder``."""
    journal = gl_journal(closeout, accounts)

    def summary_of(path: Path, closeout: Closeout, city: str, workstation: str) -> None:
        _draw_summary(path, closeout, city, workstation, journal, accounts.treasury)

    slip = _write(
        folder / f"deposit-slip-{closeout.batch}.pdf",
        _draw_deposit_slip,
        closeout,
        city,
        workstation,
    )
    summary = _write(
        folder / f"closeout-{closeout.batch}.pdf", summary_of, closeout, city, workstation
    )
    return CloseoutPapers(slip, summary)


def pair_line(left: str, right: str, width: int) -> Line:
    """``left`` and ``right`` on one slip line of ``width`` columns (``left`` cut to fit)."""
    room = max(1, width - len(right) - 1)
    return Line(f"{left[:room]:<{room}} {right}")


def slip_heading(city: str, title: str, ident: str, width: int) -> list[Line]:
    """The head of a slip: the city, the title in large type, what it is about."""
    return [
        Line(city[:width], bold=True, align="center"),
        Line(title, bold=True, big=True, align="center"),
        Line(ident[:width], align="center"),
    ]


def closeout_slip(closeout: Closeout, *, city: str, workstation: str, columns: int) -> ReceiptDoc:
    """A short closeout slip for the receipt printer: counts, over/short, deposit."""
    w = columns

    def pair(left: str, right: str) -> Line:
        return pair_line(left, right, w)

    lines = [
        *slip_heading(city, "CLOSEOUT", closeout.batch, w),
        pair(closeout.business_date, f"Station {workstation}"),
        Line("-" * w),
        pair("Receipts", str(closeout.receipts)),
        pair("Voids", str(closeout.voids)),
        Line("-" * w),
        Line("Over/short"),
    ]
    lines += [
        pair(f"  {TENDER_NAMES.get(kind, kind)}", str(figures.over_short))
        for kind, figures in closeout.tenders.items()
    ]
    lines.append(Line("-" * w))
    detail = closeout.detail
    if detail is None:
        lines += [
            pair(name, str(closeout.deposit.get(key, Money(0))))
            for key, name in DEPOSIT_NAMES.items()
        ]
    else:
        lines += [
            pair("Currency counted", str(detail.currency)),
            pair("Coin counted", str(detail.coin)),
            pair("Less change funds", str(-detail.funds_kept)),
            pair("Safe drops", str(detail.drops)),
            pair("Cash", str(detail.cash)),
            pair(f"Checks ({len(detail.checks)})", str(closeout.deposit["checks"])),
            pair(
                f"Money orders ({len(detail.money_orders)})", str(closeout.deposit["money_orders"])
            ),
        ]
    lines.append(Line(pair("DEPOSIT", str(closeout.deposit_total)).text, bold=True))
    if closeout.audit_head is not None:
        seq, digest = closeout.audit_head
        lines += [Line("-" * w), pair("Audit chain head", f"#{seq} {digest[:16]}")]
    lines += [Line(), Line("Keep with the day's records", align="center")]
    return ReceiptDoc(columns, tuple(lines))
