"""workstations: each workstation for itself only (roles, row-level security)

Revision ID: c0004
Revises: c0003
Create Date: 2026-12-05 14:00:00

One shared PostgreSQL role let any workstation add rows to another's batch or forge its chain
head.  Now central keeps a registry of the workstations it knows (``workstations``: id, its
role, when added or removed) and, on PostgreSQL, row-level security keyed on it (see
``cashier_desk.sync.access``): each workstation role adds and reads only its own rows (the
receipts, lines and tenders it may only add, each statement checked by a trigger, so that
they still take COPY).  The
other counters' payments on open items, which ``sync pull`` needs, come through the view
``open_item_payments``.  Every workstation that has already sent a batch is registered without
a role (its batches were taken under the old rule and stay known); an administrator gives each
its role with ``central workstation add``.  On SQLite (no roles) only the registry and the
view are made.
"""

import sqlalchemy as sa
from alembic import op

from cashier_desk.sync import access

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None

#: The tables a workstation wrote at this revision (later ones are secured by `central init`).
TABLES = (
    "batches", "drawer_sessions", "receipts", "receipt_lines", "tenders", "gl_distribution",
    "tender_totals", "deposits", "chain_heads", "quarantine", "quarantine_decisions",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "workstations",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=63), nullable=True),
        sa.Column("added_at", sa.String(length=40), nullable=False),
        sa.Column("removed_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workstations")),
        sa.UniqueConstraint("role", name=op.f("uq_workstations_role")),
    )
    op.execute(
        "INSERT INTO workstations (id, role, added_at) "
        "SELECT workstation, NULL, min(received_at) FROM "
        "(SELECT workstation, received_at FROM batches "
        " UNION ALL SELECT workstation, received_at FROM quarantine) AS seen "
        "GROUP BY workstation"
    )
    op.execute(access.PAYMENTS_VIEW)
    access.secure(op.get_bind(), TABLES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in access.BULK:
            op.execute(f"DROP TRIGGER IF EXISTS central_own_batches ON {table}")
        op.execute("DROP FUNCTION IF EXISTS central_own_batches()")
        op.execute("DROP FUNCTION IF EXISTS central_receipts_taken(varchar[])")
        for table in ("workstations", *TABLES):
            for policy in ("central_admin", "workstation_reads", "workstation_adds"):
                op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP VIEW open_item_payments")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION central_workstation()")
    op.drop_table("workstations")
