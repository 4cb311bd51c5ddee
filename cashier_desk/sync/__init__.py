"""The central database (PostgreSQL or SQLite): its schema and migrations, the outbox relay that
delivers each closed batch exactly once, central's checks of a batch (audit chain, detail,
contacts, quarantine), row-level security per workstation, reference data and `sync pull`."""
