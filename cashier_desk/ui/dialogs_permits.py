"""The forms of an animal licence (Alt+A) and a parking permit (Alt+K) on the sale screen
(programs.md; issue 15, item 5), made like the TOT return and business licence forms of
:mod:`cashier_desk.ui.dialogs_licences`: the Desk's lines of the item show as the cashier types,
Enter on the last field adds them to the sale, Esc cancels.  :func:`open_program_form` opens any
of the four."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from cashier_desk.desk.requests import AnimalRequest, PermitRequest
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.dialogs_cash import AccountBox
from cashier_desk.ui.dialogs_licences import LicenceForm, TotForm
from cashier_desk.ui.dialogs_programs import EnterCheckBox
from cashier_desk.ui.program_form import Added, Incomplete, ProgramForm, text_of
from cashier_desk.ui.qt import QLineEdit

SPECIES = (("Dog", "dog"), ("Cat", "cat"))
TERMS = (("1 year", 1), ("3 years", 3))


def line(form: ProgramForm, label: str, name: str, max_len: int, hint: str = "") -> QLineEdit:
    edit: QLineEdit = form.add(label, name, QLineEdit())
    edit.setMaxLength(max_len)
    edit.setPlaceholderText(hint)
    return edit


class AnimalForm(ProgramForm):
    """A dog or cat licence: the animal, its owner, the term, rabies, the licence it renews."""

    focus_for: ClassVar[dict[str, str]] = {
        "bad_species": "species", "bad_term": "term", "rabies_not_current": "rabies_expires",
        "bad_date": "rabies_expires", "unknown_licence": "renews", "already_licensed": "renews",
        "bad_text": "name",
    }  # fmt: skip

    def __init__(self, ctx: UiContext, then: Added) -> None:
        super().__init__(
            ctx,
            "Animal licence",
            "animalForm",
            "Dog or cat (↑↓), its name, the owner and address; Space ticks 'altered' and "
            "'senior'; a dog's rabies certificate and its expiry; the licence it renews, if "
            "any. The fee shows as you type; Enter on the last field adds it to the sale.",
            then,
        )
        self.species = self.add("Species", "animalSpecies", AccountBox())
        for label, value in SPECIES:
            self.species.addItem(label, value)
        self.name = line(self, "Animal's name", "animalName", 200)
        self.owner = line(self, "Owner", "animalOwner", 200)
        self.address = line(self, "Address", "animalAddress", 200)
        self.altered = EnterCheckBox("Spayed or neutered")
        self.term = AccountBox()
        for label, years in TERMS:
            self.term.addItem(label, years)
        self.senior = EnterCheckBox("Senior owner")
        self.add_beside(
            "Licence",
            [
                ("", "Spayed or neutered", "animalAltered", self.altered),
                ("Term", "Term", "animalTerm", self.term),
                ("", "Senior owner", "animalSenior", self.senior),
            ],
        )
        self.rabies_cert = QLineEdit()
        self.rabies_cert.setMaxLength(40)
        self.rabies_cert.setPlaceholderText("R-1234")
        self.rabies_expires = QLineEdit()
        self.rabies_expires.setMaxLength(10)
        self.rabies_expires.setPlaceholderText("2027-06-30")
        self.add_beside(
            "Rabies certificate",
            [
                ("", "Rabies certificate", "animalRabiesCert", self.rabies_cert),
                ("expires", "Rabies expires", "animalRabiesExpires", self.rabies_expires),
            ],
        )
        self.renews = line(self, "Renews licence", "animalRenews", 40, "AL-W1-1 (empty: new)")
        self.wire()

    def request(self) -> AnimalRequest:
        named = ((self.name, "animal's name"), (self.owner, "owner"), (self.address, "address"))
        for edit, what in named:
            if not text_of(edit):
                raise Incomplete(f"Key the {what}.", edit)
        return AnimalRequest(
            species=str(self.species.currentData()),
            name=text_of(self.name),
            owner=text_of(self.owner),
            address=text_of(self.address),
            altered=self.altered.isChecked(),
            term_years=int(self.term.currentData()),
            senior=self.senior.isChecked(),
            rabies_cert=text_of(self.rabies_cert) or None,
            rabies_expires=text_of(self.rabies_expires) or None,
            renews=text_of(self.renews) or None,
        )


class PermitForm(ProgramForm):
    """A parking permit: its revenue code, the plate, the address and the zone."""

    focus_for: ClassVar[dict[str, str]] = {
        "unknown_code": "code", "code_required": "code", "bad_plate": "plate",
        "permit_limit": "address", "bad_text": "address",
    }  # fmt: skip

    def __init__(self, ctx: UiContext, then: Added) -> None:
        super().__init__(
            ctx,
            "Parking permit",
            "permitForm",
            "The permit's fee code, the plate (letters and digits), the address and the zone. "
            "The fee shows as you type; Enter on the last field adds it to the sale.",
            then,
        )
        self.code = line(self, "Fee code", "permitCode", 40, "PKG-PRM-RES")
        self.plate = line(self, "Plate", "permitPlate", 8, "8ABC123")
        self.address = line(self, "Address", "permitAddress", 200)
        self.zone = line(self, "Zone", "permitZone", 20, "B (optional)")
        self.wire()

    def request(self) -> PermitRequest:
        code, plate = text_of(self.code).upper(), text_of(self.plate)
        address = text_of(self.address)
        if not code:
            raise Incomplete("Key the permit's fee code.", self.code)
        if not plate:
            raise Incomplete("Key the plate.", self.plate)
        if not address:
            raise Incomplete("Key the address the permit is for.", self.address)
        return PermitRequest(code, plate.upper(), address, text_of(self.zone))


FORMS: dict[str, Callable[[UiContext, Added], ProgramForm]] = {
    "tot": TotForm,
    "licence": LicenceForm,
    "animal": AnimalForm,
    "permit": PermitForm,
}


def open_program_form(kind: str, ctx: UiContext, then: Added) -> ProgramForm:
    """Open the form of ``kind`` (tot, licence, animal, permit), without blocking."""
    form = FORMS[kind](ctx, then)
    form.open()
    return form
