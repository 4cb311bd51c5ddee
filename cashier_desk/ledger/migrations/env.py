"""Alembic environment for the local ledger; the Ledger passes its own connection in."""

from alembic import context

from cashier_desk.ledger.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("open the ledger through cashier_desk.ledger.db.Ledger to migrate it")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
