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
    # central.init_central runs every migration in its one transaction, and the SQLite engine
    # begins it for real (DDL included): a kill leaves central as it was.
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
