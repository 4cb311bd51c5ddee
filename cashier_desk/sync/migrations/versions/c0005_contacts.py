"""contacts: the workstation's audit head at every sync contact, not only in batches

Revision ID: c0005
Revises: c0004
Create Date: 2026-12-05 17:30:00

A chain head was anchored at central only in a batch, once a day: a ledger put back to an
older copy, or a chain rewritten, between two closeouts went unseen until the next batch.  Now
every ``sync`` (even with nothing to send) and ``sync pull`` leaves a row here with the
workstation's newest audit record (seq, hash); central flags a contact behind what it saw or
off the chain it knows (``problem``), and holds a later batch to every head contacted (see
``cashier_desk.sync.contacts``).  On PostgreSQL the table is secured like the others: a
workstation role adds and reads only its own contacts.
"""

import sqlalchemy as sa
from alembic import op

from cashier_desk.sync import access

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index("ix_contacts_workstation_seq", "contacts", ["workstation", "seq"])
    access.secure(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_contacts_workstation_seq", table_name="contacts")
    op.drop_table("contacts")
