"""Papers and files for people and other systems: the deposit slip and closeout summary (PDF),
the printed closeout and drawer slips, the GL journal and payments exports (CSV), and the daily,
statistics and delinquent reports (JSON, PDF, CSV). Made from figures the ledger gives; no SQL
and no devices here."""
