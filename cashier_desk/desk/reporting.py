"""Reports (operations.md, Reports F9): the Desk reads each report's figures from the ledger,
or from central's books for ``--central``; the reports layer lays them out.  Anyone may read
them (a reading command needs no credentials, headless.md).

Each takes an optional ``progress(done, total)``, told as the report is read (first with
``done`` 0); it may raise to stop the report (:func:`cancelled`: a report only reads, so a
stopped one changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cashier_desk.desk import lookup
from cashier_desk.desk.lookup import Lookup
from cashier_desk.desk.requests import iso_day
from cashier_desk.desk.station import Station
from cashier_desk.desk.syncing import Syncing
from cashier_desk.errors import Refusal
from cashier_desk.ledger import corrections, daily, delinquent, items, tot_report
from cashier_desk.ledger.stats import BY, STEPS, Stats, local_source, stats
from cashier_desk.programs.tot import parse_period

Progress = Callable[[int, int], None]
#: How often (items) the delinquent report tells its progress.
EVERY = 50


def cancelled() -> Refusal:
    """What a report's ``progress`` raises to stop it."""
    return Refusal("cancelled", "The report was cancelled: nothing was read further or saved.")


def _told(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def period(date_from: str, date_to: str) -> tuple[str, str]:
    """A period of business dates, both ends included (refused ``bad_date``)."""
    start, end = iso_day(date_from), iso_day(date_to)
    if start > end:
        raise Refusal("bad_date", f"The period ends ({end}) before it starts ({start}).")
    return start, end


class Reporting:
    """The reports' figures (see the module's docstring)."""

    def __init__(self, station: Station, syncing: Syncing) -> None:
        self.st = station
        self.syncing = syncing

    def stats_report(
        self,
        date_from: str,
        date_to: str,
        by: str,
        *,
        at_central: bool = False,
        progress: Progress | None = None,
    ) -> Stats:
        """The period's statistics by ``by``: this workstation's ledger, or with
        ``at_central`` every workstation's synced batches at central."""
        start, end = period(date_from, date_to)
        if not isinstance(by, str) or by not in BY:
            raise Refusal("bad_request", f"Statistics are by one of {', '.join(BY)}; not {by!r}.")
        _told(progress, 0, STEPS)
        if at_central:
            from cashier_desk.sync import central  # central's modules load on its first use
            from cashier_desk.sync.stats import central_stats

            engine = self.syncing.central_engine()
            with self.syncing.at_central():
                central.ensure_ready(engine)
                return central_stats(engine, start, end, by, progress)
        with self.st.ledger.read() as conn:
            return stats(conn, local_source(start, end), start, end, by, progress)

    def daily_report(self, business_date: str, *, progress: Progress | None = None) -> daily.Daily:
        """The daily reconciliation of this workstation for a business date (its closeouts;
        refused ``no_closeout`` when there are none)."""
        day = iso_day(business_date)
        _told(progress, 0, 1)
        with self.st.ledger.read() as conn:
            found = daily.daily(conn, self.st.workstation, day)
        _told(progress, 1, 1)
        if not found.batches:
            raise Refusal("no_closeout", f"There is no closeout of {day} at this workstation.")
        return found

    def delinquent_report(
        self, on: str, *, progress: Progress | None = None
    ) -> delinquent.Delinquents:
        """Open items past due on a date (with the penalties in force then), plans with an
        instalment ``grace_days`` overdue, accounts for certified funds only."""
        text = iso_day(on)
        day = date.fromisoformat(text)
        found: list[delinquent.Delinquent] = []
        with self.st.ledger.read() as conn:
            refs = delinquent.candidate_refs(conn, text)
            rows = items.item_rows(conn, refs) if refs else []
            rules = items.code_rules(conn)
            _told(progress, 0, len(rows))
            for n, row in enumerate(rows, 1):
                if n % EVERY == 0:
                    _told(progress, n, len(rows))
                seen = lookup.look_up(row, rules.get(row.revenue_code), conn, day)
                late = _late(row.due_date, seen, day)
                flagged = late is None and seen.amount_due.is_positive()
                if flagged and corrections.certified_only(conn, [row.ref]):
                    late = (min(row.due_date, text), "certified_funds_only")
                if late is None:
                    continue
                due_date, why = late
                found.append(
                    delinquent.Delinquent(
                        row.ref,
                        row.program,
                        row.name,
                        due_date,
                        (day - date.fromisoformat(due_date)).days,
                        seen.amount_due,
                        why,
                    )
                )
        _told(progress, len(rows), len(rows))
        return delinquent.ordered(text, found)

    def tot_report(self, period: str, *, progress: Progress | None = None) -> tot_report.TotReport:
        """Every registered TOT operator with its returns in force for ``period`` (``2026-Q3``
        or ``2026-07``; refused ``bad_period``), or none: missing."""
        found = parse_period(period)
        _told(progress, 0, 1)
        with self.st.ledger.read() as conn:
            report = tot_report.tot_report(conn, found.text, found.due.isoformat())
        _told(progress, 1, 1)
        return report


def _late(due_date: str, seen: Lookup, day: date) -> tuple[str, str] | None:
    """When and why the item looked up is delinquent on ``day`` (None: it is not)."""
    if not seen.amount_due.is_positive():
        return None
    if seen.plan is not None:
        if "delinquent" not in seen.flags:
            return None
        unpaid = [i for i in seen.plan["instalments"] if i["paid"] != i["amount"]]
        return str(unpaid[0]["due"]), "plan_delinquent"
    if seen.status == "open" and date.fromisoformat(due_date) < day:
        return due_date, "past_due"
    return None
