"""Alembic environment for the central database; cashier_desk.sync.central passes its
connection in."""

from alembic import context

from cashier_desk.sync.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run `cashier-desk central init` to create or upgrade the central database")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table="central_alembic_version",
)
with context.begin_transaction():
    context.run_migrations()
