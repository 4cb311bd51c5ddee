"""What ``cashier-desk COMMAND --help`` says: each command's file formats and outputs.

Kept apart from the parser so the texts can be read (and kept in step with the contract in
``spec/headless.md``) in one place; and the parser's class, whose usage errors mask a card
number typed by mistake (``invalid choice: '****1111'``).
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from cashier_desk.text import mask_card_numbers


class Parser(argparse.ArgumentParser):
    """argparse's parser (its subcommands' too), never echoing a card number in full."""

    def error(self, message: str) -> NoReturn:
        super().error(mask_card_numbers(message))


GLOBAL = """\
Global options (--data-dir, --central, --workstation, --user, --pin) come BEFORE the command:
  cashier-desk --data-dir ./day1 receipts --date 2026-11-23
With no command the cashier's window opens. A new data folder is set up by a command that
writes (import, run, demo, sync, devices) or by the window; commands that only read (receipts,
audit, report, papers, export, search, backup, doctor) refuse a folder with no ledger and
create nothing, and so does retention purge; restore goes only into an empty folder.
"""

IMPORT = """\
Files are CSV, UTF-8, with a header row; amounts have two decimals. A bad row names its line
and column and NOTHING is imported. Rows replace those with the same key. A card number in a
cell is never kept: it is masked to its last four (****1111) and the row imported; the output
counts such cells ("masked") and names the first 20 ("masked_at").

Who may import: while the ledger has no users (setting up) anyone, without credentials. Then
users needs an admin, the others a supervisor or an admin: --user LOGIN --pin PIN BEFORE the
command (or CASHIER_DESK_USER and CASHIER_DESK_PIN, or answer the prompt on a terminal), e.g.
  cashier-desk --user sam --pin 3333 import open-items items.csv
A wrong PIN counts towards the lockout like at the counter; a refusal is not_authorized (exit 1)
and is audited with the login given.

revenue-codes: code,description,program,gl,fee_type,amount,partial_allowed
  fee_type   fixed (amount per item), per_unit (amount x qty), open (keyed at the counter;
             amount empty)
  gl         one account (101-0000-41100) or a split such as
             250-0000-22010=4.50;101-0000-41300 (fixed parts, one bare account takes the rest)
  partial_allowed  yes | no
users:         login,name,role,pin      (role: cashier, lead, supervisor, admin)
open-items:    ref,program,account,name,address,amount_due,due_date,revenue_code,status
  status     open | paid | hold | appeal
  optional   issued, notice, plate, as_of (ISO date-time of the billing system's balance)
accounts:      account,rule,name,address,opened
  rule       tot (a registered TOT operator) | business_licence (a licensed business)
  opened     YYYY-MM-DD, or empty when not known; address may be empty
"""

RUN = """\
A script is JSON Lines: one operation per line, e.g.
  {"op":"login","user":"amy","pin":"4821"}
  {"op":"open_drawer","drawer":"D1","opening":{"20.00":5,"1.00":20}}
  {"op":"sale","items":[{"code":"DOG-LIC","qty":2}],"tenders":[{"type":"cash","amount":"40.00"}]}
  {"op":"void","receipt":"W1-000001","approver":"lee","approver_pin":"1111","reason":"typo"}
Operations: login, logout, open_drawer, sale, reprint, print_pending, void, drop, paid_out,
no_sale, close_drawer, reject_close, approve_close, unlock_user, closeout, sync.
Amounts are strings ("12.30"). Add "expect":"error" to an operation that must be refused.
One JSON result per operation is printed, in order; the run stops (exit 1) at the first
operation whose outcome differs from its expectation. Blank lines are skipped.
"""

RECEIPTS = """\
Prints one JSON line per receipt, in receipt-number order:
  {"receipt":"W1-000001","total":"20.00","voided":false,"printed":true,"session":"W1-S000001"}
"""

PAPERS = """\
Saves the deposit slip and the closeout summary (PDF) of each batch of a day closed out
earlier, and prints one JSON line per batch: batch, date, deposit, deposit_slip, summary.
"""

EXPORT = """\
Writes a closed-out day's files for other systems (CSV) and prints one JSON line per file:
  gl-journal-<batch>.csv        business_date,batch,line,account,debit,credit,memo
                                (balanced per fund)
  payments-<program>-<batch>.csv
                                program,ref,account,amount,receipt,paid_at,business_date,batch
"""

REPORT = """\
over-short writes the over/short history of a period as CSV, a row per closed drawer:
  business_date,session,workstation,drawer,cashier,closed_at,cash,check,money_order,card,
  total,approved_by
and prints one JSON line with the file, the number of sessions and each cashier's total.
"""

AUDIT = """\
verify checks the hash chain of the audit log: exit 0 and {"ok":true,"records":n}, or exit 1
naming the first record that was altered, removed or moved.
"""

DEVICES = """\
Devices are set in config.toml, [devices]:
  printer = "sim" | "escpos+serial:///dev/ttyUSB0?baudrate=19200" | "escpos+tcp://HOST:9100"
            | "escpos+usb://VID:PID" | "none"
  drawer  = "printer" | "drawer+serial:///dev/ttyS1" | "sim" | "none"
  scanner = "sim" | "scanner+serial:///dev/ttyACM0" | "wedge" | "none"
  display = "none" | "sim" | "display+serial:///dev/ttyUSB1"
list prints one JSON line per device and the serial ports; test prints a test page, pulses
the drawer and waits for a scan, and says plainly what failed (exit 1).
"""

SYNC = """\
ACTION is push when left out.
push    sends every closed-out batch the central database does not hold (it is asked, so a new
        central gets them all) and prints {"ok":true,"sent":n,"already_there":n,"pending":n,
        "quarantined":n}; a batch central refuses (a conflict, a broken audit chain) is held
        there in quarantine and the batches after it still go.
pull    fetches revenue codes, users and open items from central.
resolve BATCH --accept|--reject [--note TEXT]
        an admin (--user/--pin before the command, or CASHIER_DESK_USER/CASHIER_DESK_PIN,
        or the prompt on a terminal) decides a batch held in quarantine.
"""

CENTRAL = """\
The central database is --central URL (or CASHIER_DESK_CENTRAL_URL, or [central] url in
config.toml; default: central.db in the data folder, "this machine only"). import takes the
same CSV files as `cashier-desk import`; totals prints, as JSON, what arrived for a business
date (--date) or a period (--from, --to), adjustments beside the receipts (batches in
quarantine left out); status lists workstations, their last batch and
contact, and the batches held in quarantine. workstation add ID registers a workstation and,
on PostgreSQL, makes its own role (printing its password once): connected as that role it adds
and reads only its own batches (row-level security); give it in that workstation's [central]
url. workstation remove ID stops it sending (its batches stay).
"""

DEMO = """\
Loads the demo city (revenue codes, people, open items) and plays a demo day headless.
Only into an EMPTY data folder: one with no ledger yet, or with no users and no receipts.
"""

SEARCH = """\
The counter's search: every open item (whatever its status) for which each word of TEXT is the
start of a word of its reference, account, plate, name or address (case and accents ignored),
as JSON lines {"ref":..,"program":..,"account":..,"name":..,"address":..,"amount_due":..,
"due_date":..,"status":..}; an exact reference first, then by reference.
"""

SCREENSHOTS = """\
Renders each main screen of the window, at 1366x768, into OUTDIR as PNG files (on demo data of
its own; the data folder is not used).
"""

LEDGER = """\
When the ledger has lost work it had saved (its WAL deleted, an old copy put back; every
command says so, naming the last receipt it knew), it takes no money until a supervisor or
admin accepts the loss:
  cashier-desk --user sam --pin 3333 ledger accept-loss
Numbering then continues AFTER the last receipt it knew, so no printed number is issued twice;
the gap is recorded in the audit log. Or restore the ledger from a backup instead.
"""
