"""Refuse UPDATE and DELETE on the rows that record money and control events.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copy of the list as of this revision (schema.APPEND_ONLY may grow later).
TABLES = (
    "drawer_sessions",
    "drawer_closes",
    "close_counts",
    "close_approvals",
    "drawer_movements",
    "receipts",
    "receipt_lines",
    "tenders",
    "voids",
    "journal_entries",
    "postings",
    "batches",
    "batch_sessions",
    "audit_log",
)


def upgrade() -> None:
    for table in TABLES:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def downgrade() -> None:
    for table in TABLES:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
