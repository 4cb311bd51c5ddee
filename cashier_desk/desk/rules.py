"""Importing the city's program rules (`cashier-desk import program-rules FILE.toml`,
programs.md): the file is checked whole — a bad table, key, rate, amount or account names
itself and nothing is taken — then kept as given, audited with who imported it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cashier_desk.desk import authority
from cashier_desk.events import ReferenceDataChanged
from cashier_desk.ledger import program_rules
from cashier_desk.ledger.import_result import Imported
from cashier_desk.text import mask_card_numbers

if TYPE_CHECKING:
    from cashier_desk.desk.station import Station

KIND = "program-rules"


def import_program_rules(
    desk: Station, path: Path, login: str | None = None, pin: str | None = None
) -> Imported:
    """Import a rules file as ``login`` (a supervisor or admin once the ledger has users);
    ``rows`` counts the program tables the file gives."""
    who = authority.import_authority(desk, KIND, login, pin)
    text, given = program_rules.read_file(path)  # checked whole; given: its tables
    try:
        with desk.ledger.write() as conn:
            if who is None:
                authority.check_still_setting_up(conn, KIND)
            actor = authority.SETUP if who is None else who.login
            digest = program_rules.store(conn, text, at=desk.now().isoformat(), actor=actor)
            details = {"file": mask_card_numbers(path.name), "sha256": digest, "rows": given}
            desk.audit(conn, "import", KIND, details, actor=actor)
    except authority.PeopleArrived as exc:
        authority.refuse(desk, f"import {KIND}", login, "people_arrived", exc.message)
    desk.events.publish(ReferenceDataChanged(KIND))
    return Imported(given)
