"""The city programs' ITEMs of a script (programs.md): ``{"tot":{..}}``, ``{"licence":{..}}``,
``{"animal":{..}}`` and ``{"permit":{..}}``, checked for shape (known fields, text where text
is due) and turned into the Desk's program requests.  The figures, kinds, species, plates and
years are checked by the program's rules, which refuse them with their own codes."""

from __future__ import annotations

from typing import Any

from cashier_desk.desk.requests import (
    AnimalRequest,
    LicenceRequest,
    PermitRequest,
    ProgramRequest,
    TotRequest,
)
from cashier_desk.errors import Refusal

#: Per program: (required fields, optional fields) of its object.
PROGRAM_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "tot": ({"account", "period", "gross_rents", "exempt_rents"}, {"amended", "code"}),
    "licence": ({"kind", "year", "gross_receipts"}, {"account", "name", "address", "code"}),
    "animal": (
        {"species", "name", "owner", "address", "altered", "term_years"},
        {"senior", "rabies_cert", "rabies_expires", "renews", "code"},
    ),
    "permit": ({"code", "plate", "address"}, {"zone"}),
}
#: Fields that must be text when given.
_TEXT = {
    "account", "period", "name", "owner", "address", "rabies_cert", "rabies_expires", "renews",
    "code", "zone",
}  # fmt: skip


def _bad(message: str) -> Refusal:
    return Refusal("bad_request", message)


def program_of(item: dict[str, Any]) -> str | None:
    """Which program's ITEM this is (None: a code or ref item); refused when it names two."""
    named = [key for key in PROGRAM_FIELDS if key in item]
    if len(named) > 1:
        raise _bad(f"An item is one program's: it names {named[0]!r} and {named[1]!r}.")
    return named[0] if named else None


def parse_program(item: dict[str, Any], program: str) -> ProgramRequest:
    """The program's request of an ITEM (``program`` from :func:`program_of`).  The optional
    ``code`` of a return or licence may be written inside its object or beside it."""
    extra = sorted(set(item) - {program, "code"})
    if extra or (program == "permit" and "code" in item):
        raise _bad(f"A {program} item has an unknown field {(extra or ['code'])[0]!r}.")
    body = item[program]
    if not isinstance(body, dict):
        raise _bad(f"The {program} of an item must be a JSON object.")
    fields = dict(body)
    if "code" in item:
        if "code" in fields:
            raise _bad(f"Name the {program}'s code once.")
        fields["code"] = item["code"]
    required, optional = PROGRAM_FIELDS[program]
    unknown = sorted(set(fields) - required - optional)
    if unknown:
        raise _bad(f"The {program} has an unknown field {unknown[0]!r}.")
    missing = sorted(required - set(fields))
    if missing:
        raise _bad(f"The {program} needs the field {missing[0]!r}.")
    for key in sorted(_TEXT & set(fields)):
        if fields[key] is not None and not isinstance(fields[key], str):
            raise _bad(f"The {program}'s {key!r} must be text.")
    if program == "tot":
        return TotRequest(**fields)
    if program == "licence":
        return LicenceRequest(**fields)
    if program == "animal":
        return AnimalRequest(**fields)
    return PermitRequest(**fields)
