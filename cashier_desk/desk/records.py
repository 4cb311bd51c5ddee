"""The ledger's records as the counter reads them — receipts, drawer sessions, the audit
chain's verification — and reference data imported from files (revenue codes, open items,
people, program rules), each import by the person it names."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cashier_desk.desk import authority, rules
from cashier_desk.desk.requests import typed
from cashier_desk.desk.station import Station
from cashier_desk.events import ReferenceDataChanged
from cashier_desk.ledger import audit, auth, crosscheck, drawer, imports
from cashier_desk.ledger.import_result import Imported, Masked
from cashier_desk.ledger.receipts import ReceiptSummary, ReceiptView, list_receipts, load_receipt
from cashier_desk.ledger.schema import drawer_sessions
from cashier_desk.money import Money
from cashier_desk.text import mask_card_numbers


class Records:
    """Reading the ledger and importing reference data (see the module's docstring)."""

    def __init__(self, station: Station) -> None:
        self.st = station

    def now(self) -> datetime:
        """The Desk's clock (a test's fixed clock, or the real one)."""
        return self.st.now()

    def data_dir(self) -> Path:
        """The data folder: the ledger, its papers (``reports``, ``exports``) and backups."""
        return self.st.ledger.path.parent

    def receipt_columns(self) -> int:
        """How many characters a line of the receipt printer holds."""
        return self.st.printer.columns

    def receipts(self, business_date: str | None = None) -> list[ReceiptSummary]:
        with self.st.ledger.read() as conn:
            return list_receipts(conn, business_date)

    def search_receipts(
        self,
        *,
        number: str | None = None,
        business_date: str | None = None,
        payer: str | None = None,
        total: Money | None = None,
        limit: int = 200,
    ) -> list[ReceiptSummary]:
        """Receipt research: by part of the number, the date, part of the payer, the total;
        newest first."""
        for given, what in ((number, "the receipt number"), (payer, "the payer")):
            if given is not None:
                typed(given, what)
        with self.st.ledger.read() as conn:
            return list_receipts(
                conn, business_date, number=number, payer=payer, total=total, limit=limit
            )

    def receipt(self, receipt_no: str) -> ReceiptView | None:
        with self.st.ledger.read() as conn:
            return load_receipt(conn, receipt_no)

    def day_sessions(self, business_date: str | None = None) -> list[drawer.Session]:
        """This workstation's drawer sessions of a day (today by default), with their state."""
        day = business_date or self.st.business_date()
        with self.st.ledger.read() as conn:
            return drawer.sessions(
                conn,
                drawer_sessions.c.workstation == self.st.workstation,
                drawer_sessions.c.business_date == day,
            )

    def verify_audit(self) -> audit.Verification:
        """The audit chain, then the money rows against the records that seal them."""
        with self.st.ledger.read() as conn:
            chain = audit.verify(conn)
            found = tuple(str(p) for p in crosscheck.check(conn))
        return dataclasses.replace(chain, ok=chain.ok and not found, problems=found)

    def import_file(
        self, kind: str, path: Path, *, login: str | None = None, pin: str | None = None
    ) -> Imported:
        """Import a CSV file of ``kind`` as the person ``login`` (see desk/authority.py: none
        needed while the ledger has no users yet); the audit names that person."""
        if kind == rules.KIND:
            return rules.import_program_rules(self.st, path, login, pin)
        who = authority.import_authority(self.st, kind, login, pin)
        tz = ZoneInfo(self.st.config.timezone) if self.st.config.timezone else None
        masked = Masked()
        users = self._read_users(path, masked) if kind == "users" else None  # argon2 first
        try:
            with self.st.ledger.write() as conn:
                if who is None:
                    authority.check_still_setting_up(conn, kind)
                done = imports.import_file(
                    conn,
                    kind,
                    path,
                    tz=tz,
                    max_amount=self.st.config.max_amount,
                    users=users,
                    masked=masked,
                )
                # The file's name is text someone typed too: never a card number in the audit.
                details = {"file": mask_card_numbers(path.name), **done.summary()}
                actor = authority.SETUP if who is None else who.login
                self.st.audit(conn, "import", kind, details, actor=actor)
        except authority.PeopleArrived as exc:
            authority.refuse(self.st, f"import {kind}", login, "people_arrived", exc.message)
        self.st.events.publish(ReferenceDataChanged(kind))
        return done

    def _read_users(self, path: Path, masked: Masked) -> list[dict[str, Any]]:
        """A users file checked whole and its PINs hashed, outside any write transaction (an
        import of 1,500 people takes minutes of argon2, and a sale must not wait for it)."""
        with self.st.ledger.read() as conn:
            may_create = not auth.any_peppered(conn)
        return imports.read_users(
            path, self.st.pins, self.st.config.min_pin_length, may_create, masked=masked
        )
