"""``Desk.account``: the counter looks a registered account up (the business licence form shows
the business beside the account typed); nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from tests.programs.counter_city import counts, set_up


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    return set_up(app, tmp_path)


def test_a_registered_account_is_found_with_its_name_and_address(city: App) -> None:
    before = counts(city)
    assert city.desk.account("BL-0007") == {
        "account": "BL-0007", "rule": "business_licence", "name": "Blue Door Cafe",
        "address": "12 Oak St", "opened": "2020-02-01",
    }  # fmt: skip
    assert city.desk.account(" TOT-0043 ")["address"] == ""  # not known: empty
    assert counts(city) == before


@pytest.mark.parametrize(("typed", "code"), [("BL-9999", "unknown_account"), ("  ", "bad_request")])
def test_an_unknown_or_blank_account_is_refused(city: App, typed: str, code: str) -> None:
    with pytest.raises(Refusal) as refused:
        city.desk.account(typed)
    assert refused.value.code == code


def test_only_someone_logged_in_looks(city: App) -> None:
    city.desk.logout()
    with pytest.raises(Refusal):
        city.desk.account("BL-0007")
