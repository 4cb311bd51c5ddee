"""Pricing in one place (issue 13, item 3; programs.md `quote`): a quote gives the lines a sale
of the items would post — description, ref, code, amount and GL split — through the same path
the sale takes, refuses what the sale would refuse, and writes nothing."""

from __future__ import annotations

from collections import defaultdict

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger.schema import journal_entries, postings
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from tests.helpers import dump_tables, run_ok

LOGIN = {"op": "login", "user": "amy", "pin": "4821"}
ITEMS = [
    {"ref": "PC-2026-000001"},
    {"code": "COPIES", "qty": 12},
    {"code": "MISC", "amount": "7.10"},
]


def test_a_quote_gives_each_line_priced_and_split_and_writes_nothing(app: App) -> None:
    run_ok(app, LOGIN)
    before = dump_tables(app)
    result = run_op(app.desk, {"op": "quote", "items": ITEMS, "date": "2026-11-30"})
    assert result["ok"], result
    assert result["date"] == "2026-11-30"
    assert [(line["ref"], line["code"], line["amount"]) for line in result["lines"]] == [
        ("PC-2026-000001", "PKG-CIT-MTR", "45.00"),
        (None, "COPIES", "3.00"),
        (None, "MISC", "7.10"),
    ]
    # The citation's code adds the state's 4.50 first; the rest is the city's.
    assert result["lines"][0]["gl"] == {"250-0000-22010": "4.50", "101-0000-41300": "40.50"}
    assert result["lines"][1]["gl"] == {"101-1200-43900": "3.00"}
    assert result["total"] == "55.10"
    for line in result["lines"]:
        assert (
            sum(Money.parse(v).cents for v in line["gl"].values())
            == Money.parse(line["amount"]).cents
        )
    assert dump_tables(app) == before


def test_the_sale_posts_exactly_the_lines_its_quote_gave(app: App) -> None:
    run_ok(app, LOGIN, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    quote = run_op(app.desk, {"op": "quote", "items": ITEMS})
    sale = run_op(
        app.desk,
        {"op": "sale", "items": ITEMS, "tenders": [{"type": "cash", "amount": "60.00"}]},
    )
    assert sale["ok"] and sale["total"] == quote["total"]
    quoted: dict[str, int] = defaultdict(int)
    for line in quote["lines"]:
        for account, amount in line["gl"].items():
            quoted[account] += Money.parse(amount).cents
    with app.ledger.read() as conn:
        rows = conn.execute(
            sa.select(postings.c.account, postings.c.amount_cents)
            .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
            .where(journal_entries.c.kind == "sale")
        ).all()
    posted: dict[str, int] = defaultdict(int)
    for account, cents in rows:
        if cents < 0:  # the revenue side: credits
            posted[account] += -cents
    assert posted == quoted


@pytest.mark.parametrize(
    ("op", "code"),
    [
        ({"items": [{"code": "NOPE"}]}, "unknown_code"),
        ({"items": [{"ref": "PC-2026-000001", "amount": "45.01"}]}, "overpayment"),
        ({"items": [{"code": "COPIES", "amount": "1.00"}]}, "amount_not_allowed"),
        ({"items": [{"code": "MISC"}]}, "amount_required"),
        ({"items": []}, "no_items"),
        ({"items": [{"code": "COPIES"}], "date": "2026-13-01"}, "bad_date"),
        ({"items": [{"code": "COPIES"}], "tender": "iou"}, "bad_tender"),
    ],
)
def test_a_quote_refuses_what_the_sale_would_and_changes_nothing(
    app: App, op: dict[str, object], code: str
) -> None:
    run_ok(app, LOGIN)
    before = dump_tables(app)
    result = run_op(app.desk, {"op": "quote", **op})
    assert (result["ok"], result["error"]) == (False, code), result
    assert dump_tables(app) == before


def test_a_quote_needs_someone_logged_in(app: App) -> None:
    result = run_op(app.desk, {"op": "quote", "items": [{"code": "COPIES"}]})
    assert (result["ok"], result["error"]) == (False, "not_logged_in")
