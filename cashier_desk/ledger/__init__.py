"""The local ledger (SQLite through SQLAlchemy 2, migrated by Alembic): its schema, every query
the counter makes, posting rules, the append-only money rows and their audit seals, the audit
hash chain, imports, backups and the high-water mark. The Desk decides; this writes and reads."""
