"""The forms of an animal licence (Alt+A) and a parking permit (Alt+K) on the sale screen
(programs.md; issue 15, item 5), made like the TOT return and business licence forms of
:mod:`cashier_desk.ui.dialogs_licences`: the Desk's lines of the item show as the cashier types,
Enter on the last field adds them to the sale, Esc cancels.  :func:`open_program_form` opens any
of the four.

A renewal is keyed by its old licence: the animal form's first field is the licence it renews;
Enter (or leaving the field) looks it up (``Desk.animal_licence``) and fills the animal, owner,
term and rabies fields from it, then Enter on the last field adds the renewal — number, Enter,
check, Enter.  An unknown number is said beside the field and nothing else changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from cashier_desk.desk.requests import AnimalOnFile, AnimalRequest, PermitRequest
from cashier_desk.errors import Refusal
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.dialogs_cash import AccountBox
from cashier_desk.ui.dialogs_licences import LicenceForm, TotForm
from cashier_desk.ui.dialogs_programs import EnterCheckBox
from cashier_desk.ui.program_form import Added, Incomplete, ProgramForm, text_of
from cashier_desk.ui.qt import QHBoxLayout, QLabel, QLineEdit, QWidget

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
            "Renewal: the old licence's number, Enter (its animal is filled in). New: Enter, "
            "dog or cat (↑↓), name, owner, address; Space ticks 'altered' and 'senior'; a "
            "dog's rabies certificate. The fee shows as you type; Enter on the last field "
            "adds it to the sale.",
            then,
        )
        self.renews = QLineEdit()
        self.renews.setMaxLength(40)
        self.renews.setPlaceholderText("AL-W1-000001 (empty: new)")
        self.renews_note = QLabel("")
        self.renews_note.setObjectName("animalRenewsNote")
        self.renews_note.setAccessibleName("The licence renewed: its animal, or why not found")
        self.renews_note.setWordWrap(True)
        self.renews_note.setProperty("small", True)
        self._renews_row()
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
        self.rabies_expires.setPlaceholderText("YYYY-MM-DD")
        self.add_beside(
            "Rabies certificate",
            [
                ("", "Rabies certificate", "animalRabiesCert", self.rabies_cert),
                ("expires", "Rabies expires", "animalRabiesExpires", self.rabies_expires),
            ],
        )
        self.wire()
        self._asked = ""  # the number looked up last (its answer may still be on the way)
        self._move_on = False  # Enter asked: on to the last field once the licence is found
        self._found = ""  # the number whose licence fills the form
        self.renews.editingFinished.connect(lambda: self.find_old(move_on=False))
        self.renews.textChanged.connect(lambda _t: self._forget_old())

    def _renews_row(self) -> None:
        """The first row: the licence renewed, and beside it what the lookup found."""
        row = QWidget()
        row.setObjectName("animalRenewsRow")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.renews.setObjectName("animalRenews")
        self.renews.setAccessibleName("Renews licence")
        self.renews.ensurePolished()  # the style sheet's font, frame and padding
        wide = self.renews.fontMetrics().horizontalAdvance(self.renews.placeholderText())
        self.renews.setMinimumWidth(wide + 32)
        layout.addWidget(self.renews)
        layout.addWidget(self.renews_note, 1)
        self.form.addRow("Renews licence", row)
        self._watch(self.renews)

    # -- the licence renewed, looked up --------------------------------------------------------

    def next_from(self, widget: QWidget) -> None:
        """Enter on a licence number looks it up first (on to the last field once found);
        Enter on an empty one is a new licence: on to the species."""
        if widget is self.renews and text_of(self.renews):
            self.find_old(move_on=True)
            return
        super().next_from(widget)

    def _forget_old(self) -> None:
        self._asked = self._found = ""
        self._move_on = False
        self._note("", error=False)

    def _note(self, text: str, *, error: bool) -> None:
        self.renews_note.setText(text)
        self.renews_note.setProperty("error", error)
        self._repolish(self.renews_note)
        self._fit()  # a note of two lines takes its room

    def find_old(self, *, move_on: bool) -> None:
        """Look the licence typed up (``Desk.animal_licence``, off the GUI thread) and fill
        the form from it; an unknown number is said beside it, nothing else changes."""
        number = text_of(self.renews)
        if not number:
            return
        self._move_on = self._move_on or move_on
        if number == self._asked:  # asked already: its answer moves on if it has not
            if move_on and self._found == number:
                self._to_last()
            return
        self._asked = number
        desk = self.ctx.desk

        def found(old: AnimalOnFile) -> None:
            if number == self._asked:
                self.fill(old)
                if self._move_on:
                    self._to_last()

        def unknown(refusal: Refusal) -> None:
            if number == self._asked:
                self._note(refusal.message, error=True)
                if self._move_on:
                    self._move_on = False
                    self.renews.setFocus()
                    self.renews.selectAll()

        self.run(lambda: desk.animal_licence(number), found, unknown)

    def fill(self, old: AnimalOnFile) -> None:
        """The animal, owner, term and rabies of the old licence, in the fields (the cashier
        may still change any: a new rabies certificate, a senior now)."""
        self.species.setCurrentIndex(max(self.species.findData(old.species), 0))
        for edit, value in (
            (self.name, old.name), (self.owner, old.owner), (self.address, old.address),
            (self.rabies_cert, old.rabies_cert or ""),
            (self.rabies_expires, old.rabies_expires or ""),
        ):  # fmt: skip
            edit.setText(value)
        self.altered.setChecked(old.altered)
        self.term.setCurrentIndex(max(self.term.findData(old.term_years), 0))
        self.senior.setChecked(old.senior)
        said = f"{old.name}, {old.species}, {old.owner}; expires {old.expires}"
        if old.renewed_by:
            said += f" (renewed already by {old.renewed_by})"
        self._note(said, error=False)
        self._found = old.number

    def _to_last(self) -> None:
        """On to the last field: Enter there adds the renewal once its lines show."""
        self._move_on = False
        last = [w for w in self.order if w.isVisibleTo(self)][-1]
        last.setFocus()
        if isinstance(last, QLineEdit):
            last.selectAll()

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
        desk = ctx.desk
        self.run(lambda: desk.rule_codes("parking_permit"), self._only_code, lambda _r: None)

    def _only_code(self, codes: list[str]) -> None:
        """A city with one permit code: it is filled in and the cursor goes to the plate
        (unless the cashier keyed a code meanwhile); with several, the first is the hint."""
        if codes:
            self.code.setPlaceholderText(codes[0])
        if len(codes) == 1 and not self.code.text():
            self.code.setText(codes[0])
            if self.focusWidget() in (None, self.code):  # shown yet or not
                self.plate.setFocus()

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
