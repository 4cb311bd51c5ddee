"""Printing: print jobs written with the receipt, sent after the commit, retried until taken.

A job is part of the receipt's own transaction; it is sent to the printer only after the commit
and counts as printed only when the printer took all of it.  One job at a time goes to the
printer, in order.  The spooler thread prints what is pending at start-up and whenever the
printer reports it is ready again (paper back, cover closed, plugged in).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.desk.requests import SaleResult, text
from cashier_desk.desk.station import Station
from cashier_desk.devices.model import Device, DeviceStatus, DeviceStatusChanged
from cashier_desk.devices.receipt import CERTIFICATE, ReceiptDoc, build_receipt
from cashier_desk.errors import Refusal
from cashier_desk.events import (
    Alert,
    DocumentPrinted,
    PrintFinished,
    PrintPending,
    ReceiptPosted,
)
from cashier_desk.ids import ReceiptNo
from cashier_desk.ledger import print_queue, program_documents
from cashier_desk.ledger.receipts import ReceiptView, load_receipt, with_documents
from cashier_desk.reports import licence

log = logging.getLogger(__name__)

PRINTER_FAULT = (
    "Printing failed with a fault of the program, not of the printer ({exc!r}); the receipt "
    "stays in the print queue. Details are in the log: call support."
)


class Spooler:
    """The print queue and the devices beside the printer (see the module's docstring)."""

    def __init__(self, station: Station) -> None:
        self.st = station
        # One job at a time reaches the printer, whichever thread asks (sale or spooler).
        self._print_lock = threading.Lock()
        self._spool_wake = threading.Event()
        self._spool_stop = threading.Event()
        self._spooler: threading.Thread | None = None
        self._drawer_timer: threading.Timer | None = None
        self._restart_upto = 0  # print jobs left pending by an earlier run print as copies
        self._maybe_printed: set[int] = set()  # ... and jobs printed but not marked printed

    # -- printing --------------------------------------------------------------------------

    def queue_print(
        self,
        conn: sa.Connection,
        receipt_no: str,
        receipt_id: int,
        kind: str,
        view: ReceiptView | None = None,
        *,
        issued: bool = False,
    ) -> tuple[int, ReceiptDoc]:
        """Write the print job in the caller's transaction (``view``: the receipt as the sale
        just wrote it, so it need not be read back; ``issued``: its program items issued
        numbers, whose records are written by now); returns the job's id and its document,
        which :meth:`print_job` prints once the transaction has committed."""
        if view is None:
            view = load_receipt(conn, receipt_no)
        elif issued and not view.issued:
            view = with_documents(conn, view)
        if view is None:  # pragma: no cover - written in the same transaction
            raise RuntimeError(f"receipt {receipt_no} vanished")
        mark = {"original": None, "reprint": "REPRINT", "void": "VOID"}[kind]
        now = self.st.now().isoformat()
        doc = build_receipt(
            view,
            city=self.st.config.city,
            address=self.st.config.address,
            mark=mark,
            columns=self.st.printer.columns,
            timezone=self.st.config.timezone,
            printed_at=now if kind == "reprint" else None,
        )
        params = {
            "receipt_id": receipt_id,
            "kind": kind,
            "content": doc.to_json(),
            "created_at": now,
            "attempts": 0,
            "printed_at": None,
        }
        return print_queue.add_job(conn, params), doc

    def print_job(self, job_id: int, doc: ReceiptDoc | None = None) -> bool:
        """Send one queued job to the printer; mark it printed only if the printer took it.

        ``doc`` is the job's document when the caller has just written the job (a sale, a
        void, a reprint): only whether it is still pending is then read back, not the job."""
        with self._print_lock:
            with self.st.ledger.read() as conn:
                job = print_queue.job(conn, job_id, whole=doc is None)
            if job is None or job.printed_at is not None:
                return job is not None  # gone: False; printed meanwhile: True
            receipt_id = job.receipt_id
            doc = doc if doc is not None else self._stored_document(job)
            ok = self._send(doc, f"job {job_id}")
            try:
                with self.st.ledger.write(durable=False) as conn:
                    print_queue.mark(conn, job_id, self.st.now().isoformat() if ok else None)
            except Exception:
                if ok:  # its paper came out but the job stays pending: a retry says "copy"
                    self._maybe_printed.add(job_id)
                raise
        self.st.events.publish(PrintFinished(job_id, ok))
        if not ok:
            self.st.events.publish(PrintPending(receipt_id))
        return ok

    def after_sale(
        self, sale: SaleResult, job_id: int, doc: ReceiptDoc, opens_drawer: bool
    ) -> SaleResult:
        """Everything after a sale's commit: print, open the drawer, tell the display.

        The sale is posted and stands whatever fails here, so nothing here may raise: a
        failure is logged and said in the result: ``printed`` False for the receipt, which
        stays in the print queue until it prints (a failure after the paper came out costs a
        copy marked REPRINT, never a lost receipt), and ``after_commit`` for the rest.
        Raising would tell the cashier the sale failed and invite charging the customer a
        second time."""
        problems: list[str] = []
        printed = False
        try:
            printed = self.print_job(job_id, doc)
        except Exception:
            log.exception("sale %s is saved; printing it failed after the commit", sale.receipt)
            self.st.events.publish(PrintFinished(job_id, False))  # the count shows it
            self._spool_wake.set()  # the spooler tries again (and logs if it still fails)
        if opens_drawer:
            try:
                if not self.st.cash_drawer.open_drawer():
                    log.warning("sale %s is saved; the cash drawer did not open", sale.receipt)
            except Exception:
                log.exception("sale %s is saved; opening the drawer failed", sale.receipt)
                problems.append("the cash drawer did not open (open it with its key)")
        if any(i.kind == "licence" for i in sale.issued):
            try:
                self.save_certificates(sale.receipt)
            except Exception as exc:
                log.exception("sale %s is saved; its licence certificate was not", sale.receipt)
                problems.append(
                    f"the licence certificate (PDF) was not saved ({exc}): the receipt's "
                    "certificate section stands; a reprint of the receipt saves it again"
                )
        try:
            self.st.events.publish(ReceiptPosted(sale.receipt, sale.total, sale.change))
        except Exception:  # the bus logs a listener's failure; this is only belt and braces
            log.exception("sale %s is saved; telling the listeners failed", sale.receipt)
            problems.append("the customer display was not updated")
        return replace(sale, printed=printed, after_commit="; ".join(problems))

    def save_certificates(self, receipt_no: str) -> list[Path]:
        """The business licences' certificates (PDF) of a committed receipt, saved in
        ``<data-dir>/reports/licences/`` (docs/decisions.md, issue 15 item 3)."""
        with self.st.ledger.read() as conn:
            found = program_documents.certificates(conn, receipt_no, in_force=True)
        folder = self.st.ledger.path.parent / "reports" / licence.FOLDER
        return [licence.write_certificate(c, folder, city=self.st.config.city) for c in found]

    def _stored_document(self, job: sa.Row[Any]) -> ReceiptDoc:
        doc = ReceiptDoc.from_json(job.content)
        if job.kind == "original" and (
            job.id <= self._restart_upto or job.id in self._maybe_printed
        ):
            # Left pending by an earlier run, or printed when marking it printed failed: it
            # may have come out already, so this paper says it is a copy.
            doc = doc.marked("REPRINT")
        return doc

    def _send(self, doc: ReceiptDoc, what: str) -> bool:
        """The printer's answer for ``doc``.  A driver says an offline printer with False and
        never raises; when it raises all the same it is a fault of the program (rendering,
        a driver's bug), never called "printer offline": it is logged with its traceback and
        the lead is alerted, and the job stays in the queue (a sale never fails on paper)."""
        try:
            return self.st.printer.print_receipt(doc)
        except Exception as exc:
            log.exception("the printer's software failed on %s", what)
            self.st.events.publish(Alert("printer_fault", PRINTER_FAULT.format(exc=exc)))
            return False

    def print_document(self, doc: ReceiptDoc) -> bool:
        """Print a slip that is not a receipt (a closeout slip, a test page), in turn with the
        receipts; nothing is kept of it but the audit record."""
        with self._print_lock:
            ok = self._send(doc, "a document")
        with self.st.ledger.write() as conn:
            self.st.audit(conn, "print_document", doc.lines[0].text if doc.lines else "", {},
                        outcome="printed" if ok else "not printed")  # fmt: skip
        self.st.events.publish(DocumentPrinted(ok))  # the simulator's paper pane shows it
        return ok

    def pending_prints(self) -> int:
        with self.st.ledger.read() as conn:
            return print_queue.pending_count(conn)

    def print_pending(self) -> tuple[int, int]:
        """Retry every job the printer has not taken, oldest first: (printed, still pending)."""
        with self.st.ledger.read() as conn:
            pending = print_queue.pending_ids(conn)
        printed = 0
        for job_id in pending:
            if not self.print_job(job_id):
                break  # keep the order: nothing later prints before this one
            printed += 1
        return printed, len(pending) - printed

    def reprint(self, receipt_no: ReceiptNo) -> bool:
        self.st.need_user()
        number = text(receipt_no, "the receipt number", max_len=40)
        with self.st.ledger.write() as conn:
            found = print_queue.receipt_id(conn, number)
            if found is None:
                raise Refusal("unknown_receipt", f"There is no receipt {number}.")
            job_id, doc = self.queue_print(conn, number, found, "reprint")
            self.st.audit(conn, "reprint", number)
        printed = self.print_job(job_id, doc)
        if any(line.text == CERTIFICATE for line in doc.lines):
            try:  # the PDF again too, when it was lost (never failing the reprint)
                self.save_certificates(number)
            except Exception:
                log.exception("reprint of %s: its licence certificate was not saved", number)
        return printed

    # -- the spooler: pending jobs print by themselves --------------------------------------

    def start_spooler(self) -> None:
        """Print what is pending now (in the background) and whenever the printer comes back."""
        if self._spooler is not None:
            return
        with self.st.ledger.read() as conn:
            self._restart_upto = print_queue.newest_id(conn)
        self._spool_stop.clear()
        self._spooler = threading.Thread(target=self._spool, name="print-spooler", daemon=True)
        self._spooler.start()
        self._spool_wake.set()

    def stop_spooler(self) -> None:
        timer, self._drawer_timer = self._drawer_timer, None
        if timer is not None:
            timer.cancel()
        if self._spooler is None:
            return
        self._spool_stop.set()
        self._spool_wake.set()
        self._spooler.join(timeout=10)
        self._spooler = None

    def device_status_changed(self, device: Device, status: DeviceStatus) -> None:
        """A device reported a new status (on its own thread): tell the window, wake the
        spooler when the printer can print again, watch a drawer left open."""
        self.st.events.publish(DeviceStatusChanged(device.name, device.kind, status))
        if device.kind == "printer" and status.ready:
            self.printer_ready()
        if status.drawer_open is not None:
            self._watch_drawer(status.drawer_open)

    def _watch_drawer(self, is_open: bool) -> None:
        timer, self._drawer_timer = self._drawer_timer, None
        if timer is not None:
            timer.cancel()
        seconds = self.st.config.drawer_alert_seconds
        if is_open and seconds:
            message = (
                f"The cash drawer has been open for more than {seconds} seconds: "
                "give the change and close it."
            )
            self._drawer_timer = threading.Timer(
                seconds,
                lambda: self.st.events.publish(Alert("drawer_left_open", message)),
            )
            self._drawer_timer.daemon = True
            self._drawer_timer.start()

    def printer_ready(self) -> None:
        """The printer says it can print again: let the spooler retry the queue."""
        self._spool_wake.set()

    def _spool(self) -> None:
        while not self._spool_stop.is_set():
            self._spool_wake.wait()
            self._spool_wake.clear()
            if self._spool_stop.is_set():
                break
            try:
                printed, pending = self.print_pending()
            except Exception:
                log.exception("the print spooler failed; it will try again")
                continue
            if printed:
                log.info("printed %d pending receipt(s); %d still pending", printed, pending)
