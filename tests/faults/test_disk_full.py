"""A full disk (issue 12, item 9): the operation is refused as "the disk is full" and nothing
is half-written; the counter goes on once there is room again.

The disk is made full for real: SQLite's ``max_page_count`` caps the ledger file at its
present size, so the next page the ledger asks for fails with SQLITE_FULL exactly as a full
disk does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.runner import run_op
from tests.faults.fuzzing import assert_refusal, at_the_counter
from tests.helpers import dump_tables

SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC", "qty": 3}],
    "tenders": [{"type": "cash", "amount": "100.00"}],
    "payer": "x" * 150,
}


def _cap_ledger(app: App, extra_pages: int) -> Callable[[sqlite3.Connection, Any], None]:
    """Every new connection of the ledger may grow the file by ``extra_pages`` at most."""
    with app.ledger.read() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)

    def cap(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + extra_pages}")

    sa.event.listen(app.ledger.engine, "connect", cap)
    app.ledger.engine.dispose()  # pooled connections reconnect and take the cap
    return cap


def test_a_sale_on_a_full_disk_is_refused_whole_and_the_next_one_after_room_goes(
    slim_app: App,
) -> None:
    at_the_counter(slim_app)
    cap = _cap_ledger(slim_app, 0)
    refusals = 0
    for _ in range(50):  # the file's free pages go first; then the disk is "full"
        before = dump_tables(slim_app)
        result = run_op(slim_app.desk, SALE)
        if result["ok"]:
            continue
        assert result["error"] == "disk_full", result
        assert "disk" in result["message"] and "full" in result["message"]
        assert_refusal(result, before, slim_app)
        refusals += 1
        break
    assert refusals == 1
    numbers_before = [r.receipt_no for r in slim_app.desk.receipts()]
    # Room again: the counter goes on, and the receipt numbers have no gap.
    sa.event.remove(slim_app.ledger.engine, "connect", cap)
    slim_app.ledger.engine.dispose()
    result = run_op(slim_app.desk, SALE)
    assert result["ok"], result
    numbers = [r.receipt_no for r in slim_app.desk.receipts()]
    assert numbers == [*numbers_before, result["receipt"]]
    assert [int(n.split("-")[1]) for n in numbers] == list(range(1, len(numbers) + 1))
    assert slim_app.desk.verify_audit().ok
