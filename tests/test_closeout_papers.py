"""The closeout's papers are one use case (issue 13, item 4): a script's `closeout` writes the
deposit slip and the summary (PDF, ``reports``), the GL journal and the payments files (CSV,
``exports``) under the data folder and prints the closeout slip, listing the paths it wrote as
``papers``; a paper that cannot be written is said (``papers_failed``) and never undoes the
batch."""

from __future__ import annotations

from pathlib import Path

from cashier_desk.app import App
from cashier_desk.runner import run_op
from tests.doubles import MemoryPrinter
from tests.helpers import run_ok, small_day
from tests.test_exports import worked_day


def test_a_scripts_closeout_writes_its_papers_under_the_data_folder_and_lists_them(
    app: App,
) -> None:
    run_ok(app, *worked_day()[:-1])
    printer = app.desk.printer
    assert isinstance(printer, MemoryPrinter)
    jobs_before = len(printer.jobs)
    result = run_op(app.desk, worked_day()[-1])
    assert result["ok"], result
    data, batch = app.ledger.path.parent, result["batch"]
    expected = [
        data / "reports" / f"deposit-slip-{batch}.pdf",
        data / "reports" / f"closeout-{batch}.pdf",
        data / "exports" / f"gl-journal-{batch}.csv",
    ]
    papers = [Path(p) for p in result["papers"]]
    assert papers[:3] == expected
    assert all(p.is_file() and p.stat().st_size > 0 for p in papers)
    # Citations were paid on open items: their program's payments file is written too.
    assert {p.parent for p in papers[3:]} == {data / "exports"} and len(papers) > 3
    assert "papers_failed" not in result
    for pdf in expected[:2]:
        assert pdf.read_bytes().startswith(b"%PDF")
    assert expected[2].read_text(encoding="utf-8").startswith("business_date,batch,line")
    # The closeout slip went to the receipt printer, with the deposit on it.
    assert len(printer.jobs) == jobs_before + 1
    assert "C L O S E O U T" in printer.jobs[-1] and result["deposit"]["total"] in printer.jobs[-1]


def test_papers_that_cannot_be_written_are_said_and_the_batch_stands(app: App) -> None:
    (app.ledger.path.parent / "reports").write_text("not a folder", encoding="utf-8")
    result = small_day(app)
    assert result["ok"] and result["batch"]
    assert "closeout papers could not be saved" in result["papers_failed"]
    # What could be written was: the exports; the batch is in the ledger, ready to sync.
    written = [Path(p) for p in result["papers"]]
    assert written and {p.parent.name for p in written} == {"exports"}
    assert all(p.is_file() for p in written)
    [closeout] = app.desk.day_closeouts(app.desk.business_date())
    assert closeout.batch == result["batch"]
    # Made again later, into the folder once it is one, by the same use case.
    (app.ledger.path.parent / "reports").unlink()
    again = app.desk.closeout_papers(closeout, again=True)
    assert again.problem is None and len(again.paths()) == len(result["papers"]) + 2
    printer = app.desk.printer
    assert isinstance(printer, MemoryPrinter) and "R E P R I N T" in printer.jobs[-1]
