"""Money: integer cents, strict parsing, exact formatting, and the GL split rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashier_desk.money import GlSplit, Money, MoneyError


@pytest.mark.parametrize(
    ("text", "cents"),
    [("12.30", 1230), ("12.3", 1230), ("12", 1200), ("0.01", 1), ("-0.25", -25), ("0", 0)],
)
def test_parses_plain_amounts(text: str, cents: int) -> None:
    assert Money.parse(text).cents == cents


@pytest.mark.parametrize(
    "bad",
    ["12.345", "1e3", "1E3", "NaN", "nan", "inf", "", " ", " 12.30", "12.30 ", "+1.00", "1,000.00",
     ".50", "12.", "--1", "١٢", "0x10", "12.3.4", "€12"],
)  # fmt: skip
def test_refuses_anything_but_plain_amounts(bad: str) -> None:
    with pytest.raises(MoneyError):
        Money.parse(bad)


def test_three_decimals_are_named_in_the_message() -> None:
    with pytest.raises(MoneyError, match="more than two decimals"):
        Money.parse("12.345")


@pytest.mark.parametrize("bad", [12.3, 12, None, True, b"12.30"])
def test_refuses_non_strings_to_parse(bad: object) -> None:
    with pytest.raises(MoneyError):
        Money.parse(bad)


@pytest.mark.parametrize("bad", [1.5, True, "100", None])
def test_refuses_floats_and_other_types_as_cents(bad: object) -> None:
    with pytest.raises(MoneyError):
        Money(bad)  # type: ignore[arg-type]


def test_refuses_amounts_too_large_for_the_database() -> None:
    with pytest.raises(MoneyError):
        Money(10**15)


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_format_and_parse_round_trip(cents: int) -> None:
    m = Money(cents)
    text = str(m)
    assert Money.parse(text) == m
    assert text.count(".") == 1 and len(text.split(".")[1]) == 2


def test_arithmetic_stays_exact() -> None:
    total = Money(0)
    for _ in range(10):
        total += Money.parse("0.10")
    assert total == Money.parse("1.00")
    assert Money.parse("0.25") * 3 == Money.parse("0.75")
    assert -Money.parse("1.05") == Money.parse("-1.05")


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [("100.00", "0.12", "12.00"), ("0.05", "0.5", "0.03"), ("0.04", "0.5", "0.02"),
     ("-0.05", "0.5", "-0.03"), ("1234.56", "0.105", "129.63")],
)  # fmt: skip
def test_rates_round_half_up(amount: str, rate: str, expected: str) -> None:
    assert Money.parse(amount).apply_rate(rate) == Money.parse(expected)


def test_split_fixed_parts_first_then_the_remainder() -> None:
    split = GlSplit.parse("250-0000-22010=4.50;101-0000-41300")
    assert split.allocate(Money.parse("45.00"), 1) == [
        ("250-0000-22010", Money.parse("4.50")),
        ("101-0000-41300", Money.parse("40.50")),
    ]
    # fixed parts are per item
    assert split.allocate(Money.parse("90.00"), 2)[0] == ("250-0000-22010", Money.parse("9.00"))


def test_split_fixed_parts_are_capped_by_what_is_left_in_the_order_written() -> None:
    split = GlSplit.parse("A-1=3.00;B-2;C-3=2.00")
    assert split.allocate(Money.parse("4.00"), 1) == [
        ("A-1", Money.parse("3.00")),
        ("C-3", Money.parse("1.00")),
    ]
    assert split.allocate(Money.parse("2.00"), 1) == [("A-1", Money.parse("2.00"))]
    assert split.allocate(Money.parse("6.00"), 1) == [
        ("A-1", Money.parse("3.00")),
        ("C-3", Money.parse("2.00")),
        ("B-2", Money.parse("1.00")),
    ]


@given(
    st.lists(st.integers(min_value=1, max_value=50_000), max_size=4),
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=1, max_value=50),
)
def test_split_always_sums_to_the_line(parts: list[int], line: int, qty: int) -> None:
    text = ";".join([f"F-{i}={Money(c)}" for i, c in enumerate(parts)] + ["R-0"])
    allocation = GlSplit.parse(text).allocate(Money(line), qty)
    assert sum(m.cents for _, m in allocation) == line
    assert all(m.cents >= 0 for _, m in allocation)


@pytest.mark.parametrize(
    "bad",
    ["", "101-0000-41100=1.00", "A-1;B-2", "A-1=1.005;B-2", "A-1=0.00;B-2", "A-1;A-1=2.00",
     "not an account", "A-1=-1.00;B-2"],
)  # fmt: skip
def test_split_refuses_malformed_distributions(bad: str) -> None:
    with pytest.raises(MoneyError):
        GlSplit.parse(bad)
