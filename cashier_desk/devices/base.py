"""The narrow interfaces the Desk uses to reach devices.

A printer takes a whole job or reports that it did not; a drawer is pulsed open.  Neither
raises for a device problem: errors are values, so a device can never lose a transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class ReceiptPrinter(Protocol):
    def print_text(self, text: str) -> bool:
        """Print one whole job; True only when the printer took all of it."""
        ...


class CashDrawer(Protocol):
    def open_drawer(self) -> bool:
        """Pulse the drawer open; False when it could not be reached."""
        ...


class FilePrinter:
    """A stand-in printer that appends each job to a text file (the simulated paper roll)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.online = True

    def print_text(self, text: str) -> bool:
        if not self.online:
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(text.rstrip("\n") + "\n" + "-" * 20 + " cut\n")
        except OSError:
            return False
        return True


class MemoryPrinter:
    """A printer that keeps jobs in memory; ``online`` can be switched off to test faults."""

    def __init__(self) -> None:
        self.jobs: list[str] = []
        self.online = True

    def print_text(self, text: str) -> bool:
        if not self.online:
            return False
        self.jobs.append(text)
        return True


class NoPrinter:
    """``printer = "none"``: nothing can print; receipts wait in the queue."""

    def print_text(self, text: str) -> bool:
        return False


class CountingDrawer:
    """A drawer that only counts its pulses (the interim simulator)."""

    def __init__(self) -> None:
        self.opened = 0

    def open_drawer(self) -> bool:
        self.opened += 1
        return True
