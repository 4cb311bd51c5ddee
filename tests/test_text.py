"""The card-number filter reads text as a person would (PCI DSS 3.3.1: never store a PAN);
identifiers and the config file are read as people write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cashier_desk.config import ConfigError, check_workstation, load_config
from cashier_desk.text import (
    TextError,
    clean_text,
    issuer_prefix,
    looks_like_card_number,
    mask_card_numbers,
)

VARIANTS = {
    "no-break spaces": "4111\u00a01111\u00a01111\u00a01111",
    "narrow no-break spaces": "4111\u202f1111\u202f1111\u202f1111",
    "fullwidth digits": "４１１１１１１１１１１１１１１１",
    "underscores": "4111_1111_1111_1111",
    "Arabic-Indic digits": "٤١١١١١١١١١١١١١١١",
    "Devanagari digits": "४१११११११११११११११",
    "spaced dashes": "4111 - 1111 - 1111 - 1111",
    "mathematical bold digits": "𝟒𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏",
    "ideographic spaces": "4111\u30001111\u30001111\u30001111",
}


@pytest.mark.parametrize("text", VARIANTS.values(), ids=VARIANTS.keys())
def test_a_card_number_in_any_writing_is_refused_and_masked(text: str) -> None:
    assert looks_like_card_number(f"paid by {text} thanks")
    with pytest.raises(TextError, match="card number"):
        clean_text(f"paid by {text}", "Payer")
    assert mask_card_numbers(f"paid by {text} thanks") == "paid by ****1111 thanks"


@pytest.mark.parametrize(
    "account",
    [
        "0000000000000",  # Luhn-valid, no issuer starts with 0
        "7000000000000006",  # Luhn-valid, 7 is no card issuer's
        "8000000000000003",
        "20261205084405",  # a date and time written together
    ],
)
def test_a_luhn_valid_number_no_issuer_uses_is_not_taken_for_a_card(account: str) -> None:
    assert not looks_like_card_number(account)
    assert clean_text(account, "Account") == account
    assert mask_card_numbers(account) == account


@pytest.mark.parametrize(
    ("digits", "issued"),
    [
        ("4111111111111111", True),
        ("2221000000000009", True),
        ("2720990000000007", True),
        ("2721000000000000", False),
        ("2205000000000000", False),
        ("378282246310005", True),
        ("6011111111111117", True),
        ("9792000000000000", True),
        ("9791000000000000", False),
        ("1011200521001011", False),  # GL accounts start with 1: no card issuer's
        ("0411111111111111", False),
    ],
)
def test_issuer_prefixes(digits: str, issued: bool) -> None:
    assert issuer_prefix(digits) is issued


def test_a_list_of_gl_accounts_is_not_a_card_number() -> None:
    text = "the accounts allowed are 101-1200-52100, 101-1200-52200; 250-0000-22010"
    assert not looks_like_card_number(text)
    assert mask_card_numbers(text) == text


def test_masking_keeps_the_text_around_every_card_number() -> None:
    text = "A 4111 1111 1111 1111 / B ５５００００５５５５５５５５５９ / ref 12345"
    assert mask_card_numbers(text) == "A ****1111 / B ****5559 / ref 12345"


@pytest.mark.parametrize("ws", ["W4111111111111111", "1234567890123"])
def test_a_workstation_id_with_13_digits_in_a_row_is_refused(ws: str) -> None:
    with pytest.raises(ConfigError) as err:
        check_workstation(ws)
    assert "13 digits" in str(err.value)
    assert ws not in str(err.value)


def test_an_ordinary_workstation_id_stays_allowed() -> None:
    assert check_workstation("W1") == "W1"
    assert check_workstation("EAST_123456789012") == "EAST_123456789012"


def test_a_config_file_saved_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '\ufeff[station]\nid = "EAST2"\ncity = "City of Bom"\n', encoding="utf-8"
    )
    config = load_config(tmp_path)
    assert (config.workstation, config.city) == ("EAST2", "City of Bom")
