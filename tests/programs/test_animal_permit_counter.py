"""Animal licences and parking permits at the counter (programs.md, rules ``animal_licence``
and ``parking_permit``): priced through the one path, numbered per workstation (licence and tag,
permit), listed by the sale, limited per address, and taken back by a void."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.ledger.schema import animal_licences, permits
from tests.helpers import SUPERVISOR, dump_tables
from tests.programs.counter_city import (
    on_day,
    quote,
    receipt_lines,
    rows,
    rules,
    sale,
    set_up,
    void,
)


def dog(**fields: Any) -> dict[str, Any]:
    return {"animal": {"species": "dog", "name": "Rex", "owner": "Ann Lee",
                       "address": "1 Main St", "altered": True, "term_years": 1,
                       "senior": False, "rabies_cert": "R-1234",
                       "rabies_expires": "2030-06-30"} | fields}  # fmt: skip


def cat(**fields: Any) -> dict[str, Any]:
    body = {"species": "cat", "name": "Tom", "owner": "Ann Lee", "address": "1 Main St",
            "altered": False, "term_years": 1}  # fmt: skip
    return {"animal": body | fields}


def permit(plate: str = "8ABC123", address: str = "12 Oak St", **fields: Any) -> dict[str, Any]:
    return {"permit": {"code": "PKG-PRM-RES", "plate": plate, "address": address,
                       "zone": "B"} | fields}  # fmt: skip


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    set_up(app, tmp_path)
    on_day(app, "2026-12-10")
    return app


# -- animal licences --------------------------------------------------------------------------


def test_a_dog_licence_is_numbered_tagged_and_runs_a_year_less_a_day(city: App) -> None:
    got = quote(city, [dog()])
    assert [(line["description"], line["amount"], line["gl"]) for line in got["lines"]] == [
        ("Dog licence (altered), 1 year", "15.00", {"101-2200-42100": "15.00"})]  # fmt: skip
    sold = sale(city, [dog()])
    assert sold["ok"] and sold["total"] == "15.00", sold
    assert sold["licences"] == [
        {"licence": "AL-W1-000001", "tag": "TAG-W1-000001", "expires": "2027-12-09"}]  # fmt: skip
    [made] = rows(city, animal_licences)
    assert (made.number, made.tag, made.species, made.name, made.starts, made.expires) == (
        "AL-W1-000001", "TAG-W1-000001", "dog", "Rex", "2026-12-10", "2027-12-09")  # fmt: skip
    assert (made.rabies_cert, made.rabies_expires, made.receipt_no) == (
        "R-1234", "2030-06-30", sold["receipt"])  # fmt: skip
    second = sale(city, [cat()])
    assert second["licences"][0]["tag"] == "TAG-W1-000002"


def test_three_years_for_a_senior_and_a_cat_needs_no_rabies_certificate(city: App) -> None:
    items = [dog(term_years=3, senior=True), cat()]
    got = quote(city, items)
    assert [line["amount"] for line in got["lines"]] == ["20.00", "20.00"]
    assert got["lines"][0]["description"] == "Dog licence (altered), 3 years, senior"
    sold = sale(city, items)
    assert [(x["licence"], x["expires"]) for x in sold["licences"]] == [
        ("AL-W1-000001", "2029-12-09"), ("AL-W1-000002", "2027-12-09")]  # fmt: skip


def test_a_renewal_runs_on_from_the_old_licence_and_late_pays_the_late_fee(city: App) -> None:
    old = sale(city, [dog()])["licences"][0]["licence"]
    early = quote(city, [dog(renews=old)], "2027-11-01")
    assert early["total"] == "15.00"
    on_day(city, "2028-01-20")  # 42 days after 2027-12-09: late
    got = quote(city, [dog(renews=old, senior=True)])
    assert [(line["description"], line["amount"]) for line in got["lines"]] == [
        ("Dog licence (altered), 1 year, senior", "7.50"),
        ("Animal licence late fee", "20.00")]  # fmt: skip
    renewed = sale(city, [dog(renews=old, senior=True)])
    assert renewed["licences"] == [
        {"licence": "AL-W1-000002", "tag": "TAG-W1-000002", "expires": "2029-01-19"}]  # fmt: skip
    before = dump_tables(city)
    assert quote(city, [dog(renews=old)])["error"] == "already_licensed"
    assert dump_tables(city) == before
    # a void of the renewal frees the old licence to be renewed again
    assert void(city, renewed["receipt"])["ok"]
    assert quote(city, [dog(renews=old)])["ok"]


def test_a_voided_licence_cannot_be_renewed(city: App) -> None:
    sold = sale(city, [dog()])
    assert void(city, sold["receipt"])["ok"]
    [voided] = rows(city, animal_licences)
    assert voided.voided_at is not None
    assert quote(city, [dog(renews="AL-W1-000001")])["error"] == "unknown_licence"


@pytest.mark.parametrize(
    ("item", "code"),
    [
        (dog(term_years=2), "bad_term"),
        (dog(term_years="1"), "bad_term"),
        (dog(species="bird"), "bad_species"),
        (dog(rabies_expires="2027-12-08"), "rabies_not_current"),
        (dog(rabies_cert=None, rabies_expires=None), "rabies_not_current"),
        (dog(renews="AL-W9-000404"), "unknown_licence"),
        (dog(altered="yes"), "bad_request"),
        (dog(senior=1), "bad_request"),
        (dog(rabies_expires="June 2027"), "bad_date"),
        (dog(owner=""), "bad_text"),
        (dog(code="TOT"), "unknown_code"),
        ({"animal": {"species": "dog"}}, "bad_request"),
    ],
)
def test_every_animal_refusal_changes_nothing(city: App, item: dict[str, Any], code: str) -> None:
    before = dump_tables(city)
    assert quote(city, [item])["error"] == code
    refused = sale(city, [item], [{"type": "cash", "amount": "100.00"}])
    assert (refused["ok"], refused["error"]) == (False, code), refused
    assert dump_tables(city) == before


def test_a_citys_own_fees_discount_and_late_fee(city: App, tmp_path: Path) -> None:
    rules(city, tmp_path, """
[animal_licence]
senior_discount = "25%"
late_fee = "25.00"
late_after_days = 60
gl = "101-2200-42199"
[animal_licence.fees]
dog_altered = ["17.00", "45.00"]
""")  # fmt: skip
    got = quote(city, [dog(term_years=3, senior=True)])
    # 45.00 − round(45.00 × 25%) = 45.00 − 11.25
    assert [(line["amount"], line["gl"]) for line in got["lines"]] == [
        ("33.75", {"101-2200-42199": "33.75"})]  # fmt: skip
    assert quote(city, [cat()])["total"] == "20.00"  # kinds the version leaves out are kept
    old = sale(city, [dog()])["licences"][0]["licence"]
    assert quote(city, [dog(renews=old)], "2028-02-07")["total"] == "17.00"  # 60 days
    assert quote(city, [dog(renews=old)], "2028-02-08")["total"] == "42.00"  # 61 days


# -- parking permits --------------------------------------------------------------------------


def test_a_permit_is_the_codes_fee_numbered_and_valid_to_the_year_end(city: App) -> None:
    got = quote(city, [permit(" 8abc123 ")])
    assert [(line["description"], line["amount"], line["code"], line["gl"])
            for line in got["lines"]] == [("Residential parking permit 8ABC123", "40.00",
                                           "PKG-PRM-RES", {"101-0000-42500": "40.00"})]  # fmt: skip
    sold = sale(city, [permit()])
    assert sold["ok"] and sold["total"] == "40.00", sold
    assert sold["permits"] == [{"permit": "PP-W1-000001", "valid_through": "2027-06-30"}]
    assert "licences" not in sold
    [made] = rows(city, permits)
    assert (made.plate, made.address, made.address_key, made.zone) == (
        "8ABC123", "12 Oak St", "12 oak st", "B")  # fmt: skip
    assert receipt_lines(city, sold["receipt"]) == [
        ("Residential parking permit 8ABC123", "40.00")]  # fmt: skip


def test_within_advance_days_the_permit_sold_is_next_years(city: App) -> None:
    on_day(city, "2027-05-16")  # 45 days before 2027-06-30
    sold = sale(city, [permit()])
    assert sold["permits"][0]["valid_through"] == "2028-06-30"


def test_the_limit_per_address_counts_valid_permits_of_the_code_and_year(city: App) -> None:
    sold = sale(city, [permit("1AAA111"), permit("2BBB222", "12  OAK st")])
    assert sale(city, [permit("3CCC333", " 12 oak ST ")])["ok"]
    before = dump_tables(city)
    assert quote(city, [permit("4DDD444")])["error"] == "permit_limit"
    refused = sale(city, [permit("4DDD444")], [{"type": "cash", "amount": "40.00"}])
    assert refused["error"] == "permit_limit"
    assert dump_tables(city) == before
    assert quote(city, [permit("4DDD444", "14 Oak St")])["ok"]  # another address
    assert quote(city, [permit("4DDD444")], "2027-05-20")["ok"]  # next year's permit
    # a void frees its permits
    assert void(city, sold["receipt"])["ok"]
    assert all(r.voided_at is not None for r in rows(city, permits)[:2])
    assert sale(city, [permit("4DDD444"), permit("5EEE555")])["ok"]


def test_the_limit_holds_within_one_sale(city: App) -> None:
    plates = ["1AAA111", "2BBB222", "3CCC333", "4DDD444"]
    assert quote(city, [permit(p) for p in plates])["error"] == "permit_limit"
    assert quote(city, [permit(p) for p in plates[:3]])["ok"]


@pytest.mark.parametrize(
    ("item", "code"),
    [
        (permit("8ABC-123"), "bad_plate"),
        (permit("123456789"), "bad_plate"),
        (permit(""), "bad_plate"),
        (permit(address="   "), "bad_text"),
        (permit(code="TOT"), "unknown_code"),
        (permit(code="NO-SUCH"), "unknown_code"),
        ({"permit": {"code": "PKG-PRM-RES", "plate": "8ABC123"}}, "bad_request"),
        ({**permit(), "code": "PKG-PRM-RES"}, "bad_request"),
        ({**permit(), "qty": 2}, "bad_request"),
    ],
)
def test_every_permit_refusal_changes_nothing(city: App, item: dict[str, Any], code: str) -> None:
    before = dump_tables(city)
    assert quote(city, [item])["error"] == code
    refused = sale(city, [item], [{"type": "cash", "amount": "100.00"}])
    assert (refused["ok"], refused["error"]) == (False, code), refused
    assert dump_tables(city) == before


def test_a_citys_own_limit_and_year_end(city: App, tmp_path: Path) -> None:
    rules(city, tmp_path, """
[parking_permit]
per_address = 1
year_end = "12-31"
advance_days = 10
""")  # fmt: skip
    assert sale(city, [permit()])["permits"][0]["valid_through"] == "2026-12-31"
    assert quote(city, [permit("2BBB222")])["error"] == "permit_limit"
    on_day(city, "2026-12-21")  # 10 days before the year end: next year's
    assert sale(city, [permit("2BBB222")])["permits"][0]["valid_through"] == "2027-12-31"


def test_a_permit_code_without_a_fee_of_its_own_is_refused_at_import(
    city: App, tmp_path: Path
) -> None:
    """programs.md: a ``parking_permit`` code's fee is its own fixed amount; an open one (no
    amount) imported fine and then every permit of it was refused ``unknown_code``."""
    path = tmp_path / "open-permit.csv"
    path.write_text(
        "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
        "PKG-FEE,Parking fee,PARKING,101-0000-41300,fixed,5.00,no,\n"
        "PKG-PRM-OPEN,Residential permit,PARKING,101-0000-41310,open,,no,parking_permit\n",
        encoding="utf-8",
    )
    before = dump_tables(city)
    with pytest.raises(Refusal) as refused:
        city.desk.import_file("revenue-codes", path, **SUPERVISOR)
    assert refused.value.code == "bad_row"
    assert "line 3, column fee_type" in refused.value.message, refused.value.message
    assert dump_tables(city) == before
