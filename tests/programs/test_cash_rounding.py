"""Cash rounding after the penny (programs.md, "Cash rounding"; issue 14, item 4): what is left
of a sale after its non-cash tenders, paid in cash, is rounded to `[policy] cash_rounding`;
the difference is its own line on `cash_rounding_account`; the items are paid in full."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.config import ConfigError, parse_config
from cashier_desk.ledger.schema import journal_entries, postings
from cashier_desk.money import Money
from cashier_desk.programs.rounding import rounding_difference
from cashier_desk.runner import run_op
from tests.helpers import run_ok

ROUNDING = "101-0000-49910"


@pytest.mark.parametrize(
    ("cash", "paid"),
    [("10.02", "10.00"), ("10.03", "10.05"), ("10.07", "10.05"), ("10.08", "10.10"),
     ("10.01", "10.00"), ("10.04", "10.05"), ("10.06", "10.05"), ("10.09", "10.10"),
     ("10.05", "10.05"), ("10.00", "10.00")],
)  # fmt: skip
def test_the_worked_examples_and_every_last_cent(cash: str, paid: str) -> None:
    remaining = Money.parse(cash)
    assert remaining + rounding_difference(remaining, Money.parse("0.05")) == Money.parse(paid)


def test_a_larger_step_rounds_a_tie_half_up_and_a_cent_rounds_nothing() -> None:
    assert rounding_difference(Money.parse("10.05"), Money.parse("0.10")) == Money.parse("0.05")
    assert rounding_difference(Money.parse("10.04"), Money.parse("0.10")) == Money.parse("-0.04")
    assert rounding_difference(Money.parse("10.03"), Money.parse("0.01")) == Money(0)


def _rounding_counter(make_app: Callable[..., App], step: str = "0.05") -> App:
    first = make_app("rounding")
    first.close()
    (first.data_dir / "config.toml").write_text(
        f'[policy]\ncash_rounding = "{step}"\n', encoding="utf-8"
    )
    app = make_app("rounding")
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})  # fmt: skip
    return app


def _sale(app: App, amount: str, *tenders: dict[str, Any]) -> dict[str, Any]:
    result = run_op(app.desk, {"op": "sale", "items": [{"code": "MISC", "amount": amount}],
                               "tenders": list(tenders)})  # fmt: skip
    assert result["ok"], result
    return result


def _rounding_posted(app: App) -> int:
    with app.ledger.read() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.sum(postings.c.amount_cents), 0))
                .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
                .where(postings.c.account == ROUNDING, journal_entries.c.kind == "sale")
            ).scalar_one()
        )


def test_a_cash_sale_is_rounded_by_its_own_line(make_app: Callable[..., App]) -> None:
    app = _rounding_counter(make_app)
    sale = _sale(app, "10.02", {"type": "cash", "amount": "20.00"})
    assert (sale["total"], sale["change"]) == ("10.00", "10.00")
    lines = app.desk.receipt(sale["receipt"]).lines
    assert [(line.description, str(line.amount)) for line in lines] == [
        ("Miscellaneous revenue", "10.02"), ("Cash rounding", "-0.02")]  # fmt: skip
    assert _rounding_posted(app) == 2  # rounding down is a debit to the rounding account
    up = _sale(app, "10.03", {"type": "cash", "amount": "10.05"})
    assert (up["total"], up["change"]) == ("10.05", "0.00")
    assert _rounding_posted(app) == 0


def test_only_what_is_left_for_cash_is_rounded(make_app: Callable[..., App]) -> None:
    app = _rounding_counter(make_app)
    card = {"type": "card", "amount": "5.00", "last4": "4242", "auth": "A1"}
    mixed = _sale(app, "10.03", {"type": "cash", "amount": "5.05"}, card)
    assert mixed["total"] == "10.05"  # card 5.00, then cash for 5.03 → 5.05
    by_card = _sale(app, "10.03", {**card, "amount": "10.03"})
    assert by_card["total"] == "10.03"  # wholly by card: not rounded
    check = _sale(app, "10.02", {"type": "check", "amount": "10.02", "number": "77"})
    assert check["total"] == "10.02"


def test_a_quote_for_cash_shows_the_rounding_line(make_app: Callable[..., App]) -> None:
    app = _rounding_counter(make_app)
    items = [{"code": "MISC", "amount": "10.07"}]
    cash = run_op(app.desk, {"op": "quote", "items": items, "tender": "cash"})
    assert cash["total"] == "10.05" and cash["lines"][-1] == {
        "description": "Cash rounding", "ref": None, "code": None, "amount": "-0.02",
        "gl": {ROUNDING: "-0.02"}}  # fmt: skip
    plain = run_op(app.desk, {"op": "quote", "items": items})
    assert plain["total"] == "10.07" and len(plain["lines"]) == 1


def test_the_default_rounds_nothing_and_a_bad_step_is_refused_naming_its_key() -> None:
    assert parse_config("").cash_rounding == Money(1)
    for bad in ('"0.00"', '"2.00"', "5"):
        with pytest.raises(ConfigError, match="cash_rounding"):
            parse_config(f"[policy]\ncash_rounding = {bad}\n")


def test_a_refund_is_capped_at_what_a_receipt_rounded_down_brought_in(
    make_app: Callable[..., App],
) -> None:
    """programs.md, Refunds: more than the receipt brought in is refused — 17.45 of a 17.47
    fee rounded down in cash, not the fee's 17.47."""
    app = _rounding_counter(make_app)
    sale = _sale(app, "17.47", {"type": "cash", "amount": "20.00"})
    assert sale["total"] == "17.45"
    count = {"20.00": 5, "10.00": 1, "5.00": 1, "1.00": 2, "0.25": 1, "0.10": 2}
    run_ok(app, {"op": "close_drawer", "counted": {"cash": count}},
           {"op": "closeout", "approver": "lee", "approver_pin": "1111"})  # fmt: skip
    refund = {"op": "refund", "receipt": sale["receipt"], "payee": "P", "address": "A",
              "reason": "overpaid", "method": "check", "approver": "sam",
              "approver_pin": "3333"}  # fmt: skip
    for too_much in ("17.47", "17.46"):
        refused = run_op(app.desk, {**refund, "amount": too_much})
        assert refused.get("error") == "refund_too_large", refused
    run_ok(app, {**refund, "amount": "17.40"})
    refused = run_op(app.desk, {**refund, "amount": "0.06"})
    assert refused.get("error") == "refund_too_large", refused
    run_ok(app, {**refund, "amount": "0.05"})
