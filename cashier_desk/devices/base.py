"""The narrow interfaces the Desk uses to reach devices.

A printer takes a whole job or reports that it did not; a drawer is pulsed open.  Neither
raises for a device problem: errors are values, so a device can never lose a transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from cashier_desk.devices.receipt import ReceiptDoc


class ReceiptPrinter(Protocol):
    columns: int

    def print_receipt(self, doc: ReceiptDoc) -> bool:
        """Print one whole receipt; True only when the printer took all of it."""
        ...


class CashDrawer(Protocol):
    def open_drawer(self) -> bool:
        """Pulse the drawer open; False when it could not be reached."""
        ...

    def is_open(self) -> bool | None:
        """Whether the drawer is open now (None when it cannot tell)."""
        ...


class FilePrinter:
    """A stand-in printer that appends each job to a text file (the simulated paper roll)."""

    def __init__(self, path: Path, columns: int = 42) -> None:
        self.path = path
        self.columns = columns
        self.online = True

    def print_receipt(self, doc: ReceiptDoc) -> bool:
        if not self.online:
            return False
        text = doc.as_text()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(text.rstrip("\n") + "\n" + "-" * 20 + " cut\n")
        except OSError:
            return False
        return True


class NoPrinter:
    """``printer = "none"``: nothing can print; receipts wait in the queue."""

    columns = 42

    def print_receipt(self, doc: ReceiptDoc) -> bool:
        return False
