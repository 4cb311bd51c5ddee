"""Reports (operations.md, Reports F9): the Desk reads each report's figures from the ledger,
or from central's books for ``--central``; the reports layer lays them out.  Anyone may read
them (a reading command needs no credentials, headless.md)."""

from __future__ import annotations

from datetime import date

from cashier_desk.desk import lookup
from cashier_desk.desk.lookup import Lookup
from cashier_desk.desk.requests import is_iso_date
from cashier_desk.desk.station import Station
from cashier_desk.desk.syncing import Syncing
from cashier_desk.errors import Refusal
from cashier_desk.ledger import corrections, daily, delinquent, items
from cashier_desk.ledger.stats import BY, Stats, local_source, stats
from cashier_desk.sync import central
from cashier_desk.sync.stats import central_stats


def _day(value: object) -> str:
    if not isinstance(value, str) or not is_iso_date(value):
        raise Refusal("bad_date", f"{value!r} is not a date like 2026-11-22.")
    return value


def period(date_from: str, date_to: str) -> tuple[str, str]:
    """A period of business dates, both ends included (refused ``bad_date``)."""
    start, end = _day(date_from), _day(date_to)
    if start > end:
        raise Refusal("bad_date", f"The period ends ({end}) before it starts ({start}).")
    return start, end


class Reporting:
    """The reports' figures (see the module's docstring)."""

    def __init__(self, station: Station, syncing: Syncing) -> None:
        self.st = station
        self.syncing = syncing

    def stats_report(
        self, date_from: str, date_to: str, by: str, *, at_central: bool = False
    ) -> Stats:
        """The period's statistics by ``by``: this workstation's ledger, or with
        ``at_central`` every workstation's synced batches at central."""
        start, end = period(date_from, date_to)
        if not isinstance(by, str) or by not in BY:
            raise Refusal("bad_request", f"Statistics are by one of {', '.join(BY)}; not {by!r}.")
        if at_central:
            engine = self.syncing.central_engine()
            with self.syncing.at_central():
                central.ensure_ready(engine)
                return central_stats(engine, start, end, by)
        with self.st.ledger.read() as conn:
            return stats(conn, local_source(start, end), start, end, by)

    def daily_report(self, business_date: str) -> daily.Daily:
        """The daily reconciliation of this workstation for a business date (its closeouts;
        refused ``no_closeout`` when there are none)."""
        day = _day(business_date)
        with self.st.ledger.read() as conn:
            found = daily.daily(conn, self.st.workstation, day)
        if not found.batches:
            raise Refusal("no_closeout", f"There is no closeout of {day} at this workstation.")
        return found

    def delinquent_report(self, on: str) -> delinquent.Delinquents:
        """Open items past due on a date (with the penalties in force then), plans with an
        instalment ``grace_days`` overdue, accounts for certified funds only."""
        text = _day(on)
        day = date.fromisoformat(text)
        found: list[delinquent.Delinquent] = []
        with self.st.ledger.read() as conn:
            refs = delinquent.candidate_refs(conn, text)
            rows = items.item_rows(conn, refs) if refs else []
            rules = items.code_rules(conn)
            for row in rows:
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
        return delinquent.ordered(text, found)


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
