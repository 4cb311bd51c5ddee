"""The command line for whoever looks after the counters (operations.md): `backup`, `restore`,
`doctor`, `retention purge` and `--version`.

`backup` and `doctor` only read (no credentials, like `receipts`; a folder with no ledger is
refused ``no_ledger``); `restore` goes only into an empty data folder and needs no credentials
(headless.md "Who may run what"): it runs before the folder is opened, so it creates nothing
when it refuses. `retention purge` needs an admin (``cli_auth``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from cashier_desk import __version__
from cashier_desk.app import App, config_if_any
from cashier_desk.config import DEFAULT_TEXT, backup_folder
from cashier_desk.errors import Refusal

BACKUP_HELP = """\
Writes a consistent copy of the ledger to FILE (a zip archive: ledger.db and manifest.json),
taken with SQLite's online backup API while the counter may be taking money. stdout: the
manifest as JSON (created, workstation, schema_version, row_counts, last_receipts,
audit_head, sha256, bytes). A backup is also written after every closeout into
[backup] dir (default: backups in the data folder), keeping the newest [backup] keep (30).
"""
RESTORE_HELP = """\
Restores a backup into an EMPTY data folder (no ledger yet, or one with no people and no
receipts; refused not_empty otherwise). Before anything is written it checks the manifest's
SHA-256, PRAGMA integrity_check, the schema, the audit chain and the row counts; a damaged
backup is refused bad_backup naming the fault. A folder whose ledger lost work: stop the
program, move ledger.db (with ledger.db-wal and ledger.db-shm) out, and restore into the same
folder: its ledger.mark stays, and a backup that does not reach it still refuses money until
a supervisor accepts the (smaller) loss.
"""
DOCTOR_HELP = """\
Checks the workstation and prints one line each (--json: one JSON object); exit 1 if any
fails: integrity_check and pragmas, lost work, the audit chain, the schema version, receipts
waiting to print, batches waiting for central (and the oldest's age), batches central refused
or holds, devices, free disk space, the newest backup's age, the clock. Asks nothing of
central: what it refused is what the ledger last heard.
"""
RETENTION_HELP = """\
purge --before D --resolution TEXT [--dry-run] (an admin: --user LOGIN --pin PIN before the
command) removes from this workstation's ledger the closeout batches, with their sessions and
receipts, of business dates before both D and the retention period ([retention] years, default
5) that central acknowledged; anything else is kept and listed with why. --resolution records
the council resolution and attorney consent GC 34090 requires. The purge leaves a
retention_checkpoint audit record, so audit verify still passes. stdout: what was (or, with
--dry-run, would be) removed. Central is never touched.
"""


def version() -> str:
    try:
        return metadata.version("cashier-desk")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return __version__


def add_version(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", action="version", version=f"cashier-desk {version()}")


def add_parsers(sub: Any, command: Callable[[str, str, str], argparse.ArgumentParser]) -> None:
    bak = command(
        "backup", "write a backup of the ledger to FILE (stdout: its manifest)", BACKUP_HELP
    )
    bak.add_argument("file", type=Path, metavar="FILE")
    res = command("restore", "restore a backup FILE into an empty data folder", RESTORE_HELP)
    res.add_argument("file", type=Path, metavar="FILE")
    doc = command("doctor", "check the workstation's health, one line each", DOCTOR_HELP)
    doc.add_argument("--json", action="store_true", help="one JSON object for machines")
    ret = command("retention", "remove old, synced batches from the ledger", RETENTION_HELP)
    ret_sub = ret.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    pur = ret_sub.add_parser(
        "purge",
        help="an admin removes what the retention period allows",
        description=RETENTION_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    pur.add_argument("--before", required=True, metavar="D", help="business date YYYY-MM-DD")
    pur.add_argument(
        "--resolution", required=True, metavar="TEXT", help="the council resolution and consent"
    )
    pur.add_argument("--dry-run", action="store_true", help="only list what would be removed")


def cmd_backup(app: App, args: argparse.Namespace) -> int:
    from cashier_desk.ledger.backup import take_backup

    manifest = take_backup(
        app.ledger, args.file, workstation=app.desk.workstation, now=app.desk.now()
    )
    print(json.dumps(manifest, separators=(",", ":")), flush=True)
    print(f"cashier-desk: backup written to {args.file}", file=sys.stderr)
    return 0


def cmd_doctor(app: App, args: argparse.Namespace) -> int:
    from cashier_desk.desk import doctor

    def devices() -> list[dict[str, Any]]:
        from cashier_desk.devices import check

        return [] if app.devices is None else check.list_devices(app.config, app.devices)

    checks = doctor.run_checks(
        app.ledger,
        now=app.desk.now(),
        business_date=app.desk.business_date(),
        backups=backup_folder(app.config, app.data_dir),
        devices=devices,
    )
    return _say_checks(checks, as_json=args.json)


def doctor_without_ledger(args: argparse.Namespace, data_dir: Path, problem: str) -> int:
    """`doctor` when the ledger cannot be opened (a full disk, a damaged file): still one line
    per check it can make without it (operations.md), the first saying why; exit 1."""
    from cashier_desk.desk import doctor

    ledger = data_dir / "ledger.db"
    size = ledger.stat().st_size if ledger.is_file() else 0
    checks = [
        doctor.Check("integrity", False, f"the ledger cannot be opened: {problem}"),
        doctor.check_disk(data_dir, size),
    ]
    return _say_checks(checks, as_json=args.json)


def _say_checks(checks: list[Any], *, as_json: bool) -> int:
    """doctor's checks on stdout, a line each or one JSON object; 0 when all are ok."""
    from cashier_desk.desk import doctor

    if as_json:
        print(doctor.as_json(checks), flush=True)
    else:
        for c in checks:
            print(c.line(), flush=True)
    return 0 if all(c.ok for c in checks) else 1


def cmd_retention(app: App, args: argparse.Namespace) -> int:
    from cashier_desk.cli_auth import credentials
    from cashier_desk.desk import retention

    login, pin = credentials(app, args, retention.COMMAND)
    purged = app.desk.retention_purge(
        args.before, args.resolution, login=login or None, pin=pin or None, dry_run=args.dry_run
    )
    done = purged.as_json()
    print(json.dumps(done, separators=(",", ":")), flush=True)
    if done["cutoff"] < done["before"]:
        print(
            f"cashier-desk: --before {done['before']} is inside the retention period "
            f"([retention] years = {done['retention_years']}): nothing of "
            f"{done['retention_limit']} or later is removed.",
            file=sys.stderr,
        )
    removed = done["removed"]
    did = "would remove" if done["dry_run"] else "removed"
    print(
        f"cashier-desk: {did} {len(removed['batches'])} batch(es), "
        f"{len(removed['sessions'])} session(s), {removed['counts'].get('receipts', 0)} "
        f"receipt(s) before {done['cutoff']}; kept {len(done['kept'])} item(s).",
        file=sys.stderr,
    )
    return 0


def restore_command(args: argparse.Namespace, data_dir: Path) -> int:
    """`restore FILE` (before anything in the folder is opened)."""
    from cashier_desk.ledger.backup import keep_restored
    from cashier_desk.ledger.pins import PEPPER_FILE
    from cashier_desk.ledger.restore import needs_pepper, restore

    try:
        done = restore(args.file, data_dir)
    except OSError as exc:  # the folder cannot be written; the checks already passed or not
        raise Refusal(
            "bad_file", f"cannot restore into {data_dir}: {exc.strerror or exc}"
        ) from None
    manifest = done["manifest"]
    ws = str(manifest["workstation"])
    config = data_dir / "config.toml"
    if not config.exists():
        config.write_text(DEFAULT_TEXT.replace('# id = "W1"', f'id = "{ws}"', 1), encoding="utf-8")
    else:
        configured = args.workstation or config_if_any(data_dir).workstation or "W1"
        if configured != ws:
            print(
                f"cashier-desk: the backup is of workstation {ws} but this folder is set up "
                f'for {configured}: set [station] id = "{ws}" in {config} (or give '
                f"--workstation {ws}) before taking money.",
                file=sys.stderr,
            )
    settings = config_if_any(data_dir)  # as written or found above
    folder = backup_folder(settings, data_dir)
    try:  # the folder's newest backup is then the one its ledger equals (doctor's age)
        keep_restored(Path(args.file), folder, ws, str(manifest.get("created", "")))
    except OSError as exc:
        print(f"cashier-desk: the backup was not copied into {folder}: {exc}", file=sys.stderr)
    print(json.dumps(done, separators=(",", ":")), flush=True)
    last = ", ".join(manifest.get("last_receipts", {}).values()) or "none"
    print(
        f"cashier-desk: restored {args.file} into {data_dir} (last receipt {last}).",
        file=sys.stderr,
    )
    pepper = data_dir / (settings.pepper_file or PEPPER_FILE)
    if needs_pepper(data_dir / "ledger.db", pepper):
        print(
            f"cashier-desk: the backup's PINs were made with the city's pepper, and there is no "
            f"{pepper}: copy the city's pepper file there (chmod 600) before anyone logs in, "
            "or no PIN can be checked (pepper_missing). A backup never carries it.",
            file=sys.stderr,
        )
    if done["ledger_loss"]:
        print(
            f"cashier-desk: the restored ledger is behind what this folder's ledger had saved: "
            f"{done['ledger_loss']}. No money is taken until a supervisor accepts the loss "
            "(cashier-desk ledger accept-loss).",
            file=sys.stderr,
        )
    return 0
