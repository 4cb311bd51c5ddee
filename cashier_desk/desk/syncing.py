"""The workstation and central: sending closed batches, pulling reference data, an admin's
decision on a batch central holds in quarantine.  Central's failures become refusals a person
can read (``central_unreachable``)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

import sqlalchemy as sa

from cashier_desk.desk import authority
from cashier_desk.desk.station import Station
from cashier_desk.errors import Refusal
from cashier_desk.events import Alert, ReferenceDataChanged, SyncPassed
from cashier_desk.ledger import closeout
from cashier_desk.sync.relay import SyncResult

if TYPE_CHECKING:  # sync.pull (and SQLAlchemy's PostgreSQL dialect) load at the first pull
    from cashier_desk.sync.pull import PullResult

log = logging.getLogger(__name__)


class Syncing:
    """Central, seen from the Desk."""

    def __init__(self, station: Station) -> None:
        self.st = station

    def sync(self) -> SyncResult:
        """Push the closed batches waiting in the outbox to central now."""
        if self.st.relay is None:
            raise Refusal("no_central", "No central database is set for this workstation.")
        return self.st.relay.push()

    def sync_status(self) -> str:
        """The batches waiting for central, said for the status bar ("" without central)."""
        return self.st.relay.status_text() if self.st.relay is not None else ""

    def chain_flag(self) -> str | None:
        """What central flags of this workstation's audit chain at the last contact."""
        return self.st.relay.flagged if self.st.relay is not None else None

    def held_back(self) -> list[str]:
        """The batches the last sync found held in quarantine at central."""
        if self.st.relay is None or self.st.relay.last is None:
            return []
        return list(self.st.relay.last.held_back)

    def check_central_ledger(self) -> None:
        """Ask central what it saw of this workstation (a ledger behind it lost work)."""
        if self.st.relay is not None:
            self.st.relay.check_ledger()

    def sync_done(self, result: SyncResult) -> None:
        """After each sync pass (the relay calls this): a batch central has just put in
        quarantine is an alert for the lead, once."""
        for held in result.held_now:
            self.st.events.publish(
                Alert(
                    "batch_quarantined",
                    f"Central holds {held}. It is kept out of central's totals until an "
                    "admin decides (cashier-desk sync resolve).",
                )
            )
        if result.flagged:
            self._chain_flagged(result.flagged)
        relay = self.st.relay
        self.st.events.publish(SyncPassed(relay.pending() if relay is not None else 0))

    def _chain_flagged(self, flag: str) -> None:
        self.st.events.publish(
            Alert(
                "chain_flagged",
                f"Central flags this workstation's audit chain: {flag}. A supervisor "
                "checks the ledger (cashier-desk audit verify).",
            )
        )

    def resolve_quarantined(
        self, batch_id: str, *, accept: bool, login: str, pin: str, note: str = ""
    ) -> dict[str, str]:
        """An admin's decision at central on a batch of this workstation held in quarantine:
        accept it into central's books or reject it.  Audited here and at central."""
        from cashier_desk.sync import central, quarantine  # loaded on central's first use

        engine = self.central_engine()
        admin = authority.authorize(self.st, "sync resolve", login, pin)
        with self.at_central():
            central.ensure_ready(engine)
            decided = quarantine.resolve(
                engine,
                batch_id,
                accept=accept,
                by=admin.login,
                workstation=self.st.workstation,
                at=self.st.now().isoformat(),
                note=note,
            )
        details = {"reason": decided["reason"], "note": note}
        with self.st.ledger.write() as conn:
            closeout.set_outcome(conn, batch_id, decided["decision"])
            self.st.audit(
                conn, "sync_resolve", batch_id, details, actor=admin.login,
                outcome=decided["decision"],
            )  # fmt: skip
        return decided

    def pull_reference_data(self) -> PullResult:
        """Fetch revenue codes, users and open items changed at central since the last pull,
        with the open-item payments other counters made."""
        from cashier_desk.sync import central
        from cashier_desk.sync.pull import pull

        engine = self.central_engine()
        with self.at_central():
            central.ensure_ready(engine)

            result = pull(self.st.ledger, engine, self.st.workstation, self.st.now().isoformat())
        with self.st.ledger.write() as conn:
            self.st.audit(conn, "sync_pull", "reference data", vars(result), actor="system")
        self.st.events.publish(ReferenceDataChanged("pull"))
        self._anchor()
        return result

    def _anchor(self) -> None:
        """A sync contact after a pull: the audit head anchored at central (its flag, if any,
        an alert and ``relay.flagged``); a contact that fails changes nothing of the pull."""
        if self.st.relay is None:
            return  # no central: nothing to anchor at
        from cashier_desk.sync import access, central

        try:
            flag = self.st.relay.anchor()
        except (central.CentralError, access.UnknownWorkstation, sa.exc.SQLAlchemyError) as exc:
            log.warning("the contact with central after a pull failed: %s", exc)
            return
        if flag is not None:
            self._chain_flagged(flag)

    def central_engine(self) -> sa.Engine:
        if self.st.relay is None:
            raise Refusal("no_central", "No central database is set for this workstation.")
        with self.at_central():
            return self.st.relay.engine()

    @staticmethod
    @contextlib.contextmanager
    def at_central() -> Iterator[None]:
        """Central's failures as refusals a person can read."""
        from cashier_desk.sync import central  # central's modules load on its first use

        try:
            yield
        except central.CentralError as exc:
            raise Refusal("central_unreachable", str(exc)) from None
        except sa.exc.SQLAlchemyError as exc:
            raise Refusal(
                "central_unreachable", f"Central cannot be reached: {central._reason(exc)}"
            ) from None
