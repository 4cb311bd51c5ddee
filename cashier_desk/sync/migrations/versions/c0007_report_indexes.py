"""indexes for the city's reports (issue 17)

Revision ID: c0007
Revises: c0006
Create Date: 2026-12-06 02:00:00

``report stats --central`` aggregates a period of every workstation's receipts in the
database: the receipts are found by business date, and their lines and tenders by receipt
number (central keeps them by batch only, until now).
"""

from alembic import op

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_receipts_business_date", "receipts", ["business_date"])
    op.create_index("ix_receipt_lines_receipt_no", "receipt_lines", ["receipt_no"])
    op.create_index("ix_tenders_receipt_no", "tenders", ["receipt_no"])


def downgrade() -> None:
    op.drop_index("ix_tenders_receipt_no", table_name="tenders")
    op.drop_index("ix_receipt_lines_receipt_no", table_name="receipt_lines")
    op.drop_index("ix_receipts_business_date", table_name="receipts")
