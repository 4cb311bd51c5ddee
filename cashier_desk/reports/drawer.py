"""The drawer report as a slip for the receipt printer (a closed session only: see
:mod:`cashier_desk.ledger.drawer_report`)."""

from __future__ import annotations

from datetime import datetime

from cashier_desk.config import local_time
from cashier_desk.ledger.drawer_report import DrawerReport
from cashier_desk.paper import TENDER_NAMES, Line, ReceiptDoc
from cashier_desk.paper import wrap as _wrap
from cashier_desk.reports.deposit import pair_line, slip_heading


def _when(iso: str, timezone: str | None) -> str:
    return local_time(datetime.fromisoformat(iso), timezone).strftime("%Y-%m-%d %H:%M")


def drawer_report_slip(
    report: DrawerReport, *, city: str, columns: int, timezone: str | None = None
) -> ReceiptDoc:
    w = columns
    s = report.session

    def pair(left: str, right: str) -> Line:
        return pair_line(left, right, w)

    lines = [
        *slip_heading(city, "DRAWER REPORT", s.id, w),
        pair(f"Drawer {s.drawer}", f"Station {s.workstation}"),
        pair("Cashier", s.cashier),
        pair("Opened", _when(s.opened_at, timezone)),
        pair("Closed", _when(report.closed_at, timezone)),
        pair("Change fund", str(s.opening)),
        Line("-" * w),
        pair("Receipts", str(report.receipts)),
        pair("Voids", str(report.voids)),
        Line("Taken in (sales less voids)"),
        *(pair(f"  {TENDER_NAMES.get(t, t)}", str(m)) for t, m in report.taken.items()),
        pair(f"Drops ({report.drops.count})", str(report.drops.total)),
        pair(f"Paid-outs ({report.paid_outs.count})", str(report.paid_outs.total)),
        pair("No-sales", str(report.no_sales)),
        Line("-" * w),
        Line("Expected / counted / over-short"),
    ]
    for tender, f in report.figures.items():
        lines.append(Line(TENDER_NAMES.get(tender, tender)))
        lines.append(pair(f"  {f.expected} / {f.counted}", str(f.over_short)))
    for back in report.sent_back:
        off = ", ".join(f"{TENDER_NAMES.get(t, t)} {m}" for t, m in back.over_short.items() if m)
        lines += [Line("-" * w), pair(f"Count {back.count_no} sent back", back.approver)]
        lines += [Line(x) for x in _wrap(f"Found: {off or 'nothing over or short'}", w)]
        lines += [Line(x) for x in _wrap(f"Why: {back.comment}", w)]
    if report.approved_by is not None:
        lines += [Line("-" * w), pair("Approved by", report.approved_by)]
        lines += [
            Line(report.approval_comment[i : i + w])
            for i in range(0, len(report.approval_comment), w)
        ]
    lines += [Line(), Line("Keep with the day's records", align="center")]
    return ReceiptDoc(columns, tuple(lines))
