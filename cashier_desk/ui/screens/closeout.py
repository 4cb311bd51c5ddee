"""The lead's closeout screen (Ctrl+Shift+O): the day's drawer sessions and their state,
approval of a close that is over or short beyond tolerance, and the end-of-day closeout.

Keys: the cursor starts in the session list; Enter or A on a session awaiting approval asks a
lead (not the cashier) for login, PIN and a comment; R prints the drawer report of a closed
session; F10 closes out the day with the person's
own login and PIN (they must not have worked a drawer in the batch).  The batch summary then
shows receipts, voids, each tender's expected/counted/over-short, the GL distribution and the
deposit; the deposit slip and the closeout summary are saved as PDF in the data folder's
``reports`` folder, the GL journal and the payment files per program (CSV) in its ``exports``
folder, and a short closeout slip goes to the receipt printer.  A day closed out
earlier shows its batch; Alt+G saves and prints its papers again (the slip marked REPRINT).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cashier_desk.desk import is_iso_date
from cashier_desk.desk.papers import PapersWritten
from cashier_desk.devices.receipt import TENDER_NAMES
from cashier_desk.errors import Refusal
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.ledger.drawer import AWAITING_APPROVAL, Session
from cashier_desk.ui.bridge import DAY_CHANGES
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import (
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    Qt,
    QVBoxLayout,
)
from cashier_desk.ui.recount import recount_dialog
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.widgets.approver import ApproverDialog
from cashier_desk.ui.widgets.batch_summary import BatchSummary
from cashier_desk.ui.widgets.tables import fill, read_only_table, wrapped_label

SESSION_HEADERS = ("Session", "Drawer", "Cashier", "Change fund", "State")
STATE_NAMES = {
    "open": "open",
    "awaiting_approval": "AWAITING APPROVAL",
    "recount": "SENT BACK FOR RECOUNT",
    "closed": "closed",
    "batched": "closed out",
}
KEYS_HINT = (
    "Enter or A on a session awaiting approval: a lead approves the close; B sends it back for "
    "a recount.  R: print the drawer report of a closed session.  F10: close out the day with "
    "your own login and PIN."
)


class CloseoutScreen(Screen):
    name = "closeout"
    title = "Closeout and approvals"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.sessions: list[Session] = []
        self.result: Closeout | None = None
        self.papers: PapersWritten | None = None
        self._dialog: ApproverDialog | None = None
        layout = QVBoxLayout(self)
        # One line on top (what, which day); the keys are on the buttons, the rest in tooltips:
        # the screen must leave the batch its room on a 1366×768 counter screen.
        top = QHBoxLayout()
        heading = wrapped_label(
            "Closeout and approvals", "closeoutHeading", "Closeout and approvals"
        )
        heading.setWordWrap(False)
        top.addWidget(heading)
        top.addStretch(1)
        date_label = QLabel("Business &date")
        date_label.setAccessibleName("Business date")
        top.addWidget(date_label)
        self.date = QLineEdit()
        self.date.setObjectName("closeoutDate")
        self.date.setAccessibleName("Business date")
        self.date.setPlaceholderText("today")
        self.date.setMaximumWidth(220)
        self.date.returnPressed.connect(self._date_entered)
        date_label.setBuddy(self.date)
        top.addWidget(self.date)
        layout.addLayout(top)
        self.table = read_only_table("sessionTable", "Drawer sessions of the day", SESSION_HEADERS)
        self.table.setToolTip(KEYS_HINT)
        sessions = self.table.horizontalHeader()  # "AWAITING APPROVAL" always whole
        sessions.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        sessions.setSectionResizeMode(len(SESSION_HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleDescription(KEYS_HINT)
        self.table.activated.connect(lambda _index: self.approve_selected())
        layout.addWidget(self.table, 1)
        approve_key = QShortcut(QKeySequence(Qt.Key.Key_A), self.table)
        approve_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        approve_key.activated.connect(self.approve_selected)
        back_key = QShortcut(QKeySequence(Qt.Key.Key_B), self.table)
        back_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        back_key.activated.connect(self.send_back_selected)
        report_key = QShortcut(QKeySequence(Qt.Key.Key_R), self.table)
        report_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        report_key.activated.connect(self.print_drawer_report)
        buttons = QHBoxLayout()
        self.approve_button = QPushButton("&Approve (A)")
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setAccessibleName("Approve the selected drawer close")
        self.approve_button.clicked.connect(self.approve_selected)
        self.send_back_button = QPushButton("Send &back (B)")
        self.send_back_button.setObjectName("sendBackButton")
        self.send_back_button.setAccessibleName("Send the selected close back for a recount")
        self.send_back_button.clicked.connect(self.send_back_selected)
        self.closeout_button = QPushButton("Close out (F10)")
        self.closeout_button.setObjectName("closeoutButton")
        self.closeout_button.setAccessibleName("Close out the day")
        self.closeout_button.clicked.connect(self.ask_closeout)
        self.report_button = QPushButton("Report (R)")
        self.report_button.setObjectName("drawerReportButton")
        self.report_button.setAccessibleName("Print the drawer report of the selected session")
        self.report_button.clicked.connect(self.print_drawer_report)
        self.papers_button = QPushButton("Papers a&gain (Alt+G)")
        self.papers_button.setObjectName("papersAgainButton")
        self.papers_button.setAccessibleName("Save and print the closeout papers again")
        self.papers_button.clicked.connect(self.papers_again)
        self.papers_button.setEnabled(False)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.send_back_button)
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.closeout_button)
        buttons.addWidget(self.papers_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        closeout_key = QShortcut(QKeySequence(Qt.Key.Key_F10), self)
        closeout_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        closeout_key.activated.connect(self.ask_closeout)
        self.summary = BatchSummary()
        self.files = self.summary.files  # the papers saved, or how to have them again
        layout.addWidget(self.summary, 4)
        ctx.bridge.on_any(DAY_CHANGES, lambda _event: self._desk_changed())

    # -- the sessions ------------------------------------------------------------------------------

    def activated(self) -> None:
        self.refresh()
        self.table.setFocus()

    def _date_entered(self) -> None:
        self.refresh()
        self.table.setFocus()

    def day(self) -> str | None:
        typed = self.date.text().strip()
        return typed or None

    def refresh(self) -> None:
        day = self.day()
        if day is not None and not is_iso_date(day):
            self.ctx.show_error(f"{day!r} is not a date like 2026-11-23.")
            self.date.setFocus()
            self.date.selectAll()
            return
        desk = self.ctx.desk

        def load() -> tuple[str, list[Session], list[Closeout]]:
            when = day or desk.business_date()
            return when, desk.day_sessions(when), desk.day_closeouts(when)

        self.ctx.run(load, lambda found: self._show_day(*found))

    def _show_day(self, day: str, sessions: list[Session], closeouts: list[Closeout]) -> None:
        self._show_sessions(day, sessions)
        shown = self.result
        waiting = [s for s in sessions if s.state == "closed"]  # closed, not yet closed out
        if waiting and (shown is None or shown in closeouts):
            # Drawers wait for this closeout: an earlier batch is not what F10 would make.
            drawers = ", ".join(s.drawer for s in waiting)
            self.clear_closeout(
                f"{len(waiting)} closed drawer(s) wait to be closed out ({drawers}): "
                "F10 closes them out."
            )
            self.files.setText("")
        elif closeouts and (shown is None or shown not in closeouts):
            # A day closed out earlier (or on another run): its batch, for the papers again.
            self.show_closeout(closeouts[-1])
            self.files.setText(
                "Closed out earlier. Alt+G saves the deposit slip and the closeout summary "
                "again and prints the closeout slip marked REPRINT."
            )
        elif not closeouts and shown is not None and shown.business_date != day:
            self.clear_closeout(f"No closeout of {day} yet.")

    def _show_sessions(self, day: str, sessions: list[Session]) -> None:
        if not self.date.text().strip():
            self.date.setText(day)
        keep = self.selected_session()
        self.sessions = sessions
        fill(
            self.table,
            [
                (s.id, s.drawer, s.cashier, str(s.opening), STATE_NAMES.get(s.state, s.state))
                for s in sessions
            ],
            right_from=3,
        )
        if sessions:
            rows = [i for i, s in enumerate(sessions) if keep and s.id == keep.id]
            waiting = [i for i, s in enumerate(sessions) if s.state == AWAITING_APPROVAL]
            self.table.selectRow((rows or waiting or [0])[0])
        waiting_count = sum(s.state == AWAITING_APPROVAL for s in sessions)
        self.approve_button.setEnabled(waiting_count > 0)
        self.send_back_button.setEnabled(waiting_count > 0)

    def _desk_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def selected_session(self) -> Session | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.sessions):
            return self.sessions[row]
        return None

    # -- approving a close -------------------------------------------------------------------------

    def approve_selected(self) -> None:
        session = self.selected_session()
        if session is None:
            self.ctx.show_error("Choose a drawer session first (arrow keys).")
            return
        if session.state != AWAITING_APPROVAL:
            state = STATE_NAMES.get(session.state, session.state)
            self.ctx.show_warning(
                f"Drawer {session.drawer} ({session.id}) is {state}; nothing to approve."
            )
            return
        self.ctx.run(
            lambda: self.ctx.desk.close_figures(session.id),
            lambda figures: self._ask_approval(session, figures),
        )

    def send_back_selected(self) -> None:
        session = self.selected_session()
        if session is None or session.state != AWAITING_APPROVAL:
            self.ctx.show_info("Choose a close awaiting approval to send back (arrow keys).")
            return

        def sent(lead: str, _comment: str) -> None:
            self.ctx.show_info(f"{lead} sent the close of {session.drawer} back: "
                               f"{session.cashier} counts the drawer again.")  # fmt: skip
            self.refresh()

        what = f"Drawer {session.drawer} ({session.cashier}, {session.id})."
        self._open(recount_dialog(self.ctx, self, session.id, what, sent, self.ctx.show_refusal))

    def print_drawer_report(self) -> None:
        session = self.selected_session()
        if session is None:
            self.ctx.show_error("Choose a drawer session first (arrow keys).")
            return
        if session.state == "open":
            self.ctx.show_error(
                f"Drawer {session.drawer} ({session.cashier}) is still open: its report comes "
                "after the blind count."
            )
            return
        desk = self.ctx.desk

        def printed(ok: bool) -> None:
            if ok:
                self.ctx.show_info(f"Drawer report of {session.id} printed.")
            else:
                self.ctx.show_error(
                    f"The drawer report of {session.id} did not print: the printer is not ready."
                )
            self.table.setFocus()

        self.ctx.run(lambda: desk.print_drawer_report(session.id), printed)

    def _ask_approval(self, session: Session, figures: dict[str, Any]) -> None:
        off = [
            f"{TENDER_NAMES.get(t, t)} {os_}" for t, (_e, _c, os_) in figures.items() if os_.cents
        ]
        dialog = ApproverDialog(
            "Approve drawer close",
            f"The close of drawer {session.drawer} ({session.cashier}, {session.id}) is over "
            f"or short: {', '.join(off) or 'nothing'}. A lead who is not the cashier approves "
            "it with a comment.",
            reason_label="Comment",
            parent=self,
        )
        dialog.accepted.connect(lambda: self._approve(session, dialog))
        self._open(dialog)

    def _approve(self, session: Session, dialog: ApproverDialog) -> None:
        override = dialog.override()
        desk = self.ctx.desk

        def approved(_sid: object) -> None:
            self.ctx.show_info(
                f"The close of drawer {session.drawer} ({session.cashier}) is approved "
                f"by {override.login}."
            )
            self.refresh()
            self.table.setFocus()

        def refused(refusal: Refusal) -> None:
            self.ctx.show_refusal(refusal)
            self.table.setFocus()

        self.ctx.run(
            lambda: desk.approve_close(session.id, override.login, override.pin, override.reason),
            approved,
            refused,
        )

    def _open(self, dialog: ApproverDialog) -> None:
        self._dialog = dialog

        def gone(_result: int) -> None:
            if self._dialog is dialog:
                self._dialog = None
            dialog.deleteLater()
            if self.isVisible():
                self.window().activateWindow()
                self.table.setFocus()

        dialog.finished.connect(gone)
        dialog.open()

    # -- closing out the day ---------------------------------------------------------------------

    def ask_closeout(self) -> None:
        day = self.day()
        if day is not None and not is_iso_date(day):
            self.ctx.show_error(f"{day!r} is not a date like 2026-11-23.")
            return
        dialog = ApproverDialog(
            "Close out the day",
            f"Close out {day or 'today'}: every drawer must be closed and approved. Type your "
            "own login and PIN; you must not have worked a drawer in this batch.",
            reason_label=None,
            parent=self,
        )
        user = self.ctx.desk.user
        if user is not None:
            dialog.login.setText(user.login)
            dialog.pin.setFocus()
        dialog.accepted.connect(lambda: self._closeout(day, dialog))
        self._open(dialog)

    def _closeout(self, day: str | None, dialog: ApproverDialog) -> None:
        override = dialog.override()
        desk = self.ctx.desk

        def refused(refusal: Refusal) -> None:
            self.ctx.show_refusal(refusal)
            self.table.setFocus()

        self.ctx.run(
            lambda: desk.closeout(day, override.login, override.pin), self._closed, refused
        )

    def _closed(self, result: Closeout) -> None:
        self.show_closeout(result)
        done = f"Batch {result.batch} closed out: deposit {result.deposit_total}. "
        if result.backup_problem:
            self.ctx.show_warning(f"{done}{result.backup_problem}")
        else:
            self.ctx.show_info(
                f"{done}Backed up. Saving the deposit slip and the closeout summary…"
            )
        self.refresh()
        self._make_papers(result, again=False)

    def papers_again(self) -> None:
        result = self.result
        if result is None:
            self.ctx.show_error("There is no closeout on the screen to print again.")
            return
        self.ctx.show_info(f"Saving and printing the papers of batch {result.batch} again…")
        self._make_papers(result, again=True)

    def _make_papers(self, result: Closeout, *, again: bool) -> None:
        """Save the PDFs, write the exports and print the closeout slip (marked REPRINT when
        ``again``), off the window's thread: the Desk's one closeout-papers use case."""
        desk = self.ctx.desk
        self.ctx.run(lambda: desk.closeout_papers(result, again=again), self._papers_done)

    def _papers_done(self, papers: PapersWritten) -> None:
        self.papers = papers
        lines = []
        if papers.saved is not None:
            lines += _by_folder("Saved", papers.saved.all())
        lines += _by_folder("Wrote", papers.exports)
        if papers.problem:
            lines.append(papers.problem)
            self.ctx.show_error(papers.problem)
        slip = "printed" if papers.slip_printed else "NOT printed (printer not ready)"
        lines.append(f"Closeout slip {slip}.")
        backup = self.result.backup_problem if self.result is not None else None
        if backup:
            lines.append(backup)
        self.files.setText("\n".join(lines))
        if papers.saved is not None and not papers.problem:
            folder = papers.saved.deposit_slip.parent
            saved = f"Deposit slip and closeout summary saved in {folder}."
            if backup:
                self.ctx.show_warning(f"{saved} {backup}")
            elif papers.slip_printed:
                self.ctx.show_info(saved)
            else:
                self.ctx.show_warning(f"{saved} The closeout slip did not print (printer).")

    def clear_closeout(self, message: str) -> None:
        self.result = None
        self.papers_button.setEnabled(False)
        self.summary.clear(message)

    def show_closeout(self, result: Closeout) -> None:
        self.result = result
        self.papers_button.setEnabled(True)
        self.summary.show_result(result)


def _by_folder(verb: str, paths: Iterable[Path]) -> list[str]:
    """One line per folder — ``Saved in /data/reports/2026-12-05: a.pdf, b.pdf`` — so a long
    data folder's path is shown once, not once per file."""
    folders: dict[Path, list[str]] = {}
    for path in paths:
        folders.setdefault(path.parent, []).append(path.name)
    return [f"{verb} in {folder}: {', '.join(names)}" for folder, names in folders.items()]
