"""The ``cashier-desk`` command line (see ``spec/headless.md``).

With no command it opens the cashier's window; the subcommands import reference data, run scripted
sessions, list receipts and verify the audit chain.  Errors a person can cause print one clear
line on stderr and exit 1; nothing is half-written.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cashier_desk import cli_auth, cli_central, cli_help, cli_ledger, cli_ops, cli_reports
from cashier_desk.app import App, default_data_dir, open_app
from cashier_desk.cli_folder import check_data_dir
from cashier_desk.config import ConfigError
from cashier_desk.desk import is_iso_date
from cashier_desk.errors import Refusal
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.ledger.db import LedgerError
from cashier_desk.ledger.imports import KINDS
from cashier_desk.money import Money
from cashier_desk.runner import run_script
from cashier_desk.text import mask_card_numbers
from cashier_desk.ui.display import window_cannot_open


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, separators=(",", ":")), flush=True)


def _reader_gone() -> int:
    """Whoever read stdout went away (``| head``): what was done stays done (each operation is
    its own transaction); nothing more is written there, and the exit is a shell's SIGPIPE."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141


def build_parser() -> argparse.ArgumentParser:
    p = cli_help.Parser(
        prog="cashier-desk",
        description="Cashiering workstation for a city revenue counter.",
        epilog=cli_help.GLOBAL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data folder (default: $CASHIER_DESK_HOME or the platform's user data folder)",
    )
    p.add_argument(
        "--central",
        default=None,
        help="SQLAlchemy URL of the central database (default: $CASHIER_DESK_CENTRAL_URL, "
        "else [central] url in config.toml, else central.db in the data folder: this machine "
        "only)",
    )
    p.add_argument("--workstation", default=None, help="workstation id (default W1)")
    p.add_argument(
        "--user",
        default=None,
        help="who runs a command that needs authority (or $CASHIER_DESK_USER)",
    )
    p.add_argument("--pin", default=None, help="that person's PIN (or $CASHIER_DESK_PIN)")
    cli_ops.add_version(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            description=f"{help[0].upper()}{help[1:]}.\n\n{text}",
            epilog=cli_help.GLOBAL,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    imp = command("import", "load reference data from a CSV file", cli_help.IMPORT)
    imp.add_argument("kind", choices=(*KINDS, "accounts", "program-rules"))
    imp.add_argument("file", type=Path)

    run = command("run", "run a scripted session (JSON Lines)", cli_help.RUN)
    run.add_argument("script", type=Path)

    rec = command("receipts", "list receipts as JSON lines", cli_help.RECEIPTS)
    rec.add_argument("--date", default=None, help="business date YYYY-MM-DD")

    pap = command(
        "papers", "save a finished day's deposit slip and summary (PDF) again", cli_help.PAPERS
    )
    pap.add_argument("--date", default=None, help="business date YYYY-MM-DD (default today)")
    pap.add_argument(
        "--out", type=Path, default=None, help="folder (default: reports in the data folder)"
    )

    exp = command(
        "export",
        "write a finished day's GL journal and payment files (CSV) for other systems",
        cli_help.EXPORT,
    )
    exp.add_argument("--date", default=None, help="business date YYYY-MM-DD (default today)")
    exp.add_argument(
        "--out", type=Path, default=None, help="folder (default: exports in the data folder)"
    )

    rep = command("report", "reports (JSON, PDF, CSV)", cli_help.REPORT + cli_reports.HELP)
    rep_sub = rep.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    rep_os = rep_sub.add_parser(
        "over-short", help="every closed drawer of a period: over/short per tender, approvals"
    )
    rep_os.add_argument("--from", dest="date_from", required=True, help="first business date")
    rep_os.add_argument("--to", dest="date_to", required=True, help="last business date")
    rep_os.add_argument("--out", type=Path, default=None, help="CSV file (default: in reports)")
    cli_reports.add_parsers(rep_sub)

    aud = command("audit", "the audit log", cli_help.AUDIT)
    aud_sub = aud.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    aud_sub.add_parser("verify", help="verify the hash chain of the audit log")

    dev = command("devices", "list or test the configured devices", cli_help.DEVICES)
    dev_sub = dev.add_subparsers(dest="devices_command", metavar="ACTION", required=True)
    dev_sub.add_parser("list", help="configured devices, their status, and the serial ports")
    dev_test = dev_sub.add_parser("test", help="test page, drawer pulse, wait for a scan")
    dev_test.add_argument(
        "--scan-wait", type=float, default=15.0, help="seconds to wait for a scan (default 15)"
    )

    cli_central.add_parsers(sub, command)
    cli_ledger.add_parsers(sub, command)
    cli_ops.add_parsers(sub, command)

    sea = command("search", "find open items as the counter does (JSON lines)", cli_help.SEARCH)
    sea.add_argument(
        "text",
        nargs="+",
        metavar="TEXT",
        help="words a reference, account, "
        "plate, name or address has (their start, 2 letters or more in all)",
    )
    sea.add_argument("--limit", type=_positive, default=20, help="at most N items (default 20)")

    shots = command("screenshots", "render each main screen to OUTDIR/*.png", cli_help.SCREENSHOTS)
    shots.add_argument("outdir", type=Path)

    dem = command("demo", "load the demo city and run a demo day headless", cli_help.DEMO)
    dem.add_argument("--load-only", action="store_true", help="only load the demo reference data")
    return p


def _cmd_import(app: App, args: argparse.Namespace) -> int:
    login, pin = cli_auth.credentials(app, args, f"import {args.kind}")
    done = app.desk.import_file(args.kind, args.file, login=login, pin=pin)
    _print_json({"import": args.kind, **done.summary()})
    return 0


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of 1 or more")
    return int(value)


def _cmd_search(app: App, args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    found = app.desk.search_open_items(text, args.limit)
    for item in found:  # as `lookup` gives it: 0.00 when paid, a citation's penalties grown
        due = str(item.still_due)
        _print_json({"ref": item.ref, "program": item.program, "account": item.account,
                     "name": item.name, "address": item.address, "amount_due": due,
                     "due_date": item.due_date, "status": item.status})  # fmt: skip
    if not found:
        print(f"cashier-desk: no open item matches {mask_card_numbers(text)!r}", file=sys.stderr)
    return 0


def _cmd_run(app: App, args: argparse.Namespace) -> int:
    try:
        # utf-8-sig: a byte-order mark at the start (Windows editors write one) is not part of
        # the first operation; anywhere else it stays a character and the line is refused.
        fh = args.script.open(encoding="utf-8-sig")
    except OSError as exc:
        raise Refusal("bad_file", f"cannot read the script {args.script}: {exc.strerror}") from None
    with fh:
        try:
            for result, met in run_script(app.desk, fh):
                _print_json(result)
                if not met:
                    print(f"cashier-desk: stopped: {_miss(result)}", file=sys.stderr)
                    return 1
        except UnicodeDecodeError:
            raise Refusal("bad_file", f"the script {args.script} is not UTF-8 text") from None
    return 0


def _miss(result: dict[str, Any]) -> str:
    """Why the run stopped at ``result``, for a person."""
    if result.get("op") is None:
        return str(result.get("message", "a line is not an operation"))
    if result["ok"]:
        return f"the {result['op']} operation was not refused as expected"
    return f"the {result['op']} operation was refused: {result.get('message', '')}"


def _finished_day(app: App, args: argparse.Namespace) -> list[Closeout]:
    """The closeouts of ``--date`` (refused when there are none)."""
    found = app.desk.day_closeouts(args.date)
    if not found:
        day = args.date or app.desk.business_date()
        raise Refusal("no_closeout", f"There is no closeout of {day} at this workstation.")
    return found


def _cmd_papers(app: App, args: argparse.Namespace) -> int:
    for result in _finished_day(app, args):
        saved = app.desk.save_closeout_pdfs(result, args.out)
        _print_json(
            {
                "batch": result.batch,
                "date": result.business_date,
                "deposit": str(result.deposit_total),
                "deposit_slip": str(saved.deposit_slip),
                "summary": str(saved.summary),
            }
        )
    return 0


def _cmd_export(app: App, args: argparse.Namespace) -> int:
    for result in _finished_day(app, args):
        for f in app.desk.write_closeout_exports(result, args.out):
            line = {"batch": result.batch, "export": f.kind, "file": str(f.path), "rows": f.rows}
            if f.program is not None:
                line["program"] = f.program
            _print_json(line)
    return 0


def _cmd_report(app: App, args: argparse.Namespace) -> int:
    from cashier_desk.reports.exports import write_over_short

    if args.report_command != "over-short":
        return cli_reports.cmd_report(app, args)

    rows = app.desk.over_short_history(args.date_from, args.date_to)
    default = f"over-short-{args.date_from}-{args.date_to}.csv"
    path = args.out if args.out is not None else app.desk.data_dir() / "reports" / default
    try:
        write_over_short(rows, path)
    except OSError as exc:
        raise Refusal("bad_file", f"cannot write the report {path}: {exc}") from None
    by_cashier: dict[str, int] = {}
    for r in rows:
        by_cashier[r.cashier] = by_cashier.get(r.cashier, 0) + r.total.cents
    _print_json(
        {
            "report": "over_short",
            "from": args.date_from,
            "to": args.date_to,
            "file": str(path),
            "sessions": len(rows),
            "by_cashier": {c: str(Money(v)) for c, v in sorted(by_cashier.items())},
        }
    )
    return 0


def _cmd_receipts(app: App, args: argparse.Namespace) -> int:

    if args.date is not None and not is_iso_date(args.date):
        raise Refusal("bad_date", f"{args.date!r} is not a date like 2026-11-22")
    for r in app.desk.receipts(args.date):
        _print_json(
            {
                "receipt": r.receipt_no,
                "total": str(r.total),
                "voided": r.voided,
                "printed": r.printed,
                "session": r.session_id,
            }
        )
    return 0


def _cmd_audit(app: App, args: argparse.Namespace) -> int:
    if (damaged := cli_ledger.integrity(app)) is not None:
        return damaged
    v = app.desk.verify_audit()
    if v.ok:
        _print_json({"ok": True, "records": v.records})
        return 0
    if v.bad_seq is not None:
        out = {"ok": False, "records": v.records, "bad_record": v.bad_seq, "problem": v.problem}
        _print_json({**out, "problems": list(v.problems)} if v.problems else out)
        print(f"cashier-desk: audit record {v.bad_seq} is bad: {v.problem}", file=sys.stderr)
    else:
        _print_json({"ok": False, "records": v.records, "problems": list(v.problems)})
    for problem in v.problems:
        print(f"cashier-desk: {problem}", file=sys.stderr)
    return 1


def _cmd_demo(app: App, args: argparse.Namespace) -> int:
    from cashier_desk import demo

    if not app.is_empty():
        raise Refusal(
            "not_empty",
            f"The data folder {app.data_dir} already has people or receipts; the demo city "
            "loads only into an empty one. Choose another with --data-dir DIR (a new folder).",
        )
    loaded = demo.load_city(app.desk)
    _print_json({"demo_data": loaded})
    if args.load_only:
        return 0
    summary = demo.run_demo_day(app.desk)
    _print_json(summary)
    print(
        f"cashier-desk: the demo day ran headless; data in {app.data_dir}. See it in the "
        f"window with: cashier-desk --data-dir {app.data_dir}",
        file=sys.stderr,
    )
    return 0


def _cmd_devices(app: App, args: argparse.Namespace) -> int:
    from cashier_desk.devices import check

    devices = app.devices
    if devices is None:  # pragma: no cover - the command line always builds its devices
        raise Refusal("no_devices", "no devices were set up")
    if args.devices_command == "list":
        for row in check.list_devices(app.config, devices):
            _print_json(row)
        _print_json({"serial_ports": check.serial_ports()})
        return 0
    results = check.run_tests(app.desk.workstation, app.config, devices, args.scan_wait)
    for row in results:
        _print_json(row)
    failed = [r for r in results if not r["ok"]]
    for r in failed:
        print(f"cashier-desk: {r['check']}: {r['message']}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_window(app: App, args: argparse.Namespace) -> int:
    from cashier_desk.ui.app import run_gui

    def reopen() -> App:  # after the first-run setup wrote config.toml
        return open_app(app.data_dir, args.workstation, peripherals=True,
                        central_url=args.central, background_sync=True)  # fmt: skip

    return run_gui(app, reopen)


def _refused(exc: Refusal) -> int:
    """A refusal of a command: one line on stderr with its stable code, exit 1."""
    print(f"cashier-desk: {exc.message} ({exc.code})", file=sys.stderr)
    return 1


def _window_start_error(message: str) -> None:
    """The window could not start: the reason in a dialog too (there may be no terminal)."""
    from cashier_desk.ui.app import show_start_error

    show_start_error(message)


COMMANDS = {
    "import": _cmd_import,
    "run": _cmd_run,
    "receipts": _cmd_receipts,
    "papers": _cmd_papers,
    "export": _cmd_export,
    "report": _cmd_report,
    "audit": _cmd_audit,
    "demo": _cmd_demo,
    "devices": _cmd_devices,
    "window": _cmd_window,
    "sync": cli_central.cmd_sync,
    "search": _cmd_search,
    "ledger": cli_ledger.cmd_ledger,
    "backup": cli_ops.cmd_backup,
    "doctor": cli_ops.cmd_doctor,
    "retention": cli_ops.cmd_retention,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "window"
    if command == "central":
        try:
            return cli_central.central_command(args)
        except BrokenPipeError:
            return _reader_gone()
    if command == "screenshots":
        from cashier_desk.ui.screenshots import play_screens

        played = play_screens(args.outdir)  # at 1366×768, each screen checked to show whole
        for path in played.saved:
            _print_json({"screenshot": str(path)})
        for what in played.clipped:
            _print_json({"clipped": what})
        return 1 if played.clipped else 0
    if command == "window" and window_cannot_open():
        return 2
    data_dir = args.data_dir or default_data_dir()
    try:
        if command == "restore":
            return cli_ops.restore_command(args, data_dir)
        read_only = check_data_dir(command, data_dir)
    except Refusal as exc:
        return _refused(exc)
    try:
        app = open_app(
            data_dir,
            args.workstation,
            peripherals=command in ("devices", "window", "doctor"),
            central_url=args.central,
            background_sync=command == "window",
            devices=command in ("run", "demo", "devices", "window", "doctor"),
            quick_check=command in cli_ledger.MONEY,
            read_only=read_only,
        )
    except ConfigError as exc:
        print(f"cashier-desk: {exc}", file=sys.stderr)
        if command == "window":
            _window_start_error(str(exc))
        return 1
    except LedgerError as exc:
        print(f"cashier-desk: {exc} ({exc.code})", file=sys.stderr)
        if command == "doctor":
            return cli_ops.doctor_without_ledger(args, data_dir, f"{exc} ({exc.code})")
        if command == "window":
            _window_start_error(str(exc))
        return 1
    except OSError as exc:
        problem = mask_card_numbers(f"cannot use the data folder: {exc}")
        print(f"cashier-desk: {problem}", file=sys.stderr)
        if command == "window":
            _window_start_error(problem)
        return 1
    if app.new and command != "window":
        print(f"cashier-desk: a new data folder was set up in {app.data_dir}", file=sys.stderr)
    try:
        cli_ledger.say_at_start(app, command)
        return COMMANDS[command](app, args)
    except Refusal as exc:
        return _refused(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except Exception:
        # A fault of ours, not of the input: keep the details in the log, not on the counter.
        logging.getLogger(__name__).exception("cashier-desk %s failed", command)
        print(
            f"cashier-desk: internal error; nothing was half-written. Details are in "
            f"{app.data_dir / 'cashier-desk.log'}",
            file=sys.stderr,
        )
        return 3
    finally:
        app.close()


if __name__ == "__main__":
    sys.exit(main())


def entry() -> None:
    """The ``cashier-desk`` command: :func:`main`, then the exit. A run that loaded Qt (the
    window, ``screenshots``) ends without the interpreter's last clean-up once everything of
    ours is closed and written: PySide6 6.12 gives up one reference too many to ``True`` as
    the interpreter tears its modules down, and that clean-up then aborts the process (exit
    -6) after a run that went well."""
    code = main()
    if "PySide6.QtCore" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)
