"""open items keep their plate, issue date and notice date at central

Revision ID: c0012
Revises: c0011
Create Date: 2026-12-06 20:00:00

``ref_open_items`` gains ``plate`` (free text, '' when not given), ``issued`` and ``notice``
(ISO dates or NULL), which ``central import open-items`` reads as a local import does and
``sync pull`` carries into the workstations' open items, so a citation published through
central can be contested within its windows and found by its plate.  The rows already there
get none of them (their plate '', their dates NULL) until the next import.  ``as_of`` stays a
workstation's own (central stamps each row with when it took it).  The table is reference
data: a workstation role reads the whole table (``access.READ_ONLY``, granted table-wide), so
the new columns need no grant of their own, and a SQLite central has none.
"""

import sqlalchemy as sa
from alembic import op

revision = "c0012"
down_revision = "c0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ref_open_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("plate", sa.String(length=20), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("issued", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("notice", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ref_open_items", schema=None) as batch_op:
        batch_op.drop_column("notice")
        batch_op.drop_column("issued")
        batch_op.drop_column("plate")
