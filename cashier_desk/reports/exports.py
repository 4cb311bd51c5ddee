"""The files a closeout hands to other systems (CSV, UTF-8, header row, amounts with two
decimals, like the import files):

* ``gl-journal-<batch>.csv`` — the batch as one journal entry for the city's ERP, balanced
  fund by fund (:mod:`cashier_desk.reports.journal`): the deposit (cash, checks and money
  orders) debited to the bank account the deposit goes to (``[policy] deposit_account``), card
  sales to the card clearing account (``[policy] card_clearing_account``); each GL account of
  the batch's distribution credited with what it took in (revenue) or debited with what it
  paid out (paid-outs, a shortage); and each fund other than the treasury settled with it
  through the due-from and due-to accounts.
* ``ap-requests-<batch>.csv`` — the refunds the batch carries, one accounts-payable request
  each (programs.md); ``returned-checks-<batch>.csv`` — the returned checks it carries (for
  the bank reconciliation: check number, receipt, account, amount, the NSF fee's open item);
  ``contests-<batch>.csv`` — the day's contests.
* ``payments-<program>-<batch>.csv`` — one file per program (utility billing, parking, …):
  the payments taken on its open items, so it can post them to its own accounts.  The file
  name holds the program in lower case and file-name-safe; the ``program`` column holds it as
  it is.

Files are written whole or not at all (a temporary file renamed into place), and no cell of
them is ever a spreadsheet formula (:func:`safe_cell`).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cashier_desk.ledger.closeout import Closeout
from cashier_desk.ledger.item_programs import ContestRecord
from cashier_desk.ledger.over_short import OverShort
from cashier_desk.ledger.payments import ItemPayment
from cashier_desk.reports.journal import JournalAccounts, gl_journal

JOURNAL_HEADER = ("business_date", "batch", "line", "account", "debit", "credit", "memo")
PAYMENTS_HEADER = (
    "program",
    "ref",
    "account",
    "amount",
    "receipt",
    "paid_at",
    "business_date",
    "batch",
)


@dataclass(frozen=True)
class ExportFile:
    kind: str  # "gl_journal" or "payments"
    path: Path
    rows: int
    program: str | None = None


def _file_names(programs: Sequence[str]) -> dict[str, str]:
    """A file-name part for each program: its name with what a file name cannot hold (or
    what differs only by case) made plain; two programs that would come out the same get a
    short fingerprint of their real name each, so that one file never overwrites another."""
    plain = {p: re.sub(r"[^a-z0-9_.-]+", "_", p.casefold()).strip("._") or "_" for p in programs}
    taken: dict[str, int] = {}
    for name in plain.values():
        taken[name] = taken.get(name, 0) + 1
    return {
        p: name if taken[name] == 1 else f"{name}-{hashlib.sha256(p.encode()).hexdigest()[:8]}"
        for p, name in plain.items()
    }


# A spreadsheet takes a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"); a plain number such as -12.30 is a number, not a formula, and stays as it is.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def safe_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs: text that would start a formula gets a
    leading apostrophe (shown by spreadsheets as plain text)."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Write a CSV file whole or not at all, every cell made safe to open in a spreadsheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_cell(c) for c in header])
        writer.writerows([safe_cell(c) for c in row] for row in rows)
    os.replace(partial, path)


def write_exports(
    closeout: Closeout,
    payments: Sequence[ItemPayment],
    folder: Path,
    *,
    accounts: JournalAccounts,
    contests: Sequence[ContestRecord] = (),
) -> list[ExportFile]:
    """Write the batch's GL journal, one payments file per program and, when the day had any,
    its contests (for the processing agency) into ``folder``."""
    journal = gl_journal(closeout, accounts)
    path = folder / f"gl-journal-{closeout.batch}.csv"
    write_csv(
        path,
        JOURNAL_HEADER,
        [
            (closeout.business_date, closeout.batch, str(n), x.account,
             str(x.debit) if x.debit else "", str(x.credit) if x.credit else "", x.memo)
            for n, x in enumerate(journal, 1)
        ],
    )  # fmt: skip
    written = [ExportFile("gl_journal", path, len(journal))]
    programs = sorted({p.program for p in payments})
    names = _file_names(programs)
    for program in programs:
        mine = [p for p in payments if p.program == program]
        path = folder / f"payments-{names[program]}-{closeout.batch}.csv"
        write_csv(
            path,
            PAYMENTS_HEADER,
            [
                (program, p.ref, p.account, str(p.amount), p.receipt, p.paid_at,
                 p.business_date, closeout.batch)
                for p in mine
            ],
        )  # fmt: skip
        written.append(ExportFile("payments", path, len(mine), program))
    refunds = closeout.adjustments.refunds if closeout.adjustments is not None else ()
    if refunds:
        path = folder / f"ap-requests-{closeout.batch}.csv"
        write_csv(
            path,
            AP_HEADER,
            [
                (r.request, r.business_date, closeout.batch, r.receipt, r.payee, r.address,
                 str(r.amount), r.method, r.auth, ";".join(f"{a}={-m}" for a, m in r.gl.items()),
                 r.reason)
                for r in refunds
            ],
        )  # fmt: skip
        written.append(ExportFile("ap_requests", path, len(refunds)))
    returned = closeout.adjustments.returned if closeout.adjustments is not None else ()
    if returned:
        path = folder / f"returned-checks-{closeout.batch}.csv"
        write_csv(
            path,
            RETURNED_HEADER,
            [
                (r.number, r.business_date, closeout.batch, r.receipt, r.check_number,
                 r.account, str(r.amount), r.fee_ref, str(r.fee), r.reason)
                for r in returned
            ],
        )  # fmt: skip
        written.append(ExportFile("returned_checks", path, len(returned)))
    if contests:
        path = folder / f"contests-{closeout.batch}.csv"
        write_csv(
            path,
            CONTESTS_HEADER,
            [
                (c.number, c.ref, c.level, c.business_date, c.reason, c.contact,
                 "yes" if c.inability_to_pay else "no", c.workstation, c.actor,
                 c.approver or "")
                for c in contests
            ],
        )  # fmt: skip
        written.append(ExportFile("contests", path, len(contests)))
    return written


#: A refund's accounts-payable request: ``gl`` is where the refund is charged, ``ACCOUNT=AMOUNT``
#: by account (the revenue taken back); ``method`` check (a city check) or card (back to the
#: card through the processor, with its ``auth``).
RETURNED_HEADER = (
    "number", "business_date", "batch", "receipt", "check_number", "account", "amount",
    "fee_ref", "fee", "reason",
)  # fmt: skip
AP_HEADER = (
    "request", "business_date", "batch", "receipt", "payee", "address", "amount", "method",
    "auth", "gl", "reason",
)  # fmt: skip


CONTESTS_HEADER = (
    "contest", "ref", "level", "date", "reason", "contact", "inability_to_pay",
    "workstation", "taken_by", "allowed_late_by",
)  # fmt: skip


OVER_SHORT_HEADER = (
    "business_date", "session", "workstation", "drawer", "cashier", "closed_at",
    "cash", "check", "money_order", "card", "total", "approved_by",
)  # fmt: skip


def write_over_short(rows: Sequence[OverShort], path: Path) -> None:
    """The over/short history as CSV: a row per closed session, over (+) or short (-) per
    tender and in all."""
    write_csv(
        path,
        OVER_SHORT_HEADER,
        [
            (r.business_date, r.session, r.workstation, r.drawer, r.cashier, r.closed_at,
             *(str(r.by_tender[t]) for t in ("cash", "check", "money_order", "card")),
             str(r.total), r.approved_by or "")
            for r in rows
        ],
    )  # fmt: skip
