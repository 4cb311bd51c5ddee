"""Payments on one open item are split cumulatively (issue 14, item 3; headless.md's GL split
rule; programs.md, Precise readings): each payment gets split(all payments up to it) −
split(those before), so a fixed add-on is owed once per item, not once per partial payment."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger.schema import journal_entries, postings, receipts
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from tests.helpers import SUPERVISOR, run_ok

ADDON, CITY = "250-0000-22010", "101-0000-41300"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed\n"
    f'REC-X,Receivable,MISC,"{ADDON}=4.50;{CITY}",open,,yes\n'
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status\n"
    "RX-1,MISC,A-1,Ann Lee,1 Main St,20.00,2026-12-31,REC-X,open\n"
)


@pytest.fixture
def counter(app: App, tmp_path: Path) -> App:
    (tmp_path / "codes.csv").write_text(CODES, encoding="utf-8")
    (tmp_path / "items.csv").write_text(ITEMS, encoding="utf-8")
    app.desk.import_file("revenue-codes", tmp_path / "codes.csv", **SUPERVISOR)
    app.desk.import_file("open-items", tmp_path / "items.csv", **SUPERVISOR)
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})  # fmt: skip
    return app


def _pay(app: App, amount: str) -> str:
    result = run_op(app.desk, {"op": "sale", "items": [{"ref": "RX-1", "amount": amount}],
                               "tenders": [{"type": "cash", "amount": amount}]})  # fmt: skip
    assert result["ok"], result
    return str(result["receipt"])


def _revenue(app: App, receipt: str) -> dict[str, str]:
    """The revenue side (credits) the receipt posted, per account."""
    with app.ledger.read() as conn:
        rows = conn.execute(
            sa.select(postings.c.account, postings.c.amount_cents)
            .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
            .join(receipts, receipts.c.id == journal_entries.c.receipt_id)
            .where(receipts.c.receipt_no == receipt, journal_entries.c.kind == "sale")
        ).all()
    out: dict[str, int] = defaultdict(int)
    for account, cents in rows:
        if cents < 0:
            out[account] += -cents
    return {a: str(Money(c)) for a, c in out.items()}


def test_the_add_on_is_taken_once_across_partial_payments(counter: App) -> None:
    first, second, last = _pay(counter, "3.00"), _pay(counter, "3.00"), _pay(counter, "14.00")
    assert _revenue(counter, first) == {ADDON: "3.00"}
    assert _revenue(counter, second) == {ADDON: "1.50", CITY: "1.50"}
    assert _revenue(counter, last) == {CITY: "14.00"}  # split on its own it would take 4.50


def test_a_quote_shows_the_cumulative_split_the_sale_will_post(counter: App) -> None:
    _pay(counter, "3.00")
    quote = run_op(counter.desk, {"op": "quote", "items": [{"ref": "RX-1", "amount": "5.00"}]})
    assert quote["lines"][0]["gl"] == {ADDON: "1.50", CITY: "3.50"}
    # Two payments on the item in one sale: the second follows the first.
    both = run_op(counter.desk, {"op": "quote", "items": [
        {"ref": "RX-1", "amount": "1.00"}, {"ref": "RX-1", "amount": "1.00"}]})  # fmt: skip
    assert [line["gl"] for line in both["lines"]] == [
        {ADDON: "1.00"},
        {ADDON: "0.50", CITY: "0.50"},
    ]


def test_a_voided_payment_no_longer_counts_as_paid_before(counter: App) -> None:
    _pay(counter, "3.00")
    wrong = _pay(counter, "3.00")
    run_ok(counter, {"op": "void", "receipt": wrong, "approver": "lee", "approver_pin": "1111",
                     "reason": "keyed twice"})  # fmt: skip
    again = _pay(counter, "3.00")
    assert _revenue(counter, again) == {ADDON: "1.50", CITY: "1.50"}
