"""``Desk.animal_licence``: the counter looks an animal licence up to renew it (the animal
licence form fills its fields from the old licence, programs.md "Animal licences"); an
unknown, voided or malformed number is refused and nothing is written."""

from __future__ import annotations

import pytest

from cashier_desk.app import App
from cashier_desk.desk.requests import AnimalOnFile
from cashier_desk.errors import Refusal
from tests.helpers import dump_tables
from tests.programs import test_animal_permit_counter as animals
from tests.programs.counter_city import quote, sale, void
from tests.programs.test_animal_permit_counter import cat, dog

#: The fixture: the city on 2026-12-10, amy at the counter with a drawer open.
city = animals.city


def test_a_licence_sold_is_found_with_its_animal_owner_rabies_and_term(city: App) -> None:
    number = sale(city, [dog(term_years=3, senior=True)])["licences"][0]["licence"]
    before = dump_tables(city)
    assert city.desk.animal_licence(f" {number} ") == AnimalOnFile(
        number="AL-W1-000001", tag="TAG-W1-000001", species="dog", name="Rex",
        owner="Ann Lee", address="1 Main St", altered=True, senior=True, term_years=3,
        rabies_cert="R-1234", rabies_expires="2030-06-30", starts="2026-12-10",
        expires="2029-12-09", renewed_by=None,
    )  # fmt: skip
    assert dump_tables(city) == before


def test_a_cat_has_no_rabies_and_a_renewed_licence_names_its_renewal(city: App) -> None:
    number = sale(city, [cat()])["licences"][0]["licence"]
    found = city.desk.animal_licence(number)
    assert (found.species, found.altered, found.rabies_cert, found.rabies_expires) == (
        "cat", False, None, None)  # fmt: skip
    renewal = sale(city, [cat(renews=number)])["licences"][0]["licence"]
    assert city.desk.animal_licence(number).renewed_by == renewal
    # what the lookup found is what a renewal keys: the quote says it is renewed already
    assert quote(city, [cat(renews=number)])["error"] == "already_licensed"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("AL-W9-000404", "unknown_licence"),
        ("al-w1-000001", "unknown_licence"),  # kept as typed, as a renewal reads it
        ("", "bad_request"),
        ("   ", "bad_request"),
        ("AL-" + "9" * 40, "bad_text"),
        ("4111111111111111", "bad_text"),  # a card number is never looked up nor echoed
    ],
)
def test_an_unknown_or_malformed_number_is_refused_and_nothing_changes(
    city: App, typed: str, code: str
) -> None:
    sale(city, [dog()])
    before = dump_tables(city)
    with pytest.raises(Refusal) as refused:
        city.desk.animal_licence(typed)
    assert refused.value.code == code
    assert "4111111111111111" not in refused.value.message
    if code == "unknown_licence":
        assert refused.value.message == f"There is no animal licence {typed} to renew."
    assert dump_tables(city) == before


def test_a_voided_licence_is_not_found(city: App) -> None:
    sold = sale(city, [dog()])
    assert void(city, sold["receipt"])["ok"]
    with pytest.raises(Refusal) as refused:
        city.desk.animal_licence("AL-W1-000001")
    assert refused.value.code == "unknown_licence"


def test_only_someone_logged_in_looks(city: App) -> None:
    sale(city, [dog()])
    city.desk.logout()
    with pytest.raises(Refusal) as refused:
        city.desk.animal_licence("AL-W1-000001")
    assert refused.value.code == "not_logged_in"
