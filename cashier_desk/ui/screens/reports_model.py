"""What the Reports screen shows of a report: its periods (this month, last quarter, ...), and
a report's figures as the rows of one table and the bars of one chart.  No Qt here: the screen
(``reports.py``) puts these into its widgets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cashier_desk.ledger.daily import Daily
from cashier_desk.ledger.delinquent import Delinquents
from cashier_desk.ledger.stats import Stats
from cashier_desk.ledger.tot_report import TotReport
from cashier_desk.money import Money
from cashier_desk.reports import tot

#: (report, what the person reads in the list)
REPORTS: tuple[tuple[str, str], ...] = (
    ("stats", "Statistics for a period"),
    ("daily", "Daily reconciliation"),
    ("delinquent", "Delinquents on a date"),
    ("tot", "TOT returns for a period"),
)
#: (by, what the person reads)
BY_NAMES: tuple[tuple[str, str], ...] = (
    ("code", "Revenue code"),
    ("program", "Program"),
    ("tender", "Tender"),
    ("cashier", "Cashier"),
    ("day", "Day"),
    ("month", "Month"),
)
PERIODS: tuple[str, ...] = (
    "This month",
    "Last month",
    "This quarter",
    "Last quarter",
    "This year",
    "A range (type the dates)",
)
RANGE = PERIODS[-1]
_TENDER = {"cash": "Cash", "check": "Checks", "money_order": "Money orders", "card": "Card"}
_WHY = {
    "past_due": "Past due",
    "plan_delinquent": "Plan delinquent",
    "certified_funds_only": "Certified funds only",
}


_STATUS = {"filed": "Filed", "amended": "Amended", "missing": "Missing"}


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def period_of(name: str, today: date) -> tuple[date, date] | None:
    """The business dates ``name`` (one of :data:`PERIODS`) covers on ``today``, both ends
    included; a period not yet over ends today.  None for a typed range."""
    if name == "This month":
        return today.replace(day=1), today
    if name == "Last month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if name == "This quarter":
        return quarter, today
    if name == "Last quarter":
        end = quarter - timedelta(days=1)
        return date(end.year, end.month - 2, 1), _month_end(end.replace(day=1))
    if name == "This year":
        return date(today.year, 1, 1), today
    return None


def tot_period_of(today: date) -> str:
    """The TOT period a counter most often reports on: the quarter before ``today``'s (whose
    returns are due and being filed)."""
    quarter = (today.month - 1) // 3  # 0..3, this quarter's
    if quarter == 0:
        return f"{today.year - 1}-Q4"
    return f"{today.year}-Q{quarter}"


@dataclass(frozen=True)
class Shown:
    """A report as the screen shows it: a title, the table (``bold_last``: a total row) and
    the chart's bars (label, cents) in the table's order."""

    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    right: frozenset[int]  # figures: right-aligned
    stretch: frozenset[int]  # text that takes the width left, on more lines when it must
    bold_last: bool
    chart_title: str
    bars: Sequence[tuple[str, int]]


def of_stats(found: Stats) -> Shown:
    name = dict(BY_NAMES)[found.by]
    what = "lines" if found.by in ("code", "program") else "receipts"
    return Shown(
        f"Statistics by {name.lower()}, {found.date_from} to {found.date_to}",
        (name, f"Count ({what})", "Amount"),
        [
            *((r.key, str(r.count), str(r.amount)) for r in found.rows),
            ("Total", str(found.count), str(found.amount)),
        ],
        frozenset({1, 2}),
        frozenset({0}),
        True,
        f"Amount by {name.lower()}",
        [(r.key, r.amount.cents) for r in found.rows],
    )


def _named(key: str) -> str:
    return key.replace("_", " ").capitalize()


def of_daily(d: Daily, workstation: str) -> Shown:
    rows: list[tuple[str, ...]] = []
    for b in d.batches:
        rows.append(("Batch", f"{b.batch} ({b.sync})", f"{b.receipts} receipts", ""))
    for kind, (expected, counted) in d.tenders.items():
        tender = _TENDER.get(kind, kind)
        rows.append(("Tenders", f"{tender} expected", "", str(expected)))
        rows.append(("Tenders", f"{tender} counted", "", str(counted)))
        rows.append(("Tenders", f"{tender} over/short", "", str(counted - expected)))
    rows += [("Revenue code", r.key, f"{r.count} lines", str(r.amount)) for r in d.codes]
    rows += [("GL account", a, "", str(m)) for a, m in d.gl.items()]
    rows += [
        ("Deposit", k.replace("_", " ").capitalize(), "", str(m)) for k, m in d.deposit.items()
    ]
    rows += [("Adjustment", k.replace("_", " ").capitalize(), "", str(m))
             for k, m in d.adjustments.items()]  # fmt: skip
    rows += [("Voided", f"{v.receipt} by {v.approver}", v.reason, str(v.total))
             for b in d.batches for v in b.voided]  # fmt: skip
    return Shown(
        f"Daily reconciliation, {workstation}, {d.date}",
        ("Section", "Item", "Count", "Amount"),
        rows,
        frozenset({3}),
        frozenset({1}),
        False,
        "Amount by revenue code",
        [(r.key, r.amount.cents) for r in d.codes],
    )


def of_delinquent(found: Delinquents) -> Shown:
    """The items without their program (the chart adds them up by program; the PDF and the
    CSV have it): the table fits beside the choices on a 1280-wide counter."""
    by_program: dict[str, Money] = {}
    for i in found.items:
        by_program[i.program] = by_program.get(i.program, Money(0)) + i.amount_due
    return Shown(
        f"Delinquents on {found.date}",
        ("Reference", "Name", "Due (days)", "Amount due", "Why"),
        [
            *((i.ref, i.name, f"{i.due_date} ({i.days_late})", str(i.amount_due),
               _WHY.get(i.why, i.why)) for i in found.items),
            ("Total", "", "", str(found.total), ""),
        ],
        frozenset({3}),
        frozenset({1, 4}),
        True,
        "Amount due by program",
        sorted((p, m.cents) for p, m in by_program.items()),
    )  # fmt: skip


def of_tot(found: TotReport) -> Shown:
    """The rows of ``cashier-desk report tot``'s JSON (``reports/tot.py``: the same strings),
    a row per return in force or operator missing, then the totals; the chart is what each
    operator paid.  The operator is its account and name in one cell, the receipt under the
    return's status; rents and the date are left to the PDF and the CSV (the table fits beside
    the choices and the simulated printer's paper on a 1280-wide counter)."""
    paid: dict[str, int] = {}
    for o in found.operators:
        paid[o.account] = sum(r.paid.cents for r in o.returns)
    total = tot.as_json(found)["total"]
    return Shown(
        f"TOT returns for {found.period} (due {found.due}): {found.filed} filed, "
        f"{found.missing} missing",
        ("Operator", "Return", "Tax", "Tax paid", "Penalty", "Interest", "Paid"),
        [
            *((f"{x['account']} {x['name']}",
               _STATUS[x["status"]] + (f"\n{x['receipt']}" if x["receipt"] else ""),
               *(x[k] or "" for k in ("tax", "tax_paid", "penalty", "interest", "paid")))
              for x in tot.rows(found)),
            (f"Total: {total['operators']} operators", f"{total['filed']} filed", "",
             total["tax_paid"], total["penalty"], total["interest"], total["paid"]),
        ],
        frozenset({2, 3, 4, 5, 6}),
        frozenset({0}),
        True,
        "Paid by operator",
        [(account, cents) for account, cents in paid.items()],
    )  # fmt: skip
