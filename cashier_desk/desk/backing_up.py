"""The backup after every closeout (operations.md "Backup and restore").

Written into ``[backup] dir`` (default ``<data-dir>/backups/``), keeping the newest ``[backup]
keep``.  A backup that fails is logged and carried in the closeout's result for the lead (the
JSON's ``backup_failed``, the window's closeout message); it never fails the closeout, which
is committed before the backup starts.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from cashier_desk.config import Config, backup_folder
from cashier_desk.errors import Refusal
from cashier_desk.ledger.backup import auto_backup
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.ledger.db import Ledger

log = logging.getLogger(__name__)


def back_up_after_closeout(
    ledger: Ledger, config: Config, workstation: str, now: datetime, result: Closeout
) -> Closeout:
    """``result`` with the backup written after it (its path), or why it could not be."""
    folder = backup_folder(config, ledger.path.parent)
    try:
        path = auto_backup(
            ledger, folder, workstation=workstation, now=now, keep=config.backup_keep
        )
    except Refusal as exc:
        problem = f"The backup after closeout {result.batch} failed: {exc.message}"
    except Exception as exc:  # whatever it was, the closeout stands
        log.exception("the backup after closeout %s failed", result.batch)
        problem = f"The backup after closeout {result.batch} failed: {exc}"
    else:
        log.info("backup after closeout %s: %s", result.batch, path)
        return dataclasses.replace(result, backup=str(path))
    log.error("%s", problem)
    return dataclasses.replace(result, backup_problem=f"{problem} (see {folder}).")
