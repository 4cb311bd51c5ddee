"""The closeout's papers — one use case, whoever asks: the window's closeout screen, a script's
`closeout` and the command line all come here.

The papers of a batch are the deposit slip and the closeout summary (PDF, in the data folder's
``reports``), the GL journal and one payments file per program (CSV, in its ``exports``) and
the short closeout slip on the receipt printer. The closeout itself is committed before any of
them is made: a paper that cannot be written (a full disk, a folder taken away) is said in the
result, never undoes the batch, and is made again later (`cashier-desk papers`, `export`, or
Alt+G on the closeout screen).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cashier_desk.config import Config
from cashier_desk.errors import Refusal
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.ledger.item_programs import ContestRecord
from cashier_desk.ledger.payments import ItemPayment
from cashier_desk.paper import ReceiptDoc
from cashier_desk.reports.deposit import CloseoutPapers, closeout_slip, write_closeout_papers
from cashier_desk.reports.exports import ExportFile, write_exports
from cashier_desk.reports.journal import JournalAccounts

REPORTS = "reports"
EXPORTS = "exports"


@dataclass(frozen=True)
class PapersWritten:
    """What became of a closeout's papers."""

    saved: CloseoutPapers | None  # the deposit slip and the summary; None when not saved
    export_files: tuple[ExportFile, ...]  # the GL journal and the payments files
    slip_printed: bool
    problem: str | None = None  # what could not be written, said to the person

    @property
    def exports(self) -> tuple[Path, ...]:
        return tuple(f.path for f in self.export_files)

    def paths(self) -> tuple[Path, ...]:
        """Every file written, PDFs first."""
        pdfs = self.saved.all() if self.saved is not None else ()
        return (*pdfs, *self.exports)

    def as_json(self) -> dict[str, Any]:
        """The closeout result's addition: ``papers`` (the paths written) and, only when some
        could not be written, ``papers_failed`` saying why (docs/decisions.md)."""
        out: dict[str, Any] = {"papers": [str(p) for p in self.paths()]}
        if self.problem:
            out["papers_failed"] = self.problem
        return out


@dataclass(frozen=True)
class Paperwork:
    """Makes a closeout's papers for one workstation, in its data folder."""

    data_dir: Path
    config: Config
    workstation: str
    columns: Callable[[], int]  # the receipt printer's width, as it is now
    print_document: Callable[[ReceiptDoc], bool]
    item_payments: Callable[[str], Sequence[ItemPayment]]
    contests_on: Callable[[str], Sequence[ContestRecord]]  # the day's, by business date

    def folder(self, name: str) -> Path:
        return self.data_dir / name

    def closeout_papers(self, result: Closeout, *, again: bool = False) -> PapersWritten:
        """Save the PDFs, write the exports and print the closeout slip (marked REPRINT when
        ``again``); each is tried whatever became of the one before."""
        problems = []
        try:
            saved: CloseoutPapers | None = self.save_pdfs(result)
        except Refusal as refused:
            saved = None
            problems.append(f"The closeout papers could not be saved: {refused.message}")
        exported: tuple[ExportFile, ...] = ()
        try:
            exported = tuple(self.write_exports(result))
        except Refusal as refused:
            problems.append(
                f"The GL journal and payment files could not be written: {refused.message}"
            )
        slip = closeout_slip(
            result, city=self.config.city, workstation=self.workstation, columns=self.columns()
        )
        printed = self.print_document(slip.marked("REPRINT") if again else slip)
        return PapersWritten(saved, exported, printed, " ".join(problems) or None)

    def save_pdfs(self, result: Closeout, folder: Path | None = None) -> CloseoutPapers:
        """The deposit slip and the closeout summary (PDF) in ``folder`` (the data folder's
        ``reports`` by default); refused ``bad_file`` when they cannot be written."""
        where = folder if folder is not None else self.folder(REPORTS)
        try:
            return write_closeout_papers(
                result,
                where,
                city=self.config.city,
                workstation=self.workstation,
                accounts=JournalAccounts.of(self.config),
            )
        except OSError as exc:
            raise Refusal("bad_file", f"cannot save the papers in {where}: {exc}") from None

    def write_exports(self, result: Closeout, folder: Path | None = None) -> list[ExportFile]:
        """The GL journal and one payments file per program (CSV) in ``folder`` (the data
        folder's ``exports`` by default); refused ``bad_file`` when they cannot be written."""
        where = folder if folder is not None else self.folder(EXPORTS)
        try:
            return write_exports(
                result,
                self.item_payments(result.batch),
                where,
                accounts=JournalAccounts.of(self.config),
                contests=self.contests_on(result.business_date),
            )
        except OSError as exc:
            raise Refusal("bad_file", f"cannot write the exports in {where}: {exc}") from None
