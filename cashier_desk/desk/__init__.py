"""The Desk: the one application service behind the cashier's window and the command line.

Every use case at the counter is a method of one of a few services, each with one reason to
change, composed here around one :class:`~cashier_desk.desk.station.Station` (the ledger, the
config, the devices, the clock, the bus, who is logged in):

- :class:`People` — log in and out, the lock, lockouts, the first admin, a lost ledger;
- :class:`Records` — receipts, drawer sessions, the audit chain, imports of reference data;
- :class:`Spooler` — the print queue, the printer's and the drawer's status;
- :class:`Pricing` — quotes and lookups: the one path that prices a sale's lines;
- :class:`Counter` — open items, scans, sales and voids;
- :class:`Programs` and :class:`PlanPapers` — contests, payment plans and their schedules;
- :class:`Cash` — opening a drawer, drops, paid-outs, no-sales;
- :class:`Closing` — blind close, approvals, closeout and its papers;
- :class:`Corrections` — after the closeout: returned checks, refunds, transfers;
- :class:`Syncing` and :class:`Reporting` — central, and the reports' figures;
- :class:`Retention` — `retention purge` of old batches central acknowledged.

A method either completes in ONE durable transaction or raises
:class:`~cashier_desk.errors.Refusal` having changed nothing (a wrong PIN, counted towards the
lockout, is the one exception).  Devices are used only after the commit: commit → print →
mark printed → open the drawer.  Callers (the window, the CLI, the script runner) use the
methods the Desk lends from its services, never the services' state.
"""

from __future__ import annotations

from cashier_desk.config import Config
from cashier_desk.desk.cash import Cash
from cashier_desk.desk.closing import Closing
from cashier_desk.desk.corrections import Corrections
from cashier_desk.desk.counter import Counter
from cashier_desk.desk.people import People
from cashier_desk.desk.plan_paper import PlanPapers
from cashier_desk.desk.pricing import Pricing
from cashier_desk.desk.printing import Spooler
from cashier_desk.desk.program_ops import Programs
from cashier_desk.desk.records import Records
from cashier_desk.desk.reporting import Reporting
from cashier_desk.desk.requests import (
    BlindCount,
    CashMovement,
    Clock,
    CloseResult,
    CountedItem,
    ItemRequest,
    OpenItemView,
    PricedLine,
    Quote,
    SaleResult,
    ScanResult,
    TenderRequest,
    is_iso_date,
    system_clock,
)
from cashier_desk.desk.retention import Retention
from cashier_desk.desk.station import Station
from cashier_desk.desk.syncing import Syncing
from cashier_desk.devices.base import CashDrawer, ReceiptPrinter
from cashier_desk.events import EventBus
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.pins import PinHasher
from cashier_desk.sync.relay import Relay


class Desk:
    """The application service of one workstation: its services, composed and wired."""

    def __init__(self, station: Station) -> None:
        """Wire the services around ``station`` (built by the composition root, ``app``)."""
        st = self.station = station
        people, records, spooler = People(st), Records(st), Spooler(st)
        pricing = Pricing(st)
        counter, cash = Counter(st, pricing, spooler), Cash(st, spooler)
        programs, plan_papers = Programs(st, pricing, spooler), PlanPapers(st, spooler)
        closing, syncing = Closing(st, spooler), Syncing(st)
        fixes = Corrections(st, pricing, spooler)
        reporting = Reporting(st, syncing)
        self.spooler = spooler
        # people
        self.business_date = st.business_date
        self.has_users, self.login, self.logout = people.has_users, people.login, people.logout
        self.setting_up, self.import_authority = people.setting_up, people.import_authority
        self.create_first_admin, self.logged_in = people.create_first_admin, people.logged_in
        self.unlock, self.unlock_user = people.unlock, people.unlock_user
        self.ledger_lost_work = people.ledger_lost_work
        self.ledger_loss_message = people.ledger_loss_message
        self.accept_ledger_loss = people.accept_ledger_loss
        # records
        self.now, self.data_dir = records.now, records.data_dir
        self.receipt_columns, self.receipts = records.receipt_columns, records.receipts
        self.search_receipts, self.receipt = records.search_receipts, records.receipt
        self.day_sessions, self.verify_audit = records.day_sessions, records.verify_audit
        self.import_file = records.import_file
        # printing and devices
        self.print_document, self.pending_prints = spooler.print_document, spooler.pending_prints
        self.print_pending, self.reprint = spooler.print_pending, spooler.reprint
        self.start_spooler, self.stop_spooler = spooler.start_spooler, spooler.stop_spooler
        self.device_status_changed = spooler.device_status_changed
        self.printer_ready = spooler.printer_ready
        # pricing, the counter, programs and cash
        self.quote, self.lookup = pricing.quote, pricing.lookup
        self.account, self.animal_licence = pricing.account, pricing.animal_licence
        self.open_item, self.search_open_items = counter.open_item, counter.search_open_items
        self.fee_codes, self.lookup_scan = counter.fee_codes, counter.lookup_scan
        self.rule_codes = counter.rule_codes
        self.sale, self.void = counter.sale, counter.void
        self.contest, self.plan = programs.contest, programs.plan
        self.plan_preview = programs.plan_preview
        self.print_plan_schedule = plan_papers.print_plan_schedule
        self.open_drawer, self.current_session = cash.open_drawer, cash.current_session
        self.drop, self.paid_out, self.no_sale = cash.drop, cash.paid_out, cash.no_sale
        # closing
        self.close_drawer, self.session_to_count = closing.close_drawer, closing.session_to_count
        self.sent_back = closing.sent_back
        self.close_figures, self.approve_close = closing.close_figures, closing.approve_close
        self.reject_close, self.closeout = closing.reject_close, closing.closeout
        self.closeout_papers = closing.closeout_papers
        self.save_closeout_pdfs = closing.save_closeout_pdfs
        self.write_closeout_exports = closing.write_closeout_exports
        self.drawer_report = closing.drawer_report
        self.print_drawer_report = closing.print_drawer_report
        self.over_short_history = closing.over_short_history
        self.item_payments, self.day_contests = closing.item_payments, closing.day_contests
        self.day_closeouts = closing.day_closeouts
        # corrections after the closeout
        self.returned_check, self.refund = fixes.returned_check, fixes.refund
        self.transfer, self.clear_certified_funds = fixes.transfer, fixes.clear_certified_funds
        # central and reports
        self.sync, self.sync_status = syncing.sync, syncing.sync_status
        self.sync_done = syncing.sync_done
        self.chain_flag, self.held_back = syncing.chain_flag, syncing.held_back
        self.check_central_ledger = syncing.check_central_ledger
        self.resolve_quarantined = syncing.resolve_quarantined
        self.pull_reference_data = syncing.pull_reference_data
        self.stats_report, self.daily_report = reporting.stats_report, reporting.daily_report
        self.delinquent_report = reporting.delinquent_report
        self.retention_purge = Retention(st).purge
        self.tot_report = reporting.tot_report

    # -- the station's state, for the composition root and tests -----------------------------

    @property
    def ledger(self) -> Ledger:
        return self.station.ledger

    @property
    def events(self) -> EventBus:
        return self.station.events

    @property
    def workstation(self) -> str:
        return self.station.workstation

    @property
    def user(self) -> User | None:
        return self.station.user

    @property
    def config(self) -> Config:
        return self.station.config

    @config.setter
    def config(self, value: Config) -> None:
        self.station.config = value

    @property
    def printer(self) -> ReceiptPrinter:
        return self.station.printer

    @printer.setter
    def printer(self, value: ReceiptPrinter) -> None:
        self.station.printer = value

    @property
    def cash_drawer(self) -> CashDrawer:
        return self.station.cash_drawer

    @cash_drawer.setter
    def cash_drawer(self, value: CashDrawer) -> None:
        self.station.cash_drawer = value

    @property
    def clock(self) -> Clock:
        return self.station.clock

    @clock.setter
    def clock(self, value: Clock) -> None:
        self.station.clock = value

    @property
    def relay(self) -> Relay | None:
        return self.station.relay

    @relay.setter
    def relay(self, value: Relay | None) -> None:
        self.station.relay = value

    @property
    def pins(self) -> PinHasher:
        return self.station.pins

    @pins.setter
    def pins(self, value: PinHasher) -> None:
        self.station.pins = value


__all__ = [
    "BlindCount",
    "CashMovement",
    "Clock",
    "CloseResult",
    "CountedItem",
    "Desk",
    "ItemRequest",
    "OpenItemView",
    "PricedLine",
    "Quote",
    "SaleResult",
    "ScanResult",
    "Station",
    "TenderRequest",
    "is_iso_date",
    "system_clock",
]
