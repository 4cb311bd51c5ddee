"""Which data folder a command may use, decided before anything is opened or created: a
reading command never creates a ledger, and in a folder this account may not write (an
auditor's account, read-only media) reading commands read without writing a byte while
commands that would write refuse ``read_only``."""

from __future__ import annotations

from pathlib import Path

from cashier_desk.errors import Refusal
from cashier_desk.ledger.read_only import read_only_message, writable

# Commands that only read the ledger: on a data folder without one they refuse and create
# nothing (a typo in --data-dir must not leave an empty ledger behind).
READING = frozenset(
    {"receipts", "audit", "report", "papers", "export", "search", "backup", "doctor"}
)
#: Commands that change the ledger (the window says why it cannot start in its own dialog).
WRITING = frozenset({"import", "run", "demo", "sync", "retention"})
#: Commands that change only a ledger already there: none is created for them.
ON_A_LEDGER = frozenset({"retention"})


def check_data_dir(command: str, data_dir: Path) -> bool:
    """Refuse a data folder that ``command`` cannot use, before anything is created; returns
    whether the ledger is to be opened read-only."""
    if data_dir.exists() and not data_dir.is_dir():
        raise Refusal(
            "bad_data_dir",
            f"The data folder {data_dir} is a file, not a folder; choose another with --data-dir.",
        )
    has_ledger = (data_dir / "ledger.db").is_file()
    if command in READING | ON_A_LEDGER and not has_ledger:
        nothing = "to read" if command in READING else "to change"
        raise Refusal(
            "no_ledger",
            f"There is no ledger in {data_dir}, so there is nothing {nothing}; check --data-dir "
            "(or CASHIER_DESK_HOME).",
        )
    if not has_ledger or writable(data_dir):
        return False
    if command in WRITING:
        raise Refusal("read_only", read_only_message(data_dir))
    return command in READING
