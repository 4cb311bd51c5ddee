"""Printing a typical receipt to the simulated ESC/POS printer over a pseudo-terminal.

The production driver (``EscPosPrinter``: python-escpos over pyserial, status query before and
after the job) prints to the simulator behind ``PtySimServer(sim, baud=…)``, which consumes the
line no faster than ``baud / 10`` bytes a second, as a real serial printer does.  The figure is
``print_receipt(doc)``'s wall time; the limit is the line's own time for the job's bytes,
``bytes × 10 / baud`` (8N1: ten bits a byte).
"""

from __future__ import annotations

import statistics
import time

from benchmarks.common import Context, Figure, bench_app
from cashier_desk.desk import ItemRequest, TenderRequest
from cashier_desk.devices.escpos_render import to_escpos
from cashier_desk.devices.printer import EscPosPrinter
from cashier_desk.devices.receipt import ReceiptDoc
from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
from cashier_desk.devices.sim.transports import PtySimServer
from cashier_desk.money import Money

TARGET = "ratio<=1.15"


def typical_doc(ctx: Context) -> ReceiptDoc:
    """The sale benchmark's receipt (a bill by check and a licence in cash), or one like it."""
    content = ctx.shared.get("receipt_doc_json")
    if content is None:
        app = bench_app(ctx.fresh_data_dir("print-doc"))
        try:
            desk = app.desk
            desk.login("amy", "4821")
            desk.open_drawer("D1", {Money.parse("20.00"): 5})
            ref = "UB-100002"
            item = desk.open_item(ref)
            assert item is not None
            desk.sale(
                [ItemRequest(ref=ref), ItemRequest(code="DOG-LIC")],
                [
                    TenderRequest("check", item.still_due, number="10042"),
                    TenderRequest("cash", Money.parse("50.00")),
                ],
                item.name,
            )
            with app.ledger.read() as conn:
                content = str(
                    conn.exec_driver_sql("SELECT content FROM print_jobs ORDER BY id DESC").scalar()
                )
        finally:
            app.close()
        ctx.shared["receipt_doc_json"] = content
    return ReceiptDoc.from_json(content)


def print_at(doc: ReceiptDoc, baud: int, times: int) -> tuple[list[float], int]:
    sim = EscPosPrinterSim()
    data = to_escpos(doc)
    with PtySimServer(sim, baud=baud) as server:
        printer = EscPosPrinter(f"escpos+serial://{server.port}?baudrate={baud}")
        started = printer.start()
        if not started.ok:
            raise RuntimeError(f"the simulated printer did not start: {started.message}")
        try:
            took = []
            for _ in range(times):
                t0 = time.perf_counter()
                ok = printer.print_receipt(doc)
                took.append(time.perf_counter() - t0)
                if not ok:
                    raise RuntimeError("the simulated printer did not take the receipt")
        finally:
            printer.close()
    complete = [r for r in sim.receipts if r.complete]
    if len(complete) != times:
        raise RuntimeError(f"the printer cut {len(complete)} receipts, not {times}")
    return took, len(data)


def run(ctx: Context) -> list[Figure]:
    doc = typical_doc(ctx)
    figures = []
    for baud in ctx.size.bauds:
        with ctx.profiled(f"print-{baud}"):
            took, size = print_at(doc, baud, ctx.size.prints)
        line_s = size * 10 / baud
        typical = statistics.median(took)
        figures.append(
            Figure(
                f"print.{baud}",
                f"Print a receipt at {baud:,} baud",
                typical,
                "s",
                line_s,
                f"line time of {size:,} bytes",
                TARGET,
                f"median of {len(took)} receipt(s) of {len(doc.lines)} lines over a pty; "
                f"slowest {max(took):.3f} s",
                {"seconds": took, "bytes": size, "baud": baud},
            )
        )
    return figures
