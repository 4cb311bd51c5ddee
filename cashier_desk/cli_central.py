"""The command line's `sync` and `central` commands: send batches to central and fetch
reference data, decide a batch central holds in quarantine, and the central database's own
commands (init, import, totals, status)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cashier_desk import cli_auth, cli_help
from cashier_desk.app import App
from cashier_desk.config import ConfigError
from cashier_desk.desk import is_iso_date
from cashier_desk.errors import Refusal
from cashier_desk.ledger.imports import KINDS

if TYPE_CHECKING:
    import sqlalchemy as sa


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, separators=(",", ":")), flush=True)


def add_parsers(sub: Any, command: Callable[[str, str, str], argparse.ArgumentParser]) -> None:
    """The `sync` and `central` subcommands (``command`` makes a subcommand with its help)."""
    syn = command(
        "sync",
        "send closed batches to the central database now (push, the default), fetch "
        "reference data (pull), or decide a batch central holds in quarantine (resolve)",
        cli_help.SYNC,
    )
    syn_sub = syn.add_subparsers(dest="sync_action", metavar="ACTION")
    syn_sub.add_parser("push", help="send every batch central does not hold (the default)")
    syn_sub.add_parser("pull", help="fetch revenue codes, users and open items from central")
    res = syn_sub.add_parser(
        "resolve",
        help="an admin (--user/--pin before the subcommand) accepts a batch held in "
        "quarantine into central's books, or rejects it",
    )
    res.add_argument("batch", help="the batch id (see `central status`)")
    how = res.add_mutually_exclusive_group(required=True)
    how.add_argument("--accept", action="store_true", help="into central's books")
    how.add_argument("--reject", action="store_true", help="left out of central's books")
    res.add_argument("--note", default="", help="why (kept with the decision)")

    cen = command("central", "the central database", cli_help.CENTRAL)
    cen_sub = cen.add_subparsers(dest="central_command", metavar="ACTION", required=True)
    cen_sub.add_parser("init", help="create or upgrade it (and its row-level security)")
    cen_ws = cen_sub.add_parser("workstation", help="who may send batches to it")
    ws_sub = cen_ws.add_subparsers(dest="workstation_action", metavar="ACTION", required=True)
    ws_add = ws_sub.add_parser(
        "add", help="register a workstation; on PostgreSQL its own role (password printed once)"
    )
    ws_add.add_argument("id", help="the workstation id, like W2")
    ws_add.add_argument("--role", help="its PostgreSQL role (default cashier_ws_<id>)")
    ws_add.add_argument(
        "--no-password", action="store_true", help="the role signs in otherwise (certificate)"
    )
    ws_rm = ws_sub.add_parser("remove", help="it may send no more (its batches stay)")
    ws_rm.add_argument("id")
    cen_tot = cen_sub.add_parser("totals", help="what arrived for a business date or period")
    cen_tot.add_argument("--date", help="business date YYYY-MM-DD")
    cen_tot.add_argument("--from", dest="date_from", help="a period's first business date")
    cen_tot.add_argument("--to", dest="date_to", help="a period's last business date")
    cen_sub.add_parser("status", help="workstations, last batch, last contact, batches pending")
    cen_imp = cen_sub.add_parser("import", help="load reference data into central from CSV")
    cen_imp.add_argument("kind", choices=(*KINDS, "accounts", "program-rules"))
    cen_imp.add_argument("file", type=Path)


def _totals(engine: sa.Engine, args: argparse.Namespace) -> dict[str, Any]:
    """``central totals --date D`` or ``--from D1 --to D2`` (a period, both included)."""
    from cashier_desk.sync import central

    if args.date is None and args.date_from is not None and args.date_to is not None:
        for d in (args.date_from, args.date_to):
            if not is_iso_date(d):
                raise Refusal("bad_date", f"{d!r} is not a date like 2026-11-22")
        return central.period_totals(engine, args.date_from, args.date_to)
    if args.date is None or not is_iso_date(args.date):
        raise Refusal("bad_date", f"{args.date!r} is not a date like 2026-11-22 "
                      "(or give --from and --to for a period)")  # fmt: skip
    return central.totals(engine, args.date)


def cmd_sync(app: App, args: argparse.Namespace) -> int:
    from cashier_desk.runner import run_op

    if args.sync_action == "pull":
        pulled = app.desk.pull_reference_data()
        _print_json({"ok": True, **vars(pulled)})
        flag = app.desk.chain_flag()
        if flag:
            print(
                f"cashier-desk: central flags this workstation's audit chain: {flag} "
                "(chain_flagged)",
                file=sys.stderr,
            )
        return 0
    if args.sync_action == "resolve":
        login, pin = cli_auth.credentials(app, args, "sync resolve")
        decided = app.desk.resolve_quarantined(
            args.batch, accept=args.accept, login=login, pin=pin, note=args.note
        )
        _print_json({"ok": True, **decided})
        return 0
    result = run_op(app.desk, {"op": "sync"})
    result.pop("op")
    if not result["ok"]:  # a refused command: one line on stderr, stdout empty
        print(f"cashier-desk: {result['message']} ({result['error']})", file=sys.stderr)
        return 1
    _print_json(result)
    if result.get("resent"):
        print(
            f"cashier-desk: {result['resent']} batch(es) marked sent here were not at this "
            "central and were sent to it now",
            file=sys.stderr,
        )
    for line in app.desk.held_back():
        print(
            f"cashier-desk: central holds {line} — in quarantine, out of its totals; an "
            "admin decides: cashier-desk --user LOGIN sync resolve BATCH --accept|--reject",
            file=sys.stderr,
        )
    return 0


def central_command(args: argparse.Namespace) -> int:
    from cashier_desk.app import central_url_of, default_data_dir, is_embedded
    from cashier_desk.sync import central, contacts, quarantine

    data_dir = args.data_dir or default_data_dir()
    try:
        url = central_url_of(data_dir, args.central)
        engine = central.engine_for(url)
    except ConfigError as exc:
        print(f"cashier-desk: {exc}", file=sys.stderr)
        return 1
    except central.CentralError as exc:
        print(f"cashier-desk: {exc} ({exc.code})", file=sys.stderr)
        return 1
    try:
        if args.central_command == "init":
            rev = central.init_central(engine)
            _print_json({"central": engine.url.render_as_string(hide_password=True),
                         "revision": rev})  # fmt: skip
            return 0
        central.ensure_ready(engine)
        if args.central_command == "workstation":
            _print_json(workstation_command(engine, args))
            return 0
        if args.central_command == "import":
            from datetime import UTC, datetime

            from cashier_desk.sync.pull import central_import

            if is_embedded(url, data_dir):
                _authorize_here(args, data_dir)
            rules = pin_rules(data_dir)
            pepper = rules["pins"].pepper.path
            had_pepper = pepper.exists()
            count = central_import(
                engine, args.kind, args.file, datetime.now(UTC).isoformat(), **rules
            )
            _print_json({"import": args.kind, **count.summary()})
            if pepper.exists() and not had_pepper:
                print(
                    f"cashier-desk: a new city pepper was made at {pepper} to hash these PINs: "
                    "copy it to every workstation (its data folder, or [security] pepper_file) "
                    "before they pull these users, or their logins fail (pepper_missing)",
                    file=sys.stderr,
                )
            return 0
        if args.central_command == "totals":
            _print_json(_totals(engine, args))
            return 0
        shown = engine.url.render_as_string(hide_password=True)
        if is_embedded(url, data_dir):
            _print_json({"central": "this machine only", "url": shown})
            print(
                f"cashier-desk: central: this machine only (central.db in {data_dir}); set "
                "[central] url in config.toml to send batches to the city's central database",
                file=sys.stderr,
            )
        else:
            _print_json({"central": shown})
        for row in central.status(engine):
            _print_json(row)
        for held in quarantine.undecided(engine):
            _print_json({"quarantined": held.pop("batch_id"), **held})
        for flag in contacts.flagged(engine):
            _print_json({"flagged_contact": flag.pop("workstation"), **flag})
        if (data_dir / "ledger.db").exists():
            from cashier_desk.ledger.db import Ledger
            from cashier_desk.sync.relay import pending_batches

            ledger = Ledger(data_dir / "ledger.db")
            try:
                waiting = pending_batches(ledger)
            finally:
                ledger.close()
            _print_json({"batches_pending_here": waiting})
        return 0
    except central.CentralError as exc:
        print(f"cashier-desk: {exc} ({exc.code})", file=sys.stderr)
        return 1
    except Refusal as exc:
        print(f"cashier-desk: {exc.message} ({exc.code})", file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(f"cashier-desk: {exc}", file=sys.stderr)
        return 1
    except sa_errors() as exc:
        refused = central.sqlstate(exc) == central.NOT_PERMITTED
        code = "not_authorized" if refused else "central_unreachable"
        why = "central refused this role" if refused else "the central database failed"
        print(f"cashier-desk: {why}: {central._reason(exc)} ({code})", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def _authorize_here(args: argparse.Namespace, data_dir: Path) -> None:
    """The data folder's own central (this machine only) has no credentials of its own and
    `sync pull` brings what it holds into the ledger: importing into it asks what importing
    into the folder's ledger asks (headless.md, "Who may run what")."""
    if not (data_dir / "ledger.db").is_file():
        return
    from cashier_desk.app import open_app
    from cashier_desk.ledger.db import LedgerError

    try:
        app = open_app(data_dir, args.workstation, devices=False)
    except (ConfigError, LedgerError, OSError) as exc:
        raise Refusal("not_authorized", f"Cannot ask the ledger who may import: {exc}") from None
    try:
        login, pin = cli_auth.credentials(app, args, f"import {args.kind}")
        app.desk.import_authority(args.kind, login, pin)
    finally:
        app.close()


def pin_rules(data_dir: Path) -> dict[str, Any]:
    """Who imports users at central hashes their PINs with the city's pepper and PIN rule:
    those of the data dir the command runs in (its config.toml, its pepper file)."""
    from cashier_desk.config import Config, load_config
    from cashier_desk.ledger.pins import PinHasher

    config = load_config(data_dir) if (data_dir / "config.toml").is_file() else Config()
    pins = PinHasher.for_data_dir(data_dir, config)
    return {"pins": pins, "min_pin_length": config.min_pin_length}


def workstation_command(engine: Any, args: argparse.Namespace) -> dict[str, Any]:
    from datetime import UTC, datetime

    from cashier_desk.sync import access

    now = datetime.now(UTC).isoformat()
    if args.workstation_action == "remove":
        return access.remove(engine, args.id, at=now)
    made = access.add(engine, args.id, at=now, role=args.role, password=not args.no_password)
    if made["password"] is None:
        made.pop("password")
    return made


def sa_errors() -> type[Exception]:
    import sqlalchemy as sa

    return sa.exc.SQLAlchemyError
